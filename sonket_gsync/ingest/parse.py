"""Turn a unit's raw snapshot (cell grids + narrative .docx) into a Submission and Problems.

Tabs are found by title, or — if a unit renamed one — by their header row. Columns are found
by header text (NFC, case- and spacing-insensitive, aliases allowed), never by position.
Trailing and blank rows are ignored; extra columns are ignored with a warning. Every
problem names the sheet, row and column and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sonket_gsync.backends.base import Grid, UnitSnapshot
from sonket_gsync.campaign.model import Campaign, Column, Form, Unit
from sonket_gsync.core.text import clean, header_key
from sonket_gsync.forms import narrative as narrative_doc
from sonket_gsync.forms.layout import not_reported_reason
from sonket_gsync.forms.limits import HEADER_ALLOWANCE, Limits, too_many_rows
from sonket_gsync.forms.submission import Problem, Submission
from sonket_gsync.forms.validation import Rejection, convert, is_blank

HEADER_SCAN_ROWS = 15
NARRATIVE_SHEET = "Báo cáo thuyết minh"


@dataclass(frozen=True)
class Parsed:
    submission: Submission
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def parse_snapshot(campaign: Campaign, unit: Unit, snapshot: UnitSnapshot, limits: Limits | None = None) -> Parsed:
    """``limits`` (the workspace's, from the settings): a tab with more filled rows than
    allowed, or a narrative package over the limits, raises ``UnitFileError`` for the unit.
    The local backend already stops reading at the limit; this also bounds other backends."""
    if limits is not None:
        _check_rows(unit, snapshot, limits)
    problems: list[Problem] = []
    reported: set[str] = set()  # forms whose errors are already told
    submission = Submission(unit_code=unit.code)
    used_tabs: set[str] = set()
    for form in campaign.forms_for(unit):
        before = len(problems)
        rows = _parse_form(campaign, unit, form, snapshot.sheets, used_tabs, problems)
        submission.tables[form.code] = rows
        if any(p.severity == "error" for p in problems[before:]):
            reported.add(form.code)
    if campaign.has_narrative(unit):
        if snapshot.narrative is None:
            problems.append(
                Problem(
                    unit.code,
                    "Không tìm thấy tệp báo cáo thuyết minh của đơn vị. Hãy khôi phục tệp (hoặc chạy lại provision để tạo lại).",
                    "missing_narrative",
                    sheet=NARRATIVE_SHEET,
                )
            )
        else:
            texts, narrative_problems = narrative_doc.parse_docx(snapshot.narrative, campaign, unit.code, limits)
            submission.narrative = {k: v for k, v in texts.items() if v}
            problems.extend(narrative_problems)
    if not submission.is_empty or reported:
        problems.extend(_completeness(campaign, unit, submission, reported))
    return Parsed(submission, problems)


def _check_rows(unit: Unit, snapshot: UnitSnapshot, limits: Limits) -> None:
    allowed = limits.max_rows_per_form + HEADER_ALLOWANCE
    for title, grid in snapshot.sheets.items():
        if len(grid) > allowed:
            filled = sum(1 for row in grid if any(not is_blank(v) for v in row))
            if filled > allowed:
                raise too_many_rows(filled, unit_code=unit.code, where=f"đơn vị {unit.code}, trang tính '{title}'", limits=limits)


def _completeness(campaign: Campaign, unit: Unit, submission: Submission, reported: set[str]) -> list[Problem]:
    """Once a unit has started, every form with required cells must be filled."""
    problems = []
    for form in campaign.forms_for(unit):
        if form.code in reported:
            continue
        needs_input = any(c.required for c in form.input_columns)
        if needs_input and form.rows != "open" and not submission.tables.get(form.code):
            problems.append(
                Problem(
                    unit.code,
                    f"Biểu mẫu '{form.appendix} – {form.title}' chưa được điền. Hãy điền đủ các cột bắt buộc trước khi gửi.",
                    "form_empty",
                    sheet=form.sheet,
                )
            )
    if campaign.has_narrative(unit) and not submission.narrative:
        problems.append(
            Problem(
                unit.code,
                "Báo cáo thuyết minh chưa có nội dung. Hãy viết nội dung dưới các đề mục của đề cương.",
                "narrative_empty",
                sheet=NARRATIVE_SHEET,
                severity="warning",
            )
        )
    return problems


# --- one form ------------------------------------------------------------------------------


def _parse_form(
    campaign: Campaign,
    unit: Unit,
    form: Form,
    sheets: dict[str, Grid],
    used_tabs: set[str],
    problems: list[Problem],
) -> list[dict[str, object]]:
    found = _find_tab(form, sheets, used_tabs)
    if found is None:
        problems.append(
            Problem(
                unit.code,
                f"Không tìm thấy trang tính '{form.sheet}' ({form.appendix} – {form.title}). "
                "Trang có thể đã bị xóa hoặc dòng tiêu đề đã bị sửa. Hãy khôi phục trang tính (Lịch sử phiên bản) hoặc liên hệ Ban Tuyên giáo và Dân vận để được cấp lại biểu mẫu.",
                "missing_sheet",
                sheet=form.sheet,
            )
        )
        return []
    title, grid, header_index, mapping = found
    used_tabs.add(title)
    if header_key(title) != header_key(form.sheet):
        problems.append(
            Problem(
                unit.code,
                f"Trang tính '{form.sheet}' đã bị đổi tên thành '{title}'; dữ liệu vẫn được đọc. Nên đặt lại tên cũ.",
                "renamed_sheet",
                sheet=title,
                severity="warning",
            )
        )
    _check_header(unit, form, title, grid[header_index], header_index, mapping, problems)
    rows = []
    for offset, cells in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if _is_numbering_row(cells):
            continue
        values = {col.key: _cell(cells, mapping.get(col.key)) for col in form.columns}
        if all(is_blank(values[c.key]) for c in form.input_columns):
            continue
        if form.rows == "indicators" and _not_reported(campaign, unit, form, title, offset, values, problems):
            continue
        row = _parse_row(campaign, unit, form, title, offset, values, set(mapping), problems)
        if row is not None:
            rows.append(row)
    return _shape_rows(unit, form, title, rows, problems)


def _find_tab(form: Form, sheets: dict[str, Grid], used: set[str]):
    """(title, grid, header row index, column key -> index) for the form, or None."""
    by_title = [t for t in sheets if header_key(t) == header_key(form.sheet)]
    others = [t for t in sheets if t not in by_title and t not in used]
    for title in by_title + others:
        header = _find_header(form, sheets[title])
        if header is not None:
            return (title, sheets[title], *header)
    return None


def _find_header(form: Form, grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The row that carries most of the form's headers (at least half of them)."""
    best: tuple[int, dict[str, int]] | None = None
    for index, cells in enumerate(grid[:HEADER_SCAN_ROWS]):
        mapping = _match_headers(form.columns, cells)
        if best is None or len(mapping) > len(best[1]):
            best = (index, mapping)
    if best is None or len(best[1]) * 2 < len(form.columns):
        return None
    return best


def _match_headers(columns: tuple[Column, ...], cells: list[object]) -> dict[str, int]:
    keys = [header_key(c) if isinstance(c, str) else "" for c in cells]
    # "Header (a remark)" is the header too: the forms label some headers so (layout.py).
    bare = [k.split(" (", 1)[0].strip() if k.endswith(")") else k for k in keys]
    mapping = {}
    for col in columns:
        for wanted in col.header_keys:
            if wanted in keys:
                mapping[col.key] = keys.index(wanted)
                break
    taken = set(mapping.values())
    for col in columns:
        if col.key in mapping:
            continue
        for wanted in col.header_keys:
            if wanted in bare and bare.index(wanted) not in taken:
                mapping[col.key] = bare.index(wanted)
                taken.add(mapping[col.key])
                break
    return mapping


def _check_header(unit: Unit, form: Form, title: str, header: list[object], index: int, mapping: dict[str, int], problems: list[Problem]) -> None:
    for col in form.columns:
        if col.key in mapping:
            continue
        required = col.required or col.required_when is not None or col.fixed
        problems.append(
            Problem(
                unit.code,
                f"Thiếu cột '{col.header}' ở dòng tiêu đề. Đừng xóa hay sửa tiêu đề cột; hãy khôi phục tiêu đề '{col.header}'.",
                "missing_column",
                sheet=title,
                row=index + 1,
                column=col.header,
                severity="error" if required else "warning",
            )
        )
    known = set(mapping.values())
    for position, cell in enumerate(header):
        if position not in known and not is_blank(cell):
            problems.append(
                Problem(
                    unit.code,
                    f"Cột '{_short(cell)}' không có trong biểu mẫu nên không được đọc. Nếu cần ghi thêm thông tin, hãy đưa vào cột Ghi chú hoặc báo cáo thuyết minh.",
                    "extra_column",
                    sheet=title,
                    row=index + 1,
                    column=_short(cell),
                    severity="warning",
                )
            )


def _parse_row(
    campaign: Campaign,
    unit: Unit,
    form: Form,
    title: str,
    row_number: int,
    values: dict[str, object],
    present: set[str],
    problems: list[Problem],
) -> dict[str, object] | None:
    value_type = _indicator_value_type(campaign, form, values)
    row: dict[str, object] = {"_row": row_number}
    ok = True
    for col in form.columns:
        raw = values[col.key]
        if is_blank(raw):
            row[col.key] = None
            continue
        accepted = convert(col, raw, value_type if col.year is not None else None)
        if isinstance(accepted, Rejection):
            problems.append(Problem(unit.code, accepted.message, accepted.code, sheet=title, row=row_number, column=col.header))
            row[col.key] = None
            ok = False
        else:
            row[col.key] = accepted
    for col in form.columns:
        if row[col.key] is not None or col.fixed or col.key not in present:
            continue  # a missing column is reported once, at the header
        when = col.required_when
        needed = col.required or (when is not None and row.get(when[0]) == when[1])
        if needed and is_blank(values[col.key]):
            reason = "" if col.required or when is None else f" (bắt buộc khi cột '{form.column(when[0]).header}' là '{when[1]}')"
            problems.append(
                Problem(unit.code, f"Ô bắt buộc còn trống{reason}. Hãy điền '{col.header}'.", "required", sheet=title, row=row_number, column=col.header)
            )
            ok = False
    return row if ok else None


def _not_reported(campaign: Campaign, unit: Unit, form: Form, title: str, row_number: int, values: dict[str, object], problems: list[Problem]) -> bool:
    """True for an indicator row the unit does not report (the row is not read); figures
    typed there anyway are told, located, instead of being silently dropped."""
    code = clean(values.get(form.label_column.key))
    indicator = next((i for i in campaign.indicators if i.code == code), None)
    if indicator is None or not indicator.reported_by or unit.code in indicator.reported_by:
        return False
    typed = [c for c in form.input_columns if not is_blank(values[c.key])]
    if typed:
        reason = not_reported_reason(campaign, unit, indicator)
        problems.append(
            Problem(
                unit.code,
                f"Đã nhập số liệu cho chỉ tiêu {code} nhưng đơn vị không báo cáo chỉ tiêu này, nên số liệu không được tính. "
                f"{reason} Hãy xóa số liệu ở dòng này.",
                "unreported_indicator",
                sheet=title,
                row=row_number,
                column=typed[0].header,
                severity="warning",
            )
        )
    return True


def _indicator_value_type(campaign: Campaign, form: Form, values: dict[str, object]) -> str | None:
    if form.rows != "indicators":
        return None
    code = clean(values.get(form.label_column.key))
    for ind in campaign.indicators:
        if ind.code == code:
            return ind.value_type
    return None


def _shape_rows(unit: Unit, form: Form, title: str, rows: list[dict[str, object]], problems: list[Problem]) -> list[dict[str, object]]:
    """Fixed and indicator rows are matched to their labels; a unit form keeps its one row."""
    if form.rows in ("fixed", "indicators"):
        label_column = form.label_column
        key = label_column.key
        labels = {header_key(label): label for label in form.fixed_rows} if form.rows == "fixed" else None
        shaped = []
        for row in rows:
            label = clean(row.get(key))
            if labels is not None:
                label = labels.get(header_key(label), "")
            if not label:
                problems.append(
                    Problem(
                        unit.code,
                        f"Dòng có nhãn '{_short(row.get(key))}' không thuộc biểu mẫu nên không được đọc. Đừng sửa cột '{label_column.header}'.",
                        "unknown_row",
                        sheet=title,
                        row=_row_number(row),
                        column=label_column.header,
                        severity="warning",
                    )
                )
                continue
            row[key] = label
            shaped.append(row)
        rows = shaped
    if form.rows == "unit" and len(rows) > 1:
        problems.append(
            Problem(
                unit.code,
                "Biểu mẫu này chỉ có một dòng cho đơn vị; các dòng thêm bên dưới không được đọc. Hãy gộp nội dung vào dòng của đơn vị.",
                "extra_rows",
                sheet=title,
                row=_row_number(rows[1]),
                severity="warning",
            )
        )
        rows = rows[:1]
    for row in rows:
        row.pop("_row", None)
    return rows


def _row_number(row: dict[str, object]) -> int:
    """The sheet row a row was read from (``_parse_row`` keeps it under "_row")."""
    number = row["_row"]
    assert isinstance(number, int)
    return number


def _cell(cells: list[object], index: int | None) -> object:
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _is_numbering_row(cells: list[object]) -> bool:
    texts = [clean(c) for c in cells if not is_blank(c)]
    return bool(texts) and all(t.startswith("[") and t.endswith("]") for t in texts)


def _short(value: object, limit: int = 60) -> str:
    text = clean(value)
    return text if len(text) <= limit else text[:limit] + "…"

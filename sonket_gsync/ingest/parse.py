"""Turn a unit's raw snapshot (cell grids + narrative .docx) into a Submission and Problems.

Tabs are found by title, or — if a unit renamed one — by their header row. Columns are found
by header text (NFC, case- and spacing-insensitive, aliases allowed), never by position.
Trailing and blank rows are ignored; extra columns are ignored with a warning. Every
problem names the sheet, row and column and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sonket_gsync.backends.base import Capabilities, Grid, UnitSnapshot
from sonket_gsync.campaign.model import Campaign, Column, Form, Unit
from sonket_gsync.core.text import clean, header_key
from sonket_gsync.forms.layout import HEADER_ROW, UNIT_LABEL, UNIT_ROW, named_unit, not_reported_reason
from sonket_gsync.forms.limits import DEFAULT_LIMITS, HEADER_ALLOWANCE, Limits, too_many_rows
from sonket_gsync.forms.reading import iter_docx_lines
from sonket_gsync.forms.submission import Problem, Submission
from sonket_gsync.forms.validation import Rejection, convert, formula_text_message, is_blank, looks_like_formula

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


def parse_snapshot(
    campaign: Campaign,
    unit: Unit,
    snapshot: UnitSnapshot,
    limits: Limits | None = None,
    *,
    capabilities: Capabilities | None = None,
) -> Parsed:
    """``limits`` (the workspace's, from the settings): a tab with more filled rows than
    allowed, or a narrative package over the limits, raises ``UnitFileError`` for the unit.
    The local backend already stops reading at the limit; this also bounds other backends.
    ``capabilities`` (the workspace's) phrase how a unit recovers a broken file; None: an
    upload's (a backend that accepts uploads).

    A workbook or narrative made for another unit (its "Đơn vị: …" line names another unit of
    the campaign) is refused: one located error (the only problem told for another unit's
    workbook), so no version of it is ever stored."""
    if limits is not None:
        _check_rows(unit, snapshot, limits)
    caps = capabilities if capabilities is not None else Capabilities(accepts_uploads=True)
    problems: list[Problem] = []
    submission = Submission(unit_code=unit.code)
    reported: set[str] = set()  # forms whose errors are already told
    used_tabs: set[str] = set()
    for form in campaign.forms_for(unit):
        before = len(problems)
        rows = _parse_form(campaign, unit, form, snapshot.sheets, used_tabs, problems, caps)
        submission.tables[form.code] = rows
        if any(p.severity == "error" for p in problems[before:]):
            reported.add(form.code)
    foreign = _foreign_tab(campaign, unit, snapshot.sheets)
    if foreign is not None:  # its error keeps it out of the store: only the refusal is told
        owner, title = foreign
        return Parsed(submission, [foreign_problem(campaign, unit, owner, "tệp biểu mẫu", caps, sheet=title, row=UNIT_ROW)])
    if campaign.has_narrative(unit):
        narrative_owner = _foreign_narrative(campaign, unit, snapshot.narrative, limits)
        if narrative_owner is not None:
            problems.append(foreign_problem(campaign, unit, narrative_owner, "tệp báo cáo thuyết minh", caps, sheet=NARRATIVE_SHEET))
            reported.add(NARRATIVE_SHEET)
        elif snapshot.narrative is None:
            problems.append(
                Problem(
                    unit.code,
                    "Không tìm thấy tệp báo cáo thuyết minh của đơn vị. Hãy khôi phục tệp (hoặc chạy lại provision để tạo lại).",
                    "missing_narrative",
                    sheet=NARRATIVE_SHEET,
                )
            )
        else:
            from sonket_gsync.forms import narrative as narrative_doc  # python-docx: only when a narrative is read

            texts, narrative_problems = narrative_doc.parse_docx(snapshot.narrative, campaign, unit.code, limits)
            submission.narrative = {k: v for k, v in texts.items() if v}
            problems.extend(narrative_problems)
    if not submission.is_empty or reported:
        problems.extend(_completeness(campaign, unit, submission, reported))
    return Parsed(submission, problems)


# --- whose file ----------------------------------------------------------------------------


def _foreign_tab(campaign: Campaign, unit: Unit, sheets: dict[str, Grid]) -> tuple[Unit, str] | None:
    """(the other unit, the tab) when a tab's unit line, above its header, names another unit."""
    for title, grid in sheets.items():
        for cells in grid[: HEADER_ROW - 1]:
            for cell in cells[:3]:
                if isinstance(cell, str):
                    owner = named_unit(cell, campaign)
                    if owner is not None and owner.code != unit.code:
                        return owner, title
    return None


def _foreign_narrative(campaign: Campaign, unit: Unit, data: bytes | None, limits: Limits | None) -> Unit | None:
    """The other unit a narrative's "Đơn vị: …" line names, if it names one."""
    if not data:
        return None
    try:
        for line in iter_docx_lines(data, limits or DEFAULT_LIMITS):  # stops at the first unit line
            owner = named_unit(line, campaign)
            if owner is not None:
                return owner if owner.code != unit.code else None
    except Exception:  # not a zip, no body, too large, bad XML, a DTD: the narrative's parser tells it
        return None
    return None


def foreign_problem(campaign: Campaign, unit: Unit, owner: Unit, what: str, caps: Capabilities, *, sheet: str = "", row: int | None = None) -> Problem:
    """Another unit's file sent as ``unit``'s: refused, naming both units."""
    return Problem(
        unit.code,
        f"Tệp này là của {owner.name} (mã {owner.code}), không phải của {unit.name} (mã {unit.code}): "
        f"dòng “{UNIT_LABEL}” trong {what} ghi {owner.name}. Hệ thống không nhận tệp của đơn vị khác; "
        f"số liệu hợp lệ trước đó của {unit.name} (nếu có) vẫn được giữ. {recovery_advice(caps)}",
        "foreign_file",
        sheet=sheet,
        row=row,
    )


def recovery_advice(caps: Capabilities) -> str:
    """How a unit gets a file that reads again, as its backend allows: on a backend that takes
    uploads, the fresh form pre-filled with its last valid answers (``app/unit_files.py``);
    online, the editor's version history."""
    if caps.accepts_uploads:
        return "Hãy tải về biểu mẫu mới trên trang của đơn vị (đã điền sẵn số liệu hợp lệ gần nhất của đơn vị), nhập lại nội dung cần sửa rồi tải lên lại."
    if caps.online_files:
        return "Hãy mở đúng bảng tính và văn bản của đơn vị theo đường link đã được cấp, hoặc khôi phục bản trước bằng Tệp → Lịch sử phiên bản."
    return "Hãy liên hệ cơ quan tổng hợp báo cáo để được cấp lại biểu mẫu của đơn vị."


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
    if campaign.has_narrative(unit) and not submission.narrative and NARRATIVE_SHEET not in reported:
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
    caps: Capabilities,
) -> list[dict[str, object]]:
    found = _find_tab(form, sheets, used_tabs)
    if found is None:
        problems.append(_tab_not_read(unit, form, sheets, caps))
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


def _tab_not_read(unit: Unit, form: Form, sheets: dict[str, Grid], caps: Capabilities) -> Problem:
    """A form not found: its tab is there but its header row was changed, or it is gone."""
    named = f"{form.appendix} – {form.title}" if form.appendix else form.title
    titles = [t for t in sheets if header_key(t) == header_key(form.sheet)]
    recover = recovery_advice(caps)
    if titles:
        return Problem(
            unit.code,
            f"Trang tính '{titles[0]}' ({named}) vẫn còn, nhưng dòng tiêu đề cột (dòng {HEADER_ROW}) đã bị sửa hoặc xóa "
            f"nên không đọc được số liệu. Đừng sửa dòng tiêu đề. {recover}",
            "broken_header",
            sheet=titles[0],
            row=HEADER_ROW,
        )
    return Problem(
        unit.code,
        f"Không tìm thấy trang tính '{form.sheet}' ({named}): trang đã bị xóa hoặc đổi tên và sửa tiêu đề. {recover}",
        "missing_sheet",
        sheet=form.sheet,
    )


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


_HEADER_KEYS: dict[int, tuple[tuple[Column, ...], tuple[tuple[str, ...], ...]]] = {}


def _header_keys(columns: tuple[Column, ...]) -> tuple[tuple[str, ...], ...]:
    """Each column's header keys, computed once per form's columns (not per row scanned)."""
    entry = _HEADER_KEYS.get(id(columns))
    if entry is None or entry[0] is not columns:
        entry = (columns, tuple(col.header_keys for col in columns))
        if len(_HEADER_KEYS) > 256:  # campaigns loaded again and again (tests, reloads): start afresh
            _HEADER_KEYS.clear()
        _HEADER_KEYS[id(columns)] = entry
    return entry[1]


@lru_cache(maxsize=8192)
def _cell_key(text: str) -> str:
    """``header_key`` of a cell's text; the same titles and headers recur in every unit's file."""
    return header_key(text)


def _match_headers(columns: tuple[Column, ...], cells: list[object]) -> dict[str, int]:
    keys = [_cell_key(c) if isinstance(c, str) else "" for c in cells]
    # "Header (a remark)" is the header too: the forms label some headers so (layout.py).
    bare = [k.split(" (", 1)[0].strip() if k.endswith(")") else k for k in keys]
    wanted_keys = _header_keys(columns)
    mapping = {}
    for col, wanted_by_col in zip(columns, wanted_keys, strict=True):
        for wanted in wanted_by_col:
            if wanted in keys:
                mapping[col.key] = keys.index(wanted)
                break
    taken = set(mapping.values())
    for col, wanted_by_col in zip(columns, wanted_keys, strict=True):
        if col.key in mapping:
            continue
        for wanted in wanted_by_col:
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
            if isinstance(accepted, str) and looks_like_formula(accepted):
                problems.append(
                    Problem(unit.code, formula_text_message(accepted), "formula_text", sheet=title, row=row_number, column=col.header, severity="warning")
                )
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
    """Every filled cell is a column number "[1]", "[2]"… (and at least one is filled)."""
    found = False
    for cell in cells:
        if is_blank(cell):
            continue
        text = clean(cell)
        if not (text.startswith("[") and text.endswith("]")):
            return False
        found = True
    return found


def _short(value: object, limit: int = 60) -> str:
    text = clean(value)
    return text if len(text) <= limit else text[:limit] + "…"

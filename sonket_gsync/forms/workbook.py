"""Render a unit's sheet layouts as an .xlsx workbook, and write summary workbooks safely.

What goes where is decided in ``layout.py``; this module only draws it: styles, column
widths, frozen panes, data validation (so Excel refuses a wrong value as it is typed) and
sheet protection (so a unit does not break the header by accident; no password).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sonket_gsync.campaign.model import Campaign, Column, Unit
from sonket_gsync.core.text import clean, header_key, to_local
from sonket_gsync.forms.layout import HEADER_ROW, NOTE_ROW, TITLE_ROW, UNIT_ROW, SheetLayout, workbook_layout
from sonket_gsync.forms.policy import ERROR_TITLE, PROMPT_TITLE, ColumnPolicy, policy
from sonket_gsync.forms.submission import Submission
from sonket_gsync.forms.validation import looks_like_formula

LISTS_SHEET = "Danh mục"
DATE_FORMAT = "dd/mm/yyyy"
# Open forms let units add rows below the offered blank rows: validation and unlocked
# cells reach this far below the first data row.
OPEN_FORM_EXTRA_ROWS = 1000
_EXCEL_EPOCH = date(1899, 12, 30)
_NO_LIMIT = 10**15

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FIXED_FILL = PatternFill("solid", fgColor="F2F2F2")
_NOT_REPORTED_FILL = PatternFill("solid", fgColor="D9D9D9")  # an indicator the unit does not report
_GREY_TEXT = Font(color="808080", italic=True)
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_INT_FORMAT = "#,##0"
_FLOAT_FORMAT = "#,##0.0##"
_NUMBER_FORMATS = {"int": _INT_FORMAT, "float": _FLOAT_FORMAT, "date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}
_XLSX_CELL_LIMIT = 32_000  # Excel holds at most 32.767 characters in a cell


# --- unit workbooks -----------------------------------------------------------------------


def unit_workbook_bytes(campaign: Campaign, unit: Unit) -> bytes:
    """The blank workbook a unit receives at provisioning."""
    return workbook_bytes(workbook_layout(campaign, unit))


def prefilled_workbook_bytes(campaign: Campaign, unit: Unit, submission: Submission | None) -> bytes:
    """A fresh blank workbook for ``unit`` (as provisioned: headers, validation, protection)
    with ``submission``'s answers typed back in: the way out for a unit whose file broke. Rows
    with labels (fixed rows, indicators) go back on their label's row; an open form's rows
    one after the other (more rows than offered are added)."""
    tables = submission.tables if submission is not None else {}
    return workbook_bytes([_prefilled(layout, tables.get(layout.form.code) or []) for layout in workbook_layout(campaign, unit)])


def _prefilled(layout: SheetLayout, rows: list[dict[str, object]]) -> SheetLayout:
    if not rows:
        return layout
    form = layout.form
    data = [list(r) for r in layout.data]
    targets: list[tuple[int, dict[str, object]]] = []
    if form.rows == "open":
        data.extend([None] * len(form.columns) for _ in range(len(rows) - len(data)))
        targets = list(enumerate(rows))
    elif form.rows == "unit":
        targets = [(0, rows[0])] if data else []
    else:  # fixed and indicator rows: each answer back on the row with its label
        label = form.columns.index(form.label_column)
        where = {header_key(values[label]): index for index, values in enumerate(data) if values[label] is not None}
        for row in rows:
            index = where.get(header_key(row.get(form.label_column.key)))
            if index is not None and not layout.row_lock(index):
                targets.append((index, row))
    for index, row in targets:
        for position, column in enumerate(form.columns):
            if not column.fixed:
                data[index][position] = _typed_back(column, row.get(column.key), layout.row_type(index))
    return replace(layout, data=tuple(tuple(values) for values in data))


def _typed_back(column: Column, value: object, value_type: str | None) -> object:
    """A stored value as the cell held it: a date column's ISO date as a date."""
    if isinstance(value, str) and policy(column, value_type if column.year is not None else None).kind == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def workbook_bytes(layouts: list[SheetLayout]) -> bytes:
    return _to_bytes(render_workbook(layouts))


def render_workbook(layouts: list[SheetLayout]) -> Workbook:
    """One protected, validated sheet per layout, plus the hidden "Danh mục" of choices."""
    wb = Workbook()
    wb.remove(wb.active)
    lists = _ChoiceLists()
    for layout in layouts:
        ws = wb.create_sheet(layout.form.sheet)
        _render_sheet(ws, layout, lists)
    if lists.columns:
        lists.render(wb.create_sheet(LISTS_SHEET))
    if wb.worksheets:
        wb.active = 0
    # Tabs cannot be deleted, renamed, moved, added or unhidden (no password: it guards
    # against accidents, not people). The reader would still find a renamed tab.
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


class _ChoiceLists:
    """The choice lists, one column each in the hidden sheet; equal lists share a column.

    A list typed inline in a validation ("a,b") splits on commas, and choices such as
    "Các sở, ban, ngành" contain commas, so every list lives in cells instead.
    """

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], tuple[int, str]] = {}

    def reference(self, column: Column) -> str:
        if column.choices not in self.columns:
            self.columns[column.choices] = (len(self.columns) + 1, column.header)
        index, _ = self.columns[column.choices]
        letter = get_column_letter(index)
        # Row 1 names the list; the choices are rows 2.. .
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(column.choices) + 1}"

    def render(self, ws: Worksheet) -> None:
        for choices, (index, header) in self.columns.items():
            ws.cell(row=1, column=index, value=header).font = Font(bold=True)
            for offset, choice in enumerate(choices, start=2):
                ws.cell(row=offset, column=index, value=choice).data_type = "s"
            ws.column_dimensions[get_column_letter(index)].width = max(20, min(60, max(len(c) for c in choices) + 2))
        ws.sheet_state = "hidden"
        ws.protection.sheet = True


def _render_sheet(ws: Worksheet, layout: SheetLayout, lists: _ChoiceLists) -> None:
    columns = layout.form.columns
    width = len(columns)
    last_letter = get_column_letter(width)

    for row, text, font in (
        (TITLE_ROW, layout.title, Font(bold=True, size=13)),
        (UNIT_ROW, layout.unit_line, Font(size=11)),
        (NOTE_ROW, layout.note, Font(italic=True, size=11)),
    ):
        cell = ws.cell(row=row, column=1, value=text or None)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if width > 1:
            ws.merge_cells(f"A{row}:{last_letter}{row}")
    total_width = sum(c.width for c in columns)
    ws.row_dimensions[TITLE_ROW].height = _height(layout.title, total_width, line=18)
    ws.row_dimensions[NOTE_ROW].height = _height(layout.note, total_width)

    for index, (column, header) in enumerate(zip(columns, layout.headers, strict=False), start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.protection = _LOCKED
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = max(_height(h, c.width) for c, h in zip(columns, layout.headers, strict=False))

    if layout.numbering:
        for index, label in enumerate(layout.numbering, start=1):
            cell = ws.cell(row=HEADER_ROW + 1, column=index, value=label or None)
            cell.font = Font(italic=True, size=10)
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center")
            cell.protection = _LOCKED

    first = layout.first_data_row
    for offset, values in enumerate(layout.data):
        row = first + offset
        tallest = 15.0
        locked_row = bool(layout.row_lock(offset))
        for index, (column, value) in enumerate(zip(columns, values, strict=False), start=1):
            cell = ws.cell(row=row, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a label (or a unit's text) starting with '=' stays text
                if looks_like_formula(value):
                    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
            cell.border = _BORDER
            cell.alignment = _WRAP_TOP
            if column.fixed or locked_row:
                cell.fill = _NOT_REPORTED_FILL if locked_row else _FIXED_FILL
                cell.protection = _LOCKED
                tallest = max(tallest, _height(value, column.width))
                if locked_row:
                    cell.font = _GREY_TEXT
            else:
                cell.protection = _UNLOCKED
                cell.number_format = policy(column, layout.row_type(offset)).excel_format
        ws.row_dimensions[row].height = tallest

    last = layout.last_data_row
    if layout.form.rows == "open":
        last = first + OPEN_FORM_EXTRA_ROWS - 1
        # Rows a unit adds below the offered ones take the column's style: unlocked.
        for index, column in enumerate(columns, start=1):
            if not column.fixed:
                dim = ws.column_dimensions[get_column_letter(index)]
                dim.protection = _UNLOCKED
                dim.number_format = policy(column).excel_format

    if last >= first:
        _add_validations(ws, layout, lists, first, last)

    ws.freeze_panes = ws.cell(row=first, column=1)
    _print_setup(ws, layout)
    _protect(ws)


def _add_validations(ws: Worksheet, layout: SheetLayout, lists: _ChoiceLists, first: int, last: int) -> None:
    """One validation per input column over the data rows; on indicator forms one per
    row, as each indicator's value type decides (locked rows get none: nothing to type)."""
    columns = layout.form.columns
    if not layout.row_types:
        for index, column in enumerate(columns, start=1):
            if not column.fixed:
                letter = get_column_letter(index)
                validation = _validation(policy(column), lists, column)
                ws.add_data_validation(validation)
                validation.add(f"{letter}{first}:{letter}{last}")
        return
    shared: dict[tuple[int, str | None], DataValidation] = {}
    for offset in range(len(layout.data)):
        if layout.row_lock(offset):
            continue
        row = first + offset
        for index, column in enumerate(columns, start=1):
            if column.fixed:
                continue
            value_type = layout.row_type(offset) if column.year is not None else None
            key = (index, value_type)
            if key not in shared:
                shared[key] = _validation(policy(column, value_type), lists, column)
                ws.add_data_validation(shared[key])
            shared[key].add(f"{get_column_letter(index)}{row}")


def _print_setup(ws: Worksheet, layout: SheetLayout) -> None:
    """A4 landscape, fit to one page wide, the header rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{HEADER_ROW}:{layout.first_data_row - 1}"
    ws.oddFooter.center.text = "Trang &P/&N"


def _protect(ws: Worksheet) -> None:
    """Lock the sheet without a password: guards against accidents, not against people.

    In OOXML an attribute set to true *forbids* the action, so False allows it.
    """
    p = ws.protection
    p.sheet = True
    p.formatColumns = False
    p.formatRows = False
    p.formatCells = False
    p.insertRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _height(text: object, width: int, line: float = 15.0) -> float:
    """A row height that shows ``text`` wrapped in a column ``width`` characters wide."""
    if not text:
        return line
    per_line = max(1, width - 1)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return min(409.0, lines * line)


# --- data validation ----------------------------------------------------------------------


def _validation(rules: ColumnPolicy, lists: _ChoiceLists, column: Column) -> DataValidation:
    """The Excel form of the column policy: the same bounds, prompt and error text."""
    kind = rules.kind
    if kind == "choice":
        return _dv("list", None, lists.reference(column), None, rules)
    if kind == "text":
        return _dv("textLength", "lessThanOrEqual", str(rules.max_length), None, rules)
    if kind == "date":
        return _dv("date", "between", str(_serial(rules.low)), str(_serial(rules.high)), rules)  # type: ignore[arg-type]
    operator, low, high = _range(rules.low, rules.high)  # type: ignore[arg-type]
    return _dv("whole" if rules.whole else "decimal", operator, low, high, rules)


def _dv(kind: str, operator: str | None, formula1: str | None, formula2: str | None, rules: ColumnPolicy) -> DataValidation:
    # Excel caps titles at 32 characters and messages at 255.
    return DataValidation(
        type=kind,
        operator=operator,
        formula1=formula1,
        formula2=formula2,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=ERROR_TITLE,
        error=rules.error[:255],
        promptTitle=PROMPT_TITLE,
        prompt=rules.prompt[:255],
    )


def _range(low: float | None, high: float | None) -> tuple[str, str, str | None]:
    if low is not None and high is not None:
        return "between", _num(low), _num(high)
    if low is not None:
        return "greaterThanOrEqual", _num(low), None
    if high is not None:
        return "lessThanOrEqual", _num(high), None
    # Still a validation: it rejects text typed into a number column.
    return "between", str(-_NO_LIMIT), str(_NO_LIMIT)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _serial(day: date) -> int:
    return (day - _EXCEL_EPOCH).days


# --- summary workbooks --------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A computed cell of a summary tab: ``expression`` ("=SUM(C2:C98)") is written as a formula
    in the .xlsx; ``value`` (the same result, computed here) where formulas are not written
    (Google Sheets takes RAW values). Only the code makes one: a unit's "=…" stays text."""

    expression: str
    value: float | int | None = None


def summary_workbook_bytes(tabs: dict[str, list[list[object]]]) -> bytes:
    """The aggregated tables (report/tables.py ``summary_tabs``) as one formatted .xlsx: one
    sheet per tab, number formats, wrapped text, filters, frozen and repeated header rows,
    landscape fit-to-width printing. Every string is stored as text: a unit's "=…" never
    becomes a formula (only a ``Formula`` does). An empty row ends a tab's data: the rows after
    it (totals) are bold and outside the filter, so sorting never moves them.

    Written with XlsxWriter, one shared format per kind, rows streamed to a temporary file as
    they are written (``constant_memory``: strings inline, so nothing of a tab stays in memory):
    at 1,500 units it takes under half openpyxl's time and no extra memory; the unit forms
    (protection, validation) stay on openpyxl."""
    import xlsxwriter  # only the compile and the local summary write it

    buffer = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buffer, options)
    formats: dict[tuple[str, bool, bool], object] = {}

    def fmt(kind: str, bold: bool = False, quoted: bool = False):
        key = (kind, bold, quoted)
        if key not in formats:
            props: dict[str, object] = {"border": 1, "border_color": "#808080", "text_wrap": True, "valign": "top"}
            if kind == "header":
                props.update({"bold": True, "align": "center", "valign": "vcenter", "bg_color": "#DDEBF7", "pattern": 1})
            if bold:
                props["bold"] = True
            if kind in _NUMBER_FORMATS:
                props["num_format"] = _NUMBER_FORMATS[kind]
            if quoted:
                props["quote_prefix"] = True  # a unit's "=HYPERLINK(…)" stays text, even once edited
            formats[key] = wb.add_format(props)
        return formats[key]

    texts: dict[str, tuple[str, bool, int]] = {}  # a unit's name, a status… recur: cleaned and measured once

    def text_of(raw: str) -> tuple[str, bool, int]:
        """The cell's text, whether it reads as a formula (so it is marked as text), its width."""
        seen = texts.get(raw)
        if seen is None:
            text = str(_summary_value(raw))
            quoted = bool(text) and text[0] in "=+-@" and looks_like_formula(text)
            seen = texts[raw] = (text, quoted, min(60, max(len(p) for p in text.split("\n"))))
        return seen

    used: set[str] = set()
    for title, grid in tabs.items():
        ws = wb.add_worksheet(_xlsx_sheet_name(title, used))
        widths: dict[int, float] = {}
        data_end = next((i for i, row in enumerate(grid) if i and not row), len(grid))  # rows 1..data_end are filtered
        write_string = ws.write_string
        for r, row in enumerate(grid):
            bold = r + 1 > data_end
            text_formats = (fmt("text", bold, False), fmt("text", bold, True))  # looked up once per row, not per cell
            for c, value in enumerate(row):
                if value is None:
                    continue
                if r and isinstance(value, str):
                    text, quoted, width = text_of(value)
                    write_string(r, c, text, text_formats[quoted])
                    if width > widths.get(c, 0):
                        widths[c] = width
                    continue
                if isinstance(value, Formula):
                    number = value.value if isinstance(value.value, (int, float)) else 0
                    ws.write_formula(r, c, value.expression, fmt("float" if isinstance(value.value, float) else "int", True), number)
                    widths[c] = max(widths.get(c, 0), 10)
                    continue
                value = _summary_value(value)
                if value is None:
                    continue
                if r == 0:
                    _write_summary_cell(ws, r, c, value, fmt("header"))
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(r, c, value, fmt("datetime", bold))
                    widths[c] = max(widths.get(c, 0), 16)
                elif isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt("date", bold))
                    widths[c] = max(widths.get(c, 0), 11)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value, fmt("int", bold))
                    widths[c] = max(widths.get(c, 0), 8)
                elif isinstance(value, float):
                    ws.write_number(r, c, value, fmt("float", bold))
                    widths[c] = max(widths.get(c, 0), 10)
                elif isinstance(value, int):
                    ws.write_number(r, c, value, fmt("int", bold))
                    widths[c] = max(widths.get(c, 0), 8)
        columns = max((len(r) for r in grid), default=0)
        for c in range(columns):
            header = str(grid[0][c]) if grid and c < len(grid[0]) else ""
            ws.set_column(c, c, max(8, min(60, max(widths.get(c, 0), min(len(header), 24)) + 2)))
        if grid:
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(0, data_end - 1), max(0, columns - 1))
            ws.repeat_rows(0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
    if not wb.worksheets():
        wb.add_worksheet("Tổng hợp")
    wb.close()
    return buffer.getvalue()


def _xlsx_sheet_name(title: str, used: set[str]) -> str:
    """``sheet_title`` as XlsxWriter also checks it: no apostrophe at either end, at most 31
    UTF-16 units (a character beyond the BMP, an emoji, is left out)."""
    name = sheet_title("".join(ch for ch in clean(title) if ord(ch) <= 0xFFFF).strip("' "), used)
    while name.endswith("'"):  # cut at 31 characters just after an apostrophe
        used.discard(name.casefold())
        name = sheet_title(name.rstrip("' "), used)
    return name


def _write_summary_cell(ws, row: int, column: int, value: object, cell_format: object) -> None:
    """A header cell as the type it has (headers are text; never a formula)."""
    if isinstance(value, str):
        ws.write_string(row, column, value, cell_format)
    elif isinstance(value, datetime):
        ws.write_datetime(row, column, value, cell_format)
    elif isinstance(value, date):
        ws.write_datetime(row, column, datetime(value.year, value.month, value.day), cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, column, value, cell_format)
    else:
        ws.write_number(row, column, value, cell_format)


def _summary_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, float) and value != value:
            return None
        return value
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    text = clean(value)
    if len(text) > _XLSX_CELL_LIMIT:
        text = text[:_XLSX_CELL_LIMIT] + " …(đã cắt bớt, xem bản đầy đủ trong báo cáo)"
    return text


def sheet_title(title: str, used: set[str]) -> str:
    """A tab title Excel accepts (no []:*?/\\, 31 characters), unique in ``used``."""
    base = _BAD_SHEET_CHARS.sub("-", clean(title))[:31] or "Trang"
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

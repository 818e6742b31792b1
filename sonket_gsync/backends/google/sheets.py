"""Sheets v4 request builders: a unit's ``SheetLayout``s as ONE ``batchUpdate``, the summary
tabs, and A1 helpers. Pure functions (no HTTP), so the layout → requests mapping is easy to
read and test.

What the unit's spreadsheet gets (mirrors the local .xlsx): one tab per form with the layout
grid written as literal values (text as ``stringValue`` — never evaluated), bold header rows
frozen, the title/unit/note rows merged across the table, column widths, text/date number
formats, protected ranges over the header rows and the service-filled (fixed) columns, and
strict data validation with a Vietnamese input message on every input column.

Validation, prompts and number formats come from the one column policy (``policy.py``),
shared with the Excel renderer and the engine, so both backends accept exactly what the
engine accepts (the rules themselves: ``rules.py``).

Forms a clerk can print and cannot break: each tab is protected as a whole (so it cannot be
deleted or renamed by a unit) with only the input cells left open; indicators the unit does
not report are greyed and stay protected, with the reason in the row. The header rows are
frozen, which the Sheets print dialog repeats on every page ("repeat frozen rows"). Page
set-up (landscape, fit to width) is NOT part of the Sheets API — it lives only in the print
dialog — so the Google forms cannot carry it preset; everything else the API allows is done.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime

from sonket_gsync.backends.google.rules import validation_rule
from sonket_gsync.campaign.model import Column
from sonket_gsync.core.text import clean, format_date, format_datetime
from sonket_gsync.forms.layout import SheetLayout
from sonket_gsync.forms.policy import policy
from sonket_gsync.forms.workbook import Formula

FIRST_TAB_ID = 101  # sheetIds we give our tabs (Google's default first tab has sheetId 0)
DEFAULT_TAB_ID = 0
SPREADSHEET_LOCALE = "vi_VN"  # dd/mm/yyyy dates and decimal commas, as units type them
SPREADSHEET_TIMEZONE = "Asia/Ho_Chi_Minh"
OPEN_EXTRA_ROWS = 200  # room below an open form's blank rows
GRAY = {"red": 0.9, "green": 0.9, "blue": 0.9}
LOCKED = {"red": 0.95, "green": 0.95, "blue": 0.95}
NOT_REPORTED = {"red": 0.85, "green": 0.85, "blue": 0.85}  # an indicator the unit does not report
GREY_TEXT = {"red": 0.45, "green": 0.45, "blue": 0.45}
PIXELS_PER_CHAR = 7
ROW_PIXELS = 21


# --- A1 notation ---------------------------------------------------------------------------


def quote_tab(title: str) -> str:
    """A tab title as an A1 sheet reference: 'It''s' (always quoted)."""
    return "'" + title.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1_block(title: str, row: int, column: int, height: int, width: int) -> str:
    """'Tab'!B5:D7 for a block whose top-left is (row, column), both 1-based."""
    start = f"{column_letter(column)}{row}"
    end = f"{column_letter(column + max(width, 1) - 1)}{row + max(height, 1) - 1}"
    return f"{quote_tab(title)}!{start}:{end}"


# --- cells -----------------------------------------------------------------------------------


def cell_data(value: object) -> dict:
    """A literal cell: strings stay text (an '=' is never evaluated), numbers stay numbers."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return {}
        return {"userEnteredValue": {"numberValue": value}}
    if isinstance(value, datetime):
        return {"userEnteredValue": {"stringValue": format_datetime(value)}}
    if isinstance(value, date):
        return {"userEnteredValue": {"stringValue": format_date(value)}}
    return {"userEnteredValue": {"stringValue": clean(value)}}


def raw_value(value: object) -> object:
    """A value for ``values.*`` calls (RAW or USER_ENTERED): JSON scalars only (a summary's
    ``Formula`` as the value it computes)."""
    if isinstance(value, Formula):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return ""
        return value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return clean(value)


def _grid_range(sheet_id: int, row0: int, row1: int, col0: int, col1: int) -> dict:
    """0-based, end-exclusive, as Sheets wants."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": col0,
        "endColumnIndex": col1,
    }


def _runs(indexes: Iterable[int]) -> list[tuple[int, int]]:
    """[0, 1, 2, 5] -> [(0, 3), (5, 6)]: contiguous column runs, end-exclusive."""
    runs: list[tuple[int, int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


# --- a unit's spreadsheet ---------------------------------------------------------------------


def grid_rows(layout: SheetLayout) -> int:
    extra = OPEN_EXTRA_ROWS if layout.form.rows == "open" else 5
    return max(layout.last_data_row, layout.first_data_row) + extra


def setup_requests(
    layouts: list[SheetLayout],
    *,
    editors: tuple[str, ...] = (),
    delete_sheet_ids: tuple[int, ...] = (DEFAULT_TAB_ID,),
) -> list[dict]:
    """Every request that turns a blank spreadsheet into the unit's forms, for ONE batchUpdate.

    ``editors``: accounts allowed to edit protected ranges (the service account); empty means
    the protections only warn (units can still override after a confirmation).
    ``delete_sheet_ids``: tabs to remove once ours exist (the default "Sheet1").
    """
    requests: list[dict] = [
        {
            "updateSpreadsheetProperties": {
                "properties": {"locale": SPREADSHEET_LOCALE, "timeZone": SPREADSHEET_TIMEZONE},
                "fields": "locale,timeZone",
            }
        }
    ]
    for index, layout in enumerate(layouts):
        requests.append(_add_tab(FIRST_TAB_ID + index, index, layout))
    for sheet_id in delete_sheet_ids:
        requests.append({"deleteSheet": {"sheetId": sheet_id}})
    for index, layout in enumerate(layouts):
        requests.extend(_tab_requests(FIRST_TAB_ID + index, layout, editors))
    return requests


def _add_tab(sheet_id: int, index: int, layout: SheetLayout) -> dict:
    width = len(layout.headers)
    return {
        "addSheet": {
            "properties": {
                "sheetId": sheet_id,
                "title": layout.form.sheet,
                "index": index,
                "gridProperties": {
                    "rowCount": grid_rows(layout),
                    "columnCount": width + 1,
                    "frozenRowCount": layout.first_data_row - 1,
                },
            }
        }
    }


def _tab_requests(sheet_id: int, layout: SheetLayout, editors: tuple[str, ...]) -> list[dict]:
    width = len(layout.headers)
    header0 = layout.header_row - 1  # 0-based header row
    data0 = layout.first_data_row - 1
    data1 = layout.last_data_row if layout.data else data0
    requests: list[dict] = [
        {
            "updateCells": {
                "rows": [{"values": [cell_data(v) for v in row]} for row in layout.grid()],
                "fields": "userEnteredValue",
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
            }
        },
        _format(_grid_range(sheet_id, 0, 1, 0, width), {"textFormat": {"bold": True, "fontSize": 13}}),
        _format(_grid_range(sheet_id, 1, 2, 0, width), {"textFormat": {"italic": True}}),
        _format(
            _grid_range(sheet_id, 2, 3, 0, width),
            {"wrapStrategy": "WRAP", "verticalAlignment": "TOP", "textFormat": {"italic": True}},
        ),
        _format(
            _grid_range(sheet_id, header0, data0, 0, width),
            {
                "textFormat": {"bold": True},
                "wrapStrategy": "WRAP",
                "horizontalAlignment": "CENTER",
                "verticalAlignment": "MIDDLE",
                "backgroundColor": GRAY,
            },
        ),
    ]
    for row0 in range(0, 3):  # title, unit line, note: one merged cell each across the table
        requests.append({"mergeCells": {"range": _grid_range(sheet_id, row0, row0 + 1, 0, width), "mergeType": "MERGE_ROWS"}})
    for col, column in enumerate(layout.form.columns):
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1},
                    "properties": {"pixelSize": column.width * PIXELS_PER_CHAR + 10},
                    "fields": "pixelSize",
                }
            }
        )
    requests.append(_note_height(sheet_id, layout))
    end_row = grid_rows(layout) if layout.form.rows == "open" else data1
    locked_rows = [i for i in range(len(layout.data)) if layout.row_lock(i)]
    # Number formats from the column policy (per row where the indicator decides).
    for col, column in enumerate(layout.form.columns):
        if column.fixed or end_row <= data0:
            continue
        for row0, row1, value_type in _row_runs(layout, column, data0, end_row):
            number_format = policy(column, value_type).sheets_format
            if number_format:
                requests.append(_format(_grid_range(sheet_id, row0, row1, col, col + 1), {"numberFormat": number_format}))
    # Protections: everything above the data, and the service-filled columns.
    requests.append(_protect(_grid_range(sheet_id, 0, data0, 0, width), "Tiêu đề biểu mẫu – không sửa", editors))
    if data1 > data0:
        for col0, col1 in _runs(layout.locked_columns):
            locked = _grid_range(sheet_id, data0, data1, col0, col1)
            requests.append(_format(locked, {"backgroundColor": LOCKED, "wrapStrategy": "WRAP", "verticalAlignment": "TOP"}))
            requests.append(_protect(locked, "Cột do hệ thống ghi sẵn – không sửa", editors))
    # Indicators the unit does not report: greyed, protected, the reason in the description
    # (and in the row's wording, from the layout).
    for index in locked_rows:
        row = _grid_range(sheet_id, data0 + index, data0 + index + 1, 0, width)
        requests.append(_format(row, {"backgroundColor": NOT_REPORTED, "textFormat": {"italic": True, "foregroundColor": GREY_TEXT}}))
        requests.append(_protect(row, layout.row_lock(index), editors))
    # The whole tab protected (a unit cannot delete or rename it), the input cells left open.
    open_ranges = [
        _grid_range(sheet_id, row0, row1, col0, col1)
        for col0, col1 in _runs(i for i, c in enumerate(layout.form.columns) if not c.fixed)
        for row0, row1 in _open_rows(layout, data0, end_row)
    ]
    requests.append(_protect({"sheetId": sheet_id}, "Biểu mẫu – chỉ nhập vào các ô trống", editors, open_ranges))
    # Validation on every input column, over the data rows (to the grid end for open forms).
    if end_row > data0:
        for col, column in enumerate(layout.form.columns):
            if column.fixed:
                continue
            for row0, row1, value_type in _row_runs(layout, column, data0, end_row):
                anchor = f"{column_letter(col + 1)}{row0 + 1}"
                rule = validation_rule(column, value_type, anchor=anchor)
                if rule:
                    requests.append({"setDataValidation": {"range": _grid_range(sheet_id, row0, row1, col, col + 1), "rule": rule}})
    return requests


def _row_runs(layout: SheetLayout, column: Column, data0: int, end_row: int) -> list[tuple[int, int, str | None]]:
    """(row0, row1, value type) runs of the data rows a unit types in, 0-based and
    end-exclusive: one run for most forms; per indicator row (skipping rows the unit does
    not report) where the indicator's value type decides the year columns."""
    if not layout.row_types:
        return [(data0, end_row, None)]
    runs = []
    for index in range(len(layout.data)):
        if layout.row_lock(index):
            continue
        value_type = layout.row_type(index) if column.year is not None else None
        runs.append((data0 + index, data0 + index + 1, value_type))
    return runs


def _open_rows(layout: SheetLayout, data0: int, end_row: int) -> list[tuple[int, int]]:
    """Row runs a unit may type in (rows of indicators it does not report excluded)."""
    if end_row <= data0:
        return []
    if not layout.row_locks:
        return [(data0, end_row)]
    return [(data0 + a, data0 + b) for a, b in _runs(i for i in range(len(layout.data)) if not layout.row_lock(i))]


def expected_rule(layout: SheetLayout, row_offset: int, col: int) -> dict | None:
    """The validation rule the data cell (row_offset, col) of ``layout`` gets (tests)."""
    column = layout.form.columns[col]
    if column.fixed or layout.row_lock(row_offset):
        return None
    data0 = layout.first_data_row - 1
    value_type = layout.row_type(row_offset) if column.year is not None else None
    first = data0 + row_offset if layout.row_types else data0
    return validation_rule(column, value_type, anchor=f"{column_letter(col + 1)}{first + 1}")


def _format(grid_range: dict, fmt: dict) -> dict:
    return {
        "repeatCell": {
            "range": grid_range,
            "cell": {"userEnteredFormat": fmt},
            "fields": "userEnteredFormat(" + ",".join(sorted(fmt)) + ")",
        }
    }


def _protect(grid_range: dict, description: str, editors: tuple[str, ...], unprotected: list[dict] | None = None) -> dict:
    protected: dict = {"range": grid_range, "description": description}
    if unprotected:
        protected["unprotectedRanges"] = unprotected
    if editors:
        protected["editors"] = {"users": list(editors)}
    else:
        protected["warningOnly"] = True
    return {"addProtectedRange": {"protectedRange": protected}}


def _note_height(sheet_id: int, layout: SheetLayout) -> dict:
    chars = max(20, sum(c.width for c in layout.form.columns))
    lines = max(1, sum(max(1, math.ceil(len(part) / chars)) for part in (layout.note or "").split("\n")))
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 2, "endIndex": 3},
            "properties": {"pixelSize": min(400, lines * ROW_PIXELS + 4)},
            "fields": "pixelSize",
        }
    }


# --- the summary spreadsheet ---------------------------------------------------------------------


def summary_requests(existing: list[dict], tabs: dict[str, list[list[object]]]) -> list[dict]:
    """Requests (one batchUpdate) making the summary's tabs exactly ``tabs``, empty and big
    enough; ``existing`` is ``sheets[].properties`` from spreadsheets.get."""
    by_title = {p.get("title"): p for p in existing}
    used_ids = {int(p.get("sheetId", 0)) for p in existing}
    next_id = max([FIRST_TAB_ID - 1, *used_ids]) + 1
    requests: list[dict] = []
    for index, (title, grid) in enumerate(tabs.items()):
        rows = max(len(grid), 1) + 10
        cols = max([len(r) for r in grid] + [1]) + 1
        props = by_title.get(title)
        if props is None:
            requests.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": next_id,
                            "title": title,
                            "index": index,
                            "gridProperties": {"rowCount": rows, "columnCount": cols, "frozenRowCount": 1 if grid else 0},
                        }
                    }
                }
            )
            requests.append(_format(_grid_range(next_id, 0, 1, 0, cols), {"textFormat": {"bold": True}}))
            next_id += 1
            continue
        sheet_id = int(props.get("sheetId", 0))
        grid_props = props.get("gridProperties") or {}
        requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue"}})
        want_rows = max(rows, int(grid_props.get("rowCount", 0) or 0))
        want_cols = max(cols, int(grid_props.get("columnCount", 0) or 0))
        if want_rows != grid_props.get("rowCount") or want_cols != grid_props.get("columnCount"):
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": {"rowCount": want_rows, "columnCount": want_cols}},
                        "fields": "gridProperties.rowCount,gridProperties.columnCount",
                    }
                }
            )
    for old_title, props in by_title.items():
        if old_title not in tabs:
            requests.append({"deleteSheet": {"sheetId": int(props.get("sheetId", 0))}})
    return requests


def summary_values(tabs: dict[str, list[list[object]]]) -> list[dict]:
    """``data`` for ONE values.batchUpdate (valueInputOption RAW: '=1+1' stays text)."""
    data = []
    for title, grid in tabs.items():
        if not grid:
            continue
        width = max(len(r) for r in grid) or 1
        values = [[raw_value(v) for v in row] + [""] * (width - len(row)) for row in grid]
        data.append({"range": a1_block(title, 1, 1, len(values), width), "majorDimension": "ROWS", "values": values})
    return data

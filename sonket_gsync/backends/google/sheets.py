"""Sheets v4 request builders: a unit's ``SheetLayout``s as ONE ``batchUpdate``, the summary
tabs, and A1 helpers. Pure functions (no HTTP), so the layout → requests mapping is easy to
read and test.

What the unit's spreadsheet gets (mirrors the local .xlsx): one tab per form with the layout
grid written as literal values (text as ``stringValue`` — never evaluated), bold header rows
frozen, the title/unit/note rows merged across the table, column widths, text/date number
formats, protected ranges over the header rows and the service-filled (fixed) columns, and
strict data validation with a Vietnamese input message on every input column.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Iterable

from ...campaign import Column
from ...layout import SheetLayout
from ...text import clean, format_date, format_datetime

FIRST_TAB_ID = 101  # sheetIds we give our tabs (Google's default first tab has sheetId 0)
DEFAULT_TAB_ID = 0
SPREADSHEET_LOCALE = "vi_VN"  # dd/mm/yyyy dates and decimal commas, as units type them
SPREADSHEET_TIMEZONE = "Asia/Ho_Chi_Minh"
OPEN_EXTRA_ROWS = 200  # room below an open form's blank rows
GRAY = {"red": 0.9, "green": 0.9, "blue": 0.9}
LOCKED = {"red": 0.95, "green": 0.95, "blue": 0.95}
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
    """A value for ``values.*`` calls (RAW or USER_ENTERED): JSON scalars only."""
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
        requests.append(
            {"mergeCells": {"range": _grid_range(sheet_id, row0, row0 + 1, 0, width), "mergeType": "MERGE_ROWS"}}
        )
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
    for col, column in enumerate(layout.form.columns):
        number_format = _number_format(column)
        if number_format and end_row > data0:
            requests.append(_format(_grid_range(sheet_id, data0, end_row, col, col + 1), {"numberFormat": number_format}))
    # Protections: everything above the data, and the service-filled columns.
    requests.append(_protect(_grid_range(sheet_id, 0, data0, 0, width), "Tiêu đề biểu mẫu – không sửa", editors))
    if data1 > data0:
        for col0, col1 in _runs(layout.locked_columns):
            locked = _grid_range(sheet_id, data0, data1, col0, col1)
            requests.append(_format(locked, {"backgroundColor": LOCKED, "wrapStrategy": "WRAP", "verticalAlignment": "TOP"}))
            requests.append(_protect(locked, "Cột do hệ thống ghi sẵn – không sửa", editors))
    # Validation on every input column, over the data rows (to the grid end for open forms).
    if end_row > data0:
        for col, column in enumerate(layout.form.columns):
            if column.fixed:
                continue
            rule = validation_rule(column)
            if rule:
                requests.append({"setDataValidation": {"range": _grid_range(sheet_id, data0, end_row, col, col + 1), "rule": rule}})
    return requests


def _format(grid_range: dict, fmt: dict) -> dict:
    return {
        "repeatCell": {
            "range": grid_range,
            "cell": {"userEnteredFormat": fmt},
            "fields": "userEnteredFormat(" + ",".join(sorted(fmt)) + ")",
        }
    }


def _protect(grid_range: dict, description: str, editors: tuple[str, ...]) -> dict:
    protected: dict = {"range": grid_range, "description": description}
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


def _number_format(column: Column) -> dict | None:
    if column.type == "date":
        return {"type": "DATE", "pattern": "dd/mm/yyyy"}
    if column.type == "text":
        return {"type": "TEXT"}  # "1-2" or "=x" stay as typed
    return None


# --- data validation ---------------------------------------------------------------------------

def validation_rule(column: Column) -> dict | None:
    """A strict Sheets validation rule with a Vietnamese input message, or None (free text)."""
    kind = column.type
    if kind == "choice":
        return _rule(
            "ONE_OF_LIST",
            list(column.choices),
            "Chọn một giá trị trong danh sách (bấm vào mũi tên bên phải ô).",
        )
    if kind in ("integer", "number"):
        low = column.min if isinstance(column.min, (int, float)) else None
        high = column.max if isinstance(column.max, (int, float)) else None
        what = "số nguyên" if kind == "integer" else "một số"
        if low is not None and high is not None:
            return _rule("NUMBER_BETWEEN", [_num(low), _num(high)], f"Nhập {what} từ {_num(low)} đến {_num(high)}.")
        if high is not None:
            return _rule("NUMBER_LESS_THAN_EQ", [_num(high)], f"Nhập {what} nhỏ hơn hoặc bằng {_num(high)}.")
        low = 0 if low is None else low
        return _rule("NUMBER_GREATER_THAN_EQ", [_num(low)], f"Nhập {what} lớn hơn hoặc bằng {_num(low)}, không nhập chữ.")
    if kind == "percent":
        return _rule(
            "NUMBER_BETWEEN",
            ["0", "100"],
            "Nhập tỷ lệ phần trăm từ 0 đến 100, không ghi dấu % (ví dụ 85,5).",
        )
    if kind == "year":
        return _rule("NUMBER_BETWEEN", ["1900", "2100"], "Nhập năm gồm 4 chữ số, ví dụ 2025.")
    if kind == "date":
        low = column.min if isinstance(column.min, date) else None
        high = column.max if isinstance(column.max, date) else None
        if low and high:
            return _rule(
                "DATE_BETWEEN",
                [low.isoformat(), high.isoformat()],
                f"Nhập ngày theo dạng dd/mm/yyyy, từ {low:%d/%m/%Y} đến {high:%d/%m/%Y}.",
            )
        if low:
            # DATE_AFTER is strict: the day before keeps the minimum itself allowed.
            return _rule(
                "DATE_AFTER",
                [(low - timedelta(days=1)).isoformat()],
                f"Nhập ngày theo dạng dd/mm/yyyy, từ ngày {low:%d/%m/%Y}, ví dụ 15/03/2025.",
            )
        return _rule("DATE_IS_VALID", [], "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 15/03/2025.")
    return None


def _rule(kind: str, values: list[str], message: str) -> dict:
    condition: dict = {"type": kind}
    if values:
        condition["values"] = [{"userEnteredValue": v} for v in values]
    return {"condition": condition, "inputMessage": message, "strict": True, "showCustomUi": True}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


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
    for title, props in by_title.items():
        if title not in tabs:
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

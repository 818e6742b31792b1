"""files.export of a Google Sheet to .xlsx in the fake: a real workbook built with openpyxl
from the stored grid, one worksheet per tab, in tab order.

Like Google: a formula cell is written as a formula (its text, "=…"); a text cell stays
text even when it starts with "="; numbers and booleans keep their type. Google refuses an
export whose content would exceed 10 MB with 403 ``exportSizeLimitExceeded``; the limit is
``FakeGoogle.export_limit`` so tests can reach it with a small file.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .state import Spreadsheet

EXPORT_LIMIT = 10 * 1024 * 1024
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_xlsx(ss: Spreadsheet) -> bytes:
    wb = Workbook(write_only=True)
    for sheet in ss.sheets:
        ws = wb.create_sheet(sheet.title[:31])
        rows: dict[int, dict[int, dict]] = {}
        for (r, c), cell in sheet.cells.items():
            uev = cell.get("userEnteredValue")
            if uev:
                rows.setdefault(r, {})[c] = uev
        last = max(rows, default=-1)
        for r in range(last + 1):
            values = rows.get(r, {})
            width = max(values, default=-1) + 1
            ws.append([_cell(ws, values.get(c)) for c in range(width)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws, uev: dict | None):
    if not uev:
        return None
    if "formulaValue" in uev:
        return uev["formulaValue"]  # openpyxl writes "=…" as a formula
    if "stringValue" in uev:
        text = _ILLEGAL.sub("", uev["stringValue"])
        if text.startswith("="):  # text that looks like a formula stays text
            cell = WriteOnlyCell(ws, value=text)
            cell.data_type = "s"
            return cell
        return text
    return next(iter(uev.values()))

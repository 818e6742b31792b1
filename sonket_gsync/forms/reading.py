"""Reading a unit's workbook (.xlsx) into raw cell grids, within the hostile-file limits.

Every backend and an upload read a unit's spreadsheet through ``read_workbook``: the package
is checked against the limits (``limits.py``) before openpyxl opens it, and a tab stops being
read past the row limit. What comes out is one ``Grid`` per tab, as parsing expects it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from defusedxml import ElementTree as DefusedET
from openpyxl import load_workbook

from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.core.text import clean
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits, bounded_rows, check_package, prescan_rows, read_member

Grid = list[list[object]]  # rows of cell values; None (or "") is an empty cell

REPAIR_FIX = "Mở lại tệp bằng Excel và lưu dạng .xlsx (Sổ làm việc Excel), hoặc khôi phục bản trước của tệp."


def trim_grid(rows) -> Grid:
    """Cell rows as a backend reads them (ragged, "" or None for empty) as one rectangle:
    trailing empty rows and columns dropped, empty cells None."""
    grid: Grid = []
    width = 0
    last = 0
    for row in rows:
        cells = [None if v == "" else v for v in row]
        end = len(cells)
        while end and cells[end - 1] is None:
            end -= 1
        grid.append(cells[:end])
        if end:
            width = max(width, end)
            last = len(grid)
    del grid[last:]
    for row in grid:
        row.extend([None] * (width - len(row)))
    return grid


def read_workbook(path: Path, unit_code: str, limits: Limits = DEFAULT_LIMITS, *, name: str = "") -> dict[str, Grid]:
    """Every tab as raw values from A1 (formulas as "=..." text, dates as datetime), with
    trailing empty rows and columns cut off. The package is checked against ``limits``
    before openpyxl opens it, and a tab stops being read past the row limit. ``name``: the
    file's own name for messages (an upload's, not the temporary file's it was saved as)."""
    path = Path(path)
    shown = name or path.name
    where = name or str(path)
    try:
        check_package(path, unit_code=unit_code, where=where, kind="xlsx", limits=limits)
        prescan_rows(path, unit_code=unit_code, where=where, limits=limits)
        wb = load_workbook(path, read_only=True, data_only=False)
    except UnitFileError:
        raise
    except PermissionError:
        raise UnitFileError(
            f"Không có quyền đọc tệp biểu mẫu {shown}.",
            unit_code=unit_code,
            where=where,
            fix="Đóng tệp nếu đang mở ở máy khác và cấp quyền đọc cho dịch vụ, rồi đồng bộ lại.",
        ) from None
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, parser errors...
        raise unreadable_workbook(path, unit_code, exc, name=name) from None
    try:
        sheets: dict[str, Grid] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()  # the stored dimension may be wrong: read every row
            rows = bounded_rows(ws.iter_rows(values_only=True), unit_code=unit_code, where=f"{where}, trang tính '{ws.title}'", limits=limits)
            sheets[ws.title] = trim_grid(rows)
        return sheets
    except UnitFileError:
        raise
    except Exception as exc:
        raise unreadable_workbook(path, unit_code, exc, name=name) from None
    finally:
        wb.close()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
UNIT_LINE_PARAGRAPHS = 40  # the narrative's unit line is among its first paragraphs


def docx_lines(data: bytes, limits: Limits = DEFAULT_LIMITS, first: int = UNIT_LINE_PARAGRAPHS) -> list[str]:
    """The text of the first ``first`` body paragraphs of a .docx (NFC), read within the
    limits; [] when the package cannot be read (the narrative's parser explains that)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            body = read_member(package, "word/document.xml", limits.max_unpacked_bytes)
        root = DefusedET.fromstring(body)
    except Exception:  # not a zip, no body, too large, bad XML, a DTD: told elsewhere
        return []
    lines: list[str] = []
    for paragraph in root.iter(f"{_W}p"):
        lines.append(clean("".join(t.text or "" for t in paragraph.iter(f"{_W}t"))))
        if len(lines) >= first:
            break
    return lines


def unreadable_workbook(path: Path, unit_code: str, exc: Exception, *, name: str = "") -> UnitFileError:
    """The error for a workbook openpyxl cannot open or read (not an .xlsx, or damaged)."""
    if isinstance(exc, zipfile.BadZipFile) or not path.is_file() or path.stat().st_size == 0:
        what = "không phải tệp Excel .xlsx (có thể là tệp khác đổi đuôi, tệp .xls cũ) hoặc đã bị hỏng"
    else:
        what = "bị hỏng hoặc không đúng định dạng Excel .xlsx"
    return UnitFileError(
        f"Tệp biểu mẫu {name or path.name} {what}, nên không đọc được.",
        unit_code=unit_code,
        where=name or str(path),
        fix=REPAIR_FIX,
    )


__all__ = ["Grid", "docx_lines", "read_workbook", "trim_grid", "unreadable_workbook"]

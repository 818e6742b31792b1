"""Reading a unit's workbook (.xlsx) into raw cell grids, within the hostile-file limits.

Every backend and an upload read a unit's spreadsheet through ``read_workbook``: the package
is checked against the limits (``limits.py``) before a parser opens it, and a tab stops being
read past the row limit. What comes out is one ``Grid`` per tab, as parsing expects it.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from defusedxml import ElementTree as DefusedET

from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.core.text import clean
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits, MemberTooLarge, bounded_rows, check_file_size, check_package, prescan_rows

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
    before any parser opens it, and a tab stops being read past the row limit. ``name``: the
    file's own name for messages (an upload's, not the temporary file's it was saved as).

    The file is read once. Its values come from python-calamine; a workbook holding a
    formula or an error cell (found by the streaming pre-scan of its sheets) is read with
    openpyxl instead, which keeps formulas as text and errors as "#…" text."""
    path = Path(path)
    shown = name or path.name
    where = name or str(path)
    try:
        check_file_size(os.stat(path).st_size, unit_code=unit_code, where=where, kind="xlsx", limits=limits)
        data = path.read_bytes()
        check_package(data, unit_code=unit_code, where=where, kind="xlsx", limits=limits)
        formulas = prescan_rows(data, unit_code=unit_code, where=where, limits=limits)
    except UnitFileError:
        raise
    except PermissionError:
        raise UnitFileError(
            f"Không có quyền đọc tệp biểu mẫu {shown}.",
            unit_code=unit_code,
            where=where,
            fix="Đóng tệp nếu đang mở ở máy khác và cấp quyền đọc cho dịch vụ, rồi đồng bộ lại.",
        ) from None
    except Exception as exc:  # the file vanished or cannot be read
        raise unreadable_workbook(path, unit_code, exc, name=name) from None
    if not formulas:
        sheets = _read_values(data, path, unit_code, where, limits, name)
        if sheets is not None:
            return sheets
    return _read_openpyxl(data, path, unit_code, where, limits, name)


def _read_values(data: bytes, path: Path, unit_code: str, where: str, limits: Limits, name: str) -> dict[str, Grid] | None:
    """The tabs read by python-calamine (values only); None when the workbook has a part it
    does not read as openpyxl does (a chart or macro sheet): openpyxl decides then."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # not a zip, no workbook part, bad XML...
        raise unreadable_workbook(path, unit_code, exc, name=name) from None
    try:
        metadata = wb.sheets_metadata
        if any(m.typ != SheetTypeEnum.WorkSheet for m in metadata):
            return None
        sheets: dict[str, Grid] = {}
        for meta in metadata:
            values = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            rows = bounded_rows(map(_as_openpyxl, values), unit_code=unit_code, where=f"{where}, trang tính '{meta.name}'", limits=limits)
            sheets[meta.name] = trim_grid(rows)
        return sheets
    except UnitFileError:
        raise
    except Exception as exc:
        raise unreadable_workbook(path, unit_code, exc, name=name) from None
    finally:
        wb.close()


_MAX_EXACT = 2.0**53


def _as_openpyxl(row: list[Any]) -> list[object]:
    """A calamine row with the types openpyxl gives: a whole number as int (calamine reads
    every number as float), a date as a datetime at midnight."""
    for i, value in enumerate(row):
        kind = type(value)
        if kind is float:
            if value.is_integer() and -_MAX_EXACT < value < _MAX_EXACT:
                row[i] = int(value)
        elif kind is date:
            row[i] = datetime(value.year, value.month, value.day)
    return row


def _read_openpyxl(data: bytes, path: Path, unit_code: str, where: str, limits: Limits, name: str) -> dict[str, Grid]:
    """Every tab read by openpyxl (formulas as "=..." text), for workbooks with formulas."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
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
    lines: list[str] = []
    try:
        lines.extend(iter_docx_lines(data, limits, first))
    except Exception:  # not a zip, no body, too large, bad XML, a DTD: told elsewhere
        return []
    return lines


def iter_docx_lines(data: bytes, limits: Limits = DEFAULT_LIMITS, first: int = UNIT_LINE_PARAGRAPHS) -> Iterator[str]:
    """The first ``first`` body paragraphs of a .docx (NFC), one at a time. The body is
    inflated and parsed as a stream (defusedxml: no entities; never more than the unpacked
    limit): a caller that stops early leaves the rest of the document unread. Raises on a
    package or body that cannot be read."""
    tag = f"{_W}p"
    with zipfile.ZipFile(io.BytesIO(data)) as package, package.open("word/document.xml") as member:
        body = _Bounded(member, limits.max_unpacked_bytes)
        count = 0
        for _event, paragraph in DefusedET.iterparse(body, events=("end",)):
            if paragraph.tag != tag:
                continue
            yield clean("".join(t.text or "" for t in paragraph.iter(f"{_W}t")))
            count += 1
            if count >= first:
                return


_PIECE = 4096


class _Bounded:
    """A member stream that refuses to give more than ``limit`` bytes (MemberTooLarge)."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.limit, self.total = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        # Small pieces: the parser makes its events per piece, so one who stops early parses little.
        want = self.limit + 1 - self.total if size is None or size < 0 else size
        chunk = self.stream.read(min(want, _PIECE))
        self.total += len(chunk)
        if self.total > self.limit:
            raise MemberTooLarge("word/document.xml")
        return chunk


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


__all__ = ["Grid", "docx_lines", "iter_docx_lines", "read_workbook", "trim_grid", "unreadable_workbook"]

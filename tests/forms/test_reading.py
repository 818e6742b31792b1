"""Reading a unit's workbook: python-calamine for values, openpyxl only for workbooks with
formulas or error cells, and the same grids either way (real .xlsx files written by openpyxl)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits, prescan_rows
from sonket_gsync.forms.reading import _read_openpyxl, docx_lines, iter_docx_lines, read_workbook


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _values_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "PL01"
    ws["A1"] = "Tiêu đề"
    ws["C3"] = 1
    ws["D3"] = 2.5
    ws["E3"] = "chữ"
    ws["F3"] = datetime(2025, 3, 1)
    ws["G3"] = date(2025, 3, 2)
    ws["H3"] = True
    ws["I3"] = time(8, 30)
    ws["J3"] = datetime(2025, 3, 1, 10, 5)
    ws["K3"] = 10**12
    ws["L3"] = -0.25
    hidden = wb.create_sheet("Ẩn")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "ẩn"
    wb.create_sheet("Trống")
    return _save(wb, path)


def test_values_read_without_openpyxl_match_what_openpyxl_reads(tmp_path):
    path = _values_workbook(tmp_path / "u.xlsx")
    assert prescan_rows(path.read_bytes(), unit_code="U", where="u", limits=DEFAULT_LIMITS) is False  # no formula: calamine reads it
    sheets = read_workbook(path, "U")
    assert sheets == _read_openpyxl(path.read_bytes(), path, "U", str(path), DEFAULT_LIMITS, "")
    assert list(sheets) == ["PL01", "Ẩn", "Trống"]  # hidden and empty tabs are kept, in order
    row = sheets["PL01"][2]
    assert row[:2] == [None, None]  # read from A1, not from the first filled cell
    assert row[2:] == [1, 2.5, "chữ", datetime(2025, 3, 1), datetime(2025, 3, 2), True, time(8, 30), datetime(2025, 3, 1, 10, 5), 10**12, -0.25]
    assert type(row[2]) is int and type(row[5]) is datetime and type(row[6]) is datetime  # openpyxl's types
    assert sheets["Ẩn"] == [[None, None], [None, "ẩn"]]
    assert sheets["Trống"] == []


def test_a_workbook_with_a_formula_keeps_the_formula_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "PL01"
    ws["A1"], ws["B1"], ws["C1"] = 1, 2, "=A1+B1"
    path = _save(wb, tmp_path / "f.xlsx")
    assert prescan_rows(path.read_bytes(), unit_code="U", where="u", limits=DEFAULT_LIMITS) is True
    assert read_workbook(path, "U")["PL01"] == [[1, 2, "=A1+B1"]]


def test_an_error_cell_is_read_as_its_error_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "#DIV/0!"  # openpyxl stores it as an error cell (t="e")
    path = _save(wb, tmp_path / "e.xlsx")
    assert prescan_rows(path.read_bytes(), unit_code="U", where="u", limits=DEFAULT_LIMITS) is True
    assert read_workbook(path, "U")[ws.title] == [["#DIV/0!"]]


def test_too_many_rows_are_refused_on_the_values_path(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "PL01"
    for r in range(1, 60):
        ws.cell(row=r, column=1, value=r)
    path = _save(wb, tmp_path / "r.xlsx")
    with pytest.raises(UnitFileError) as refused:
        read_workbook(path, "U", Limits(max_rows_per_form=30))
    assert "trang tính 'PL01'" in refused.value.where


def test_a_file_that_is_not_a_workbook_is_refused_in_words(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(UnitFileError) as refused:
        read_workbook(path, "U")
    assert "không phải tệp Excel .xlsx" in refused.value.message


def _docx(paragraphs: list[str]) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def test_docx_lines_stops_after_the_first_paragraphs():
    data = _docx([f"Đoạn {i}" for i in range(100)])
    assert docx_lines(data, first=3) == ["Đoạn 0", "Đoạn 1", "Đoạn 2"]
    lines = iter_docx_lines(data)
    assert next(lines) == "Đoạn 0"  # a caller may stop at the first line it needs
    assert docx_lines(b"not a zip") == []
    assert docx_lines(_docx(["a"]), Limits(max_unpacked_mb=0.00001)) == []  # over the unpacked limit: nothing


def test_is_blank_agrees_with_clean_on_every_kind_of_text():
    from sonket_gsync.core.text import clean
    from sonket_gsync.forms.validation import is_blank

    pieces = ["", " ", "\t", "\n", "\r\n", "\x01", "\x1f", "\x0b", "\ufffe", "\u00a0", "a", "Đ", "[1]", "\u3000"]
    texts = [a + b + c for a in pieces for b in pieces for c in pieces]
    assert all(is_blank(t) == (clean(t) == "") for t in texts)
    assert is_blank(None) and not is_blank(0) and not is_blank(False)

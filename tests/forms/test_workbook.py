"""The unit workbook as rendered (validation, protection, look) and summary workbooks."""

from __future__ import annotations

import io
import random
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sonket_gsync.backends.base import UnitSnapshot
from sonket_gsync.core.text import TZ
from sonket_gsync.demo.synthetic import answers_for, to_submission
from sonket_gsync.forms.layout import HEADER_ROW, workbook_layout
from sonket_gsync.forms.reading import read_workbook
from sonket_gsync.forms.submission import Submission
from sonket_gsync.forms.workbook import LISTS_SHEET, prefilled_workbook_bytes, summary_workbook_bytes, unit_workbook_bytes
from sonket_gsync.ingest.parse import parse_snapshot


def _unit(campaign, group):
    return next(u for u in campaign.units if u.group == group)


def _load(campaign, group="DU_UBND"):
    return load_workbook(io.BytesIO(unit_workbook_bytes(campaign, _unit(campaign, group))))


def _validation_for(ws, cell_ref):
    found = [dv for dv in ws.data_validations.dataValidation if cell_ref in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{cell_ref}: {len(found)} validations"
    return found[0]


def test_one_sheet_per_form_plus_hidden_lists(campaign):
    wb = _load(campaign)
    forms = campaign.forms_for(_unit(campaign, "DU_UBND"))
    assert wb.sheetnames == [f.sheet for f in forms] + [LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert all(wb[f.sheet].sheet_state == "visible" for f in forms)
    assert wb.active.title == forms[0].sheet


def test_sheet_look_title_header_numbering_widths_freeze(campaign):
    unit = _unit(campaign, "DANG_UY")
    wb = load_workbook(io.BytesIO(unit_workbook_bytes(campaign, unit)))
    layout = next(lay for lay in workbook_layout(campaign, unit) if lay.form.code == "PL02")
    ws = wb[layout.form.sheet]
    assert ws["A1"].value == layout.title and ws["A1"].font.bold
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert unit.name in ws["A2"].value
    assert ws["A3"].value == layout.note and ws["A3"].font.italic
    header = ws[HEADER_ROW]
    assert [c.value for c in header] == list(layout.headers)
    assert all(c.font.bold and c.alignment.wrap_text and c.fill.fgColor.rgb.endswith("DDEBF7") for c in header)
    assert all(c.border.left.style == "thin" for c in header)
    assert [c.value for c in ws[HEADER_ROW + 1]] == ["[1]", "[2]", "[3]", "[4]", "[4]", "[5]", "[6]", "[7]", "[8]"]
    assert ws.freeze_panes == "A6" == f"A{layout.first_data_row}"
    assert ws.column_dimensions["B"].width == layout.form.columns[1].width
    # the unit's own row is prefilled
    assert ws.cell(row=6, column=1).value == 1 and ws.cell(row=6, column=2).value == unit.name


def test_validation_per_column_type(campaign):
    wb = _load(campaign)
    vb = wb["PL01-1 Văn bản"]  # stt integer, issuer choice, number text<=100, date >= 24/11/2023, summary text
    assert _validation_for(vb, "A5").type == "whole"
    assert _validation_for(vb, "B5").type == "list"
    number = _validation_for(vb, "C5")
    assert (number.type, number.operator, number.formula1) == ("textLength", "lessThanOrEqual", "100")
    day = _validation_for(vb, "D5")
    assert day.type == "date" and day.formula1 == str((date(2023, 11, 24) - date(1899, 12, 30)).days)
    assert vb["D5"].number_format == "dd/mm/yyyy"
    # open form: units may add rows below the offered ones, still validated
    assert _validation_for(vb, "D900").type == "date"

    indicators = wb["Chỉ tiêu"]  # rows 5.. = CT01 (not reported by this unit), CT02 (integer), CT03 (percent)
    assert not [dv for dv in indicators.data_validations.dataValidation if "E5" in dv.sqref]  # locked row
    count = _validation_for(indicators, "E6")
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert indicators["E6"].number_format == "#,##0"
    rate = _validation_for(indicators, "G7")
    assert (rate.type, rate.operator, rate.formula1, rate.formula2) == ("decimal", "between", "0", "100")
    assert not [dv for dv in indicators.data_validations.dataValidation if "A6" in dv.sqref]  # fixed column

    pl02 = load_workbook(io.BytesIO(unit_workbook_bytes(campaign, _unit(campaign, "DANG_UY"))))["PL02 Đảng ủy"]
    members = _validation_for(pl02, "D6")
    assert (members.type, members.operator, members.formula1) == ("whole", "greaterThanOrEqual", "0")
    rate = _validation_for(pl02, "E6")
    assert (rate.type, rate.operator, rate.formula1, rate.formula2) == ("decimal", "between", "0", "100")

    for ws in (vb, indicators, pl02):
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage and dv.errorStyle == "stop"
            assert dv.errorTitle == "Giá trị không hợp lệ" and "Hãy" in dv.error and len(dv.error) <= 255
            assert dv.prompt and dv.promptTitle and len(dv.promptTitle) <= 32


def test_choices_with_commas_come_from_hidden_sheet(campaign):
    wb = _load(campaign)
    dv = _validation_for(wb["PL01-1 Văn bản"], "B5")
    assert "," not in dv.formula1.split("!")[1]  # a range, not an inline comma-separated list
    sheet, cells = dv.formula1.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    listed = [c.value for row in wb[LISTS_SHEET][cells.replace("$", "")] for c in row]
    issuer = campaign.form("PL01_VB").column("issuer")
    assert listed == list(issuer.choices)
    assert "Các sở, ban, ngành" in listed
    # equal lists share one column: both Có/Không columns point at the same cells
    kt = wb["PL01-2 Kiểm tra"]
    assert _validation_for(kt, "B5").formula1 == _validation_for(kt, "D5").formula1


def test_protection_locks_headers_and_fixed_cells_only(campaign):
    wb = _load(campaign)
    for title in ("PL01-1 Văn bản", "PL01-2 Kiểm tra", "Chỉ tiêu"):
        p = wb[title].protection
        assert p.sheet and not p.password
        assert p.formatColumns is False and p.formatRows is False and p.insertRows is False
    kt = wb["PL01-2 Kiểm tra"]
    assert kt["A4"].protection.locked and kt["B4"].protection.locked  # header
    assert kt["A5"].value == "Tỉnh ủy" and kt["A5"].protection.locked  # fixed row label
    assert not kt["B5"].protection.locked and not kt["C9"].protection.locked  # answers
    indicators = wb["Chỉ tiêu"]
    assert indicators["B6"].protection.locked and not indicators["E6"].protection.locked
    vb = wb["PL01-1 Văn bản"]
    assert not vb["E44"].protection.locked
    assert vb.column_dimensions["E"].protection.locked is False  # rows added later stay editable


def test_summary_keeps_formula_like_text_as_text(tmp_path: Path):
    moment = datetime(2026, 4, 20, 23, 59, tzinfo=TZ)
    data = summary_workbook_bytes({"Tình trạng": [["Đơn vị", "Ghi chú", "Số", "Lúc"], ["Sở Y tế", "=1+1", 3, moment], ["A", "+84 90", "-5", "@x"]]})
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Tình trạng"]
    assert [(c.value, c.data_type) for c in ws[2][:3]] == [("Sở Y tế", "s"), ("=1+1", "s"), (3, "n")]
    assert [(c.value, c.data_type) for c in ws[3][:4]] == [("A", "s"), ("+84 90", "s"), ("-5", "s"), ("@x", "s")]
    assert ws["D2"].value == datetime(2026, 4, 20, 23, 59)  # local wall time
    assert ws["B2"].quotePrefix and not ws["A2"].quotePrefix  # "=1+1" stays text once edited
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert load_workbook(io.BytesIO(data), data_only=True)["Tình trạng"]["B2"].value == "=1+1"


def test_summary_tab_titles_excel_refuses_are_made_acceptable():
    titles = ["'Trích dẫn' 😀", "Biểu tổng hợp số liệu các đơn 'vị'", "Số/liệu [1]", "số/liệu [1]"]
    data = summary_workbook_bytes({t: [["Cột"], ["giá trị"]] for t in titles})
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(set(n.casefold() for n in names)) == 4
    assert all(len(n) <= 31 and not n.startswith("'") and not n.endswith("'") for n in names), names
    assert names[:2] == ["Trích dẫn", "Biểu tổng hợp số liệu các đơn"]


@pytest.mark.libreoffice
def test_generated_workbook_opens_in_libreoffice(campaign, tmp_path: Path):
    path = tmp_path / "bieu-mau.xlsx"
    path.write_bytes(unit_workbook_bytes(campaign, _unit(campaign, "DANG_UY")))
    pdf = _soffice_pdf(path, tmp_path)
    assert pdf.stat().st_size > 1000


def _soffice_pdf(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pdf"
    result = subprocess.run(
        [
            "/usr/bin/soffice",  # Debian's LibreOffice, by its path (make system-deps installs it)
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = out / (path.stem + ".pdf")
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    return pdf


def test_year_number_and_text_bounds(campaign):
    from dataclasses import replace

    from sonket_gsync.campaign.model import Column
    from sonket_gsync.forms.layout import sheet_layout
    from sonket_gsync.forms.workbook import workbook_bytes

    columns = (
        Column(key="year", header="Năm", type="year"),
        Column(key="amount", header="Kinh phí", type="number", min=0.5),
        Column(key="any", header="Số bất kỳ", type="number"),
        Column(key="what", header="Nội dung", type="text", max_length=300),
    )
    form = replace(campaign.form("PL01_VB"), columns=columns, sheet="Thử", blank_rows=3)
    layout = sheet_layout(campaign, campaign.units[0], form)
    ws = load_workbook(io.BytesIO(workbook_bytes([layout])))["Thử"]
    year, amount, anything, text = (_validation_for(ws, f"{c}5") for c in "ABCD")
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", "between", "1900", "2100")
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThanOrEqual", "0.5")
    assert "lớn hơn hoặc bằng 0,5" in amount.error
    assert anything.type == "decimal"  # still rejects text
    assert (text.type, text.formula1) == ("textLength", "300") and "300 ký tự" in text.error
    assert ws["D5"].number_format == "@" and ws["A5"].number_format == "0" and ws["B5"].number_format == "General"
    assert LISTS_SHEET not in load_workbook(io.BytesIO(workbook_bytes([layout]))).sheetnames  # no choices, no list sheet


# --- the fresh form, pre-filled with a unit's last valid answers -------------------------------


def _read_back(campaign, unit, data: bytes, tmp_path: Path):
    path = tmp_path / f"{unit.code}.xlsx"
    path.write_bytes(data)
    return parse_snapshot(campaign, unit, UnitSnapshot(unit.code, read_workbook(path, unit.code), None, datetime(2026, 4, 1, tzinfo=TZ)))


@pytest.mark.parametrize("code", ["LHH_KHKT", "X_XUAN_LOC", "SO_NV", "MTTQ"])
def test_prefilled_form_reads_back_as_the_answers_it_was_made_from(campaign, code, tmp_path):
    unit = campaign.unit(code)
    submission = to_submission(campaign, unit, answers_for(campaign, unit, random.Random(code)))
    parsed = _read_back(campaign, unit, prefilled_workbook_bytes(campaign, unit, submission), tmp_path)
    assert [p for p in parsed.errors if p.code != "missing_narrative"] == []
    assert parsed.submission.tables == submission.tables
    # still the provisioned form: protected, validated, the same tabs
    wb = load_workbook(io.BytesIO(prefilled_workbook_bytes(campaign, unit, submission)))
    assert wb.sheetnames == load_workbook(io.BytesIO(unit_workbook_bytes(campaign, unit))).sheetnames
    assert all(ws.protection.sheet for ws in wb.worksheets)


def test_an_open_form_with_more_rows_than_offered_keeps_them_all(campaign, tmp_path):
    unit = campaign.unit("SO_NV")
    form = campaign.form("PL01_VB")
    rows = [
        {"stt": n, "issuer": form.column("issuer").choices[0], "doc_number": f"{n}/KH-SNV", "doc_date": "2025-03-05", "summary": f"Kế hoạch {n}"}
        for n in range(1, form.blank_rows + 6)
    ]
    submission = Submission(unit.code, tables={form.code: rows})
    parsed = _read_back(campaign, unit, prefilled_workbook_bytes(campaign, unit, submission), tmp_path)
    read = parsed.submission.tables[form.code]
    assert len(read) == len(rows) and read[-1]["doc_number"] == rows[-1]["doc_number"] and read[0]["doc_date"] == "2025-03-05"


def test_text_that_looks_like_a_formula_is_written_as_text(campaign):
    unit = campaign.unit("X_XUAN_LOC")
    row = {"stt": 1, "unit_name": unit.name, "documents": '=HYPERLINK("http://evil.example/x","Bấm vào đây")', "members_count": 10}
    data = prefilled_workbook_bytes(campaign, unit, Submission(unit.code, tables={"PL02": [row]}))
    ws = load_workbook(io.BytesIO(data))["PL02 Đảng ủy"]
    column = [c.key for c in campaign.form("PL02").columns].index("documents") + 1
    cell = ws.cell(row=6, column=column)
    assert cell.value == row["documents"] and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere

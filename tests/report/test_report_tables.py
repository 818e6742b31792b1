"""The aggregated tables: one .xlsx, formatted (numbers, dates as dates, wrap, filters, print
set-up), Vietnamese rule names; and forms.toml roles checked with file, form and fix."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN
from sonket_gsync.report.tables import Formula, summary_tabs, tables_workbook_bytes
from tests.report.test_report import FORMULA, HOSTILE, _records


@pytest.fixture(scope="module")
def book(campaign):
    agg = aggregate(campaign, _records(campaign))
    tabs = summary_tabs(campaign, agg)
    return tabs, openpyxl.load_workbook(io.BytesIO(tables_workbook_bytes(tabs)))


def test_formula_like_text_stays_text(book):
    _, wb = book
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) >= 2 and all(c.data_type == "s" for c in cells)
    formulas = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(c.value.startswith(("=SUM(", "=COUNTA(")) for c in formulas)  # only the code's totals


_RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_keeps_text_as_text_and_computes_the_totals(book, tmp_path):
    tabs, _ = book
    source = tmp_path / "tong-hop.xlsx"
    source.write_bytes(tables_workbook_bytes(tabs))
    out = tmp_path / "lo"
    # LibreOffice trusts the values cached in an .xlsx unless told to recalculate on load
    (tmp_path / "profile" / "user").mkdir(parents=True)
    (tmp_path / "profile" / "user" / "registrymodifications.xcu").write_text(_RECALCULATE_ON_LOAD, encoding="utf-8")
    result = subprocess.run(
        [
            "/usr/bin/soffice",
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    saved = out / "tong-hop.xlsx"
    assert result.returncode == 0 and saved.is_file(), result.stdout + result.stderr
    formulas, values = openpyxl.load_workbook(saved), openpyxl.load_workbook(saved, data_only=True)
    assert [ws.title for ws in formulas.worksheets] == list(tabs)
    texts = [c for ws in formulas.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert texts and all(c.data_type == "s" for c in texts)  # LibreOffice read it as text, not as a formula
    totals = [(ws.title, c.coordinate, c.value) for ws in formulas.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert totals
    for title, coordinate, _expression in totals:  # LibreOffice's result is the total the code computed
        computed = next(v.value for row in tabs[title] for v in row if isinstance(v, Formula) and v.expression == _expression)
        assert values[title][coordinate].value == pytest.approx(computed)  # recalculated by LibreOffice


def test_dates_are_dates_and_numbers_are_numbers_with_formats(book):
    _tabs, wb = book
    documents = wb["Văn bản"]
    row = [c for c in documents[2]]
    assert [c.value for c in row[:3]] == ["I", "Tỉnh ủy", "12-KH/TU"]
    assert isinstance(row[3].value, datetime) and row[3].value.date() == date(2024, 5, 2)
    assert row[3].number_format == "dd/mm/yyyy" and row[4].value == HOSTILE
    status = wb["Trạng thái"]
    sent = next(r for r in status.iter_rows(min_row=2) if r[0].value == "Sở Nội vụ")
    assert isinstance(sent[3].value, datetime) and sent[3].number_format == "dd/mm/yyyy hh:mm"
    indicators = wb["Chỉ tiêu"]
    ct01 = next(r for r in indicators.iter_rows(min_row=2) if r[1].value == "CT01")
    assert ct01[5].value == 60 and ct01[5].number_format == "#,##0"
    progress = next(c for c in ct01 if isinstance(c.value, float))
    assert progress.number_format == "#,##0.0##"


def test_rule_names_are_vietnamese_and_samples_keep_their_target(book):
    tabs, _ = book
    indicators = tabs["Chỉ tiêu"]
    rules = {row[4] for row in indicators[1:]}
    assert (
        rules <= {"Tổng", "Bình quân", "Bình quân gia quyền", "Lớn nhất", "Nhỏ nhất", "Số liệu của đơn vị chịu trách nhiệm (Sở Tài chính)"} and "Tổng" in rules
    )
    ct02 = next(r for r in indicators if r[1] == "CT02")
    assert ct02[5] == 1200 and ct02[-1] == "Chỉ tiêu mẫu – chưa phải chỉ tiêu chính thức"


def test_every_sheet_has_filters_frozen_header_wrap_and_print_set_up(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.freeze_panes == "A2"
        # one page wide (fitToWidth absent = 1, the OOXML default), as many pages tall as needed
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (1, None)
        assert ws.page_setup.fitToHeight == 0 and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert ws["A1"].font.bold
        assert all(c.alignment.wrap_text for c in ws[2] if c.value is not None) if ws.max_row > 1 else True


def test_party_total_sits_under_its_own_columns(book, campaign):
    tabs, _ = book
    party = tabs[campaign.form_with_role("party_committees").sheet]
    header, total = party[0], party[-1]
    assert party[-2] == []  # the total follows an empty row: outside the filter
    assert total[1] == "Tổng cộng (1/97 đơn vị đã báo cáo)"
    assert total[header.index("Các văn bản đã ban hành để triển khai thực hiện")] is None
    members = total[header.index("Số lượng đảng viên tham gia học tập, quán triệt")]
    assert isinstance(members, Formula) and members.value == 1234 and members.expression.startswith("=SUM(")


# --- forms by role, checked ------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    shutil.copytree(DEFAULT_CAMPAIGN, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_roles_are_loaded(campaign):
    assert campaign.form_with_role("documents").code == "PL01_VB"
    assert campaign.form_with_role("party_committees").column_for("members_rate").key == "members_rate"
    feeds = dict(campaign.form_with_role("party_committees").column_for("recommendations").feeds)
    assert feeds == {"trung_uong": "V.1", "tinh_uy": "V.2", "other": "V.2"}


@pytest.mark.parametrize(
    ("old", "new", "message", "where"),
    [
        ('role = "documents"', 'role = "van_ban"', "Vai trò biểu mẫu 'van_ban'", "biểu mẫu PL01_VB, role"),
        ('  role = "doc_date"\n', "", "thiếu cột có vai trò: doc_date", "biểu mẫu PL01_VB"),
        ('  role = "summary"\n', '  role = "members_rate"\n', "không dùng được", "cột summary, role"),
        ('  feeds = "III.2"\n', '  feeds = "IX.9"\n', "Mục đề cương 'IX.9'", "cột good_practices, feeds"),
        ('documents_heading = "Các Đảng ủy trực thuộc tỉnh"', 'documents_heading = "Đảng ủy"', "documents_heading", "biểu mẫu PL02"),
    ],
)
def test_a_wrong_role_says_file_form_and_fix(tmp_path, old, new, message, where):
    folder = _copy(tmp_path)
    _edit(folder / "forms.toml", old, new)
    with pytest.raises(ConfigError) as caught:
        load_campaign(folder)
    assert message in caught.value.message
    assert "forms.toml" in caught.value.where and where in caught.value.where
    assert caught.value.fix


def test_two_forms_of_one_role_are_refused(tmp_path):
    folder = _copy(tmp_path)
    forms = folder / "forms.toml"
    text = forms.read_text(encoding="utf-8")
    start = text.index('[[forms]]\ncode = "PL01_VB"')
    end = text.index('[[forms]]\ncode = "PL01_KT"')
    copy = text[start:end].replace('code = "PL01_VB"', 'code = "VB_KHAC"').replace('sheet = "PL01-1 Văn bản"', 'sheet = "Văn bản khác"')
    forms.write_text(text + "\n" + copy, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_campaign(folder)
    assert "cùng vai trò 'documents'" in caught.value.message and "VB_KHAC" in caught.value.where
    assert 'role = "none"' in caught.value.fix


def test_a_document_template_named_in_campaign_toml_must_exist(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "campaign.toml", '# template = "mau-bao-cao.docx"', 'template = "mau-bao-cao.docx"')
    with pytest.raises(ConfigError) as caught:
        load_campaign(folder)
    assert "mau-bao-cao.docx" in caught.value.message and "[document], template" in caught.value.where
    (folder / "mau-bao-cao.docx").write_bytes((Path(__file__).resolve().parents[2] / "templates" / "bao-cao-so-ket.docx").read_bytes())
    assert load_campaign(folder).document.template == "mau-bao-cao.docx"

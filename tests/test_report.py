"""The draft report (.docx), the aggregated tables (.xlsx, tabs) and compile_report()."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from sonket_gsync.aggregate import aggregate
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.compile import REPORT_NAME, TABLES_NAME, compile_report
from sonket_gsync.errors import ReportError
from sonket_gsync.report import SAMPLE_LABEL, aggregates_workbook, render_report, summary_tabs
from sonket_gsync.submission import UnitRecord
from sonket_gsync.text import TZ
from tests.test_aggregate import indicator_rows, record

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "bao-cao-so-ket.docx"
COMPILED_AT = datetime(2026, 4, 25, 8, 30, tzinfo=TZ)
HOSTILE = "Mẫu {{ 7*7 }} và {% if %} cùng & < > \"x\" 😀"
FORMULA = "=cmd|' /C calc'!A0"
NFD_TEXT = unicodedata.normalize("NFD", "Trí thức Đồng Nai được tôn vinh")
LONG_TEXT = "Dài " + "x" * 30_000


def _records(campaign):
    issuers = campaign.form("PL01_VB").column("issuer").choices
    bodies = campaign.form("PL01_KT").fixed_rows
    party_units = campaign.units_in("DANG_UY")
    return [
        record(
            campaign,
            "SO_NV",
            tables={
                "PL01_VB": [
                    {"stt": 1, "issuer": issuers[0], "doc_number": "12-KH/TU", "doc_date": "2024-05-02", "summary": HOSTILE},
                    {"stt": 2, "issuer": issuers[3], "doc_number": FORMULA, "doc_date": "2024-07-09", "summary": "Kế hoạch của Sở"},
                ],
                "PL01_KT": [{"body": b, "inspected": "Có", "inspection_form": "Kiểm tra chuyên đề", "reviewed": "Không"} for b in bodies],
                "CHI_TIEU": indicator_rows(campaign, {"CT02": (10, 12, 15)}),
            },
            narrative={"I.1": HOSTILE, "II.2": NFD_TEXT, "III.3": LONG_TEXT, "V.2": FORMULA},
        ),
        record(
            campaign,
            "LHH_KHKT",
            status="late",
            tables={"CHI_TIEU": indicator_rows(campaign, {"CT01": (40, 45, 50)})},
            narrative={"I.1": "Liên hiệp hội đã quán triệt", "IV": "Tiếp tục thu hút trí thức"},
        ),
        record(
            campaign,
            party_units[1].code,
            tables={"PL02": [{"stt": 1, "unit_name": party_units[1].name, "documents": "Nghị quyết chuyên đề", "members_count": 1234,
                              "members_rate": 98.5, "inspection": FORMULA, "good_practices": "Cách làm hay", "difficulties": "", "recommendations": ""}]},
            narrative={"III.2": "Mô hình trí thức trẻ"},
        ),
        UnitRecord(unit=campaign.unit("SO_YT"), status="missing", submission=None, submitted_at=None, last_modified=None),
    ]


@pytest.fixture(scope="module")
def rendered(campaign):
    agg = aggregate(campaign, _records(campaign))
    data = render_report(campaign, agg, TEMPLATE, compiled_at=COMPILED_AT)
    return agg, data, docx.Document(io.BytesIO(data))


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _all_text(document) -> str:
    cells = "\n".join("\t".join(row) for table in _tables(document) for row in table)
    return "\n".join(_paragraphs(document)) + "\n" + cells


def _between(paragraphs: list[str], start: str, end: str) -> list[str]:
    first = paragraphs.index(start)
    return paragraphs[first + 1 : paragraphs.index(end, first + 1)]


def test_template_script_builds_the_committed_template(tmp_path):
    out = tmp_path / "mau.docx"
    subprocess.run(["python", str(ROOT / "templates" / "make_report_template.py"), str(out)], check=True, capture_output=True)
    assert out.stat().st_size > 0 and TEMPLATE.is_file()


def test_heading_block_title_and_completeness_sentence(campaign, rendered):
    agg, _, document = rendered
    text = _all_text(document)
    assert f"ĐẢNG BỘ TỈNH {campaign.province.upper()}" in text
    assert campaign.compiled_by.upper() in text
    assert "Đồng Nai, ngày 25 tháng 04 năm 2026" in text
    paragraphs = _paragraphs(document)
    assert "BÁO CÁO" in paragraphs
    total = len(campaign.units)
    opening = next(p for p in paragraphs if p.startswith("Tính đến"))
    assert opening.startswith(f"Tính đến 08 giờ 30 ngày 25/04/2026, 3/{total} đơn vị đã gửi báo cáo")
    assert "2 đơn vị gửi đúng hạn, 1 đơn vị gửi trễ hạn" in opening
    assert f"{total - 3} đơn vị chưa gửi; 0 đơn vị có lỗi" in opening


def test_every_outline_heading_appears_in_order(campaign, rendered):
    paragraphs = _paragraphs(rendered[2])
    headings = []
    for section in campaign.outline:
        headings.append(f"{section.number}. {section.title}")
        headings += [f"{item.number}. {item.title}" for item in section.items]
    positions = [paragraphs.index(h) for h in headings]
    assert positions == sorted(positions)
    assert [h.split(".")[0] for h in headings if h.split(".")[0] in ("I", "II", "III", "IV", "V")] == ["I", "II", "III", "IV", "V"]


def test_unit_texts_sit_under_their_outline_item(campaign, rendered):
    paragraphs = _paragraphs(rendered[2])
    i1 = _between(paragraphs, "1. Việc nghiên cứu, quán triệt, triển khai thực hiện Nghị quyết 45-NQ/TW, Kế hoạch số 329-KH/TU.",
                  "2. Các văn bản đã ban hành để triển khai thực hiện (ghi rõ số văn bản, ngày văn bản, trích yếu).")
    assert f"– Sở Nội vụ: {HOSTILE}" in i1
    assert "– Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh: Liên hiệp hội đã quán triệt" in i1
    assert i1.index(f"– Sở Nội vụ: {HOSTILE}") < i1.index("– Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh: Liên hiệp hội đã quán triệt")
    section_iv = _between(paragraphs, "IV. CÁC NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THỜI GIAN TỚI", "V. ĐỀ XUẤT, KIẾN NGHỊ")
    assert section_iv == ["– Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh: Tiếp tục thu hút trí thức"]
    v2 = paragraphs[paragraphs.index("2. Với Tỉnh ủy") + 1]
    assert v2 == f"– Sở Nội vụ: {FORMULA}"


def test_items_state_document_and_inspection_counts(campaign, rendered):
    paragraphs = _paragraphs(rendered[2])
    assert any(p.startswith("Các cơ quan, đơn vị đã báo cáo 2 văn bản") and "I. Tỉnh ủy: 1 văn bản" in p and "IV. Các sở, ban, ngành: 1 văn bản" in p for p in paragraphs)
    assert "Tỉnh ủy: 1 đơn vị có kiểm tra, giám sát, 0 đơn vị không; 0 đơn vị có sơ kết, đánh giá, 1 đơn vị không." in paragraphs
    assert any("có 1.234 đảng viên tham gia học tập, quán triệt, tỷ lệ 98,5%" in p for p in paragraphs)


def test_indicator_table_and_sample_marking(campaign, rendered):
    _, _, document = rendered
    tables = _tables(document)
    indicator_table = next(t for t in tables if t[0][0] == "Mã" and t[0][-1] == "Tiến độ so với mục tiêu 2030")
    years = [f"Năm {y}" if y not in campaign.estimated_years else f"Ước thực hiện năm {y}" for y in campaign.indicator_years]
    assert indicator_table[0][4:-1] == years
    ct01 = next(r for r in indicator_table if r[0] == "CT01")
    assert ct01[3:] == ["60", "40", "45", "50", "83,3% (năm 2026)"]
    ct02 = next(r for r in indicator_table if r[0] == "CT02")
    assert SAMPLE_LABEL in ct02[1] and ct02[3] == SAMPLE_LABEL
    assert ct02[4:7] == ["10", "12", "15"] and ct02[-1] == ""
    warning = next(p for p in _paragraphs(document) if p.startswith("LƯU Ý"))
    assert "chưa phải chỉ tiêu chính thức" in warning
    assert _paragraphs(document).index(warning) < next(i for i, p in enumerate(_paragraphs(document)) if p.startswith("Tính đến"))


def test_no_sample_warning_without_sample_indicators(campaign):
    real = dataclasses.replace(campaign, indicators=tuple(dataclasses.replace(i, sample=False) for i in campaign.indicators))
    document = docx.Document(io.BytesIO(render_report(real, aggregate(real, _records(real)), TEMPLATE, compiled_at=COMPILED_AT)))
    text = _all_text(document)
    assert "LƯU Ý" not in text and SAMPLE_LABEL not in text


def test_appendix_01_documents_grouped_under_six_headings(campaign, rendered):
    tables = _tables(rendered[2])
    documents = next(t for t in tables if t[0] == ["Stt", "Văn bản (số, ngày)", "Trích yếu", "Đơn vị báo cáo"])
    headings = [row[0] for row in documents if row[0] in ("I", "II", "III", "IV", "V", "VI")]
    assert headings == ["I", "II", "III", "IV", "V", "VI"]
    first = documents.index(next(r for r in documents if r[0] == "I"))
    assert documents[first][1] == "Tỉnh ủy"
    assert documents[first + 1] == ["1.", "12-KH/TU, ngày 02/05/2024", HOSTILE, "Sở Nội vụ"]
    fourth = documents.index(next(r for r in documents if r[0] == "IV"))
    assert documents[fourth + 1] == ["1.", f"{FORMULA}, ngày 09/07/2024", "Kế hoạch của Sở", "Sở Nội vụ"]
    inspection = next(t for t in tables if t[0][0] == "Đơn vị" and "Hình thức kiểm tra/ giám sát" in t[0])
    assert [r[0] for r in inspection[1:]] == list(campaign.form("PL01_KT").fixed_rows)
    assert inspection[1][1:] == ["0", "1", "– Sở Nội vụ: Kiểm tra chuyên đề", "1", "0"]


def test_appendix_02_one_row_per_party_committee_in_config_order(campaign, rendered):
    tables = _tables(rendered[2])
    party = next(t for t in tables if t[0][0] == "STT" and t[0][1] == "Tên đơn vị")
    assert party[1] == [f"[{i}]" for i in range(1, 9)]
    units = campaign.units_in("DANG_UY")
    rows = party[2:-1]
    assert [r[1] for r in rows] == [u.name for u in units]
    assert rows[0][2] == "Chưa báo cáo"
    assert rows[1][2:6] == ["Nghị quyết chuyên đề", "1.234 đảng viên – 98,5%", FORMULA, "Cách làm hay"]
    assert party[-1][1] == "Tổng cộng" and "1.234 đảng viên" in party[-1][3]


def test_completeness_table_lists_every_unit(campaign, rendered):
    tables = _tables(rendered[2])
    status = next(t for t in tables if t[0][:4] == ["Stt", "Đơn vị", "Nhóm", "Trạng thái"])
    assert [r[1] for r in status[1:]] == [u.name for u in campaign.units]
    so_nv = next(r for r in status if r[1] == "Sở Nội vụ")
    assert so_nv[3] == "Đúng hạn" and so_nv[4] == "15/04/2026 09:00"
    assert next(r for r in status if r[1] == "Sở Y tế")[3] == "Chưa gửi"


def test_hostile_text_reaches_the_report_as_plain_text(rendered):
    _, data, document = rendered
    text = _all_text(document)
    assert "{{ 7*7 }}" in text and "{% if %}" in text
    assert "Mẫu 49" not in text and text.count(HOSTILE) >= 2
    assert "& < >" in text and "😀" in text
    assert unicodedata.normalize("NFC", NFD_TEXT) in text and NFD_TEXT not in text
    assert LONG_TEXT in text
    assert b"&lt;" in _document_xml(data)


def _document_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def test_report_opens_in_libreoffice(rendered, tmp_path):
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(rendered[1])
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


# --- tables -------------------------------------------------------------------------------

def test_workbook_keeps_formula_like_text_as_text(campaign, rendered):
    agg = rendered[0]
    book = openpyxl.load_workbook(io.BytesIO(aggregates_workbook(campaign, agg)))
    assert book.sheetnames == list(summary_tabs(campaign, agg))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) >= 2
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    documents = book["PL01-1 Văn bản"]
    assert [c.value for c in documents[2]] == ["I", "Tỉnh ủy", "12-KH/TU", "02/05/2024", HOSTILE, "Sở Nội vụ"]


def test_summary_tabs_have_a_status_tab(campaign, rendered):
    tabs = summary_tabs(campaign, rendered[0])
    status = tabs["Trạng thái"]
    assert status[0][:5] == ["Đơn vị", "Nhóm", "Trạng thái", "Thay đổi gần nhất", "Số lỗi"]
    so_nv = next(r for r in status if r[0] == "Sở Nội vụ")
    assert so_nv[2:5] == ["Đúng hạn", "15/04/2026 09:00", 0]
    assert len(status) == len(campaign.units) + 1
    indicators = tabs["Chỉ tiêu"]
    ct02 = next(r for r in indicators if r[0] == "CT02")
    assert ct02[4] is None and ct02[-1] == SAMPLE_LABEL


# --- compile ------------------------------------------------------------------------------

def test_compile_report_writes_both_outputs_and_warns(campaign, tmp_path):
    workspace = LocalWorkspace(tmp_path / "ws", campaign)
    result = compile_report(campaign, _records(campaign), workspace, TEMPLATE, compiled_at=COMPILED_AT)
    assert result.report.name == REPORT_NAME and result.tables.name == TABLES_NAME
    report_path, tables_path = Path(result.report.file_id), Path(result.tables.file_id)
    assert docx.Document(str(report_path)).paragraphs
    assert openpyxl.load_workbook(tables_path).sheetnames
    assert any("chỉ tiêu mẫu" in w for w in result.warnings)
    assert any(w.startswith(f"{len(campaign.units) - 3} đơn vị chưa gửi báo cáo") for w in result.warnings)
    assert result.aggregates.totals["sent"] == 3


def test_missing_or_broken_template_raises_report_error(campaign, tmp_path):
    workspace = LocalWorkspace(tmp_path / "ws", campaign)
    with pytest.raises(ReportError, match="Không tìm thấy mẫu báo cáo"):
        compile_report(campaign, [], workspace, tmp_path / "khong-co.docx")
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ReportError) as caught:
        compile_report(campaign, [], workspace, broken)
    assert "make_report_template.py" in caught.value.explain()
    bad_syntax = tmp_path / "cu-phap.docx"
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph("{% if %}")
    document.save(str(bad_syntax))
    with pytest.raises(ReportError, match="cú pháp"):
        compile_report(campaign, [], workspace, bad_syntax)

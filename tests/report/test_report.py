"""The draft report (.docx): a Party document by Hướng dẫn 36-HD/VPTW, a synthesis under each
outline item, appendices in the plan's forms, and every contradiction of issue 9 fixed."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docxtpl import DocxTemplate

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.app.compile import REPORT_NAME, compile_report
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.errors import ReportError
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.submission import UnitRecord
from sonket_gsync.report.companion import companion_docx
from sonket_gsync.report.draft import TEMPLATE_VARIABLES, render_report, report_context, resolve_template
from sonket_gsync.report.language import FORMULA_PLACEHOLDER, heading_title, typeset
from tests.analysis.test_aggregate import indicator_rows, record

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "bao-cao-so-ket.docx"
COMPILED_AT = datetime(2026, 4, 25, 8, 30, tzinfo=TZ)
HOSTILE = 'Mẫu {{ 7*7 }} và {% if %} cùng & < > "x" 😀'
FORMULA = "=cmd|' /C calc'!A0"
NFD_TEXT = unicodedata.normalize("NFD", "Trí thức Đồng Nai được tôn vinh")
LONG_TEXT = "Dài " + "x" * 30_000
SHARED = "Đề nghị tỉnh bổ sung chính sách hỗ trợ nghiên cứu khoa học cho cơ sở."
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _records(campaign):
    issuers = campaign.form_with_role("documents").column_for("issuer").choices
    bodies = campaign.form_with_role("inspection").fixed_rows
    party_units = campaign.units_in("DANG_UY")
    party_row = {
        "stt": 1,
        "unit_name": party_units[1].name,
        "documents": "Nghị quyết chuyên đề",
        "members_count": 1234,
        "members_rate": 98.5,
        "inspection": FORMULA,
        "good_practices": "Mô hình cà phê trí thức mỗi quý",
        "difficulties": "Thiếu kinh phí cho hoạt động của trí thức trẻ",
        "recommendations": "Với Trung ương: sớm sửa đổi Luật Khoa học. Với Tỉnh ủy: tăng kinh phí cho cơ sở.",
    }
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
            narrative={"I.1": HOSTILE + "\n" + SHARED, "II.2": NFD_TEXT, "III.3": LONG_TEXT, "V.2": FORMULA},
        ),
        record(
            campaign,
            "LHH_KHKT",
            status="late",
            tables={"CHI_TIEU": indicator_rows(campaign, {"CT01": (40, 45, 50)})},
            narrative={"I.1": "Liên hiệp hội đã quán triệt\n" + SHARED, "IV": "Tiếp tục thu hút trí thức"},
        ),
        record(campaign, "SO_TC", narrative={"I.1": SHARED}),
        record(campaign, party_units[1].code, tables={"PL02": [party_row]}),
        record(campaign, "HDND", status="invalid", error_count=2, flagged=True),  # invalid with an earlier valid version
        UnitRecord(unit=campaign.unit("SO_XD"), status="invalid", submission=None, submitted_at=None, last_modified=None, error_count=3),
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


def _body(paragraphs: list[str]) -> list[str]:
    """The body: up to the first appendix heading."""
    return paragraphs[: paragraphs.index("PHỤ LỤC 01")]


def _parts(data: bytes, prefix: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith(prefix)}


# --- the template -------------------------------------------------------------------------------


def test_template_script_builds_the_committed_template(tmp_path):
    out = tmp_path / "mau.docx"
    subprocess.run([sys.executable, str(ROOT / "templates" / "make_report_template.py"), str(out)], check=True, capture_output=True)
    built, committed = out.read_bytes(), TEMPLATE.read_bytes()
    for name in ("word/document.xml", "word/styles.xml", "word/settings.xml"):
        assert _parts(built, name)[name] == _parts(committed, name)[name], f"{name} differs: run templates/make_report_template.py"
    assert _parts(built, "word/header") == _parts(committed, "word/header")


def test_template_uses_no_variable_the_code_does_not_provide(campaign):
    used = DocxTemplate(str(TEMPLATE)).get_undeclared_template_variables()
    provided = set(report_context(campaign, aggregate(campaign, []), compiled_at=COMPILED_AT))
    assert provided == set(TEMPLATE_VARIABLES)
    assert used <= provided, f"template uses {sorted(used - provided)}"


def test_a_campaign_folder_template_overrides_the_default(campaign, tmp_path):
    assert resolve_template(campaign).resolve() == TEMPLATE.resolve()  # the default, shipped in the package
    folder = tmp_path / "camp"
    folder.mkdir()
    own = folder / "bao-cao-so-ket.docx"
    document = docx.Document(str(TEMPLATE))
    document.paragraphs[0].insert_paragraph_before("MẪU RIÊNG CỦA CHIẾN DỊCH")
    document.save(str(own))
    other = dataclasses.replace(campaign, folder=folder)
    assert resolve_template(other, TEMPLATE) == own
    data = render_report(other, aggregate(other, []), resolve_template(other, TEMPLATE), compiled_at=COMPILED_AT)
    assert "MẪU RIÊNG CỦA CHIẾN DỊCH" in _paragraphs(docx.Document(io.BytesIO(data)))


# --- a Party document -----------------------------------------------------------------------------


def test_header_title_and_signature_come_from_the_config_with_blanks_kept(campaign, rendered):
    document = rendered[2]
    doc = campaign.document
    header = _tables(document)[0][0]
    assert header[0].split("\n") == [doc.issuer.upper(), "*", doc.number] == ["TỈNH ỦY ĐỒNG NAI", "*", "Số      -BC/TU"]
    assert header[1].split("\n") == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Đồng Nai, ngày      tháng      năm 2026"]
    paragraphs = _paragraphs(document)
    assert paragraphs[0] == "DỰ THẢO ngày 25/04/2026"
    title = paragraphs.index("BÁO CÁO")
    assert paragraphs[title + 1] == doc.subject and "về tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức" in doc.subject
    signature = next(t for t in _tables(document) if t[0][0].startswith("Nơi nhận:"))[0]
    recipients = signature[0].split("\n")
    assert recipients[0] == "Nơi nhận:" and recipients[1:] == [f"- {r}" for r in doc.recipients]
    assert recipients[-1] == "- Lưu Văn phòng Tỉnh ủy."
    lines = signature[1].split("\n")
    assert lines[:2] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"] and lines[-1] == "" and doc.signer_name == ""


def test_signer_name_prints_when_configured(campaign):
    named = dataclasses.replace(campaign, document=dataclasses.replace(campaign.document, signer_name="Nguyễn Văn A"))
    document = docx.Document(io.BytesIO(render_report(named, aggregate(named, []), TEMPLATE, compiled_at=COMPILED_AT)))
    signature = next(t for t in _tables(document) if t[0][0].startswith("Nơi nhận:"))[0]
    assert signature[1].split("\n")[-1] == "Nguyễn Văn A"


def test_a4_times_new_roman_justified_indented_body_bold_headings_and_page_numbers(rendered):
    data, document = rendered[1], rendered[2]
    body, appendices = document.sections  # the units' full texts are in the companion, not here
    assert (round(body.page_width.mm), round(body.page_height.mm)) == (210, 297) and body.orientation == WD_ORIENT.PORTRAIT
    assert appendices.orientation == WD_ORIENT.LANDSCAPE and round(appendices.page_width.mm) == 297
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY and normal.paragraph_format.first_line_indent.cm > 1
    headings = [p for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert headings and all(p.style.font.bold for p in headings)
    assert all(run.bold is not False for p in headings for run in p.runs)  # never forced non-bold
    assert body.different_first_page_header_footer and not appendices.different_first_page_header_footer
    header_xml = b"".join(_parts(data, "word/header").values())
    assert b"PAGE" in header_xml  # the page number field, from page 2 (titlePg leaves page 1 bare)


def test_every_outline_heading_appears_in_order(campaign, rendered):
    paragraphs = _paragraphs(rendered[2])
    headings = []
    for section in campaign.outline:
        headings.append(f"{section.number}. {heading_title(section.title)}")  # without the units' instructions
        headings += [f"{item.number}. {heading_title(item.title)}" for item in section.items]
    positions = [paragraphs.index(h) for h in headings]
    assert positions == sorted(positions)


# --- a synthesis --------------------------------------------------------------------------------


def _item_heading(campaign, key: str) -> str:
    item = next(i for i in campaign.outline_items if i.key == key)
    return f"{item.number}. {heading_title(item.title)}"


def test_a_statement_of_three_units_is_one_theme_with_its_count_and_the_full_text_goes_to_the_companion(campaign, rendered):
    agg, _, document = rendered
    body = _body(_paragraphs(document))
    i1 = _between(body, _item_heading(campaign, "I.1"), _item_heading(campaign, "I.2"))
    said = SHARED.rstrip(".")
    shared = [p for p in i1 if said[:1].lower() + said[1:] in p]
    assert len(shared) == 1 and shared[0].count(said[1:]) == 1, i1  # three units, one theme, said once
    assert "(3/3) nêu " + said[:1].lower() + said[1:] in shared[0]  # with how many units said it
    names = ("Sở Nội vụ", "Sở Tài chính", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh")
    assert not any(f"({n})" in p or f"{n})" in p for p in body for n in names)  # no unit in brackets
    assert not any("cùng nêu" in p or p.startswith("Qua tổng hợp") for p in body)  # no compilation
    assert "PHỤ LỤC 04" not in _paragraphs(document) and "PHỤ LỤC 03" not in _paragraphs(document)
    assert LONG_TEXT not in "\n".join(body)  # not in the draft at all…
    assert LONG_TEXT not in _all_text(document)
    companion = docx.Document(io.BytesIO(companion_docx(campaign, agg, compiled_at=COMPILED_AT)))
    assert LONG_TEXT in _all_text(companion)  # …but whole in the companion


def test_party_committee_answers_reach_iii_2_iii_3_and_v_split_by_recipient(campaign, rendered):
    body = _body(_paragraphs(rendered[2]))
    iii2 = _between(body, _item_heading(campaign, "III.2"), _item_heading(campaign, "III.3"))
    assert any("tiêu biểu như: “Mô hình cà phê trí thức mỗi quý”" in p for p in iii2)  # Phụ lục 02 [6], named
    assert not any("/C calc" in p for p in body)  # a formula's quoted fragment is not a model
    iii3 = _between(body, _item_heading(campaign, "III.3"), _item_heading(campaign, "III.4"))
    assert any("hạn chế, khó khăn: thiếu kinh phí cho hoạt động của trí thức trẻ" in p for p in iii3)
    v1 = _between(body, _item_heading(campaign, "V.1"), _item_heading(campaign, "V.2"))
    assert "- Sớm sửa đổi Luật Khoa học." in v1 and not any("kinh phí cho cơ sở" in p for p in v1)
    v2 = body[body.index(_item_heading(campaign, "V.2")) :]
    assert "- Tăng kinh phí cho cơ sở." in v2 and not any("Luật Khoa học" in p for p in v2)


def test_figures_come_first_study_rate_from_counts_documents_and_inspection_in_prose(campaign, rendered):
    body = _body(_paragraphs(rendered[2]))
    assert "Theo báo cáo của 1/97 đảng ủy trực thuộc tỉnh, có 1.234 đảng viên tham gia học tập, quán triệt, đạt 98,5%" in "\n".join(body)
    documents = next(p for p in body if p.startswith("Các cơ quan, đơn vị đã báo cáo 2 văn bản"))
    assert "Tỉnh ủy: 1 văn bản" in documents and "Các sở, ban, ngành: 1 văn bản" in documents
    # contradiction fixed: the party committees' documents (Phụ lục 02) are not "0 văn bản"
    assert "Các Đảng ủy trực thuộc tỉnh: 1/97 đảng ủy báo cáo đã ban hành văn bản (tại Phụ lục 02, cột [3])" in documents
    assert "Các Đảng ủy trực thuộc tỉnh: 0 văn bản" not in documents
    inspection = next(p for p in body if p.startswith("Theo báo cáo của 1 cơ quan, đơn vị, hoạt động kiểm tra, giám sát"))
    assert "Tỉnh ủy (1 đơn vị)" in inspection
    assert not any(re.match(r"^Tỉnh ủy: \d+ đơn vị có kiểm tra", p) for p in body)  # the old non-sentence


def test_invalid_units_without_a_valid_version_are_not_said_to_count(campaign, rendered):
    notes = [c.text for c in rendered[2].comments]  # a note to staff: a Word comment, not the text
    assert not any(p.startswith("Số liệu tổng hợp đến") for p in _paragraphs(rendered[2]))
    sentence = next(p for p in notes if p.startswith("Số liệu tổng hợp đến 08 giờ 30 ngày 25/04/2026"))
    assert f"từ báo cáo của 5/{len(campaign.units)} cơ quan, đơn vị" in sentence
    assert "1 đơn vị có lỗi ở lần gửi gần nhất nên được tính theo bản hợp lệ trước đó" in sentence
    assert "1 đơn vị có lỗi và chưa có bản hợp lệ nào" in sentence
    companion = docx.Document(io.BytesIO(companion_docx(campaign, rendered[0], compiled_at=COMPILED_AT)))
    status = next(t for t in _tables(companion) if t[0][:2] == ["STT", "Đơn vị"] and len(t[0]) == 8)
    assert next(r for r in status if r[1] == "Sở Xây dựng")[-1] == "Có lỗi; chưa có bản hợp lệ nên chưa được tính"
    assert next(r for r in status if r[1] == "Hội đồng nhân dân tỉnh")[-1] == "Có lỗi; số liệu tính theo bản hợp lệ trước đó"


# --- indicators ---------------------------------------------------------------------------------


def test_indicator_table_numbers_targets_the_line_and_the_verdict(campaign, rendered):
    document = rendered[2]
    table = next(t for t in _tables(document) if t[0][0] == "STT" and t[0][-1] == "Đánh giá")
    years = [f"Năm {y}" if y not in campaign.estimated_years else f"Ước thực hiện năm {y}" for y in campaign.indicator_years]
    assert table[0][4:-2] == years
    ct01 = table[1]
    assert ct01[0] == "1" and ct01[1] == campaign.indicator("CT01").name
    assert ct01[3:] == ["60", "40", "45", "50", "46,7", "Vượt lộ trình"]  # the line from 40 (2024) to 60 (2030) is at 46,7 in 2026
    ct02 = table[2]  # a sample: its target shown, no mark (notes to staff stay out of the text)
    assert ct02[0] == "2" and ct02[1] == campaign.indicator("CT02").name
    assert ct02[3:] == ["1.200", "10", "12", "15", "407", "Chậm so với lộ trình"]
    text = _all_text(document)
    assert text.count("(*) Chỉ tiêu mẫu") == 0 and "Tiến độ (%)" not in text
    assert "trong ngoặc" not in text  # no note about figures the table lacks


def test_indicator_table_is_kept_on_one_page_and_every_cell_has_its_width(rendered):
    table = next(t for t in rendered[2].tables if t.rows[0].cells[-1].text == "Đánh giá")
    for row in table.rows[1:]:
        for cell in row.cells[3:-1]:  # target, years, progress
            if cell.text:
                assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT, cell.text
    xml = _parts(rendered[1], "word/document.xml")["word/document.xml"].decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)
    indicator = next(t for t in tables if "Đánh giá" in t and "Mức theo lộ trình" in t)
    rows = re.findall(r"<w:tr>.*?</w:tr>", indicator, flags=re.S)
    assert all("<w:cantSplit/>" in r for r in rows)
    assert all("<w:keepNext/>" in r for r in rows[:-1])
    for table in tables:
        if "w:tblLayout" not in table:
            continue  # the template's own header and signature blocks
        for row in re.findall(r"<w:tr>.*?</w:tr>", table, flags=re.S):
            assert row.count("<w:tc>") == row.count("<w:tcW "), "a cell without its width"


def test_no_sample_warning_without_sample_indicators(campaign):
    real = dataclasses.replace(campaign, indicators=tuple(dataclasses.replace(i, sample=False) for i in campaign.indicators))
    document = docx.Document(io.BytesIO(render_report(real, aggregate(real, _records(real)), TEMPLATE, compiled_at=COMPILED_AT)))
    text = _all_text(document)
    assert "LƯU Ý" not in text and "Chỉ tiêu mẫu" not in text and "2*" not in text


# --- appendices ------------------------------------------------------------------------------------


def test_appendix_01_keeps_the_plan_headings_and_the_inspection_table_with_x_marks(campaign, rendered):
    tables = _tables(rendered[2])
    documents = next(t for t in tables if t[0] == ["Stt", "Văn bản đã ban hành (số văn bản, ngày văn bản)", "Trích yếu nội dung văn bản", "Đơn vị báo cáo"])
    headings = [row[0] for row in documents if row[0] in ("I", "II", "III", "IV", "V", "VI")]
    assert headings == ["I", "II", "III", "IV", "V", "VI"]
    first = documents.index(next(r for r in documents if r[0] == "I"))
    assert documents[first][1] == "Tỉnh ủy (1 văn bản)"
    assert documents[first + 1] == ["1.", "12-KH/TU, ngày 02/05/2024", typeset(HOSTILE), "Sở Nội vụ"]  # curly quotes
    sixth = documents.index(next(r for r in documents if r[0] == "VI"))
    assert "tổng hợp tại Phụ lục 02, cột [3]" in documents[sixth + 1][1]
    inspection = next(t for t in tables if t[0][0] == "Đơn vị" and t[0][1] == "Kiểm tra/ giám sát")
    assert inspection[1][1:] == ["Không", "Có, nêu rõ hình thức", "Không", "Có"]
    assert [r[0] for r in inspection[2:]] == list(campaign.form_with_role("inspection").fixed_rows)
    assert inspection[2][1:] == ["", "X (1 đơn vị): Kiểm tra chuyên đề (1)", "X (1 đơn vị)", ""]


def test_appendix_02_columns_1_to_8_as_titled_and_the_total_under_the_right_columns(campaign, rendered):
    party = next(t for t in _tables(rendered[2]) if t[0][1] == "Tên đơn vị")
    assert party[0][3] == "Số lượng và tỷ lệ đảng viên tham gia học tập, quán triệt (%)"
    assert party[0][7] == "Những kiến nghị, đề xuất với Trung ương, với tỉnh"
    assert party[1] == [f"[{i}]" for i in range(1, 9)]
    units = campaign.units_in("DANG_UY")
    rows = party[2:-1]
    assert [r[1] for r in rows] == [u.name for u in units]
    assert rows[0][2] == "Chưa báo cáo"
    assert rows[1][2:5] == ["Nghị quyết chuyên đề", "1.234 (98,5%)", FORMULA_PLACEHOLDER]  # a formula a unit typed is never quoted
    total = party[-1]
    assert total[1] == "Tổng cộng (1/97 đảng ủy đã báo cáo)" and total[2] == "" and total[3] == "1.234 (98,5%)"
    assert all(cell == "" for cell in total[4:])


def test_no_code_word_file_name_or_config_key_on_any_page(campaign, rendered):
    text = _all_text(rendered[2])
    forbidden = {f.code for f in campaign.forms} | {i.code for i in campaign.indicators}
    forbidden |= {c.key for f in campaign.forms for c in f.columns if "_" in c.key}
    forbidden |= {
        "indicators.csv",
        "forms.toml",
        "campaign.toml",
        "units.csv",
        "outline.toml",
        "(sum)",
        "(mean)",
        "weighted_mean",
        "(max)",
        "(min)",
        "sample",
        "None",
        "nan",
        "party_committees",
    }
    found = sorted(word for word in forbidden if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w/-])", text))
    assert found == []


def test_hostile_text_reaches_the_report_as_plain_text(campaign, rendered):
    _, data, document = rendered
    text = _all_text(document)
    assert "{{ 7*7 }}" in text and "{% if %}" in text
    assert "Mẫu 49" not in text and text.count(typeset(HOSTILE)) >= 1  # as typed, quotes made curly
    assert "& < >" in text and "😀" in text
    assert NFD_TEXT not in text
    companion = _all_text(docx.Document(io.BytesIO(companion_docx(campaign, rendered[0], compiled_at=COMPILED_AT))))
    assert unicodedata.normalize("NFC", NFD_TEXT) in companion and NFD_TEXT not in companion  # every unit's text, NFC
    assert LONG_TEXT in companion
    assert b"&lt;" in _parts(data, "word/document.xml")["word/document.xml"]


# --- compile --------------------------------------------------------------------------------


def test_compile_report_writes_the_draft_and_one_tables_file_and_warns(campaign, tmp_path):
    workspace = LocalWorkspace(tmp_path / "ws", campaign)
    result = compile_report(campaign, _records(campaign), workspace, TEMPLATE, compiled_at=COMPILED_AT)
    assert result.report.name == REPORT_NAME
    report_path, tables_path = Path(result.report.file_id), Path(result.tables.file_id)
    assert docx.Document(str(report_path)).paragraphs
    assert sorted(p.name for p in report_path.parent.glob("*.xlsx")) == [tables_path.name]  # no duplicate
    assert any("chỉ tiêu mẫu" in w for w in result.warnings)
    assert any("chưa có bản hợp lệ nào" in w and "Sở Xây dựng" in w for w in result.warnings)


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


def test_the_signature_block_never_stands_alone_on_a_page(rendered):
    xml = _parts(rendered[1], "word/document.xml")["word/document.xml"].decode("utf-8")
    before = xml[: xml.index("Nơi nhận:")]
    before = before[: before.rindex("<w:tbl>")]  # up to the signature table
    last_paragraphs = re.findall(r"<w:p>.*?</w:p>", before, flags=re.S)[-3:]
    assert len(last_paragraphs) == 3 and all("<w:keepNext/>" in p for p in last_paragraphs)

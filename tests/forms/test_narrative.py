"""The narrative document: built from the outline, read back by heading text."""

from __future__ import annotations

import io
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.forms.narrative import GUIDANCE_STYLE, NARRATIVE_SHEET, build_docx, docx_from_sections, parse_docx


@pytest.fixture
def unit(campaign):
    return campaign.units[0]


def _answers(campaign) -> dict[str, str]:
    return {item.key: f"Nội dung trả lời mục {item.key}.\nĐoạn thứ hai của {item.key}." for item in campaign.outline_items}


def _save(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_build_docx_follows_the_outline(campaign, unit):
    doc = Document(io.BytesIO(build_docx(campaign, unit)))
    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[0] == campaign.outline_title
    assert any(unit.name in t for t in texts[:4]) and any("20/04/2026" in t for t in texts[:4])
    h1 = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert h1 == [f"{s.number}. {s.title}" for s in campaign.outline]
    h2 = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert h2 == [f"{i.number}. {i.title}" for s in campaign.outline for i in s.items]
    style = doc.styles[GUIDANCE_STYLE]
    assert style.font.italic
    guidance = [p.text for p in paragraphs if p.style.name == GUIDANCE_STYLE]
    item = campaign.outline[1].items[1]  # II.2 has four guidance lines
    assert all(line in guidance for line in item.guidance)
    start = texts.index(f"{item.number}. {item.title}")
    after = paragraphs[start + 1 + len(item.guidance)]
    assert after.style.name == "Normal" and after.text == ""  # room for the unit to write
    # section IV has no items: guidance and the answer space sit right under its heading
    iv = texts.index(f"IV. {campaign.outline[3].title}")
    assert paragraphs[iv + 1].style.name == GUIDANCE_STYLE and paragraphs[iv + 2].text == ""


def test_blank_outline_parses_to_empty_answers_without_problems(campaign, unit):
    sections, problems = parse_docx(build_docx(campaign, unit), campaign, unit.code)
    assert sections == {item.key: "" for item in campaign.outline_items}
    assert problems == []


def test_round_trip_gives_the_text_back_without_guidance(campaign, unit):
    answers = _answers(campaign)
    sections, problems = parse_docx(docx_from_sections(campaign, unit, answers), campaign, unit.code)
    assert sections == answers
    assert problems == []
    assert "IV" in sections and sections["IV"].startswith("Nội dung trả lời mục IV.")


def test_guidance_excluded_by_text_when_the_style_was_lost(campaign, unit):
    # Google's export keeps the words of a guidance line but not its custom style.
    doc = Document()
    item = campaign.outline[1].items[1]
    doc.add_paragraph(f"II. {campaign.outline[1].title}")
    doc.add_paragraph(f"{item.number}. {item.title}")
    for line in item.guidance:
        doc.add_paragraph(line.upper())
    doc.add_paragraph("Đã tổ chức 12 hội nghị tuyên truyền.")
    sections, _ = parse_docx(_save(doc), campaign, unit.code)
    assert sections["II.2"] == "Đã tổ chức 12 hội nghị tuyên truyền."


def test_headings_found_by_text_in_nfd_odd_case_and_spacing(campaign, unit):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    doc = Document()
    doc.add_paragraph("Báo cáo của đơn vị (phần mở đầu không thuộc mục nào).")
    for section in campaign.outline:
        doc.add_paragraph(nfd(f"{section.number.lower()}.   {section.title.lower()}"))  # plain Normal style
        for item in section.items:
            title = "  ".join(item.title.upper().split(" ")).rstrip(".")
            doc.add_paragraph(nfd(f"{item.number})  {title}"))
            doc.add_paragraph(nfd(f"Trả lời {item.key}: đạt kết quả tốt"))
        if not section.items:
            doc.add_paragraph(nfd("Giải pháp trọng tâm."))
    sections, problems = parse_docx(_save(doc), campaign, unit.code)
    assert problems == []
    assert sections["I.1"] == "Trả lời I.1: đạt kết quả tốt"
    assert unicodedata.is_normalized("NFC", sections["II.3"])
    assert sections["V.2"] == "Trả lời V.2: đạt kết quả tốt"
    assert sections["IV"] == "Giải pháp trọng tâm."
    assert all("mở đầu" not in text for text in sections.values())


def test_heading_with_answer_on_the_same_line(campaign, unit):
    doc = Document()
    doc.add_paragraph("V. ĐỀ XUẤT, KIẾN NGHỊ")
    doc.add_paragraph("1. Với Trung ương: Sớm ban hành chính sách đãi ngộ trí thức.")
    doc.add_paragraph("2. Với Tỉnh ủy")
    doc.add_paragraph("Bố trí kinh phí.")
    sections, _ = parse_docx(_save(doc), campaign, unit.code)
    assert sections["V.1"] == "Sớm ban hành chính sách đãi ngộ trí thức."
    assert sections["V.2"] == "Bố trí kinh phí."


def test_missing_heading_is_a_warning_and_text_goes_to_the_previous_item(campaign, unit):
    answers = _answers(campaign)
    data = docx_from_sections(campaign, unit, answers)
    doc = Document(io.BytesIO(data))
    v2 = campaign.outline[4].items[1]
    heading = next(p for p in doc.paragraphs if p.text == f"{v2.number}. {v2.title}")
    heading._p.getparent().remove(heading._p)
    sections, problems = parse_docx(_save(doc), campaign, unit.code)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.code, problem.severity, problem.sheet, problem.unit_code) == (
        "missing_heading",
        "warning",
        NARRATIVE_SHEET,
        unit.code,
    )
    assert "Không tìm thấy đề mục" in problem.message and v2.title in problem.message
    assert "khôi phục" in problem.message
    assert sections["V.2"] == ""
    assert sections["V.1"] == answers["V.1"] + "\n" + answers["V.2"]


def test_text_directly_under_a_section_with_items_is_flagged(campaign, unit):
    doc = Document()
    doc.add_paragraph(f"III. {campaign.outline[2].title}")
    doc.add_paragraph("Nhìn chung, đơn vị đã thực hiện tốt.")
    sections, problems = parse_docx(_save(doc), campaign, unit.code)
    assert all("Nhìn chung" not in text for text in sections.values())
    assert any(p.code == "text_under_section" and "III." in p.message for p in problems)


def test_a_reworded_line_in_the_guidance_style_is_still_guidance(campaign, unit):
    # The unit shortened a prompt but left it in the italic "Hướng dẫn" style.
    doc = Document(io.BytesIO(build_docx(campaign, unit)))
    for paragraph in doc.paragraphs:
        if paragraph.style.name == GUIDANCE_STYLE and paragraph.text.startswith("Nội dung, hình thức"):
            paragraph.text = "Gợi ý đã sửa lời"
        elif paragraph.text.startswith("2. Kết quả công tác tuyên truyền"):
            paragraph.insert_paragraph_before("")  # keep the heading; the answer goes after the prompts
    doc.add_paragraph("Văn bản cuối tài liệu.")
    sections, _ = parse_docx(_save(doc), campaign, unit.code)
    assert "Gợi ý đã sửa lời" not in sections["II.2"]
    assert sections["V.2"] == "Văn bản cuối tài liệu."


def test_a_merged_cell_is_counted_once(campaign, unit):
    doc = Document()
    item = campaign.outline[1].items[0]
    doc.add_paragraph(f"{item.number}. {item.title}")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "Gộp"
    table.cell(0, 1).text = "a"
    table.cell(1, 1).text = "b"
    sections, _ = parse_docx(_save(doc), campaign, unit.code)
    assert sections["II.1"] == "Gộp | a\nb"


def test_table_text_is_kept_in_document_order(campaign, unit):
    doc = Document()
    item = campaign.outline[1].items[0]
    doc.add_paragraph(f"{item.number}. {item.title}")
    doc.add_paragraph("Bảng số liệu:")
    table = doc.add_table(rows=2, cols=3)
    for r, row in enumerate([["Chỉ tiêu", "2024", "2025"], ["CT01", "55", "58,5"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("Nhận xét sau bảng.")
    sections, _ = parse_docx(_save(doc), campaign, unit.code)
    assert sections["II.1"] == "Bảng số liệu:\nChỉ tiêu | 2024 | 2025\nCT01 | 55 | 58,5\nNhận xét sau bảng."


@pytest.mark.parametrize(
    "data",
    [b"", b"this is not a word document", b"PK\x03\x04broken zip", "xlsx"],
    ids=["empty", "text", "broken-zip", "xlsx"],
)
def test_unreadable_bytes_raise_unit_file_error(campaign, unit, data):
    if data == "xlsx":
        buffer = io.BytesIO()
        Workbook().save(buffer)
        data = buffer.getvalue()
    with pytest.raises(UnitFileError) as info:
        parse_docx(data, campaign, unit.code)
    err = info.value
    assert err.unit_code == unit.code
    assert "báo cáo thuyết minh" in err.message and err.fix and ".docx" in err.fix


@pytest.mark.libreoffice
def test_generated_docx_opens_in_libreoffice(campaign, unit, tmp_path: Path):
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(docx_from_sections(campaign, unit, _answers(campaign)))
    out = tmp_path / "pdf"
    result = subprocess.run(
        ["/usr/bin/soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = out / "bao-cao.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    assert pdf.stat().st_size > 1000
    # Times New Roman everywhere: Liberation Serif stands in for it here (with DejaVu Serif for
    # the Vietnamese letters this machine's older Liberation lacks); no sans-serif of Word's
    # default theme (Calibri -> Carlito / DejaVu Sans)
    fonts = subprocess.run(["/usr/bin/pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert any(n.startswith("LiberationSerif") for n in names), names
    assert all(n.startswith(("LiberationSerif", "TimesNewRoman", "DejaVuSerif")) for n in names), names
    text = subprocess.run(["/usr/bin/pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert unit.name.upper() in text and "/BC" in text and "ngày" in text


def test_narrative_is_times_new_roman_with_black_headings_and_a_unit_header(campaign, unit):
    doc = Document(io.BytesIO(build_docx(campaign, unit)))
    for name in ("Normal", "Heading 1", "Heading 2", GUIDANCE_STYLE, "Header"):
        style = doc.styles[name]
        fonts = style.element.rPr.rFonts
        assert style.font.name == "Times New Roman", name
        assert not [a for a in fonts.attrib if "Theme" in a or "theme" in a], name  # a theme font would win
    for name in ("Heading 1", "Heading 2"):
        assert doc.styles[name].font.bold and str(doc.styles[name].font.color.rgb) == "000000"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    header = [p.text for p in section.header.paragraphs]
    assert header[0] == unit.name.upper()
    assert header[1].startswith("Số:") and "/BC" in header[1] and f"{campaign.province}, ngày" in header[1]
    assert str(campaign.deadline.year) in header[1]
    # the header is not part of the body: the blank outline still reads as empty
    sections, problems = parse_docx(build_docx(campaign, unit), campaign, unit.code)
    assert not any(sections.values()) and problems == []


@pytest.mark.parametrize("text", ["Nội dung", "", "  thụt đầu dòng", "cuối dòng  ", "cột 1\tcột 2", 'a & <b> "c"'])
@pytest.mark.parametrize("style_name", [None, "Heading 1", GUIDANCE_STYLE])
def test_a_paragraph_is_written_as_python_docx_writes_it(text, style_name):
    """The builder writes paragraphs with lxml (python-docx scans every style per styled
    paragraph): the XML is python-docx's own ``add_paragraph(text, style=...)``."""
    from sonket_gsync.forms import narrative

    ours, theirs = Document(), Document()
    for doc in (ours, theirs):
        doc.styles.add_style(GUIDANCE_STYLE, 1)  # WD_STYLE_TYPE.PARAGRAPH
        doc.add_paragraph("trước")
    if style_name is None:
        narrative._paragraph(ours, text)
        theirs.add_paragraph(text)
    else:
        narrative._styled(ours, text, narrative._paragraph_style_id(ours, ours.styles[style_name]))
        theirs.add_paragraph(text, style=theirs.styles[style_name])
    assert _parts(_save(ours)) == _parts(_save(theirs))
    assert ours.element.body[-1].tag.endswith("}sectPr")  # the section properties stay last


def _parts(data: bytes) -> dict[str, bytes]:
    """A package's parts (its zip entries carry the time they were written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}

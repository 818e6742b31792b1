"""A unit's own report as a Party document (HD 36): its structure and words in the .docx, and
on paper through LibreOffice (A4, landscape appendices, page numbers from page 2, Times)."""

from __future__ import annotations

import io
import random
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest

from sonket_gsync.demo.synthetic import answers_for, to_submission
from sonket_gsync.forms.submission import Submission
from sonket_gsync.report.unit_document import Confirmation, issuing_body, unit_report_docx

SOFFICE = next((p for p in (Path("/usr/bin/soffice"), Path("/usr/lib/libreoffice/program/soffice")) if p.is_file()), Path("/usr/bin/soffice"))
PDFTOTEXT = Path("/usr/bin/pdftotext")
PDFFONTS = Path("/usr/bin/pdffonts")
PDFINFO = Path("/usr/bin/pdfinfo")
SIGNED = Confirmation(name="Nguyễn Văn An", position="Phó Bí thư", doc_number="25-BC/ĐU", doc_date=date(2026, 4, 15))


def _submission(campaign, code: str) -> Submission:
    unit = campaign.unit(code)
    return to_submission(campaign, unit, answers_for(campaign, unit, random.Random(code)))


def _texts(document) -> list[str]:
    """Every paragraph's text, body and table cells, in order."""
    out = []
    for block in document.element.body.iter():
        if block.tag.endswith("}p"):
            out.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    return out


def test_issuing_body_is_the_unit_or_its_party_committee(campaign):
    assert issuing_body(campaign.unit("SO_NV")) == "ĐẢNG ỦY SỞ NỘI VỤ"
    party = next(u for u in campaign.units if u.name.startswith("Đảng ủy"))
    assert issuing_body(party) == party.name.upper()


def test_heading_title_body_and_signature_follow_hd36(campaign):
    unit = campaign.unit("SO_NV")
    submission = _submission(campaign, "SO_NV")
    document = docx.Document(io.BytesIO(unit_report_docx(campaign, unit, submission, confirmation=SIGNED)))
    texts = _texts(document)
    heading = document.tables[0]
    left, right = (cell.text for cell in heading.rows[0].cells)
    assert left.split("\n") == ["ĐẢNG BỘ TỈNH ĐỒNG NAI", "ĐẢNG ỦY SỞ NỘI VỤ", "*", "Số 25-BC/ĐU"]
    assert right.startswith("ĐẢNG CỘNG SẢN VIỆT NAM") and "Đồng Nai, ngày 15 tháng 04 năm 2026" in right
    party = heading.rows[0].cells[1].paragraphs[0]
    assert party._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None  # the rule under the Party's name
    assert "BÁO CÁO" in texts and campaign.document.subject in texts and "DỰ THẢO" not in texts
    for section in campaign.outline:  # every part heading, bold upper case, then its items
        assert f"{section.number}. {section.title.upper()}" in texts
        for item in section.items:
            assert f"{item.number}. {item.title}" in texts
    some = next(v for v in submission.narrative.values() if v)
    assert some.split("\n")[0].strip() in texts
    signature = document.tables[1]
    sign_left, sign_right = (cell.text for cell in signature.rows[0].cells)
    assert sign_left.startswith("Nơi nhận:") and f"- {campaign.compiled_by}," in sign_left
    assert sign_right.split("\n")[:2] == ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ"] and sign_right.rstrip().endswith("Nguyễn Văn An")
    section = document.sections[0]
    assert [round(v.mm) for v in (section.page_width, section.page_height, section.left_margin, section.right_margin)] == [210, 297, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_before_confirmation_the_number_and_date_are_left_blank_and_marked_draft(campaign):
    unit = campaign.unit("SO_NV")
    document = docx.Document(io.BytesIO(unit_report_docx(campaign, unit, _submission(campaign, "SO_NV"))))
    left, right = (cell.text for cell in document.tables[0].rows[0].cells)
    assert left.endswith("Số      -BC/ĐU") and "ngày      tháng      năm 2026" in right
    assert "DỰ THẢO" in _texts(document)


def test_each_filled_form_is_a_landscape_appendix_with_its_rows(campaign):
    unit = campaign.unit("SO_NV")
    submission = _submission(campaign, "SO_NV")
    document = docx.Document(io.BytesIO(unit_report_docx(campaign, unit, submission, confirmation=SIGNED)))
    texts = _texts(document)
    forms = [f for f in campaign.forms_for(unit) if submission.tables.get(f.code)]
    assert forms and len(document.sections) == 1 + len(forms)
    for number, (form, section) in enumerate(zip(forms, document.sections[1:], strict=True), start=1):
        assert section.page_width > section.page_height
        assert f"PHỤ LỤC {number:02d}" in texts
        table = document.tables[1 + number]
        assert [c.text for c in table.rows[0].cells] == [c.header for c in form.columns]
        assert len(table.rows) == 1 + len(submission.tables[form.code])
    assert any(t.startswith("(Kèm theo Báo cáo số 25-BC/ĐU ngày 15/04/2026 của Đảng ủy Sở Nội vụ)") for t in texts)


def test_numbers_and_dates_in_the_appendix_are_vietnamese(campaign):
    unit = campaign.unit("SO_NV")
    row = {"stt": 1, "issuer": "Tỉnh ủy", "doc_number": "12/KH-SNV", "doc_date": "2025-03-05", "summary": "Kế hoạch"}
    submission = Submission(unit.code, tables={"PL01_VB": [row]})
    document = docx.Document(io.BytesIO(unit_report_docx(campaign, unit, submission)))
    cells = [c.text for c in document.tables[2].rows[1].cells]
    assert "05/03/2025" in cells and "12/KH-SNV" in cells


@pytest.mark.libreoffice
def test_on_paper_a4_landscape_appendices_page_numbers_and_times(campaign, tmp_path):
    unit = campaign.unit("SO_NV")
    source = tmp_path / "bao-cao-don-vi.docx"
    source.write_bytes(unit_report_docx(campaign, unit, _submission(campaign, "SO_NV"), confirmation=SIGNED))
    result = subprocess.run(
        [str(SOFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "bao-cao-don-vi.pdf"
    pages = subprocess.run([str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pages[0] and "ĐẢNG ỦY SỞ NỘI VỤ" in pages[0] and "BÁO CÁO" in pages[0]
    assert pages[1].strip().splitlines()[0].strip() == "2"  # numbered from page 2
    assert not pages[0].strip().splitlines()[0].strip().isdigit()
    info = subprocess.run([str(PDFINFO), "-f", "1", "-l", str(len(pages)), str(pdf)], capture_output=True, check=True, text=True).stdout
    sizes = [line.split(":", 1)[1] for line in info.splitlines() if line.startswith("Page") and "size" in line]
    assert "595.3" in sizes[0].split("x")[0] or sizes[0].strip().startswith("595")  # A4 portrait
    appendix = next(i for i, text in enumerate(pages) if "PHỤ LỤC 01" in text)
    width, height = (float(v) for v in sizes[appendix].split("pts")[0].split("x"))
    assert width > height  # landscape
    fonts = subprocess.run([str(PDFFONTS), str(pdf)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()]
    assert any(n.startswith(("TimesNewRoman", "LiberationSerif")) for n in names), names  # Times (or its metric twin)
    assert not any("Sans" in n or "Calibri" in n or "Carlito" in n for n in names), names

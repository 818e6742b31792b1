"""The printable distribution list: links and QR codes per unit."""

from __future__ import annotations

import io
from dataclasses import replace

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from PIL import Image

from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.report.distribution import HEADERS, distribution_docx, qr_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _files(code: str, with_doc: bool = True) -> UnitFiles:
    return UnitFiles(
        unit_code=code,
        sheet_id=f"s-{code}",
        sheet_url=f"https://docs.google.com/spreadsheets/d/s-{code}/edit",
        doc_id=f"d-{code}" if with_doc else "",
        doc_url=f"https://docs.google.com/document/d/d-{code}/edit" if with_doc else "",
    )


def test_qr_png_is_a_square_png_and_longer_urls_need_more_modules():
    short = qr_png("https://example.com/a")
    long = qr_png("https://docs.google.com/spreadsheets/d/" + "x" * 120 + "/edit")
    for data in (short, long):
        assert data.startswith(PNG_SIGNATURE)
        image = Image.open(io.BytesIO(data))
        assert image.width == image.height >= 21 * 8
    assert Image.open(io.BytesIO(long)).width > Image.open(io.BytesIO(short)).width
    assert qr_png("https://example.com/a") == short  # deterministic


def test_distribution_docx_has_one_row_per_unit_with_links_and_qr_codes(campaign):
    units = campaign.units[:3]
    rows = [(units[0], _files(units[0].code)), (units[1], _files(units[1].code)), (units[2], _files(units[2].code, with_doc=False))]
    doc = Document(io.BytesIO(distribution_docx(campaign, rows)))

    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(HEADERS)
    assert len(table.rows) == 1 + len(rows)
    for number, (unit, _) in enumerate(rows, start=1):
        assert table.rows[number].cells[0].text == str(number)
        assert table.rows[number].cells[1].text == unit.name

    links = {r.target_ref for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK}
    expected = {f.sheet_url for _, f in rows} | {f.doc_url for _, f in rows if f.doc_url}
    assert links == expected
    images = [r for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.IMAGE]
    # one QR per link (python-docx stores identical images once; all links differ here)
    assert len(images) == len(expected) == 5
    # the link text is the URL itself, so a printed copy can still be typed in
    assert rows[0][1].sheet_url in doc.element.xml
    assert "(chưa tạo)" in table.rows[3].cells[4].text
    assert "DANH SÁCH ĐƯỜNG DẪN" in doc.paragraphs[0].text
    assert campaign.name in doc.paragraphs[1].text
    # header row repeats on each printed page; the page is landscape
    assert "w:tblHeader" in table.rows[0]._tr.xml
    section = doc.sections[0]
    assert section.page_width > section.page_height


def test_distribution_docx_mentions_the_sharing_mode(campaign):
    rows = [(campaign.units[0], _files(campaign.units[0].code))]

    def text(mode: str) -> str:
        data = distribution_docx(replace(campaign, sharing=mode), rows)
        return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)

    assert "email đã đăng ký" in text("writers")
    assert "ai có đường dẫn" in text("anyone_with_link")
    assert "email đã đăng ký" not in text("anyone_with_link")


def test_local_links_get_folder_instructions_not_google_ones(campaign, tmp_path):
    unit = campaign.units[0]
    local = UnitFiles(unit.code, "x", (tmp_path / "a.xlsx").as_uri(), "y", (tmp_path / "a.docx").as_uri())
    data = distribution_docx(campaign, [(unit, local)])
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "thư mục dùng chung" in text and "Google" not in text and "trình duyệt" not in text

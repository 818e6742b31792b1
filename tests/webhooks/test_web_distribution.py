"""With the service's public address set, the printable distribution sheet gives each unit
one link and QR code: its own page /u/<token>, which the app opens for that unit only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE

from tests.web.fixtures import make_web


def links_of(path: Path) -> list[str]:
    doc = Document(io.BytesIO(path.read_bytes()))
    return [r.target_ref for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK]


def pictures_of(path: Path) -> int:
    with zipfile.ZipFile(path) as package:
        return sum(1 for name in package.namelist() if name.startswith("word/media/"))


def test_qr_codes_point_at_unit_pages_when_a_public_address_is_set(demo_template, tmp_path):
    web = make_web(demo_template, tmp_path, public_base_url="https://sonket.example.gov.vn/")
    ref = web.service.distribution_sheet()
    path = Path(ref.file_id)
    links = links_of(path)
    units = web.service.campaign.units
    assert len(links) == len(units)
    assert all(link.startswith("https://sonket.example.gov.vn/u/") for link in links)
    assert pictures_of(path) >= 1  # QR images (identical ones are stored once)
    first = links[0].removeprefix("https://sonket.example.gov.vn")
    client = web.client()
    page = client.get(first)
    assert page.status_code == 200 and units[0].name in page.get_data(as_text=True)
    text = "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "trang của đơn vị" in text
    web.service.close()


def test_without_a_public_address_the_sheet_keeps_the_file_links(web):
    ref = web.service.distribution_sheet()
    links = links_of(Path(ref.file_id))
    assert links and all(link.startswith("file://") for link in links)

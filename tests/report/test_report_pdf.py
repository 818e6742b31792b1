"""Proof on paper: LibreOffice converts the draft to PDF; page 1 and the first appendix page
render to images that are not blank; the indicator table sits on one page; the charts print
legibly (fonts ≥ 8 pt at the printed width, no overlapping texts, Vietnamese numbers)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import matplotlib.text
import pytest
from PIL import Image

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.report import charts
from sonket_gsync.report.draft import render_report
from tests.report.test_report import COMPILED_AT, TEMPLATE, _records

pytestmark = pytest.mark.libreoffice

SOFFICE = next((p for p in (Path("/usr/bin/soffice"), Path("/usr/lib/libreoffice/program/soffice")) if p.is_file()), Path("/usr/bin/soffice"))
PDFTOPPM = Path("/usr/bin/pdftoppm")
PDFTOTEXT = Path("/usr/bin/pdftotext")


@pytest.fixture(scope="module")
def pdf(campaign, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    source = folder / "bao-cao.docx"
    source.write_bytes(render_report(campaign, aggregate(campaign, _records(campaign)), TEMPLATE, compiled_at=COMPILED_AT))
    result = subprocess.run(
        [str(SOFFICE), "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        capture_output=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    out = folder / "bao-cao.pdf"
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")
    return out


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run([str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")


def _ink(png: Path) -> float:
    """Share of pixels that are not near-white."""
    histogram = Image.open(png).convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def _render(pdf: Path, page: int, out: Path) -> Path:
    subprocess.run([str(PDFTOPPM), "-png", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(out)], check=True)
    return out.with_suffix(".png")


def test_page_1_and_the_first_appendix_page_render_and_are_not_blank(pdf, tmp_path):
    pages = _page_texts(pdf)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pages[0] and "BÁO CÁO" in pages[0]
    first_appendix = next(i for i, text in enumerate(pages) if "PHỤ LỤC 01" in text) + 1
    for page in (1, first_appendix):
        png = _render(pdf, page, tmp_path / f"trang-{page}")
        assert 0.01 < _ink(png) < 0.6, f"page {page} looks blank or black"
    assert _render(pdf, first_appendix, tmp_path / "pl").is_file()
    width, height = Image.open(tmp_path / f"trang-{first_appendix}.png").size
    assert width > height  # the appendices are landscape


def test_page_numbers_start_on_page_2(pdf):
    pages = _page_texts(pdf)
    assert pages[1].strip().splitlines()[0].strip() == "2"
    assert not pages[0].strip().splitlines()[0].strip().isdigit()


def _indicator_header(source: Path) -> list[str]:
    """The indicator table's header cells as the code wrote them into the draft (STT … "Mức
    theo lộ trình năm N", "Đánh giá")."""
    table = next(t for t in docx.Document(str(source)).tables if t.rows[0].cells[-1].text == "Đánh giá")
    header = [c.text for c in table.rows[0].cells]
    assert any(h.startswith("Mức theo lộ trình năm ") for h in header), header
    return header


def test_the_indicator_table_is_on_one_page(campaign, pdf):
    pages = _page_texts(pdf)
    words = {w for cell in _indicator_header(pdf.with_suffix(".docx")) for w in cell.split()}
    first = next(i for i, text in enumerate(pages) if words <= set(text.split()))  # the header, wrapped in its cells
    numbers = {m.group(1) for m in re.finditer(r"^\s*(\d+)\*?\s", pages[first], flags=re.M)}
    assert {str(n) for n in range(1, len(campaign.indicators) + 1)} <= numbers  # every row on the header's page


def test_charts_are_legible_in_print_with_vietnamese_numbers_and_no_overlaps(campaign):
    records = _records(campaign)
    agg = aggregate(campaign, records)
    agg.indicators.loc[agg.indicators["code"] == "CT04", ["value_2024", "value_2025", "value_2026"]] = [78613.0, 84899.0, 100000.0]
    for figure, width_mm in (
        (charts.indicator_figure(campaign, agg), charts.INDICATOR_WIDTH_MM),
        (charts.completeness_figure(campaign, agg), charts.COMPLETENESS_WIDTH_MM),
    ):
        assert abs(figure.get_size_inches()[0] * charts.MM_PER_INCH - width_mm) < 0.5  # drawn at its printed width
        sizes = [t.get_fontsize() for t in figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
        assert min(sizes) >= charts.MIN_FONT_PT
        assert charts.overlapping_texts(figure) == []
        texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
        assert "100000" not in texts and not any(t.startswith("CT0") for t in texts)
    indicator = charts.indicator_figure(campaign, agg)
    titles = [ax.get_title() for ax in indicator.axes if ax.get_title()]
    assert titles[0].startswith("1. Thu hút 60% trí thức")
    assert any(label.get_text() == "100.000" for ax in indicator.axes for label in ax.texts)

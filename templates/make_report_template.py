"""Build templates/bao-cao-so-ket.docx, the docxtpl template of the draft report.

Run:  python templates/make_report_template.py  [output path]

A Party document by Hướng dẫn 36-HD/VPTW: A4, Times New Roman, margins 20/20/30/15 mm; the
header block (issuing body, "*", number | "ĐẢNG CỘNG SẢN VIỆT NAM" with its rule, place and
date); document type and subject; body 14 pt justified with a first-line indent; bold part
and section headings; "Nơi nhận" and the signature block; page numbers from page 2; a
"DỰ THẢO" mark. Two sections: the body (portrait) and the appendices (landscape). Notes to
staff are Word comments added when the draft is rendered; the unit-by-unit material is in the
companion document, not here.

The template holds layout and fixed wording only; every value comes from the context built
by sonket_gsync.report.draft (names listed in report.TEMPLATE_VARIABLES). Tags: {{ }} values,
{%p %} paragraph blocks, {{p }} generated tables (XML built and escaped by report_xml).
The build is deterministic (fixed core properties), so the committed template can be
compared with a fresh build.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Times New Roman"
RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
OUT = Path(__file__).with_name("bao-cao-so-ket.docx")
INDENT = Cm(1.27)
FIXED_TIME = datetime(2026, 1, 1)


def build(path: Path = OUT) -> Path:
    doc = Document()
    _core(doc)
    _styles(doc)
    body = doc.sections[0]
    _page(body, landscape=False)
    _page_numbers(body)
    _draft_mark(doc)
    _header_block(doc)
    _title(doc)
    _tag(doc, "{%p if opening %}")
    _para(doc, "{{ opening }}")
    _tag(doc, "{%p endif %}")
    _outline(doc)
    _signature(doc)
    appendices = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(appendices, landscape=True)
    appendices.different_first_page_header_footer = False
    _tag(doc, "{{p appendices }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- page and styles ----------------------------------------------------------------------


def _core(doc) -> None:
    props = doc.core_properties
    props.author = props.last_modified_by = "sonket-gsync"
    props.title = "Báo cáo (dự thảo)"
    props.created = props.modified = FIXED_TIME
    props.revision = 1


def _fonts(style) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attr), None)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.font.color.rgb = BLACK
    _fonts(normal)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = INDENT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.1
    for name in ("Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(14)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = BLACK
        _fonts(style)
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        pf.first_line_indent = INDENT
        pf.space_before = Pt(6)
        pf.space_after = Pt(6)
        pf.keep_with_next = True
        pf.line_spacing = 1.1
    doc.styles["Table Grid"].font.size = Pt(11)


def _page(section, *, landscape: bool) -> None:
    short, long = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin = Cm(3) if not landscape else Cm(2)
    section.right_margin = Cm(1.5)
    section.header_distance = Cm(1)


def _page_numbers(section) -> None:
    """A centred PAGE field at the top of every page but the first (titlePg)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    run = p.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


# --- small builders -----------------------------------------------------------------------


def _para(container, text: str = "", *, bold=False, italic=False, underline=False, align=None, colour=None, size=None, style=None, indent=True, after=None):
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        if colour is not None:
            run.font.color.rgb = colour
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Cm(0)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    return p


def _picture(doc, tag: str) -> None:
    """A paragraph for a chart: centred, single-spaced, with room above (never over a table)."""
    p = _para(doc, tag, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=6)
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.line_spacing = 1.0


def _tag(doc, tag: str) -> None:
    """A paragraph holding only a tag ({%p %} removed by docxtpl; {{p }} replaced)."""
    doc.add_paragraph(tag)


def _borderless(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _cell_para(cell, text: str, *, first=False, **kw):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = kw.get("bold") or None
        run.italic = kw.get("italic") or None
        run.underline = kw.get("underline") or None
        if kw.get("size"):
            run.font.size = Pt(kw["size"])
    p.alignment = kw.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.space_after = Pt(kw.get("after", 0))
    p.paragraph_format.line_spacing = 1.0
    return p


def _box(paragraph, colour: str = "C00000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "2")
        el.set(qn("w:color"), colour)
        border.append(el)
    ppr.append(border)


# --- report parts ---------------------------------------------------------------------------


def _draft_mark(doc) -> None:
    p = _para(doc, "{{ draft_mark }}", bold=True, colour=RED, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, after=6)
    p.paragraph_format.right_indent = Cm(10.5)
    _box(p)


def _header_block(doc) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    left, right = table.rows[0].cells
    _cell_para(left, "{{ issuer }}", first=True, bold=True, size=14)
    _cell_para(left, "*", size=14)
    _cell_para(left, "{{ number }}", size=14)
    _cell_para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", first=True, bold=True, underline=True, size=14, after=6)
    _cell_para(right, "{{ place_date }}", italic=True, size=14)
    _widths(table, [7.0, 9.5])
    _para(doc, "", after=6, indent=False)


def _title(doc) -> None:
    _para(doc, "{{ doc_type }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=15, indent=False, after=0)
    _para(doc, "{{ subject }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0)
    rule = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=12)
    rule.paragraph_format.left_indent = Cm(6.25)
    rule.paragraph_format.right_indent = Cm(6.25)
    ppr = rule._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _outline(doc) -> None:
    _tag(doc, "{%p for s in sections %}")
    _para(doc, "{{ s.heading }}", style="Heading 1")
    _tag(doc, "{%p for it in s.parts %}")
    _tag(doc, "{%p if it.heading %}")
    _para(doc, "{{ it.heading }}", style="Heading 2")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for t in it.before %}")
    _para(doc, "{{ t }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if it.indicators %}")
    _tag(doc, "{{p indicator_table }}")
    _para(doc, "{{ indicator_note }}", italic=True, size=11, after=6)
    _tag(doc, "{%p if indicator_chart %}")
    _picture(doc, "{{ indicator_chart }}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for t in it.after %}")
    _para(doc, "{{ t }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")


def _signature(doc) -> None:
    _para(doc, "", after=0)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    left, right = table.rows[0].cells
    _cell_para(left, "Nơi nhận:", first=True, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(left, "{%p for r in recipients %}", align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(left, "- {{ r }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(left, "{%p endfor %}", align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(right, "{{ signing_authority }}", first=True, bold=True, size=14)
    _cell_para(right, "{{ signer_title }}", bold=True, size=14)
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, "{{ signer_name }}", bold=True, size=14)
    _widths(table, [8.0, 8.5])
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # the signature block never splits over two pages


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

"""A unit's own report as a Party document (Hướng dẫn 36-HD/VPTW), from its answers.

What a unit signs and issues in its e-office system, then attaches as a signed PDF: top left
its superior and its issuing body with "*" and "Số    -BC/…"; top right "ĐẢNG CỘNG SẢN VIỆT
NAM" with its rule and the place and date line; "BÁO CÁO" and the subject; the outline with
the unit's answers (parts bold upper case, items bold, text justified with a first-line
indent); "Nơi nhận:" and the signature block; its tables as appendices on landscape pages
("PHỤ LỤC 01", the form's title, "(Kèm theo Báo cáo số …)"). A4, Times New Roman 14 pt,
margins 20/20/30/15 mm, page numbers from page 2. Until the unit confirms, it is marked
"DỰ THẢO".

The issuing body is the unit's ``issuing_body`` when the units list gives one, else derived
from its name: a Party organisation ("Đảng ủy …", "Chi bộ …", "Đảng bộ …", "… Tỉnh ủy") is
its own issuer; any other unit issues through its Party committee ("ĐẢNG ỦY <NAME>").
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from sonket_gsync.campaign.model import Campaign, Column, Form, Unit
from sonket_gsync.core.text import clean, format_date, format_number, to_local
from sonket_gsync.forms.submission import Submission

FONT = "Times New Roman"
BODY_PT = 14
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
DOC_TYPE = "BÁO CÁO"
DRAFT_MARK = "DỰ THẢO"
BODY_MM = 165  # A4 portrait less the 30 + 15 mm side margins
RIGHT_MM = 95  # the heading block's right column
# A unit whose name starts so is a Party organisation: it issues in its own name.
_PARTY_BODIES = ("đảng ủy", "đảng uỷ", "chi bộ", "đảng bộ", "tỉnh ủy", "tỉnh uỷ", "ban thường vụ")
# The code after "-BC/" for an issuer starting so (HD 36: ĐU = đảng ủy, CB = chi bộ, ĐB = đảng bộ).
_CODES = (("ĐẢNG ỦY", "ĐU"), ("ĐẢNG UỶ", "ĐU"), ("CHI BỘ", "CB"), ("ĐẢNG BỘ", "ĐB"))


@dataclass(frozen=True)
class Confirmation:
    """What the unit gave when it confirmed: who signs, and its document's number and date."""

    name: str = ""
    position: str = ""
    doc_number: str = ""  # "25-BC/ĐU" (số và ký hiệu), or just the number
    doc_date: date | None = None


def issuer_name(unit: Unit) -> str:
    """The unit's issuing body as written in a sentence ("Đảng ủy Sở Nội vụ"): the units
    list's ``issuing_body`` when given, else derived from the unit's name."""
    given = clean(getattr(unit, "issuing_body", ""))
    if given:
        return given
    name = clean(unit.name)
    lowered = name.casefold()
    if lowered.startswith(_PARTY_BODIES) or "tỉnh ủy" in lowered or "tỉnh uỷ" in lowered:
        return name
    return f"Đảng ủy {name}"


def issuing_body(unit: Unit) -> str:
    """The unit's issuing body in capitals, as the heading prints it."""
    return issuer_name(unit).upper()


def superior_body(campaign: Campaign) -> str:
    """The line above the issuer: the province's Party organisation."""
    return f"ĐẢNG BỘ TỈNH {clean(campaign.province).upper()}"


def document_code(issuer: str) -> str:
    for prefix, code in _CODES:
        if issuer.startswith(prefix):
            return code
    return ""


def number_line(issuer: str, confirmation: Confirmation | None) -> str:
    """ "Số 25-BC/ĐU" when the unit gave its number, else "Số      -BC/ĐU" for the office."""
    given = clean(confirmation.doc_number) if confirmation else ""
    if given:
        return given if given.casefold().startswith("số") else f"Số {given}"
    code = document_code(issuer)
    return f"Số      -BC/{code}" if code else "Số      -BC"


def date_line(campaign: Campaign, confirmation: Confirmation | None, issued_at: datetime | None) -> str:
    place = clean(campaign.province)
    day = confirmation.doc_date if confirmation and confirmation.doc_date else None
    if day is not None:
        return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    year = to_local(issued_at).year if issued_at else campaign.deadline.year
    return f"{place}, ngày      tháng      năm {year}"


def subject(campaign: Campaign) -> str:
    return clean(campaign.document.subject) or clean(campaign.outline_title) or clean(campaign.name)


def signing_authority(issuer: str) -> str:
    """ "T/M ĐẢNG ỦY" for a committee; "" for a body whose head signs in own title."""
    for prefix, _ in _CODES:
        if issuer.startswith(prefix):
            return f"T/M {prefix}"
    return ""


def unit_report_docx(
    campaign: Campaign,
    unit: Unit,
    submission: Submission,
    *,
    confirmation: Confirmation | None = None,
    issued_at: datetime | None = None,
) -> bytes:
    """The unit's report (.docx, HD 36 layout) from ``submission``; ``confirmation`` fills
    the number, date and signer (blank for the office otherwise, and marked "DỰ THẢO")."""
    doc = Document()
    _page_and_fonts(doc)
    issuer = issuing_body(unit)

    if confirmation is None:
        _para(doc, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, size=12, after=0)
    _heading_block(doc, campaign, issuer, confirmation, issued_at)
    _para(doc, DOC_TYPE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=15, before=18, after=0)
    _para(doc, subject(campaign), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    rule = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _rule_below(rule, width_mm=40, box_mm=BODY_MM)

    for section in campaign.outline:
        _para(doc, f"{section.number}. {clean(section.title).upper()}", bold=True, indent=True, before=6, after=3)
        if section.items:
            for item in section.items:
                _para(doc, f"{item.number}. {clean(item.title)}", bold=True, indent=True, before=3, after=3)
                _answer(doc, submission.narrative.get(item.key, ""))
        else:
            _answer(doc, submission.narrative.get(section.number, ""))

    _signature(doc, campaign, unit, issuer, confirmation)
    _page_numbers(doc)

    forms = [f for f in campaign.forms_for(unit) if submission.tables.get(f.code)]
    for number, form in enumerate(forms, start=1):
        _appendix(doc, form, submission.tables[form.code], number, issuer_name(unit), confirmation)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- parts ---------------------------------------------------------------------------------


def _heading_block(doc, campaign: Campaign, issuer: str, confirmation: Confirmation | None, issued_at: datetime | None) -> None:
    """Two borderless columns: issuer, "*", number (left); the Party's name, its rule, the
    place and date (right)."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Mm(BODY_MM - RIGHT_MM), Mm(RIGHT_MM))
    _widths(table, widths)
    left, right = table.rows[0].cells
    _cell_para(left, superior_body(campaign), bold=False, first=True)
    _cell_para(left, issuer, bold=True)
    _cell_para(left, "*")
    _cell_para(left, number_line(issuer, confirmation))
    _cell_para(right, PARTY, bold=True, first=True, underline_rule=True)
    _cell_para(right, "")
    _cell_para(right, date_line(campaign, confirmation, issued_at), italic=True)


def _signature(doc, campaign: Campaign, unit: Unit, issuer: str, confirmation: Confirmation | None) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _widths(table, (Mm(BODY_MM - RIGHT_MM), Mm(RIGHT_MM)))
    left, right = table.rows[0].cells
    _cell_para(left, "Nơi nhận:", bold=True, italic=True, first=True, align=WD_ALIGN_PARAGRAPH.LEFT, size=12)
    recipients = [f"- {clean(campaign.compiled_by)}," if clean(campaign.compiled_by) else "", "- Lưu Văn phòng."]
    for line in filter(None, recipients):
        _cell_para(left, line, align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    authority = signing_authority(issuer)
    position = clean(confirmation.position).upper() if confirmation and confirmation.position else ("BÍ THƯ" if authority else "")
    first = True
    for text in (authority, position):
        if text:
            _cell_para(right, text, bold=True, first=first)
            first = False
    for _ in range(4):  # room for the signature and the seal
        _cell_para(right, "", first=first)
        first = False
    name = clean(confirmation.name) if confirmation else ""
    _cell_para(right, name, bold=True)
    doc.add_paragraph()
    del unit


def _appendix(doc, form: Form, rows: list[dict[str, object]], number: int, issuer_words: str, confirmation: Confirmation | None) -> None:
    issuer = issuer_words.upper()
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    _para(doc, f"PHỤ LỤC {number:02d}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, clean(form.title).upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    given = clean(confirmation.doc_number) if confirmation else ""
    reference = given.removeprefix("Số ").removeprefix("số ") if given else f"     -BC/{document_code(issuer)}".rstrip("/")
    day = confirmation.doc_date if confirmation and confirmation.doc_date else None
    when = f"ngày {format_date(day)}" if day else "ngày      tháng      năm"
    _para(doc, f"(Kèm theo Báo cáo số {reference} {when} của {issuer_words})", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)

    columns = form.columns
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(max(1, c.width) for c in columns)
    usable = 297 - 35
    widths = [Mm(usable * max(1, c.width) / total) for c in columns]
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        _fill_cell(cell, column.header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in rows:
        cells = table.add_row().cells
        for cell, column, width in zip(cells, columns, widths, strict=True):
            cell.width = width
            value = row.get(column.key)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            _fill_cell(cell, cell_text(column, value), align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
    _widths(table, widths)


def cell_text(column: Column, value: object) -> str:
    """A stored value as people read it: 1.234,5; dd/mm/yyyy; text as typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_number(value, 0)
    if isinstance(value, float):
        return format_number(value, 0 if value.is_integer() else 2)
    if column.type == "date" and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return clean(value)
    return clean(value)


# --- typesetting ---------------------------------------------------------------------------


def _page_and_fonts(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}") if defaults is not None else None
    if fonts is not None:  # a theme font would win over the named one
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    for name in ("Normal", "Table Grid", "Header"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(BODY_PT) if name == "Normal" else Pt(12)  # Header: the page number
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:  # Vietnamese text: no East Asian font fallback
        doc.settings.element.remove(lang)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after = Pt(0), Pt(6)
    normal.line_spacing = 1.15


def _para(
    doc, text: str, *, bold=False, italic=False, align=None, size: float | None = None, indent=False, before: float | None = None, after: float | None = None
):
    paragraph = doc.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Mm(10)
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    return paragraph


def _answer(doc, text: str) -> None:
    lines = [line.strip() for line in clean(text).split("\n") if line.strip()]
    for line in lines or [""]:
        paragraph = _para(doc, line, indent=True)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _cell_para(cell, text: str, *, bold=False, italic=False, first=False, align=WD_ALIGN_PARAGRAPH.CENTER, size: float = 13, underline_rule=False):
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        run.font.size = Pt(size)
    if underline_rule:  # as long as the words (bold capitals, ~3,2 mm a character at 13 pt)
        _rule_below(paragraph, width_mm=len(text) * 3.2, box_mm=RIGHT_MM)
    return paragraph


def _fill_cell(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(12)


_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:rPr", "w:sectPr", "w:pPrChange")


def _rule_below(paragraph, *, width_mm: float, box_mm: float) -> None:
    """A solid rule under the paragraph, ``width_mm`` long, centred in a box ``box_mm`` wide
    (the paragraph is narrowed to the rule by equal indents)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_AFTER_PBDR)
    side = max(0.0, (box_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)


def _widths(table, widths) -> None:
    """Column widths on the grid and on every cell (LibreOffice reads the grid, Word the cells)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def _page_numbers(doc) -> None:
    """Page numbers centred at the top from page 2 (the first page has its own, empty header)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)


__all__ = ["Confirmation", "cell_text", "issuing_body", "unit_report_docx"]

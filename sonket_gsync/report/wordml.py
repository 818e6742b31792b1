"""WordprocessingML snippets for the draft's generated parts (appendix tables, the annex).

docxtpl inserts a ``RawXml`` value given to a ``{{p name }}`` tag as body XML (like a
subdocument), so tables are written here directly: a fixed layout with the width on every
cell of every row (Word and LibreOffice then never fall back to equal columns), borders
set on the table itself (no dependence on the template's table styles), repeated header
rows, rows that do not split, numbers right-aligned. Every text is XML-escaped here; the
template's autoescape never sees this markup.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

from lxml import etree

from sonket_gsync.analysis.roles.base import Cell  # a table cell, as roles describe their tables

EMU_PER_CM = 567  # twentieths of a point (twips) per centimetre, rounded
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ALIGN = {"left": "left", "right": "right", "center": "center", "both": "both"}


class RawXml(str):
    """Body XML for a ``{{p … }}`` tag: jinja's autoescape leaves it as is."""

    def __html__(self) -> str:
        return str(self)


def twips(cm: float) -> int:
    return round(cm * EMU_PER_CM)


def run(text: str, *, bold=False, italic=False, size: float | None = None, colour: str = "", underline=False) -> str:
    props = []
    if bold:
        props.append("<w:b/><w:bCs/>")
    if italic:
        props.append("<w:i/><w:iCs/>")
    if underline:
        props.append('<w:u w:val="single"/>')
    if colour:
        props.append(f'<w:color w:val="{colour}"/>')
    if size:
        half = round(size * 2)
        props.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    parts = _INVALID_XML.sub("", str(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in parts)
    return f"<w:r>{rpr}{body}</w:r>"


def paragraph(
    runs: str | list[str],
    *,
    align: str = "",
    indent_first_cm: float | None = None,
    size: float | None = None,
    before_pt: float | None = None,
    after_pt: float | None = None,
    keep_next: bool = False,
    page_break_before: bool = False,
    line: float | None = None,
    style: str = "",
) -> str:
    """A paragraph; ``size`` also sizes the paragraph mark (so an empty line is that tall)."""
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    if page_break_before:
        ppr.append("<w:pageBreakBefore/>")
    spacing = []
    if before_pt is not None:
        spacing.append(f'w:before="{int(before_pt * 20)}"')
    if after_pt is not None:
        spacing.append(f'w:after="{int(after_pt * 20)}"')
    if line is not None:
        spacing.append(f'w:line="{int(line * 240)}" w:lineRule="auto"')
    if spacing:
        ppr.append(f"<w:spacing {' '.join(spacing)}/>")
    if indent_first_cm is not None:
        ppr.append(f'<w:ind w:firstLine="{twips(indent_first_cm)}"/>')
    if align:
        ppr.append(f'<w:jc w:val="{ALIGN[align]}"/>')
    if size:
        half = round(size * 2)
        ppr.append(f'<w:rPr><w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>')
    body = "".join(runs) if isinstance(runs, list) else runs
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{body}</w:p>"


def text_paragraph(text: str, *, bold=False, italic=False, size: float | None = None, colour: str = "", **kw) -> str:
    return paragraph(run(text, bold=bold, italic=italic, size=size, colour=colour), size=size, **kw)


def page_break() -> str:
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def table(
    widths_cm: list[float],
    header: list[list[Cell]],
    rows: list[list[Cell]],
    *,
    size: float = 11,
    keep_together: bool = False,
    cant_split: bool = True,
) -> str:
    """A bordered table, centred, fixed layout. ``header`` rows repeat on every page.
    ``keep_together`` keeps the whole table on one page (each row kept with the next)."""
    grid = "".join(f'<w:gridCol w:w="{twips(w)}"/>' for w in widths_cm)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tblpr = (
        f'<w:tblPr><w:tblW w:w="{twips(sum(widths_cm))}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="20" w:type="dxa"/><w:left w:w="70" w:type="dxa"/><w:bottom w:w="20" w:type="dxa"/><w:right w:w="70" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
    )
    out = [f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>"]
    last = len(header) + len(rows) - 1
    for index, cells in enumerate([*header, *rows]):
        is_header = index < len(header)
        keep = keep_together and index < last
        out.append(_row(cells, widths_cm, size=size, header=is_header, keep_next=keep or is_header, cant_split=cant_split or is_header))
    out.append("</w:tbl>")
    return "".join(out)


def _row(cells: list[Cell], widths_cm: list[float], *, size: float, header: bool, keep_next: bool, cant_split: bool) -> str:
    trpr = ("<w:cantSplit/>" if cant_split else "") + ("<w:tblHeader/>" if header else "")
    out = [f"<w:tr><w:trPr>{trpr}</w:trPr>"]
    column = 0
    for cell in cells:
        width = sum(widths_cm[column : column + cell.span])
        column += cell.span
        tcpr = f'<w:tcW w:w="{twips(width)}" w:type="dxa"/>'
        if cell.span > 1:
            tcpr += f'<w:gridSpan w:val="{cell.span}"/>'
        if cell.vmerge:
            tcpr += f'<w:vMerge w:val="{cell.vmerge}"/>' if cell.vmerge == "restart" else "<w:vMerge/>"
        if cell.shade:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.shade}"/>'
        tcpr += '<w:vAlign w:val="center"/>' if header else ""
        text = "" if cell.vmerge == "continue" else cell.text
        para = _cell_paragraph(text, cell, header=header, keep_next=keep_next, size=size)
        out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{para}</w:tc>")
    out.append("</w:tr>")
    return "".join(out)


def _cell_paragraph(text: str, cell: Cell, *, header: bool, keep_next: bool, size: float) -> str:
    """A cell's paragraph in the table style (few XML nodes: at 1,500 units the appendices
    hold a hundred thousand cells); only what differs from the style is written."""
    style = TABLE_HEAD_STYLE if header else TABLE_STYLE
    ppr = f'<w:pStyle w:val="{style}"/>' + ("<w:keepNext/>" if keep_next else "")
    align = "center" if header else cell.align
    if align != ("center" if header else "left"):
        ppr += f'<w:jc w:val="{ALIGN[align]}"/>'
    if not text:
        return f"<w:p><w:pPr>{ppr}</w:pPr></w:p>"
    props = ("<w:b/>" if cell.bold and not header else "") + ("<w:i/>" if cell.italic else "")
    if size != TABLE_SIZE:
        props += f'<w:sz w:val="{round(size * 2)}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    parts = _INVALID_XML.sub("", str(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in parts)
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r>{rpr}{body}</w:r></w:p>"


TABLE_STYLE, TABLE_HEAD_STYLE, TEXT_STYLE = "SonketBang", "SonketBangTieuDe", "SonketYKien"
TABLE_SIZE, TEXT_SIZE = 10.5, 13


def ensure_styles(document) -> None:
    """The paragraph styles the generated parts use, added to the document when its template
    lacks them (a campaign's own template keeps working)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    styles = document.styles
    present = {s.style_id for s in styles}
    specs = (
        (TABLE_STYLE, "Bảng – nội dung", TABLE_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 1),
        (TABLE_HEAD_STYLE, "Bảng – tiêu đề", TABLE_SIZE, True, WD_ALIGN_PARAGRAPH.CENTER, 0, 1),
        (TEXT_STYLE, "Ý kiến của đơn vị", TEXT_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 1.27, 2),
    )
    for style_id, name, size, bold, align, indent, after in specs:
        if style_id in present:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.styleId = style_id
        style.base_style = styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Cm(indent)
        fmt.space_before = Pt(1 if style_id != TEXT_STYLE else 0)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.0


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MARK = "\u2063sonket-part:"  # an invisible separator: never in a unit's text (clean keeps it, but no name follows)


def marker(name: str) -> RawXml:
    """A placeholder paragraph for a large generated part (see insert_parts)."""
    return RawXml(f"<w:p><w:r><w:t>{_MARK}{name}</w:t></w:r></w:p>")


def marker_text(name: str) -> str:
    """The text of a marker paragraph (a document built with python-docx adds it as a paragraph)."""
    return f"{_MARK}{name}"


def insert_parts(document_part, parts: dict[str, str]) -> None:
    """Replace each marker paragraph in the rendered document by its part: the document
    part's XML is serialised once and fed, with the parts spliced in, to one incremental
    parse whose root becomes the part's element (moving parsed elements between lxml
    documents walks every node; one joined string would double the memory). ``parts`` is
    emptied as it is consumed."""
    from docx.oxml.parser import element_class_lookup

    xml = etree.tostring(document_part._element, encoding="unicode")
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, huge_tree=True)
    parser.set_element_class_lookup(element_class_lookup)
    position = 0
    for index, name in sorted((xml.find(f"{_MARK}{name}<"), name) for name in list(parts)):
        part = parts.pop(name)
        if index < 0:
            continue  # the template does not use this part
        start = xml.rfind("<w:p>", 0, index)
        parser.feed(xml[position:start].encode("utf-8"))
        for offset in range(0, len(part), 1 << 20):  # in slices: no second copy of a large part
            parser.feed(part[offset : offset + (1 << 20)].encode("utf-8"))
        del part
        position = xml.find("</w:p>", index) + len("</w:p>")
    parser.feed(xml[position:].encode("utf-8"))
    del xml
    document_part._element = parser.close()


def splice_parts(docx: bytes, parts: Mapping[str, str | Iterable[str]]) -> bytes:
    """The saved document with each marker paragraph replaced by its part, as text: the
    document part is never parsed (a companion of 20,000 texts stays a string, not a tree of
    a million nodes). A part may be a list of pieces: they are encoded and compressed one by
    one, never joined into one string. For documents nothing else edits after the parts go in."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                target.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            spans = []  # (start, end, pieces) of each marker paragraph found, in document order
            for name, part in parts.items():
                index = xml.find(f"{_MARK}{name}<")
                if index >= 0:
                    start = xml.rfind("<w:p>", 0, index)
                    spans.append((start, xml.find("</w:p>", index) + len("</w:p>"), [part] if isinstance(part, str) else part))
            with target.open(info, "w") as stream:
                done = 0
                for start, end, pieces in sorted(spans, key=lambda span: span[0]):
                    stream.write(xml[done:start].encode("utf-8"))
                    for piece in pieces:
                        stream.write(piece.encode("utf-8"))
                    done = end
                stream.write(xml[done:].encode("utf-8"))
    return out.getvalue()


def keep_with_signature(document_part, label: str = "Nơi nhận:", paragraphs: int = 2) -> None:
    """Keep the last lines of the body on the page of the signature block (the block never
    splits; without this it can stand alone on a page)."""
    body = document_part._element.find(f"{{{W_NS}}}body")
    for table in body.iter(f"{{{W_NS}}}tbl"):
        first = "".join(table.itertext())
        if not first.lstrip().startswith(label):
            continue
        previous, kept = table.getprevious(), 0
        while previous is not None and kept < paragraphs + 1:
            if previous.tag == f"{{{W_NS}}}p":
                ppr = previous.find(f"{{{W_NS}}}pPr")
                if ppr is None:
                    ppr = etree.SubElement(previous, f"{{{W_NS}}}pPr")
                    previous.insert(0, ppr)
                if ppr.find(f"{{{W_NS}}}keepNext") is None:
                    keep = etree.Element(f"{{{W_NS}}}keepNext")
                    style = ppr.find(f"{{{W_NS}}}pStyle")
                    ppr.insert(1 if style is not None else 0, keep)
                kept += 1
            previous = previous.getprevious()
        return

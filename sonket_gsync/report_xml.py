"""WordprocessingML snippets for the draft's generated parts (appendix tables, the annex).

docxtpl inserts a ``RawXml`` value given to a ``{{p name }}`` tag as body XML (like a
subdocument), so tables are written here directly: a fixed layout with the width on every
cell of every row (Word and LibreOffice then never fall back to equal columns), borders
set on the table itself (no dependence on the template's table styles), repeated header
rows, rows that do not split, numbers right-aligned. Every text is XML-escaped here; the
template's autoescape never sees this markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

EMU_PER_CM = 567  # twentieths of a point (twips) per centimetre, rounded
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ALIGN = {"left": "left", "right": "right", "center": "center", "both": "both"}


class RawXml(str):
    """Body XML for a ``{{p … }}`` tag: jinja's autoescape leaves it as is."""

    def __html__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Cell:
    text: str = ""
    bold: bool = False
    italic: bool = False
    align: str = "left"
    span: int = 1  # columns merged to the right
    vmerge: str = ""  # "restart" | "continue" for a cell merged with the one below/above
    shade: str = ""  # fill colour, e.g. "EDEDED"


def twips(cm: float) -> int:
    return int(round(cm * EMU_PER_CM))


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
        half = int(round(size * 2))
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
        half = int(round(size * 2))
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
        f"<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
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
        para = paragraph(
            run(text, bold=cell.bold or header, italic=cell.italic, size=size) if text else "",
            align=cell.align if not header else "center",
            indent_first_cm=0,
            size=size,
            before_pt=1,
            after_pt=1,
            line=1.0,
            keep_next=keep_next,
        )
        out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{para}</w:tc>")
    out.append("</w:tr>")
    return "".join(out)


def is_number_text(text: str) -> bool:
    """A cell printed as a number (1.234,5 / 98,5% / 12): right-aligned."""
    return bool(re.fullmatch(r"-?[\d.]+(,\d+)?%?", text.strip())) and any(ch.isdigit() for ch in text)

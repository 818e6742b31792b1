"""The narrative report (báo cáo thuyết minh): build the outline document, read it back.

Shared by every backend: the local backend keeps the .docx as is, the Google backend exports
its Google Doc as .docx; both hand the bytes to ``parse_docx``. Headings are found by their
text, never by style, because an export may rename or drop styles, and people retype them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from sonket_gsync.campaign.model import Campaign, OutlineSection, Unit
from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.core.text import clean, format_date, header_key
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits, check_package, read_member
from sonket_gsync.forms.submission import Problem

GUIDANCE_STYLE = "Hướng dẫn"
NARRATIVE_SHEET = "Báo cáo thuyết minh"
INSTRUCTION = (
    "Hướng dẫn: viết nội dung ngay dưới mỗi đề mục. Giữ nguyên các dòng đề mục (không xóa, không sửa); "
    "các dòng in nghiêng là gợi ý, không cần xóa và không được tính vào nội dung báo cáo."
)
_NUMBER_SEPARATOR = r"\s*[.):\-–—/]?\s*"
_EDGE_PUNCTUATION = " :.;,*"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _T, _TAB, _BR, _CR = (f"{_W}{tag}" for tag in ("p", "tbl", "t", "tab", "br", "cr"))
_PPR, _PSTYLE, _R, _SECT_PR, _VAL = (f"{_W}{tag}" for tag in ("pPr", "pStyle", "r", "sectPr", "val"))
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_BREAKS = frozenset("\t\r\n")
_STYLE_NAME = re.compile(rb'<w:style\b[^>]*?\bw:styleId="([^"]*)"[^>]*>\s*<w:name w:val="([^"]*)"')
# Hardened: no entity expansion, no DTD loading, no network, no huge_tree (lxml's own
# depth and text-size guards stay on). A DOCTYPE is refused outright (Word writes none).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# --- building -----------------------------------------------------------------------------


def build_docx(campaign: Campaign, unit: Unit) -> bytes:
    """The blank outline a unit receives: headings, guidance in italics, room to write."""
    return docx_from_sections(campaign, unit, {})


def docx_from_sections(campaign: Campaign, unit: Unit, sections: dict[str, str]) -> bytes:
    """The outline with ``sections[key]`` typed under each heading (one paragraph per line)."""
    doc = Document()
    _page_and_fonts(doc)
    normal = doc.styles["Normal"]
    guidance_style = doc.styles.add_style(GUIDANCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    guidance_style.base_style = normal
    guidance_style.font.italic = True
    guidance_style.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    _times(guidance_style)
    _unit_header(doc, campaign, unit)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(campaign.outline_title or campaign.name).bold = True
    doc.add_paragraph(f"Đơn vị: {unit.name}")
    doc.add_paragraph(f"Hạn gửi: {format_date(campaign.deadline)}")
    # Each style's id resolved once: python-docx resolves a style given to add_paragraph
    # (name or object) by scanning every style, for every paragraph: most of the build.
    heading1, heading2 = (_paragraph_style_id(doc, doc.styles[name]) for name in ("Heading 1", "Heading 2"))
    guidance = _paragraph_style_id(doc, guidance_style)
    _styled(doc, INSTRUCTION, guidance)
    for section in campaign.outline:
        _styled(doc, f"{section.number}. {section.title}", heading1)
        if section.items:
            _guidance(doc, section.guidance, guidance)
            for item in section.items:
                _styled(doc, f"{item.number}. {item.title}", heading2)
                _guidance(doc, item.guidance, guidance)
                _answer(doc, sections.get(item.key, ""))
        else:
            _guidance(doc, section.guidance, guidance)
            _answer(doc, sections.get(section.number, ""))

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


FONT = "Times New Roman"
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _page_and_fonts(doc) -> None:
    """A4 with the margins of a Party/State document; Times New Roman everywhere, black
    headings (Word's default heading styles are Calibri/Cambria in blue)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            _set_fonts(fonts)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(13)
    _times(normal)
    for name, size in (("Heading 1", 14), ("Heading 2", 13), ("Header", 12), ("Title", 14)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.bold = name != "Header"
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        color = style.element.rPr.find(qn("w:color")) if style.element.rPr is not None else None
        if color is not None:
            for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
                color.attrib.pop(qn(attr), None)
        _times(style)


def _times(style) -> None:
    style.font.name = FONT
    _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts())


def _set_fonts(fonts) -> None:
    for attr in _THEME_ATTRS:  # a theme font wins over a named one: drop them
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _unit_header(doc, campaign: Campaign, unit: Unit) -> None:
    """The page header: the unit's name, and its own document number and date line left
    for the unit to fill (it issues this report under its own number)."""
    header = doc.sections[0].header
    name = header.paragraphs[0]
    name.text = ""
    name.add_run(unit.name.upper()).bold = True
    line = header.add_paragraph(style=doc.styles["Header"])
    usable = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    line.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    year = campaign.deadline.year
    line.add_run(f"Số:         /BC\t{campaign.province}, ngày      tháng      năm {year}").italic = True


def _paragraph_style_id(doc, style) -> str | None:
    """The id ``paragraph.style = style`` would write (None for the default style)."""
    return doc.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)


def _styled(doc, text: str, style_id: str | None) -> None:
    """``doc.add_paragraph(text, style=...)`` with the style's id already resolved."""
    _paragraph(doc, text, style_id, styled=True)


def _paragraph(doc, text: str, style_id: str | None = None, *, styled: bool = False) -> None:
    """A paragraph at the end of the body, the same XML ``doc.add_paragraph`` writes
    (``<w:pPr>`` first when styled, then one run with one ``<w:t>``), written with lxml:
    python-docx's element classes write a run one character at a time, most of the build.
    Text with a tab or a line break is left to python-docx (``<w:tab/>``, ``<w:br/>``)."""
    if _BREAKS.intersection(text):
        p = doc.add_paragraph(text)._p
        if styled:
            p.style = style_id
        return
    body = doc.element.body
    p = etree.SubElement(body, _P)
    sect_pr = body.find(_SECT_PR)
    if sect_pr is not None:
        body.append(sect_pr)  # the section properties stay the body's last child
    if styled:
        p_pr = etree.SubElement(p, _PPR)
        if style_id is not None:
            etree.SubElement(p_pr, _PSTYLE, {_VAL: style_id})
    if text:
        t = etree.SubElement(etree.SubElement(p, _R), _T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_XML_SPACE, "preserve")


def _guidance(doc, lines: tuple[str, ...], style_id: str | None) -> None:
    for line in lines:
        _styled(doc, line, style_id)


def _answer(doc, text: str) -> None:
    lines = clean(text).split("\n") if clean(text) else [""]
    for line in lines:
        _paragraph(doc, line)  # the default paragraph style is Normal


# --- parsing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Heading:
    key: str | None  # the outline item it opens; None for a section heading that has items
    label: str  # "II. KẾT QUẢ ..." as in the outline
    number: str
    title: str


def parse_docx(data: bytes, campaign: Campaign, unit_code: str, limits: Limits | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Text per outline item key (all keys present, "" when nothing was written) and the
    problems found. Guidance lines and text before the first heading are not counted.
    The package is checked against ``limits`` (sizes, ratio) before any XML is parsed."""
    body, guidance_style = _open(data, unit_code, limits or DEFAULT_LIMITS)
    headings, matcher, guidance = _outline_index(campaign.outline)

    collected: dict[str, list[str]] = {item.key: [] for item in campaign.outline_items}
    found: set[str] = set()
    current: _Heading | None = None
    stray: list[str] = []  # sections whose own text (before their first item) is not counted

    for block in body:
        if block.tag == _TBL:
            lines = _table_lines(block)
        elif block.tag == _P:
            text = clean(_text(block))
            heading, rest = matcher.match(text)
            if heading is not None:
                current = heading
                found.add(heading.label)
                lines = [rest] if rest else []
            elif _is_guidance(block, text, guidance, guidance_style):
                continue
            else:
                lines = [text]
        else:
            continue  # section properties, bookmarks, content controls
        lines = [line for line in lines if line]
        if not lines or current is None:
            continue
        if current.key is None:
            if current.label not in stray:
                stray.append(current.label)
            continue
        collected[current.key].extend(lines)

    problems = [_missing(h, unit_code) for h in headings if h.label not in found]
    problems += [_stray(label, unit_code) for label in stray]
    return {key: "\n".join(lines) for key, lines in collected.items()}, problems


def _open(data: bytes, unit_code: str, limits: Limits):
    """The document body element and the guidance style's id, read straight from the
    package's XML (python-docx would load and resolve every part: most of the time)."""
    where = f"đơn vị {unit_code}, tệp báo cáo thuyết minh (.docx)"
    if not data:
        raise UnitFileError(
            "Tệp báo cáo thuyết minh trống (0 byte).",
            unit_code=unit_code,
            where=where,
            fix="Mở lại tệp báo cáo thuyết minh, viết nội dung theo đề cương và lưu lại dạng Word (.docx); hoặc khôi phục bản trước.",
        )
    check_package(data, unit_code=unit_code, where=where, kind="docx", limits=limits)
    cap = limits.max_unpacked_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            document = _xml(read_member(package, _document_part(package, cap), cap))
            styles = read_member(package, "word/styles.xml", cap) if "word/styles.xml" in package.namelist() else b""
        body = document.find(f"{_W}body")
        if body is None:
            raise ValueError("no body")
    except Exception:  # a broken package fails in many ways (zip, XML, missing parts)
        raise UnitFileError(
            "Tệp báo cáo thuyết minh không đọc được: không phải tệp Word (.docx) hoặc tệp đã bị hỏng.",
            unit_code=unit_code,
            where=where,
            fix="Mở tệp bằng Word hoặc Google Tài liệu và lưu lại dạng .docx (không dùng .doc, .pdf); hoặc khôi phục bản trước.",
        ) from None
    return body, _style_id(styles, GUIDANCE_STYLE)


def _xml(data: bytes):
    root = etree.fromstring(data, parser=_PARSER)
    if root.getroottree().docinfo.doctype:
        raise ValueError("DOCTYPE in a package part")
    return root


def _document_part(package: zipfile.ZipFile, cap: int) -> str:
    """The main document part named by the package relationships (word/document.xml usually)."""
    rels = _xml(read_member(package, "_rels/.rels", cap))
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    raise ValueError("no main document part")


@lru_cache(maxsize=16)
def _outline_index(outline: tuple[OutlineSection, ...]) -> tuple[list[_Heading], _Matcher, set[str]]:
    """Headings, their matcher and the guidance keys: built once per outline, not per unit."""
    headings = _headings(outline)
    return headings, _Matcher(headings), _guidance_keys(outline)


def _headings(outline: tuple[OutlineSection, ...]) -> list[_Heading]:
    out = []
    for section in outline:
        key = None if section.items else section.number
        out.append(_Heading(key, f"{section.number}. {section.title}", section.number, section.title))
        for item in section.items:
            out.append(_Heading(item.key, f"{section.number}.{item.number}. {item.title}", item.number, item.title))
    return out


def _compact(text: str) -> str:
    """Case-, space- and edge-punctuation-insensitive form of a heading or title."""
    return re.sub(r"\s+", "", header_key(text).strip(_EDGE_PUNCTUATION))


class _Matcher:
    """Recognises heading paragraphs by text: "{number}. {title}" however it was retyped
    (case, spacing, "1)" for "1."), the title alone when auto-numbering took the number out
    of the text, and "{heading}: text" written on the heading's own line."""

    def __init__(self, headings: list[_Heading]) -> None:
        self.by_number_title: dict[tuple[str, str], list[_Heading]] = {}
        titles: dict[str, list[_Heading]] = {}
        for h in headings:
            self.by_number_title.setdefault((h.number.casefold(), _compact(h.title)), []).append(h)
            titles.setdefault(_compact(h.title), []).append(h)
        self.by_title = {t: hs[0] for t, hs in titles.items() if len(hs) == 1}
        numbers = sorted({re.escape(h.number) for h in headings}, key=len, reverse=True)
        self.number_re = re.compile(rf"^({'|'.join(numbers)}){_NUMBER_SEPARATOR}(.*)$", re.IGNORECASE | re.DOTALL)

    def match(self, text: str) -> tuple[_Heading | None, str]:
        if not text or len(text) > 600:
            return None, ""
        heading = self._whole(text)
        if heading is not None:
            return heading, ""
        # "1. Với Trung ương: đề nghị ..." — the heading, then the answer on the same line.
        head, colon, rest = text.partition(":")
        if colon:
            heading = self._whole(head)
            if heading is not None:
                return heading, clean(rest)
        return None, ""

    def _whole(self, text: str) -> _Heading | None:
        m = self.number_re.match(text)
        if m:
            candidates = self.by_number_title.get((m.group(1).casefold(), _compact(m.group(2))))
            if candidates:
                return candidates[0]
        return self.by_title.get(_compact(text))


def _guidance_keys(outline: tuple[OutlineSection, ...]) -> set[str]:
    keys = {header_key(INSTRUCTION)}
    for section in outline:
        keys.update(header_key(g) for g in section.guidance)
        for item in section.items:
            keys.update(header_key(g) for g in item.guidance)
    return keys


def _style_id(styles: bytes, name: str) -> str | None:
    # A scan of the raw part: parsing the whole styles.xml took longer than the document itself.
    for style_id, style_name in _STYLE_NAME.findall(styles):
        if clean(style_name.decode("utf-8", "replace")) == name:
            return style_id.decode("utf-8", "replace")
    return None


def _is_guidance(paragraph, text: str, guidance: set[str], style_id: str | None) -> bool:
    if style_id is not None:
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        if style is not None and style.get(f"{_W}val") == style_id:
            return True
    return header_key(text) in guidance


def _text(element) -> str:
    """A paragraph's (or cell's) text as Word shows it: runs, tabs and line breaks."""
    parts = []
    for node in element.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.tag == _TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _table_lines(table) -> list[str]:
    """One line per table row, cells separated by " | " (a merged cell counted once)."""
    lines = []
    for row in table.iter(f"{_W}tr"):
        cells = []
        for cell in row.findall(f"{_W}tc"):
            merge = cell.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val") != "restart":
                continue  # the lower part of a vertically merged cell: its text is above
            cells.append(" ".join(clean(_text(cell)).split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def _missing(heading: _Heading, unit_code: str) -> Problem:
    return Problem(
        unit_code=unit_code,
        sheet=NARRATIVE_SHEET,
        code="missing_heading",
        severity="warning",
        message=(
            f"Không tìm thấy đề mục “{heading.label}” trong báo cáo thuyết minh, nên nội dung của đề mục này "
            f"không được ghi nhận (có thể đã bị tính vào đề mục phía trên). Hãy khôi phục dòng đề mục "
            f"“{heading.number}. {heading.title}” đúng như đề cương (có thể chép lại từ tệp mẫu) "
            f"và viết nội dung ngay bên dưới."
        ),
    )


def _stray(label: str, unit_code: str) -> Problem:
    return Problem(
        unit_code=unit_code,
        sheet=NARRATIVE_SHEET,
        code="text_under_section",
        severity="warning",
        message=(
            f"Có nội dung viết ngay dưới đề mục “{label}” nhưng mục này được trả lời theo từng tiểu mục, "
            f"nên nội dung đó không được ghi nhận. Hãy chuyển nội dung xuống tiểu mục phù hợp bên dưới."
        ),
    )

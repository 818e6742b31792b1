"""The narrative report (báo cáo thuyết minh): build the outline document, read it back.

Shared by every backend: the local backend keeps the .docx as is, the Google backend exports
its Google Doc as .docx; both hand the bytes to ``parse_docx``. Headings are found by their
text, never by style, because an export may rename or drop styles, and people retype them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from .campaign import Campaign, Unit
from .errors import UnitFileError
from .submission import Problem
from .text import clean, format_date, header_key

GUIDANCE_STYLE = "Hướng dẫn"
NARRATIVE_SHEET = "Báo cáo thuyết minh"
INSTRUCTION = (
    "Hướng dẫn: viết nội dung ngay dưới mỗi đề mục. Giữ nguyên các dòng đề mục (không xóa, không sửa); "
    "các dòng in nghiêng là gợi ý, không cần xóa và không được tính vào nội dung báo cáo."
)
_NUMBER_SEPARATOR = r"\s*[.):\-–—/]?\s*"
_EDGE_PUNCTUATION = " :.;,*"


# --- building -----------------------------------------------------------------------------

def build_docx(campaign: Campaign, unit: Unit) -> bytes:
    """The blank outline a unit receives: headings, guidance in italics, room to write."""
    return docx_from_sections(campaign, unit, {})


def docx_from_sections(campaign: Campaign, unit: Unit, sections: dict[str, str]) -> bytes:
    """The outline with ``sections[key]`` typed under each heading (one paragraph per line)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    guidance_style = doc.styles.add_style(GUIDANCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    guidance_style.base_style = normal
    guidance_style.font.italic = True
    guidance_style.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(campaign.outline_title or campaign.name).bold = True
    doc.add_paragraph(f"Đơn vị: {unit.name}")
    doc.add_paragraph(f"Hạn gửi: {format_date(campaign.deadline)}")
    doc.add_paragraph(INSTRUCTION, style=guidance_style)

    # Style objects, not names: python-docx resolves a name by scanning every style.
    heading1, heading2 = doc.styles["Heading 1"], doc.styles["Heading 2"]
    for section in campaign.outline:
        doc.add_paragraph(f"{section.number}. {section.title}", style=heading1)
        if section.items:
            _guidance(doc, section.guidance, guidance_style)
            for item in section.items:
                doc.add_paragraph(f"{item.number}. {item.title}", style=heading2)
                _guidance(doc, item.guidance, guidance_style)
                _answer(doc, sections.get(item.key, ""))
        else:
            _guidance(doc, section.guidance, guidance_style)
            _answer(doc, sections.get(section.number, ""))

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _guidance(doc, lines: tuple[str, ...], style) -> None:
    for line in lines:
        doc.add_paragraph(line, style=style)


def _answer(doc, text: str) -> None:
    lines = clean(text).split("\n") if clean(text) else [""]
    for line in lines:
        doc.add_paragraph(line)  # the default paragraph style is Normal


# --- parsing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Heading:
    key: str | None  # the outline item it opens; None for a section heading that has items
    label: str  # "II. KẾT QUẢ ..." as in the outline
    number: str
    title: str


def parse_docx(data: bytes, campaign: Campaign, unit_code: str) -> tuple[dict[str, str], list[Problem]]:
    """Text per outline item key (all keys present, "" when nothing was written) and the
    problems found. Guidance lines and text before the first heading are not counted."""
    doc = _open(data, unit_code)
    headings = _headings(campaign)
    matcher = _Matcher(headings)
    guidance = _guidance_keys(campaign)
    guidance_style = _style_id(doc, GUIDANCE_STYLE)

    collected: dict[str, list[str]] = {item.key: [] for item in campaign.outline_items}
    found: set[str] = set()
    current: _Heading | None = None
    stray: list[str] = []  # sections whose own text (before their first item) is not counted

    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            lines = _table_lines(block)
        else:
            heading, rest = matcher.match(block)
            if heading is not None:
                current = heading
                found.add(heading.label)
                lines = [rest] if rest else []
            elif _is_guidance(block, guidance, guidance_style):
                continue
            else:
                lines = [clean(block.text)]
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


def _open(data: bytes, unit_code: str):
    where = f"đơn vị {unit_code}, tệp báo cáo thuyết minh (.docx)"
    if not data:
        raise UnitFileError(
            "Tệp báo cáo thuyết minh trống (0 byte).",
            unit_code=unit_code,
            where=where,
            fix="Mở lại tệp báo cáo thuyết minh, viết nội dung theo đề cương và lưu lại dạng Word (.docx); "
            "hoặc khôi phục bản trước.",
        )
    try:
        return Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds for a broken package
        raise UnitFileError(
            "Tệp báo cáo thuyết minh không đọc được: không phải tệp Word (.docx) hoặc tệp đã bị hỏng.",
            unit_code=unit_code,
            where=where,
            fix="Mở tệp bằng Word hoặc Google Tài liệu và lưu lại dạng .docx (không dùng .doc, .pdf); "
            "hoặc khôi phục bản trước.",
        ) from None


def _headings(campaign: Campaign) -> list[_Heading]:
    out = []
    for section in campaign.outline:
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

    def match(self, paragraph: Paragraph) -> tuple[_Heading | None, str]:
        text = clean(paragraph.text)
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


def _guidance_keys(campaign: Campaign) -> set[str]:
    keys = {header_key(INSTRUCTION)}
    for section in campaign.outline:
        keys.update(header_key(g) for g in section.guidance)
        for item in section.items:
            keys.update(header_key(g) for g in item.guidance)
    return keys


def _style_id(doc, name: str) -> str | None:
    for style in doc.styles:
        if clean(style.name) == name:
            return style.style_id
    return None


def _is_guidance(paragraph: Paragraph, guidance: set[str], style_id: str | None) -> bool:
    # Compare the raw style id: python-docx's ``paragraph.style`` resolves the default style
    # by scanning every style, which made parsing 10x slower.
    if style_id is not None and paragraph._p.style == style_id:
        return True
    return header_key(paragraph.text) in guidance


def _table_lines(table: Table) -> list[str]:
    """One line per table row, cells separated by " | " (a merged cell counted once)."""
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(clean(cell.text).split()))
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

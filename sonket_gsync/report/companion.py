"""The companion document "Tổng hợp ý kiến các đơn vị": the office's working material that the
document the Ban Thường vụ signs leaves out, so nothing a unit sent is lost.

Same layout conventions as the draft (A4, Times New Roman, the issuer's header block, a centred
title, justified body type, page numbers from page 2). Its parts, in order:

1. notes to staff (sample indicators, data as of, problems found: report/notes.py);
2. the data problems found, unit by unit (unit, location, what);
3. the unit-by-unit submission status (by group, then every unit);
4. every unit's full narrative text, by outline item;
5. the full texts of the appendix forms filled one row per unit (the draft prints them condensed);
6. the trace of each body sentence: the figures and units behind it.

Large parts are body XML (report/wordml.py) spliced, as text, into the document python-docx
saved (``splice_parts``): never parsed into a tree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.problem_kinds import kind_label
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import format_date, format_number, to_local
from sonket_gsync.report.appendix import appendix_plan, status_note, when
from sonket_gsync.report.language import heading_title, typeset, unquoted
from sonket_gsync.report.notes import COMPANION_TITLE, data_problems, draft_notes
from sonket_gsync.report.wordml import TEXT_STYLE, Cell, ensure_styles, marker_text, paragraph, run, splice_parts, table, text_paragraph

FONT = "Times New Roman"
WIDTH_CM = 17.0  # text width: A4 portrait, margins 2,5 / 1,5 cm
SIZE = 10.5
NOTHING = "(Chưa có đơn vị báo cáo nội dung này.)"
# Column types printed in full in part 5 (the others are figures, already in the appendix).
TEXT_TYPES = ("text",)


def companion_docx(campaign: Campaign, aggregates: Aggregates, *, compiled_at: datetime, body: list[dict] | None = None, warnings: Iterable[str] = ()) -> bytes:
    """The companion document's bytes. ``body`` is the draft's sections (report/body.py) whose
    paragraphs carry their ``trace``; ``warnings`` are the compile's messages to staff."""
    document = Document()
    _layout(document)
    ensure_styles(document)
    _header(campaign, document, compiled_at)
    document.add_paragraph(marker_text("companion"))  # replaced by the parts below
    buffer = io.BytesIO()
    document.save(buffer)
    parts = _parts(campaign, aggregates, compiled_at, body or [], list(warnings))
    return splice_parts(buffer.getvalue(), {"companion": parts})  # pieces, never joined (tens of MB at 1,500 units)


# --- layout ----------------------------------------------------------------------------------


def _layout(document) -> None:
    props = document.core_properties
    props.author = props.last_modified_by = "sonket-gsync"
    props.title = COMPANION_TITLE
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.header_distance = Cm(1)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1.0)
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    fmt.line_spacing = 1.1
    _page_numbers(section)


def _page_numbers(section) -> None:
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    r = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        r._r.append(el)


def _header(campaign: Campaign, document, compiled_at: datetime) -> None:
    doc = campaign.document
    local = to_local(compiled_at)
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    for cell, lines in (
        (left, [(doc.issuer.upper(), True, False), ("*", False, False)]),
        (
            right,
            [("ĐẢNG CỘNG SẢN VIỆT NAM", True, False), (f"{doc.place + ', ' if doc.place else ''}ngày {local:%d} tháng {local:%m} năm {local:%Y}", False, True)],
        ),
    ):
        for index, (text, bold, italic) in enumerate(lines):
            p = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_after = Pt(0)
            r = p.add_run(text)
            r.bold, r.italic = bold or None, italic or None
            r.font.size = Pt(13)
    for cell, width in zip(head.rows[0].cells, (7.0, 10.0), strict=True):
        cell.width = Cm(width)
    for text, size, bold, italic in (
        ("", 8, False, False),
        (COMPANION_TITLE.upper(), 15, True, False),
        (f"(Tài liệu kèm theo dự thảo {doc.doc_type.lower()} {doc.subject})" if doc.subject else "", 13, False, True),
        (f"Số liệu đến {local:%H} giờ {local:%M} ngày {format_date(local)}", 12, False, True),
    ):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.space_after = Pt(4)
        if text:
            r = p.add_run(text)
            r.bold, r.italic = bold or None, italic or None
            r.font.size = Pt(size)


# --- the parts -------------------------------------------------------------------------------


def _parts(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime, body: list[dict], warnings: list[str]) -> list[str]:
    out: list[str] = []
    numbers = iter(("I", "II", "III", "IV", "V", "VI", "VII", "VIII"))
    out += _notes(campaign, aggregates, compiled_at, warnings, next(numbers))
    out += _problems(aggregates, next(numbers))
    out += _status(aggregates, next(numbers), campaign)
    out += _narratives(campaign, aggregates, next(numbers))
    out += _unit_forms(campaign, aggregates, numbers)
    trace = _trace(body, next(numbers))
    out += trace
    return out


def _part_heading(number: str, title: str, *, first: bool = False) -> str:
    return text_paragraph(f"{number}. {title.upper()}", bold=True, size=13, keep_next=True, before_pt=0 if first else 10, indent_first_cm=0)


def _item_heading(text: str) -> str:
    return text_paragraph(text, bold=True, size=13, keep_next=True, before_pt=4, indent_first_cm=0)


def _notes(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime, warnings: list[str], number: str) -> list[str]:
    out = [_part_heading(number, "Lưu ý cho cán bộ tổng hợp", first=True)]
    notes = list(dict.fromkeys([*draft_notes(campaign, aggregates, compiled_at), *warnings]))
    out += [text_paragraph(f"- {typeset(n)}", size=13) for n in notes]
    return out


def _problems(aggregates: Aggregates, number: str) -> list[str]:
    problems = data_problems(aggregates)
    out = [_part_heading(number, "Vấn đề về số liệu cần kiểm tra lại với đơn vị")]
    if not problems:
        return [*out, text_paragraph("(Không phát hiện vấn đề về số liệu.)", italic=True, size=13)]
    out.append(
        text_paragraph(
            f"Có {format_number(len(problems))} vấn đề ở {format_number(len({p.unit_code for p in problems}))} đơn vị; "
            "các số liệu này chưa được đưa vào nội dung dự thảo báo cáo.",
            size=13,
        )
    )
    header = [[Cell("STT"), Cell("Đơn vị"), Cell("Loại vấn đề"), Cell("Vị trí"), Cell("Nội dung")]]
    rows = [
        [Cell(str(i), align="center"), Cell(p.unit_name), Cell(kind_label(p.kind)), Cell(p.where), Cell(p.message)] for i, p in enumerate(problems, start=1)
    ]
    return [*out, table([1.0, 4.0, 2.8, 3.4, 5.8], header, rows, size=SIZE, cant_split=False)]


def _status(aggregates: Aggregates, number: str, campaign: Campaign) -> list[str]:
    out = [_part_heading(number, "Tình hình gửi báo cáo của các đơn vị")]
    out.append(text_paragraph(f"(Hạn gửi {format_date(campaign.deadline)})", italic=True, size=12, align="center", indent_first_cm=0))
    keys = ("on_time", "late", "invalid", "missing", "total")
    header = [[Cell("Nhóm đơn vị"), Cell("Đúng hạn"), Cell("Trễ hạn"), Cell("Có lỗi"), Cell("Chưa gửi"), Cell("Tổng số")]]
    rows = [
        [Cell(f"{g['number']}. {g['group_name']}"), *[Cell(str(g[k]), align="right") for k in keys]] for g in aggregates.group_completeness.to_dict("records")
    ]
    t = aggregates.totals
    rows.append([Cell("Tổng cộng", bold=True), *[Cell(str(t[k]), bold=True, align="right") for k in keys]])
    out.append(table([8.0, 1.8, 1.8, 1.8, 1.8, 1.8], header, rows, size=SIZE))
    out.append(text_paragraph("", size=6))
    header = [
        [
            Cell("STT"),
            Cell("Đơn vị"),
            Cell("Nhóm"),
            Cell("Trạng thái"),
            Cell("Gửi lần đầu"),
            Cell("Thay đổi gần nhất"),
            Cell("Số lỗi"),
            Cell("Ghi chú"),
        ]
    ]
    rows = [
        [
            Cell(str(i), align="right"),
            Cell(u["name"]),
            Cell(str(u["group_number"]), align="center"),
            Cell(u["status_label"]),
            Cell(when(u["submitted_at"]), align="center"),
            Cell(when(u["last_modified"]), align="center"),
            Cell(str(int(u["error_count"])) if u["error_count"] else "", align="right"),
            Cell(status_note(u)),
        ]
        for i, u in enumerate(aggregates.completeness.to_dict("records"), start=1)
    ]
    out.append(table([0.9, 4.6, 1.1, 2.2, 2.1, 2.1, 1.0, 3.0], header, rows, size=SIZE, cant_split=False))
    return out


def _narratives(campaign: Campaign, aggregates: Aggregates, number: str) -> list[str]:
    out = [_part_heading(number, "Ý kiến của các đơn vị theo đề cương")]
    for section in campaign.outline:
        out.append(_item_heading(f"{section.number}. {heading_title(section.title)}"))
        for item in section.answerable:
            if section.items:
                out.append(_item_heading(f"{item.number}. {heading_title(item.title)}"))
            entries = aggregates.narrative.get(item.key, [])
            if not entries:
                out.append(text_paragraph(NOTHING, italic=True, size=13))
            for _, name, text in entries:
                out += _unit_text(name, text)
    return out


def _unit_text(name: str, text: str) -> list[str]:
    lines = [line.strip() for line in unquoted(str(text)).split("\n") if line.strip()] or [""]
    return [paragraph([run(f"{name}: ", bold=True), run(lines[0])], style=TEXT_STYLE), *(paragraph(run(line), style=TEXT_STYLE) for line in lines[1:])]


def _unit_forms(campaign: Campaign, aggregates: Aggregates, numbers) -> list[str]:
    """Part 5: per appendix form filled one row per unit, every unit's text columns in full."""
    plan, _ = appendix_plan(campaign)
    out: list[str] = []
    for label, subtitle, forms in plan:
        for form in forms:
            if form.rows != "unit":
                continue
            texts = unit_form_texts(form, aggregates)
            if not texts:
                continue
            title = f"{label}: {subtitle or form.title} – toàn văn ý kiến của các đơn vị"
            out.append(_part_heading(next(numbers), title))
            for name, answers in texts:
                out.append(_item_heading(name))
                for header, text in answers:
                    lines = [line.strip() for line in unquoted(text).split("\n") if line.strip()] or [""]
                    out.append(paragraph([run(f"{header}: ", italic=True), run(lines[0])], style=TEXT_STYLE))
                    out += [paragraph(run(line), style=TEXT_STYLE) for line in lines[1:]]
    return out


def unit_form_texts(form: Form, aggregates: Aggregates) -> list[tuple[str, list[tuple[str, str]]]]:
    """(unit name, [(column header, full text)]) for every unit that reported the form, the
    text columns in form order; from the frame the form's role keeps one row per unit with
    its columns by role (``party`` for party committees)."""
    frame = _unit_frame(form, aggregates)
    if frame is None or frame.empty:
        return []
    columns = [(c.role, f"[{c.number}] {c.header}" if c.number else c.header) for c in form.columns if c.role and c.type in TEXT_TYPES and c.role in frame]
    columns = [(role, header) for role, header in columns if role not in ("unit_name", "stt")]
    out = []
    reported = frame["reported"] if "reported" in frame else pd.Series(True, index=frame.index)
    for row, has in zip(frame.to_dict("records"), reported, strict=True):
        if not has:
            continue
        answers = [(header, str(row[role])) for role, header in columns if isinstance(row.get(role), str) and row[role].strip()]
        if answers:
            out.append((str(row.get("unit_name", "")), answers))
    return out


def _unit_frame(form: Form, aggregates: Aggregates) -> pd.DataFrame | None:
    for value in aggregates.results.values():
        if isinstance(value, pd.DataFrame) and {"unit_code", "unit_name", "reported"} <= set(value.columns):
            roles = {c.role for c in form.columns if c.role}
            if roles & set(value.columns) - {"unit_name", "stt", "unit_code"}:
                return value
    return None


# --- the trace of the body -------------------------------------------------------------------


def _trace(body: list[dict], number: str) -> list[str]:
    """Each body sentence with the figures and units behind it (16b's paragraphs' ``trace``)."""
    rows = []
    for section in body:
        for part in section.get("parts", []):
            heading = part.get("heading") or section.get("heading", "")
            for para in part.get("paragraphs", []) or []:
                text = _field(para, "text")
                trace = _field(para, "trace")
                if text and trace:
                    rows.append((heading, text, _trace_text(trace)))
    if not rows:
        return []
    out = [_part_heading(number, "Nguồn của từng đoạn trong dự thảo báo cáo")]
    out.append(text_paragraph("Mỗi đoạn của phần nội dung dự thảo, kèm số liệu và các đơn vị làm căn cứ.", italic=True, size=12))
    last = None
    for heading, text, trace in rows:
        if heading != last:
            out.append(_item_heading(heading))
            last = heading
        out.append(paragraph(run(text), style=TEXT_STYLE))
        out.append(paragraph(run(f"Căn cứ: {trace}", italic=True, size=11), style=TEXT_STYLE))
    return out


def _field(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def _trace_text(trace: Any) -> str:
    if isinstance(trace, str):
        return trace
    if is_dataclass(trace) and not isinstance(trace, type):
        trace = asdict(trace)
    if isinstance(trace, dict):
        parts = []
        for key, value in trace.items():
            if value in (None, "", [], {}, ()):
                continue
            parts.append(f"{key}: {_trace_text(value)}" if not isinstance(key, int) else _trace_text(value))
        return "; ".join(parts)
    if isinstance(trace, (list, tuple, set)):
        return ", ".join(_trace_text(v) for v in trace)
    if isinstance(trace, float):
        return format_number(trace)
    return re.sub(r"\s+", " ", str(trace))


__all__ = ["COMPANION_TITLE", "companion_docx", "unit_form_texts"]

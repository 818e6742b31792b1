"""Draft the province's report (.docx, docxtpl) as a Party document (Hướng dẫn 36-HD/VPTW):
the document the Ban Thường vụ signs, and nothing else.

The template (templates/bao-cao-so-ket.docx by default, or a campaign folder's own) holds the
layout: the header block, the title, the draft mark, the outline loop, the signature block,
the sections (portrait body, landscape appendices) and page numbers from page 2. Everything
printed comes from the context built here (``TEMPLATE_VARIABLES``): campaign texts from
campaign.toml [document], the body from report/body.py, the appendices from the forms'
roles. Notes to staff (sample indicators, data as of, problems found: report/notes.py) are
Word comments on the title, never the document's text; the unit-by-unit material is in the
companion document (report/companion.py). Headings lose the outline's instructions to units
and every text is typeset (curly quotes, no doubled words: report/language.py). Plain values
are escaped by docxtpl's autoescape (a unit's "{{ 7*7 }}" prints as typed); generated tables
are XML built and escaped in report/wordml.py.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.errors import ReportError
from sonket_gsync.core.settings import DEFAULT_TEMPLATES
from sonket_gsync.core.text import format_date, to_local
from sonket_gsync.report import charts
from sonket_gsync.report.appendix import appendices_xml, appendix_plan
from sonket_gsync.report.body import sections
from sonket_gsync.report.indicators import indicator_note, indicator_table_xml
from sonket_gsync.report.language import heading_title, typeset
from sonket_gsync.report.notes import COMMENT_AUTHOR, COMMENT_INITIALS, draft_notes, sample_warning
from sonket_gsync.report.tables import summary_tabs
from sonket_gsync.report.wordml import ensure_styles, insert_parts, keep_with_signature, marker

__all__ = ["TEMPLATE_VARIABLES", "add_notes", "render_report", "report_context", "resolve_template", "sample_warning", "section_views", "summary_tabs"]

DEFAULT_TEMPLATE = DEFAULT_TEMPLATES / "bao-cao-so-ket.docx"  # shipped in the package (sonket_gsync/resources)
TEMPLATE_NAME = "bao-cao-so-ket.docx"
BODY_CHART_WIDTH = Mm(charts.INDICATOR_WIDTH_MM)  # charts are drawn at the width printed
LANDSCAPE_CHART_WIDTH = Mm(charts.COMPLETENESS_WIDTH_MM)
# Every name the template may use; tests check the template uses no other.
TEMPLATE_VARIABLES = frozenset(
    {
        "draft_mark",
        "issuer",
        "number",
        "place_date",
        "doc_type",
        "subject",
        "opening",
        "sections",
        "indicator_table",
        "indicator_note",
        "indicator_chart",
        "recipients",
        "signing_authority",
        "signer_title",
        "signer_name",
        "appendices",
    }
)


def resolve_template(campaign: Campaign, default: Path | str | None = None) -> Path:
    """The campaign folder's template ([document] template, or bao-cao-so-ket.docx there),
    else the default shipped with the package."""
    if campaign.document.template:
        return campaign.folder / campaign.document.template
    own = campaign.folder / TEMPLATE_NAME
    if own.is_file():
        return own
    return Path(default) if default else DEFAULT_TEMPLATE


# Generated parts large enough (thousands of rows at 1,500 units) to be kept out of jinja and
# docxtpl's passes over the rendered text: the template gets a marker paragraph, replaced by
# the parsed part once rendered (report_xml.insert_parts).
LARGE_PARTS = ("appendices",)


def render_report(campaign: Campaign, aggregates: Aggregates, template_path: Path | str, *, compiled_at: datetime, body: list[dict] | None = None) -> bytes:
    """The draft's bytes. ``body``: the sections already built by report/body.py (the compile
    builds them once for the draft and the companion's trace)."""
    template = _load_template(Path(template_path))
    ensure_styles(template.docx)
    context = report_context(campaign, aggregates, compiled_at=compiled_at, body=body)
    notes = draft_notes(campaign, aggregates, compiled_at)  # Word comments, not text
    parts = {name: context[name] for name in LARGE_PARTS}
    context.update({name: marker(name) for name in LARGE_PARTS})
    indicator_png = charts.indicator_chart(campaign, aggregates)
    context["indicator_chart"] = InlineImage(template, io.BytesIO(indicator_png), width=BODY_CHART_WIDTH) if indicator_png else None
    try:
        template.render(context, autoescape=True)
    except TemplateError as exc:
        raise ReportError(
            f"Mẫu báo cáo có lỗi cú pháp: {exc}.",
            where=str(template_path),
            fix="Tạo lại mẫu bằng lệnh: python templates/make_report_template.py",
        ) from None
    add_notes(template.docx.part.document, notes, anchor=context["doc_type"])
    insert_parts(template.docx.part, parts)
    keep_with_signature(template.docx.part)
    del parts
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _load_template(path: Path) -> DocxTemplate:
    fix = "Tạo lại mẫu bằng lệnh: python templates/make_report_template.py (hoặc chỉ đúng đường dẫn tới tệp bao-cao-so-ket.docx)."
    if not path.is_file():
        raise ReportError("Không tìm thấy mẫu báo cáo.", where=str(path), fix=fix)
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReportError(f"Mẫu báo cáo hỏng, không mở được ({exc}).", where=str(path), fix=fix) from None
    except Exception as exc:  # python-docx raises assorted errors on a non-Word file
        raise ReportError(f"Mẫu báo cáo không phải tệp Word hợp lệ ({type(exc).__name__}).", where=str(path), fix=fix) from None
    return template


def report_context(campaign: Campaign, aggregates: Aggregates, *, compiled_at: datetime, body: list[dict] | None = None) -> dict:
    """Everything the template prints (charts are added by render_report)."""
    local = to_local(compiled_at)
    doc = campaign.document
    year = doc.year or f"{local:%Y}"
    _, names = appendix_plan(campaign)
    place = f"{doc.place}, " if doc.place else ""
    built = body if body is not None else sections(campaign, aggregates, names, names["annex"])
    return {
        "draft_mark": f"DỰ THẢO ngày {format_date(local)}",
        "issuer": doc.issuer.upper(),
        "number": doc.number,
        "place_date": f"{place}ngày      tháng      năm {year}",
        "doc_type": doc.doc_type.upper(),
        "subject": typeset(doc.subject),
        "opening": typeset(doc.opening),
        "sections": section_views(built),
        "indicator_table": indicator_table_xml(campaign, aggregates),
        "indicator_note": typeset(indicator_note(campaign, aggregates)),
        "indicator_chart": None,
        "recipients": list(doc.recipients),
        "signing_authority": doc.signing_authority,
        "signer_title": doc.signer_title,
        "signer_name": doc.signer_name,
        "appendices": appendices_xml(campaign, aggregates, year),
    }


# --- the body as the template prints it ------------------------------------------------------


def section_views(built: list[dict]) -> list[dict]:
    """report/body.py's sections as the template's loop reads them: a heading without the
    units' instructions, and per item its heading, the paragraphs before the indicator table
    (when the item has it), the table flag and the paragraphs after; every text typeset.

    A part is either {"paragraphs": [...]} (each a str, or a dict / object with ``text`` and
    optionally ``trace``; one with ``table`` true, or the first when none is, precedes the
    indicator table) or the older {"facts", "intro", "groups", "more", "empty"}."""
    out = []
    for section in built:
        parts = [_part_view(part) for part in section.get("parts", [])]
        out.append({"heading": _heading(section.get("heading", "")), "parts": parts})
    return out


def _heading(text: str) -> str:
    return typeset(heading_title(text)) if text else ""


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(getattr(value, "text", "") or "")


def _part_view(part: dict) -> dict:
    table = bool(part.get("indicators"))
    if "paragraphs" in part:
        items = list(part.get("paragraphs") or [])
        texts = [_text(p) for p in items]
        marked = [i for i, p in enumerate(items) if (p.get("table") if isinstance(p, dict) else getattr(p, "table", False))]
        cut = (marked[0] + 1) if marked else (1 if texts else 0)
        before, after = (texts[:cut], texts[cut:]) if table else ([], texts)
    else:
        before = list(part.get("facts") or [])
        after = [part["intro"]] if part.get("intro") else []
        for group in part.get("groups") or []:
            units = f" ({group['units']})." if group.get("units") else ""
            after.append(f"- {group['text']}{units}")
        if part.get("more"):
            after.append(part["more"])
        if part.get("empty") and not before:
            after.append("(Chưa có đơn vị báo cáo nội dung này.)")
        if not table:
            before, after = [], [*before, *after]
    return {
        "heading": _heading(part.get("heading", "")),
        "before": [typeset(t) for t in before if t],
        "indicators": table,
        "after": [typeset(t) for t in after if t],
    }


# --- notes to staff as Word comments -----------------------------------------------------------


def add_notes(document, notes: list[str], *, anchor: str) -> None:
    """Each note a Word comment on the document's title (the paragraph reading ``anchor``;
    else the first paragraph with text): seen in Word's review pane, never printed."""
    if not notes:
        return
    target = next((p for p in document.paragraphs if p.text.strip() == anchor and p.runs), None)
    target = target or next((p for p in document.paragraphs if p.runs and p.text.strip()), None)
    if target is None:
        return
    for note in notes:
        document.add_comment(target.runs, text=note, author=COMMENT_AUTHOR, initials=COMMENT_INITIALS)

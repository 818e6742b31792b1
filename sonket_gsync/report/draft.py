"""Draft the province's report (.docx, docxtpl) as a Party document (Hướng dẫn 36-HD/VPTW).

The template (templates/bao-cao-so-ket.docx by default, or a campaign folder's own) holds the
layout: the header block, the title, the draft box, the outline loop, the signature block,
the sections (portrait body, landscape appendices, portrait annex) and page numbers from
page 2. Everything printed comes from the context built here (``TEMPLATE_VARIABLES``):
campaign texts from campaign.toml [document], figures and grouped statements from the
aggregates. Plain values are escaped by docxtpl's autoescape (a unit's "{{ 7*7 }}" prints
as typed); generated tables are XML built and escaped in report_xml.
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
from sonket_gsync.report.appendix import annex_xml, appendices_xml, appendix_plan, status_head_xml, status_units_xml
from sonket_gsync.report.body import draft_notes, sample_warning, sections
from sonket_gsync.report.indicators import indicator_note, indicator_table_xml
from sonket_gsync.report.tables import summary_tabs
from sonket_gsync.report.wordml import ensure_styles, insert_parts, keep_with_signature, marker

__all__ = ["TEMPLATE_VARIABLES", "render_report", "report_context", "resolve_template", "sample_warning", "summary_tabs"]

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
        "draft_notes",
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
        "status_head",
        "completeness_chart",
        "status_units",
        "annex",
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
LARGE_PARTS = ("appendices", "status_units", "annex")


def render_report(campaign: Campaign, aggregates: Aggregates, template_path: Path | str, *, compiled_at: datetime) -> bytes:
    template = _load_template(Path(template_path))
    ensure_styles(template.docx)
    context = report_context(campaign, aggregates, compiled_at=compiled_at)
    parts = {name: context[name] for name in LARGE_PARTS}
    context.update({name: marker(name) for name in LARGE_PARTS})
    context["completeness_chart"] = InlineImage(template, io.BytesIO(charts.completeness_chart(campaign, aggregates)), width=LANDSCAPE_CHART_WIDTH)
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


def report_context(campaign: Campaign, aggregates: Aggregates, *, compiled_at: datetime) -> dict:
    """Everything the template prints (charts are added by render_report)."""
    local = to_local(compiled_at)
    doc = campaign.document
    year = doc.year or f"{local:%Y}"
    plan, names = appendix_plan(campaign)
    place = f"{doc.place}, " if doc.place else ""
    return {
        "draft_mark": f"DỰ THẢO ngày {format_date(local)}",
        "issuer": doc.issuer.upper(),
        "number": doc.number,
        "place_date": f"{place}ngày      tháng      năm {year}",
        "doc_type": doc.doc_type.upper(),
        "subject": doc.subject,
        "draft_notes": draft_notes(campaign, aggregates, compiled_at, names["status"]),
        "opening": doc.opening,
        "sections": sections(campaign, aggregates, names, names["annex"]),
        "indicator_table": indicator_table_xml(campaign, aggregates),
        "indicator_note": indicator_note(campaign, aggregates),
        "indicator_chart": None,
        "recipients": list(doc.recipients),
        "signing_authority": doc.signing_authority,
        "signer_title": doc.signer_title,
        "signer_name": doc.signer_name,
        "appendices": appendices_xml(campaign, aggregates, year),
        "status_head": status_head_xml(campaign, aggregates, year, compiled_at, first=not plan),
        "completeness_chart": None,
        "status_units": status_units_xml(aggregates),
        "annex": annex_xml(campaign, aggregates, year),
    }

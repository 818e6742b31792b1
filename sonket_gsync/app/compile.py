"""Compile the province's draft: aggregate, render the report, its companion document and the
tables, store them.

The draft is the document the Ban Thường vụ signs; the companion ("Tổng hợp ý kiến các đơn
vị", report/companion.py) holds what the office works from: notes to staff, the data problems,
the submission status, every unit's full text and the trace of each body paragraph. The
tables are written once, through ``Workspace.write_summary`` (the "Tổng hợp" spreadsheet on
Google, tong-hop.xlsx locally): there is no second copy. The template is the campaign
folder's own when it has one, else the default (report.resolve_template)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sonket_gsync.analysis.aggregate import Aggregates, aggregate
from sonket_gsync.backends.base import DOCX_MIME, OutputRef, Workspace
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import now
from sonket_gsync.forms.submission import UnitRecord
from sonket_gsync.report.appendix import appendix_plan
from sonket_gsync.report.body import sections
from sonket_gsync.report.companion import companion_docx
from sonket_gsync.report.draft import render_report, resolve_template
from sonket_gsync.report.notes import StaffProblem, data_problems
from sonket_gsync.report.tables import summary_tabs

REPORT_NAME = "bao-cao-so-ket-du-thao.docx"
COMPANION_NAME = "tong-hop-y-kien-cac-don-vi.docx"
LISTED_UNITS = 10  # name at most this many units in a warning


@dataclass
class CompileResult:
    report: OutputRef
    tables: OutputRef
    aggregates: Aggregates
    warnings: list[str]
    companion: OutputRef | None = None
    data_problems: list[StaffProblem] = field(default_factory=list)


def compile_report(
    campaign: Campaign,
    records: list[UnitRecord],
    workspace: Workspace,
    template_path: Path | str | None = None,
    *,
    compiled_at: datetime | None = None,
    step: Callable[[str], None] | None = None,
) -> CompileResult:
    """``step(key)`` is told as each stage starts (keys of labels.COMPILE_STEPS)."""
    step = step or (lambda key: None)
    compiled_at = compiled_at or now()
    step("aggregate")
    aggregates = aggregate(campaign, records)
    _, names = appendix_plan(campaign)
    body = sections(campaign, aggregates, names, names["annex"])  # once: the draft prints it, the companion traces it
    warnings = compile_warnings(aggregates)
    step("draft")
    report_bytes = render_report(campaign, aggregates, resolve_template(campaign, template_path), compiled_at=compiled_at, body=body)
    report = workspace.write_output(REPORT_NAME, report_bytes, DOCX_MIME)
    del report_bytes
    step("companion")
    companion_bytes = companion_docx(campaign, aggregates, compiled_at=compiled_at, body=body, warnings=warnings)
    companion = workspace.write_output(COMPANION_NAME, companion_bytes, DOCX_MIME)
    del companion_bytes
    step("tables")
    tables = workspace.write_summary(summary_tabs(campaign, aggregates))
    return CompileResult(report=report, tables=tables, aggregates=aggregates, warnings=warnings, companion=companion, data_problems=data_problems(aggregates))


def compile_warnings(aggregates: Aggregates) -> list[str]:
    """What a person must know before using the draft, in Vietnamese."""
    warnings = []
    samples = aggregates.sample_indicators
    if samples:
        warnings.append(
            f"Còn {len(samples)} chỉ tiêu mẫu ({', '.join(samples)}) chưa phải chỉ tiêu chính thức: "
            "thay trong indicators.csv (cột sample = no) trước khi dùng báo cáo."  # a console message, not the draft
        )
    units = aggregates.completeness
    for status, text in (("missing", "đơn vị chưa gửi báo cáo"),):
        names = units.loc[units["status"] == status, "name"].tolist()
        if names:
            warnings.append(f"{len(names)} {text}: {_names(names)}.")
    invalid = units[units["status"] == "invalid"]
    for has_data, text in (
        (True, "đơn vị có lỗi; số liệu của các đơn vị này lấy theo bản hợp lệ trước đó"),
        (False, "đơn vị có lỗi và chưa có bản hợp lệ nào: chưa được tính trong báo cáo"),
    ):
        names = invalid.loc[invalid["has_data"] == has_data, "name"].tolist()
        if names:
            warnings.append(f"{len(names)} {text}: {_names(names)}.")
    flagged = units.loc[units["flagged"] & (units["status"] != "invalid"), "name"].tolist()
    if flagged:
        warnings.append(f"{len(flagged)} đơn vị có lần đọc gần nhất bị lỗi, báo cáo dùng bản trước đó: {_names(flagged)}.")
    years = aggregates.indicator_years
    empty = aggregates.indicators.loc[aggregates.indicators[[f"value_{y}" for y in years]].isna().all(axis=1), "code"].tolist()
    if empty:
        warnings.append(f"Chưa có số liệu cho {len(empty)} chỉ tiêu: {', '.join(empty)}.")
    return warnings


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED_UNITS])
    if len(names) > LISTED_UNITS:
        shown += f" và {len(names) - LISTED_UNITS} đơn vị khác"
    return shown

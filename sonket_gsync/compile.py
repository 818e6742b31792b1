"""Compile the province's draft: aggregate, render the report and the tables, store both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .aggregate import Aggregates, aggregate
from .backends.base import DOCX_MIME, XLSX_MIME, OutputRef, Workspace
from .campaign import Campaign
from .report import aggregates_workbook, render_report
from .submission import UnitRecord
from .text import now

REPORT_NAME = "bao-cao-so-ket-du-thao.docx"
TABLES_NAME = "bang-tong-hop.xlsx"
LISTED_UNITS = 10  # name at most this many units in a warning


@dataclass
class CompileResult:
    report: OutputRef
    tables: OutputRef
    aggregates: Aggregates
    warnings: list[str]


def compile_report(
    campaign: Campaign,
    records: list[UnitRecord],
    workspace: Workspace,
    template_path: Path | str,
    *,
    compiled_at: datetime | None = None,
) -> CompileResult:
    compiled_at = compiled_at or now()
    aggregates = aggregate(campaign, records)
    report_bytes = render_report(campaign, aggregates, template_path, compiled_at=compiled_at)
    tables_bytes = aggregates_workbook(campaign, aggregates)
    report = workspace.write_output(REPORT_NAME, report_bytes, DOCX_MIME)
    tables = workspace.write_output(TABLES_NAME, tables_bytes, XLSX_MIME)
    return CompileResult(report=report, tables=tables, aggregates=aggregates, warnings=compile_warnings(aggregates))


def compile_warnings(aggregates: Aggregates) -> list[str]:
    """What a person must know before using the draft, in Vietnamese."""
    warnings = []
    samples = aggregates.sample_indicators
    if samples:
        warnings.append(
            f"Còn {len(samples)} chỉ tiêu mẫu ({', '.join(samples)}) chưa phải chỉ tiêu chính thức: "
            "thay trong indicators.csv (cột sample = no) trước khi dùng báo cáo."
        )
    units = aggregates.completeness
    for status, text in (
        ("missing", "đơn vị chưa gửi báo cáo"),
        ("invalid", "đơn vị có lỗi; số liệu của các đơn vị này lấy theo bản hợp lệ gần nhất (nếu có)"),
    ):
        names = units.loc[units["status"] == status, "name"].tolist()
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

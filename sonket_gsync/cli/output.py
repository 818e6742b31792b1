"""What the CLI prints for a campaign: the status table by group, a unit's problems, a
compile's result. Reads through the service's query side only."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import click

from sonket_gsync.app.labels import STATUS_LABELS, SUBMISSION_STATE_LABELS, run_outcome_label, status_label
from sonket_gsync.core.text import format_datetime

if TYPE_CHECKING:
    from sonket_gsync.app.service import CampaignService
    from sonket_gsync.campaign.model import Unit

NAME_WIDTH = 58


def print_status(service: CampaignService, history: bool = True) -> None:
    from sonket_gsync.app.service import is_demo_folder

    if history and is_demo_folder(service.settings.data_dir):
        click.echo(f"(Dữ liệu chạy thử do 'sonket-gsync demo' tạo trong {service.settings.data_dir})\n")
    counts = service.status_counts()
    order = list(STATUS_LABELS)
    header = f"{'Nhóm đơn vị':<{NAME_WIDTH}}" + "".join(f"{STATUS_LABELS[s]:>10}" for s in order) + f"{'Tổng':>7}"
    click.echo(header)
    click.echo("-" * len(header))
    for group in service.campaign.groups:
        c = counts.get(group.code)
        if c is None:
            continue
        name = f"{group.number}. {group.name}"
        name = name if len(name) <= NAME_WIDTH - 2 else name[: NAME_WIDTH - 3] + "…"
        click.echo(f"{name:<{NAME_WIDTH}}" + "".join(f"{c[s]:>10}" for s in order) + f"{sum(c.values()):>7}")
    total = counts["__all__"]
    click.echo(f"{'Toàn tỉnh':<{NAME_WIDTH}}" + "".join(f"{total[s]:>10}" for s in order) + f"{sum(total.values()):>7}")
    if not history:
        return
    queries = service.queries
    states = Counter(queries.submission_states().values())
    click.echo("Quy trình gửi báo cáo: " + "; ".join(f"{label} {states[state]}" for state, label in SUBMISSION_STATE_LABELS.items()) + ".")
    run = queries.last_run()
    if run is not None:
        when = format_datetime(run.finished_at or run.started_at)
        click.echo(f"\nĐồng bộ gần nhất: {when} ({run_outcome_label(run.status)}; {run.units_changed} đơn vị có thay đổi).")
    draft = queries.latest_output("report")
    if draft is not None:
        click.echo(f"Dự thảo gần nhất: {draft.url} ({format_datetime(draft.created_at)})")
    print_writer(service)


def print_writer(service: CampaignService) -> None:
    lease = service.queries.writer()
    if lease:
        click.echo(f"Đang ghi: {lease.label}, từ {format_datetime(lease.since)}.")


def print_unit(service: CampaignService, unit: Unit) -> None:
    record = service.record(unit.code)
    click.echo(f"{unit.name} ({unit.code}) — {status_label(record.status)}")
    if record.last_modified:
        click.echo(f"  Sửa lần cuối: {format_datetime(record.last_modified)}")
    if record.flagged and record.submission is not None:
        click.echo("  Đang dùng bản hợp lệ gần nhất để tổng hợp.")
    for problem in service.queries.problems(unit.code):
        kind = "Lỗi" if problem.severity == "error" else "Lưu ý"
        click.echo(f"  - {kind} [{problem.where or 'tệp'}]: {problem.message}")
    files = service.queries.unit_links(unit.code)
    if files:
        click.echo(f"  Bảng tính: {files.sheet_url}")
        if files.doc_url:
            click.echo(f"  Báo cáo thuyết minh: {files.doc_url}")


def print_compile(result: Any) -> None:
    click.echo(f"Dự thảo báo cáo: {result.report.url}")
    click.echo(f"Bảng tổng hợp:   {result.tables.url}")
    if getattr(result, "companion", None) is not None:
        click.echo(f"Tổng hợp ý kiến các đơn vị: {result.companion.url}")
    for warning in result.warnings:
        click.secho(f"Lưu ý: {warning}", fg="yellow")

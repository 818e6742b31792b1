"""The ``sonket-gsync`` command: a thin layer over CampaignService. Errors become messages
(exit 2 for permanent problems, 75 for temporary ones), never tracebacks."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Sequence

import click

from .errors import ConfigError, SonketError
from .service import CampaignService, status_label
from .settings import Settings
from .submission import STATUS_LABELS
from .text import format_datetime

EXIT_PERMANENT = 2
EXIT_TEMPORARY = 75  # EX_TEMPFAIL: try again later


class _Cli(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SonketError as exc:
            click.secho(f"Lỗi: {exc.explain()}", fg="red", err=True)
            sys.exit(EXIT_TEMPORARY if exc.retryable else EXIT_PERMANENT)


@click.group(cls=_Cli)
@click.option("--config", "campaign_dir", type=click.Path(path_type=Path), help="Thư mục chiến dịch (mặc định config/so-ket-45-nq-tw).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Thư mục dữ liệu (mặc định ./data).")
@click.option("--backend", type=click.Choice(["local", "google"]), help="Nơi lưu biểu mẫu của đơn vị.")
@click.option("-v", "--verbose", is_flag=True, help="In nhật ký chi tiết.")
@click.pass_context
def cli(ctx: click.Context, campaign_dir: Path | None, data_dir: Path | None, backend: str | None, verbose: bool) -> None:
    """sonket-gsync: tạo biểu mẫu, đồng bộ, kiểm tra và tổng hợp báo cáo sơ kết."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"campaign_dir": campaign_dir, "data_dir": data_dir, "backend": backend}


def common_options(command):
    """--config/--data/--backend are accepted after the subcommand too
    (``sonket-gsync demo --backend google``); there they win over the group's."""
    options = [
        click.option("--config", "campaign_dir", type=click.Path(path_type=Path), help="Thư mục chiến dịch.", expose_value=False, callback=_remember),
        click.option("--data", "data_dir", type=click.Path(path_type=Path), help="Thư mục dữ liệu.", expose_value=False, callback=_remember),
        click.option("--backend", type=click.Choice(["local", "google"]), help="Nơi lưu biểu mẫu.", expose_value=False, callback=_remember),
    ]
    for option in options:
        command = option(command)
    return command


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is not None:
        ctx.find_root().obj[param.name] = value


def _settings(ctx: click.Context, **extra: object) -> Settings:
    return Settings.from_env(**{**ctx.obj, **extra})


def _bar(label: str):
    def wrap(items: Sequence):
        with click.progressbar(items, label=label, show_pos=True, file=sys.stderr) as bar:
            yield from bar

    return wrap


@cli.command()
@common_options
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.pass_context
def provision(ctx: click.Context, units: tuple[str, ...]) -> None:
    """Tạo biểu mẫu (bảng tính và báo cáo thuyết minh) cho các đơn vị còn thiếu."""
    service = CampaignService.open(_settings(ctx))
    report = service.provision(units, progress=_bar("Tạo biểu mẫu"))
    click.echo(f"Đã tạo mới: {len(report.created)} đơn vị; đã có sẵn: {len(report.existing)} đơn vị.")
    click.echo(f"Nơi lưu: {service.settings.workspace_dir if service.workspace.kind == 'local' else 'Google Drive'}")


@cli.command()
@common_options
@click.pass_context
def links(ctx: click.Context) -> None:
    """Bảng đường dẫn và mã QR của từng đơn vị, để gửi hoặc in."""
    service = CampaignService.open(_settings(ctx))
    if not service.unit_files():
        raise ConfigError("Chưa có đơn vị nào được tạo biểu mẫu.", fix="Chạy 'sonket-gsync provision' trước.")
    ref = service.distribution_sheet()
    click.echo(f"Bảng đường dẫn và mã QR ({len(service.unit_files())} đơn vị): {ref.url}")


@cli.command(name="sync")
@common_options
@click.option("--full", is_flag=True, help="Đọc lại tất cả đơn vị, không chỉ đơn vị có thay đổi.")
@click.option("--unit", "units", multiple=True, help="Chỉ đọc đơn vị này ngay (lặp lại được).")
@click.option("--trigger", default="manual", hidden=True)
@click.pass_context
def sync_command(ctx: click.Context, full: bool, units: tuple[str, ...], trigger: str) -> None:
    """Đọc các biểu mẫu đã thay đổi, kiểm tra và lưu phiên bản mới."""
    service = CampaignService.open(_settings(ctx))
    report = service.sync(full=full, only=units, trigger=trigger, progress=_bar("Đồng bộ"))
    click.echo(
        f"Đồng bộ xong trong {report.seconds:.2f} giây: {report.changed} đơn vị có thay đổi, "
        f"{report.versions_added} phiên bản mới, {len(report.invalid)} đơn vị có lỗi, "
        f"{len(report.failed) + len(report.gone)} đơn vị không đọc được, {len(report.retry)} đơn vị sẽ thử lại."
    )


@cli.command(name="compile")
@common_options
@click.pass_context
def compile_command(ctx: click.Context) -> None:
    """Biên soạn báo cáo: tổng hợp số liệu và viết dự thảo (.docx) cùng bảng tổng hợp (.xlsx)."""
    service = CampaignService.open(_settings(ctx))
    result = service.compile()
    _print_compile(result)


@cli.command()
@common_options
@click.option("--unit", "unit_code", help="Xem chi tiết lỗi của một đơn vị.")
@click.option("--errors", is_flag=True, help="Liệt kê mọi lỗi của mọi đơn vị.")
@click.pass_context
def status(ctx: click.Context, unit_code: str | None, errors: bool) -> None:
    """Tình hình gửi báo cáo theo nhóm đơn vị, và lỗi cần sửa."""
    service = CampaignService.open(_settings(ctx))
    if unit_code:
        _print_unit(service, unit_code)
        return
    _print_status(service)
    if errors:
        for problem in service.store.all_problems():
            unit = service.campaign.unit(problem.unit_code)
            click.echo(f"- {unit.name} [{problem.where or 'tệp'}]: {problem.message}")


@cli.command()
@common_options
@click.option("--seed", default=45, show_default=True, help="Hạt giống ngẫu nhiên của số liệu giả lập.")
@click.pass_context
def demo(ctx: click.Context, seed: int) -> None:
    """Chạy thử toàn bộ chiến dịch trên một thư mục mới với số liệu giả lập."""
    from .demo import run_demo

    overrides = dict(ctx.obj)
    if overrides.get("data_dir") is None:
        overrides["data_dir"] = Path("demo-data")
    settings = Settings.from_env(**overrides)
    result = run_demo(settings, seed=seed, progress=_bar, say=click.echo)
    service = result.service
    click.echo("")
    _print_status(service, history=False)  # the draft's link follows just below
    if result.broken_later:
        names = ", ".join(service.campaign.unit(c).name for c in result.broken_later)
        click.echo(f"\nĐơn vị làm hỏng tệp sau khi đã gửi (vẫn giữ bản hợp lệ gần nhất): {names}")
    click.echo("")
    _print_compile(result.compile_result)
    click.echo(f"Kho dữ liệu: {settings.db_path}")


@cli.command(name="check-config")
@common_options
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Kiểm tra thư mục chiến dịch và tóm tắt nội dung."""
    from .config import load_campaign

    campaign = load_campaign(_settings(ctx).campaign_dir)
    click.echo(f"{campaign.name} — hạn gửi {format_datetime(campaign.deadline)}")
    for group in campaign.groups:
        click.echo(f"  Nhóm {group.number}. {group.name}: {len(campaign.units_in(group.code))} đơn vị; biểu mẫu {', '.join(group.forms)}")
    samples = [i.code for i in campaign.indicators if i.sample]
    click.echo(f"  {len(campaign.indicators)} chỉ tiêu; {len(campaign.outline_items)} mục đề cương")
    if samples:
        click.secho(f"  Cảnh báo: {len(samples)} chỉ tiêu còn là chỉ tiêu mẫu ({', '.join(samples)}) — cần thay bằng chỉ tiêu chính thức.", fg="yellow")


def _print_status(service: CampaignService, history: bool = True) -> None:
    counts = service.status_counts()
    order = list(STATUS_LABELS)
    header = f"{'Nhóm đơn vị':<58}" + "".join(f"{STATUS_LABELS[s]:>10}" for s in order) + f"{'Tổng':>7}"
    click.echo(header)
    click.echo("-" * len(header))
    for group in service.campaign.groups:
        c = counts.get(group.code)
        if c is None:
            continue
        name = f"{group.number}. {group.name}"
        name = name if len(name) <= 56 else name[:55] + "…"
        click.echo(f"{name:<58}" + "".join(f"{c[s]:>10}" for s in order) + f"{sum(c.values()):>7}")
    total = counts["__all__"]
    click.echo(f"{'Toàn tỉnh':<58}" + "".join(f"{total[s]:>10}" for s in order) + f"{sum(total.values()):>7}")
    runs = service.store.runs(limit=1) if history else []
    if runs:
        run = runs[0]
        when = format_datetime(datetime.fromisoformat(run["finished_at"] or run["started_at"]))
        outcome = "xong" if run["status"] == "ok" else "dừng giữa chừng, sẽ đồng bộ lại"
        click.echo(f"\nĐồng bộ gần nhất: {when} ({outcome}; {run['units_changed']} đơn vị có thay đổi).")
    drafts = [o for o in service.store.outputs() if o["kind"] == "report"] if history else []
    if drafts:
        click.echo(f"Dự thảo gần nhất: {drafts[0]['url']} ({format_datetime(datetime.fromisoformat(drafts[0]['created_at']))})")


def _print_unit(service: CampaignService, unit_code: str) -> None:
    unit = service.campaign.unit(unit_code)
    record = next(r for r in service.records() if r.unit.code == unit.code)
    click.echo(f"{unit.name} ({unit.code}) — {status_label(record.status)}")
    if record.last_modified:
        click.echo(f"  Sửa lần cuối: {format_datetime(record.last_modified)}")
    if record.flagged and record.submission is not None:
        click.echo("  Đang dùng bản hợp lệ gần nhất để tổng hợp.")
    for problem in service.store.problems(unit.code):
        kind = "Lỗi" if problem.severity == "error" else "Lưu ý"
        click.echo(f"  - {kind} [{problem.where or 'tệp'}]: {problem.message}")
    files = service.store.unit_files(service.workspace.kind).get(unit.code)
    if files:
        click.echo(f"  Bảng tính: {files.sheet_url}")
        if files.doc_url:
            click.echo(f"  Báo cáo thuyết minh: {files.doc_url}")


def _print_compile(result) -> None:
    click.echo(f"Dự thảo báo cáo: {result.report.url}")
    click.echo(f"Bảng tổng hợp:   {result.tables.url}")
    for warning in result.warnings:
        click.secho(f"Lưu ý: {warning}", fg="yellow")


# --- web service commands (issue 8): serve, staff add/list, watch — defined in webhooks/cli.py
from webhooks.cli import register as _register_web_commands  # noqa: E402

_register_web_commands(cli, common_options)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=argv, prog_name="sonket-gsync")


if __name__ == "__main__":
    main()

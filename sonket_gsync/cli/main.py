"""The ``sonket-gsync`` command: a thin layer over CampaignService. Errors become messages,
never tracebacks; the exit code derives from the error's category (2 for permanent problems,
75 for temporary ones such as another writer holding the lease, 70 for a bug).

Commands that write (provision, sync, compile, links, demo) hold the campaign's writer lease;
read-only ones (status) never create a store."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

import click

from sonket_gsync.campaign.model import Unit
from sonket_gsync.core.errors import Bug, ConfigError, SonketError
from sonket_gsync.campaign.lookup import find_unit
from sonket_gsync.app.service import CampaignService, is_demo_folder, status_label
from sonket_gsync.core.settings import Settings
from sonket_gsync.forms.submission import STATUS_LABELS
from sonket_gsync.core.text import format_datetime

EXIT_PERMANENT = 2
EXIT_TEMPORARY = 75  # EX_TEMPFAIL: try again later
EXIT_BUG = 70  # EX_SOFTWARE: a failure nobody foresaw


class _Cli(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SonketError as exc:
            click.secho(f"Lỗi: {exc.explain()}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so in words, keep the traceback for -v
            logging.getLogger(__name__).debug("unexpected error", exc_info=True)
            bug = Bug.from_exception(exc)
            click.secho(f"Lỗi: {bug.explain()}", fg="red", err=True)
            sys.exit(bug.exit_code)


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


def write_options(command):
    """--wait for commands that write: wait for the writer lease instead of exiting 75."""
    return click.option("--wait", is_flag=True, help="Nếu tiến trình khác đang ghi, chờ đến lượt thay vì dừng (mã thoát 75).")(command)


def _bar(label: str):
    def wrap(items: Sequence):
        with click.progressbar(items, label=label, show_pos=True, file=sys.stderr) as bar:
            yield from bar

    return wrap


@cli.command()
@common_options
@write_options
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.pass_context
def provision(ctx: click.Context, units: tuple[str, ...], wait: bool) -> None:
    """Tạo biểu mẫu (bảng tính và báo cáo thuyết minh) cho các đơn vị còn thiếu."""
    service = CampaignService.open(_settings(ctx))
    with service.lease("sonket-gsync provision", wait=wait):
        report = service.provision(units, progress=_bar("Tạo biểu mẫu"))
    click.echo(f"Đã tạo mới: {len(report.created)} đơn vị; đã có sẵn: {len(report.existing)} đơn vị.")
    click.echo(f"Nơi lưu: {service.settings.workspace_dir if service.workspace.kind == 'local' else 'Google Drive'}")


@cli.command()
@common_options
@write_options
@click.pass_context
def links(ctx: click.Context, wait: bool) -> None:
    """Bảng đường dẫn và mã QR của từng đơn vị, để gửi hoặc in."""
    service = CampaignService.open(_settings(ctx), create=False)
    if not service.unit_files():
        raise ConfigError("Chưa có đơn vị nào được tạo biểu mẫu.", fix="Chạy 'sonket-gsync provision' trước.")
    with service.lease("sonket-gsync links", wait=wait):
        ref = service.distribution_sheet()
    click.echo(f"Bảng đường dẫn và mã QR ({len(service.unit_files())} đơn vị): {ref.url}")


@cli.command(name="sync")
@common_options
@click.option("--full", is_flag=True, help="Đọc lại tất cả đơn vị, không chỉ đơn vị có thay đổi.")
@click.option("--unit", "units", multiple=True, help="Chỉ đọc đơn vị này ngay (lặp lại được).")
@click.option("--trigger", default="manual", hidden=True)
@write_options
@click.pass_context
def sync_command(ctx: click.Context, full: bool, units: tuple[str, ...], trigger: str, wait: bool) -> None:
    """Đọc các biểu mẫu đã thay đổi, kiểm tra và lưu phiên bản mới."""
    service = CampaignService.open(_settings(ctx))
    codes = tuple(find_unit(service.campaign, typed).code for typed in units)
    with service.lease(f"sonket-gsync sync{' --full' if full else ''}", wait=wait):
        report = service.sync(full=full, only=codes, trigger=trigger, progress=_bar("Đồng bộ"))
    what = f"đã đọc {report.read} đơn vị" if codes else f"{report.changed} đơn vị có thay đổi"
    click.echo(
        f"Đồng bộ xong trong {report.seconds:.2f} giây: {what}, "
        f"{report.versions_added} phiên bản mới, {len(report.invalid)} đơn vị có lỗi, "
        f"{len(report.failed) + len(report.gone)} đơn vị không đọc được, {len(report.retry)} đơn vị sẽ thử lại."
    )
    if report.summary_error:
        click.secho(f"Lưu ý: chưa cập nhật được bảng Tổng hợp, lần đồng bộ sau sẽ làm lại. {report.summary_error}", fg="yellow")


@cli.command(name="compile")
@common_options
@write_options
@click.pass_context
def compile_command(ctx: click.Context, wait: bool) -> None:
    """Biên soạn báo cáo: tổng hợp số liệu và viết dự thảo (.docx) cùng bảng tổng hợp (.xlsx)."""
    service = CampaignService.open(_settings(ctx), create=False)
    with service.lease("sonket-gsync compile", wait=wait):
        result = service.compile()
    _print_compile(result)


@cli.command()
@common_options
@click.option("--unit", "unit_code", help="Xem chi tiết lỗi của một đơn vị.")
@click.option("--errors", is_flag=True, help="Liệt kê mọi lỗi của mọi đơn vị.")
@click.pass_context
def status(ctx: click.Context, unit_code: str | None, errors: bool) -> None:
    """Tình hình gửi báo cáo theo nhóm đơn vị, và lỗi cần sửa."""
    service = CampaignService.open(_settings(ctx), create=False)
    if unit_code:
        _print_unit(service, find_unit(service.campaign, unit_code))
        return
    _print_status(service)
    if errors:
        names = {u.code: u.name for u in service.campaign.units}
        for problem in service.store.all_problems():
            name = names.get(problem.unit_code, problem.unit_code)
            click.echo(f"- {name} [{problem.where or 'tệp'}]: {problem.message}")


@cli.command()
@common_options
@click.option("--seed", default=45, show_default=True, help="Hạt giống ngẫu nhiên của số liệu giả lập.")
@write_options
@click.pass_context
def demo(ctx: click.Context, seed: int, wait: bool) -> None:
    """Chạy thử toàn bộ chiến dịch trên một thư mục mới với số liệu giả lập."""
    from sonket_gsync.demo.run import run_demo

    settings = _settings(ctx)  # the same data folder the other commands read by default
    result = run_demo(settings, seed=seed, progress=_bar, say=click.echo, wait=wait)
    service = result.service
    click.echo("")
    _print_status(service, history=False)  # the draft's link follows just below
    if result.broken_later:
        names = ", ".join(service.campaign.unit(c).name for c in result.broken_later)
        click.echo(f"\nĐơn vị làm hỏng tệp sau khi đã gửi (vẫn giữ bản hợp lệ gần nhất): {names}")
    click.echo("")
    _print_compile(result.compile_result)
    click.echo(f"Kho dữ liệu: {settings.db_path}")
    if settings.data_dir != Settings.from_env().data_dir:
        click.echo(f"Các lệnh sau (status, compile, links…) cần thêm --data {settings.data_dir}.")


@cli.command()
@common_options
@click.option("--once", is_flag=True, help="Chạy các việc đang chờ rồi thoát.")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Chạy các việc trong hàng đợi (đồng bộ, biên soạn, tạo biểu mẫu…) do trang web hoặc lịch gửi tới."""
    service = CampaignService.open(_settings(ctx))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = None
    if not once:
        click.echo("Đang chờ việc… (Ctrl+C để dừng)", err=True)
        from webhooks.schedule import start_schedule  # nightly sync + Drive channel renewal (issue 8)

        scheduler = start_schedule(service, service.settings)
    try:
        ran = service.run_worker(stop, once=once)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    click.echo(f"Đã chạy {ran} việc.")


JOB_STATES = {"pending": "đang chờ", "running": "đang chạy", "done": "xong", "failed": "lỗi", "interrupted": "bị dừng đột ngột"}


@cli.command()
@common_options
@click.option("--limit", default=20, show_default=True, help="Số việc gần nhất cần liệt kê.")
@click.pass_context
def jobs(ctx: click.Context, limit: int) -> None:
    """Các việc gần đây trong hàng đợi (đồng bộ, biên soạn…), trạng thái và kết quả."""
    from sonket_gsync.app.jobs import LABELS

    service = CampaignService.open(_settings(ctx), create=False)
    listed = service.store.jobs(limit)
    if not listed:
        click.echo("Chưa có việc nào trong hàng đợi.")
    for job in listed:
        progress = f" {job.progress_done}/{job.progress_total}" if job.state == "running" and job.progress_total else ""
        who = f", do {job.requested_by} yêu cầu" if job.requested_by else ""
        click.echo(f"#{job.id} {LABELS.get(job.kind, job.kind)}: {JOB_STATES.get(job.state, job.state)}{progress} ({format_datetime(job.created_at)}{who})")
        if job.error:
            click.echo(f"    {job.error.get('message', '')} {job.error.get('fix', '')}".rstrip())
    lease = service.store.lease()
    if lease:
        click.echo(f"Đang ghi: {lease.label}, từ {format_datetime(lease.since)}.")
    beat = service.store.last_heartbeat()
    click.echo(f"Tiến trình chạy việc (worker) báo hoạt động lần cuối: {format_datetime(beat)}." if beat else "Chưa có tiến trình chạy việc (worker) nào hoạt động.")


@cli.command(name="check-config")
@common_options
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Kiểm tra thư mục chiến dịch và tóm tắt nội dung."""
    from sonket_gsync.campaign.load import load_campaign

    campaign = load_campaign(_settings(ctx).campaign_dir)
    click.echo(f"{campaign.name} — hạn gửi {format_datetime(campaign.deadline)}")
    for group in campaign.groups:
        click.echo(f"  Nhóm {group.number}. {group.name}: {len(campaign.units_in(group.code))} đơn vị; biểu mẫu {', '.join(group.forms)}")
    samples = [i.code for i in campaign.indicators if i.sample]
    click.echo(f"  {len(campaign.indicators)} chỉ tiêu; {len(campaign.outline_items)} mục đề cương")
    if samples:
        click.secho(f"  Cảnh báo: {len(samples)} chỉ tiêu còn là chỉ tiêu mẫu ({', '.join(samples)}) — cần thay bằng chỉ tiêu chính thức.", fg="yellow")


def _print_status(service: CampaignService, history: bool = True) -> None:
    if history and is_demo_folder(service.settings.data_dir):
        click.echo(f"(Dữ liệu chạy thử do 'sonket-gsync demo' tạo trong {service.settings.data_dir})\n")
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
        when = format_datetime(run.finished_at or run.started_at)
        outcome = _RUN_OUTCOMES.get(run.status, "dừng giữa chừng, sẽ đồng bộ lại")
        click.echo(f"\nĐồng bộ gần nhất: {when} ({outcome}; {run.units_changed} đơn vị có thay đổi).")
    drafts = service.store.outputs(limit=1, kind="report") if history else []
    if drafts:
        click.echo(f"Dự thảo gần nhất: {drafts[0].url} ({format_datetime(drafts[0].created_at)})")
    lease = service.store.lease() if history else None
    if lease:
        click.echo(f"Đang ghi: {lease.label}, từ {format_datetime(lease.since)}.")


_RUN_OUTCOMES = {
    "ok": "xong",
    "running": "đang chạy",
    "interrupted": "bị dừng đột ngột, sẽ đồng bộ lại",
}


def _print_unit(service: CampaignService, unit: Unit) -> None:
    record = service.record(unit.code)
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

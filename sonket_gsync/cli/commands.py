"""The campaign's commands: provision, links, sync, compile, status, worker, jobs,
check-config. Each is a few lines over ``sonket_gsync.app``: it opens the service, runs one
operation (under the writer lease when it writes) and prints through ``cli.output``. Heavy
modules load inside the command that needs them, so ``--help`` stays fast."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

import click

from sonket_gsync.cli.options import common_options, progress_bar, settings_of, write_options
from sonket_gsync.cli.output import print_compile, print_status, print_unit, print_writer
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import format_datetime

if TYPE_CHECKING:
    from sonket_gsync.app.service import CampaignService


def _service(ctx: click.Context, *, create: bool = True) -> CampaignService:
    from sonket_gsync.app.service import CampaignService

    return CampaignService.open(settings_of(ctx), create=create)


@click.command()
@common_options
@write_options
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.pass_context
def provision(ctx: click.Context, units: tuple[str, ...], wait: bool) -> None:
    """Tạo biểu mẫu (bảng tính và báo cáo thuyết minh) cho các đơn vị còn thiếu."""
    service = _service(ctx)
    with service.lease("sonket-gsync provision", wait=wait):
        report = service.provision(units, progress=progress_bar("Tạo biểu mẫu"))
    click.echo(f"Đã tạo mới: {len(report.created)} đơn vị; đã có sẵn: {len(report.existing)} đơn vị.")
    click.echo(f"Nơi lưu: {'Google Drive' if service.workspace.capabilities.online_files else service.settings.workspace_dir}")


@click.command()
@common_options
@write_options
@click.pass_context
def links(ctx: click.Context, wait: bool) -> None:
    """Bảng đường dẫn và mã QR của từng đơn vị, để gửi hoặc in."""
    service = _service(ctx, create=False)
    if not service.unit_files():
        raise ConfigError("Chưa có đơn vị nào được tạo biểu mẫu.", fix="Chạy 'sonket-gsync provision' trước.")
    with service.lease("sonket-gsync links", wait=wait):
        ref = service.distribution_sheet()
    click.echo(f"Bảng đường dẫn và mã QR ({len(service.unit_files())} đơn vị): {ref.url}")


@click.command(name="sync")
@common_options
@click.option("--full", is_flag=True, help="Đọc lại tất cả đơn vị, không chỉ đơn vị có thay đổi.")
@click.option("--unit", "units", multiple=True, help="Chỉ đọc đơn vị này ngay (lặp lại được).")
@click.option("--trigger", default="manual", hidden=True)
@write_options
@click.pass_context
def sync_command(ctx: click.Context, full: bool, units: tuple[str, ...], trigger: str, wait: bool) -> None:
    """Đọc các biểu mẫu đã thay đổi, kiểm tra và lưu phiên bản mới."""
    from sonket_gsync.campaign.lookup import find_unit

    service = _service(ctx)
    codes = tuple(find_unit(service.campaign, typed).code for typed in units)
    with service.lease(f"sonket-gsync sync{' --full' if full else ''}", wait=wait):
        report = service.sync(full=full, only=codes, trigger=trigger, progress=progress_bar("Đồng bộ"))
    what = f"đã đọc {report.read} đơn vị" if codes else f"{report.changed} đơn vị có thay đổi"
    click.echo(
        f"Đồng bộ xong trong {report.seconds:.2f} giây: {what}, "
        f"{report.versions_added} phiên bản mới, {len(report.invalid)} đơn vị có lỗi, "
        f"{len(report.failed) + len(report.gone)} đơn vị không đọc được, {len(report.retry)} đơn vị sẽ thử lại."
    )
    if report.summary_error:
        click.secho(f"Lưu ý: chưa cập nhật được bảng Tổng hợp, lần đồng bộ sau sẽ làm lại. {report.summary_error}", fg="yellow")


@click.command(name="compile")
@common_options
@write_options
@click.pass_context
def compile_command(ctx: click.Context, wait: bool) -> None:
    """Biên soạn báo cáo: tổng hợp số liệu và viết dự thảo (.docx) cùng bảng tổng hợp (.xlsx)."""
    service = _service(ctx, create=False)
    from sonket_gsync.app.labels import COMPILE_STEPS

    with service.lease("sonket-gsync compile", wait=wait):
        result = service.compile(step=lambda key: click.echo(f"… {COMPILE_STEPS[key]}", err=True))
    print_compile(result)


@click.command()
@common_options
@click.option("--unit", "unit_code", help="Xem chi tiết lỗi của một đơn vị.")
@click.option("--errors", is_flag=True, help="Liệt kê mọi lỗi của mọi đơn vị.")
@click.pass_context
def status(ctx: click.Context, unit_code: str | None, errors: bool) -> None:
    """Tình hình gửi báo cáo theo nhóm đơn vị, và lỗi cần sửa."""
    from sonket_gsync.campaign.lookup import find_unit

    service = _service(ctx, create=False)
    if unit_code:
        print_unit(service, find_unit(service.campaign, unit_code))
        return
    print_status(service)
    _print_owed(service)
    if errors:
        names = {u.code: u.name for u in service.campaign.units}
        for problem in service.queries.problems():
            name = names.get(problem.unit_code, problem.unit_code)
            click.echo(f"- {name} [{problem.where or 'tệp'}]: {problem.message}")


@click.command()
@common_options
@click.option("--once", is_flag=True, help="Chạy các việc đang chờ rồi thoát.")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Chạy các việc trong hàng đợi (đồng bộ, biên soạn, tạo biểu mẫu…) do trang web hoặc lịch gửi tới."""
    service = _service(ctx)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = None
    if not once:
        from sonket_gsync.app.schedule import start_schedule  # nightly sync + Drive channel renewal

        click.echo("Đang chờ việc… (Ctrl+C để dừng)", err=True)
        scheduler = start_schedule(service, service.settings)
    try:
        ran = service.run_worker(stop, once=once)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    click.echo(f"Đã chạy {ran} việc.")


@click.command()
@common_options
@click.option("--limit", default=20, show_default=True, help="Số việc gần nhất cần liệt kê.")
@click.pass_context
def jobs(ctx: click.Context, limit: int) -> None:
    """Các việc gần đây trong hàng đợi (đồng bộ, biên soạn…), trạng thái và kết quả."""
    from sonket_gsync.app.labels import job_kind_label, job_state_label

    service = _service(ctx, create=False)
    listed = service.queries.jobs(limit)
    if not listed:
        click.echo("Chưa có việc nào trong hàng đợi.")
    for job in listed:
        progress = f" {job.progress_done}/{job.progress_total}" if job.state == "running" and job.progress_total else ""
        who = f", do {job.requested_by} yêu cầu" if job.requested_by else ""
        click.echo(f"#{job.id} {job_kind_label(job.kind)}: {job_state_label(job.state).lower()}{progress} ({format_datetime(job.created_at)}{who})")
        if job.error:
            if job.error.get("requeued"):  # it will run again by itself: say so, not "ask again"
                click.echo(f"    {job.error.get('message', '')} {job.error['requeued']}")
            else:
                click.echo(f"    {job.error.get('message', '')} {job.error.get('fix', '')}".rstrip())
    print_writer(service)
    _print_schedule(service)
    beat = service.queries.worker_seen_at()
    click.echo(
        f"Tiến trình chạy việc (worker) báo hoạt động lần cuối: {format_datetime(beat)}." if beat else "Chưa có tiến trình chạy việc (worker) nào hoạt động."
    )


def _print_owed(service) -> None:
    """Units whose last read failed: when they will be read again (truthfully)."""
    owed = service.queries.reread_due()
    if not owed:
        return
    names = {u.code: u.name for u in service.campaign.units}
    soon = [names.get(c, c) for c, at in owed.items() if at is None]
    later = {names.get(c, c): at for c, at in owed.items() if at is not None}
    click.echo("")
    if soon:
        click.echo(f"Sẽ đọc lại ở lần đồng bộ tới: {', '.join(sorted(soon))}.")
    for name, at in sorted(later.items()):
        click.echo(f"Sẽ đọc lại {name} ở lần đồng bộ đầu tiên sau {format_datetime(at)} (hoặc ngay: sonket-gsync sync --unit …).")


def _print_schedule(service) -> None:
    from sonket_gsync.app.schedule import schedule_status

    for _, last, upcoming in schedule_status(service):
        done = f"; lần gần nhất đã xếp lịch: {format_datetime(last)}" if last else ""
        click.echo(
            f"Đồng bộ hằng đêm tiếp theo: {format_datetime(upcoming)}{done} (khi có worker hoặc serve chạy; nếu lỡ giờ, chạy bù một lần khi khởi động lại)."
        )


@click.command(name="check-config")
@common_options
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Kiểm tra thư mục chiến dịch và tóm tắt nội dung."""
    from sonket_gsync.campaign.load import load_campaign

    campaign = load_campaign(settings_of(ctx).campaign_dir)
    click.echo(f"{campaign.name} — hạn gửi {format_datetime(campaign.deadline)}")
    for group in campaign.groups:
        click.echo(f"  Nhóm {group.number}. {group.name}: {len(campaign.units_in(group.code))} đơn vị; biểu mẫu {', '.join(group.forms)}")
    samples = [i.code for i in campaign.indicators if i.sample]
    click.echo(f"  {len(campaign.indicators)} chỉ tiêu; {len(campaign.outline_items)} mục đề cương")
    if samples:
        click.secho(f"  Cảnh báo: {len(samples)} chỉ tiêu còn là chỉ tiêu mẫu ({', '.join(samples)}) — cần thay bằng chỉ tiêu chính thức.", fg="yellow")


COMMANDS = (provision, links, sync_command, compile_command, status, worker, jobs, check_config)


def register(group: click.Group) -> None:
    from sonket_gsync.cli import submissions

    for command in (*COMMANDS, *submissions.COMMANDS):
        group.add_command(command)
    group.add_command(_reminders_command())  # sonket-gsync reminders (cli/reminders.py)
    __import__("sonket_gsync.cli.campaign_cmd", fromlist=["register"]).register(group)  # campaign from-plan


def _reminders_command() -> click.Command:
    from sonket_gsync.cli.reminders import reminders

    return reminders

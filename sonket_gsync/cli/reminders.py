"""``sonket-gsync reminders``: who would be reminded now and what they would read; with
``--send``, email them through the configured SMTP server (each attempt recorded per unit)."""

from __future__ import annotations

import click

from sonket_gsync.cli.options import common_options, settings_of, write_options
from sonket_gsync.core.text import format_datetime


@click.command(name="reminders")
@common_options
@write_options
@click.option("--send", is_flag=True, help="Gửi email nhắc ngay (qua máy chủ thư SONKET_SMTP_*), thay vì chỉ xem trước.")
@click.option("--unit", "units", multiple=True, help="Chỉ đơn vị này (lặp lại được).")
@click.option("--text", "show_text", is_flag=True, help="In cả nội dung thư nhắc của từng đơn vị.")
@click.pass_context
def reminders(ctx: click.Context, send: bool, units: tuple[str, ...], show_text: bool, wait: bool) -> None:
    """Nhắc nhở: đơn vị chưa gửi, chưa xác nhận, có lỗi hoặc bị trả lại; --send để gửi email."""
    from sonket_gsync.app.reminders import OUTCOME_LABELS, reminder_preview, reminders_log, send_reminders
    from sonket_gsync.app.service import CampaignService

    service = CampaignService.open(settings_of(ctx), create=False)
    try:
        wanted = {service.campaign.unit(code).code for code in units}  # UnknownUnit for a mistyped code
        if send:
            with service.lease("sonket-gsync reminders --send", wait=wait):
                report = send_reminders(service, sorted(wanted) if wanted else None, by="sonket-gsync reminders")
            for code in report.sent:
                click.echo(f"  Đã gửi: {service.campaign.unit(code).name} ({code}){_note(report.details.get(code))}")
            for code in report.failed:
                click.secho(f"  Không gửi được: {service.campaign.unit(code).name} ({code}) — {report.details.get(code, '')}", fg="red")
            for code in report.skipped:
                click.echo(f"  Bỏ qua: {service.campaign.unit(code).name} ({code}) — {report.details.get(code, '')}")
            click.echo(report.summary())
            return
        rows = [r for r in reminder_preview(service) if not wanted or r.code in wanted]
        click.echo(f"Đơn vị cần nhắc: {len(rows)}")
        for r in rows:
            click.echo(f"  {r.name} ({r.code}) — {r.reason_label}; {', '.join(r.emails) or 'chưa có email'}")
            last = next(iter(reminders_log(service, r.code, limit=1)), None)
            if last is not None:
                click.echo(f"      lần nhắc gần nhất: {format_datetime(last.at)} — {OUTCOME_LABELS.get(last.outcome, last.outcome)}{_note(last.detail)}")
            if show_text:
                click.echo(f"      Tiêu đề: {r.subject}")
                for line in r.text.splitlines():
                    click.echo(f"      {line}")
        if rows and not send:
            click.echo("Xem trước, chưa gửi gì. Gửi email: sonket-gsync reminders --send (hoặc --send --unit MÃ cho một đơn vị).")
    finally:
        service.close()


def _note(detail: str | None) -> str:
    return f" ({detail})" if detail else ""

"""The reminders page, thin over ``sonket_gsync.app.reminders`` (who is reminded and the
text): the preview (who would get what now), each unit's log (sent when, to whom, outcome),
the "Gửi nhắc nhở ngay" button (one unit or every unit due; a ``send_reminders`` job the
worker runs), and the copy-for-Zalo text, a mailto: link and the CSV.

A unit's status here is the one the dashboard shows: once the deadline has passed and the
unit was not reopened its page takes no files, so a unit with nothing sent is "locked" and its
reminder asks it to contact the office to be reopened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import flash, redirect, request, url_for
from flask_login import current_user

from sonket_gsync.app.mail import mail_configured
from sonket_gsync.app.reminders import OUTCOME_LABELS, REASON_LABELS, TRIGGER_LABELS, Reminder, reminder_preview, reminders_log
from sonket_gsync.core.errors import SonketError

from .helpers import service, settings

LOG_ROWS = 200  # the latest attempts the page lists (each unit's card shows its own last ones)


@dataclass(frozen=True)
class ReminderRow:
    """One reminder as the page and the CSV show it: the app's Reminder and its mailto: link."""

    reminder: Reminder
    mailto: str

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "reminder":  # copy/pickle probe before the fields exist
            raise AttributeError(name)
        return getattr(self.reminder, name)


class ReminderRows(list):
    """The rows, and what the page shows beside them: whether email is set up, the next
    scheduled run, the latest attempts of every unit (done ones too) and the labels."""

    def __init__(self, rows=(), *, mail_ready: bool = False, next_at: datetime | None = None, log=(), names=None) -> None:
        super().__init__(rows)
        self.mail_ready = mail_ready
        self.next_at = next_at
        self.log = list(log)
        self.names = dict(names or {})
        self.outcome_labels = OUTCOME_LABELS
        self.trigger_labels = TRIGGER_LABELS


def reminder_rows(svc, overview=None, page_template: str = "", moment: datetime | None = None) -> ReminderRows:
    """Every unit to remind now (``page_template``: the unit page's address with TOKEN for
    the unit's token). ``overview`` is read afresh by the app layer (kept for callers)."""
    from sonket_gsync.app.schedule import next_reminder

    links = (lambda code: page_template.replace("TOKEN", svc.unit_token(code))) if page_template else None
    ready = mail_configured(svc.settings)
    return ReminderRows(
        (ReminderRow(r, _mailto(r)) for r in reminder_preview(svc, links=links, moment=moment)),
        mail_ready=ready,
        next_at=next_reminder(svc) if ready else None,
        log=reminders_log(svc, limit=LOG_ROWS),
        names={u.code: u.name for u in svc.campaign.units},
    )


def _mailto(r: Reminder) -> str:
    return "mailto:" + ",".join(quote(e, safe="@") for e in r.emails) + f"?subject={quote(r.subject)}&body={quote(r.text)}"


def send_now():
    """POST: queue the reminders for one unit (field ``don_vi``) or every unit due."""
    svc = service()
    code = request.form.get("don_vi", "").strip()
    if not mail_configured(settings()):
        flash("Chưa cấu hình máy chủ gửi thư nên chưa gửi được email nhắc: hãy sao chép nội dung để gửi qua Zalo.", "error")
        return redirect(url_for("staff.reminders"))
    params: dict = {"by": current_user.get_id(), "trigger": "manual"}
    if code:
        try:
            params["only"] = [svc.campaign.unit(code).code]
        except SonketError as exc:
            flash(exc.message, "error")
            return redirect(url_for("staff.reminders"))
    job = svc.enqueue("send_reminders", params, requested_by=current_user.get_id())
    who = svc.campaign.unit(code).name if code else "các đơn vị cần nhắc"
    flash(f"Đã xếp việc gửi nhắc nhở cho {who} (việc #{job.id}); kết quả hiện trong nhật ký bên dưới khi gửi xong.", "ok")
    return redirect(url_for("staff.reminders"))


__all__ = ["OUTCOME_LABELS", "REASON_LABELS", "TRIGGER_LABELS", "ReminderRow", "ReminderRows", "reminder_rows", "send_now"]

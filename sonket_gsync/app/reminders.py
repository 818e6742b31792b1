"""Reminders (issue 18): who is reminded, what they read, and sending them by email.

Who: every unit that is not done — it has not confirmed (workflow state missing or entering),
its files have errors (data status invalid), or staff returned its report. A unit that has
confirmed (submitted) or was accepted is never reminded. The workflow state comes from
``queries.submission_states``, the data status from the dashboard's overview.

What: a Vietnamese message built from the campaign's own words (its short name, the office
that compiles, the deadline) and the unit's situation: its link, its first located errors or
the staff's return comments, the deadline (dd/mm/yyyy) and how many days are left. The same
text is the email body, the copy-for-Zalo text and the CSV column. After the deadline a unit
whose page takes no files (not reopened) is asked to contact the office to be reopened.

Sending (``send_reminders``): under the writer lease, through the configured SMTP server
(app/mail.py), each attempt recorded per unit in the store (sent | failed | skipped, to whom,
why). A scheduled run skips units already sent a reminder that day, so a retried or repeated
run never sends a unit two the same day; a refused recipient is recorded failed and the run
goes on; a server that cannot be reached stops the run (MailUnavailable, temporary).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sonket_gsync.app.mail import Mail, Mailer, MailRefused, MailUnavailable, addresses, mail_configured
from sonket_gsync.core.text import format_date, format_datetime, to_local
from sonket_gsync.forms.submission import status_label, submission_state_label

log = logging.getLogger(__name__)

DONE_STATES = ("submitted", "accepted")
FIRST_ERRORS = 5  # located errors quoted in a reminder; the unit's page lists them all
REASON_LABELS = {
    "missing": "Chưa có số liệu",
    "entering": "Chưa xác nhận gửi",
    "invalid": "Biểu mẫu còn lỗi",
    "returned": "Bị trả lại",
}
OUTCOME_LABELS = {"sent": "Đã gửi", "failed": "Không gửi được", "skipped": "Bỏ qua"}
TRIGGER_LABELS = {"schedule": "theo lịch", "manual": "gửi ngay"}


@dataclass(frozen=True)
class Reminder:
    """One unit to remind, and the message it would get now."""

    code: str
    name: str
    group: str  # the group's name
    status: str  # the status the dashboard shows: on_time | late | invalid | missing | locked
    status_label: str
    state: str  # the submission workflow's state: missing | entering | returned
    state_label: str
    reason: str  # missing | entering | invalid | returned
    reason_label: str
    errors: int
    emails: tuple[str, ...]
    subject: str
    text: str  # the message: the email body, the copy-for-Zalo text, the CSV column
    link: str
    closed: bool = False  # past the deadline and not reopened: the unit must ask to be reopened
    history: tuple = field(default=(), compare=False)  # the unit's last reminder attempts, newest first (ReminderSent)


@dataclass
class SendReport:
    """What a run did: unit codes per outcome, and why each one failed or was skipped."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent earlier the same day (scheduled runs)
    details: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "skipped": self.skipped, "already": self.already, "details": self.details}

    def summary(self) -> str:
        parts = [f"đã gửi {len(self.sent)} đơn vị"]
        if self.failed:
            parts.append(f"không gửi được {len(self.failed)}")
        if self.skipped:
            parts.append(f"bỏ qua {len(self.skipped)} (không có email hoặc đã xong)")
        if self.already:
            parts.append(f"{len(self.already)} đơn vị đã được nhắc trong ngày")
        return "Nhắc nhở: " + ", ".join(parts) + "."


# --- who and what ------------------------------------------------------------------------------


def reason_for(status: str, state: str | None) -> str | None:
    """Why a unit is reminded (None: it is not). ``status``: the data status; ``state``: the
    workflow state (None: unknown, the data status alone decides)."""
    if state in DONE_STATES:
        return None
    if state == "returned":
        return "returned"
    if status == "invalid":
        return "invalid"
    if state == "entering":
        return "entering"
    if status == "missing" or state == "missing":
        return "missing"
    return None


def is_open(deadline: datetime, reopened_until: datetime | None, moment: datetime) -> bool:
    """May the unit still send files? Before the deadline, or until its reopening date."""
    return moment <= deadline or (reopened_until is not None and moment <= reopened_until)


def reminder_preview(svc, *, links: Mapping[str, str] | Callable[[str], str] | None = None, moment: datetime | None = None, history: int = 5) -> list[Reminder]:
    """Every unit that would be reminded now, with its message and its last attempts.
    ``links``: code → the unit's page, a mapping or a function (the web passes its own);
    else the service's public address (SONKET_PUBLIC_BASE_URL), else the unit's online file."""
    campaign = svc.campaign
    moment = moment or svc.store.clock.now()
    overview = svc.queries.overview()
    states = svc.queries.submission_states()
    logged = _history(svc.store, history)
    due = []
    for row in overview.units:
        state = states.get(row.code, "missing")
        reason = reason_for(row.status, state)
        if reason is not None:
            due.append((row, state, reason))
    codes = [row.code for row, _, _ in due]
    pages = _pages(svc, codes, links)
    out = []
    for row, state, reason in due:
        unit = campaign.unit(row.code)
        closed = not is_open(campaign.deadline, row.reopened_until, moment)
        shown = "locked" if closed and row.status == "missing" else row.status
        link = pages.get(row.code) or _file_link(svc, row)
        problems = [p for p in svc.queries.problems(row.code) if p.severity == "error"] if reason == "invalid" else []
        comments = _comments(svc, row.code) if reason == "returned" else ()
        text = reminder_text(
            campaign,
            unit.name,
            reason,
            link,
            moment=moment,
            closed=closed,
            errors=row.error_count,
            problems=problems,
            comments=comments,
            reopened_until=row.reopened_until,
        )
        out.append(
            Reminder(
                code=row.code,
                name=row.name,
                group=row.group_name,
                status=shown,
                status_label=status_label(shown),
                state=state,
                state_label=submission_state_label(state),
                reason=reason,
                reason_label=REASON_LABELS[reason],
                errors=row.error_count,
                emails=addresses(unit.emails),
                subject=reminder_subject(campaign, reason),
                text=text,
                link=link,
                closed=closed,
                history=tuple(logged.get(row.code, ())),
            )
        )
    return out


def _pages(svc, codes: list[str], links) -> dict[str, str]:
    if callable(links):
        return {code: links(code) for code in codes}
    if links is not None:
        return dict(links)
    return svc.unit_page_urls(codes) or {}


def reminder_subject(campaign, reason: str) -> str:
    what = {
        "missing": "Nhắc gửi báo cáo",
        "entering": "Nhắc xác nhận gửi báo cáo",
        "invalid": "Biểu mẫu còn lỗi cần sửa",
        "returned": "Báo cáo được trả lại để sửa, bổ sung",
    }[reason]
    return f"{what}: {campaign.short_name}"


def reminder_text(
    campaign,
    unit_name: str,
    reason: str,
    link: str,
    *,
    moment: datetime,
    closed: bool = False,
    errors: int = 0,
    problems: Sequence = (),
    comments: Sequence = (),
    reopened_until: datetime | None = None,
) -> str:
    """The message a unit reads (Vietnamese; every campaign word comes from the campaign)."""
    office = campaign.compiled_by
    deadline = format_date(campaign.deadline)
    situation = {
        "missing": f"đơn vị chưa gửi biểu mẫu số liệu và báo cáo thuyết minh (hạn gửi {deadline})",
        "entering": "đơn vị đã nhập số liệu nhưng chưa xác nhận gửi báo cáo",
        "invalid": f"biểu mẫu đơn vị đã gửi còn {errors} lỗi cần sửa",
        "returned": f"{office} đã trả lại báo cáo của đơn vị để sửa, bổ sung theo các ý kiến dưới đây",
    }[reason]
    lines = [f"Kính gửi {unit_name}: theo dõi {campaign.short_name}, {situation}."]
    if problems:
        lines.append("Các lỗi cần sửa" + (f" ({FIRST_ERRORS} lỗi đầu; xem đủ trên trang của đơn vị)" if len(problems) > FIRST_ERRORS else "") + ":")
        lines += [f"- {p.where}: {p.message}" if p.where else f"- {p.message}" for p in problems[:FIRST_ERRORS]]
    if comments:
        lines.append("Ý kiến của cán bộ:")
        lines += [f"- {c.where}: {c.text}" if c.where else f"- {c.text}" for c in comments]
    if not closed:
        lines.append(_deadline_line(campaign.deadline, reopened_until, moment))
    if closed:
        # The unit's page takes no files now: tell the unit what it must do first.
        lines.append(
            f"Đã quá hạn gửi ({deadline}) nên trang của đơn vị không còn nhận tệp. Nếu đơn vị vẫn cần gửi hoặc sửa, đề nghị liên hệ {office} "
            f"để được mở lại; sau khi được mở lại, đơn vị gửi tệp tại đường dẫn: {link or '(liên hệ để nhận đường dẫn)'} ."
        )
    else:
        then = {
            "missing": "Đề nghị đơn vị điền và gửi sớm",
            "entering": "Đề nghị đơn vị kiểm tra lại số liệu và bấm xác nhận gửi báo cáo",
            "invalid": "Đề nghị đơn vị xem chi tiết lỗi (trang tính, dòng, cột) và sửa lại",
            "returned": "Đề nghị đơn vị sửa theo ý kiến trên rồi xác nhận gửi lại",
        }[reason]
        lines.append(f"{then} tại đường dẫn: {link} ." if link else f"{then}; đề nghị liên hệ {office} nếu chưa có đường dẫn.")
    lines.append(f"Xin cảm ơn. — {office}")
    return "\n".join(lines)


def _deadline_line(deadline: datetime, reopened_until: datetime | None, moment: datetime) -> str:
    if reopened_until is not None and reopened_until > deadline and moment <= reopened_until:
        return f"Hạn gửi: {format_date(deadline)}; đơn vị được mở lại để gửi đến {format_datetime(reopened_until)}."
    days = (to_local(deadline).date() - to_local(moment).date()).days
    if days > 0:
        return f"Hạn gửi: {format_date(deadline)} (còn {days} ngày)."
    if days == 0:
        return f"Hạn gửi: {format_date(deadline)} (hôm nay là ngày cuối)."
    return f"Hạn gửi: {format_date(deadline)} (đã quá hạn {-days} ngày)."


def _comments(svc, code: str) -> tuple:
    """The open comments of the unit's last return (ReviewComment: ``where`` and ``text``)."""
    return tuple(svc.queries.submission(code).comments)


def _file_link(svc, row) -> str:
    """Without a public web address: the unit's online Sheet (a local file means nothing to a unit)."""
    if svc.workspace.capabilities.online_files:
        return row.sheet_url or row.doc_url or ""
    return ""


def reminders_log(svc, code: str | None = None, limit: int = 50) -> list:
    """The reminder attempts (ReminderSent), newest first: one unit's or every unit's."""
    return svc.store.reminders_sent(svc.campaign.unit(code).code if code else None, limit=limit)


def _history(store, per_unit: int) -> dict[str, list]:
    if per_unit <= 0:
        return {}
    out: dict[str, list] = {}
    for entry in store.reminders_sent(limit=5000):
        bucket = out.setdefault(entry.unit_code, [])
        if len(bucket) < per_unit:
            bucket.append(entry)
    return out


# --- sending -----------------------------------------------------------------------------------


def send_reminders(
    svc,
    codes: Iterable[str] | None = None,
    *,
    by: str = "",
    trigger: str = "manual",
    moment: datetime | None = None,
    progress: Callable[[Sequence], Iterable] | None = None,
    once_a_day: bool | None = None,
) -> SendReport:
    """Send the reminders due now by email, each attempt recorded per unit. ``codes``: only
    these units (a unit named but done is recorded skipped); None: every unit due.
    ``once_a_day`` (default: when ``codes`` is None) leaves out the units already sent a
    reminder today, so a scheduled run retried, or run twice, sends none twice. Raises MailConfigError when no SMTP server is set, MailUnavailable when it
    cannot be reached (the units sent before are recorded; a retry sends the rest)."""
    if not mail_configured(svc.settings):
        Mailer(svc.settings)  # raises MailConfigError, saying what to set
    wanted = [svc.campaign.unit(c).code for c in codes] if codes is not None else None
    report = SendReport()
    with svc.lease("reminders"):
        store = svc.store
        moment = moment or svc.store.clock.now()
        due = {r.code: r for r in reminder_preview(svc, moment=moment, history=0)}
        today: date = to_local(svc.store.clock.now()).date()
        sent_today = store.reminded_on(today) if (wanted is None if once_a_day is None else once_a_day) else set()
        if wanted is None:
            report.already = [c for c in due if c in sent_today]
            targets = [r for c, r in due.items() if c not in sent_today]
        else:
            for code in wanted:
                if code not in due:
                    detail = "Đơn vị đã gửi hoặc đã được tiếp nhận: không cần nhắc."
                    store.record_reminder(code, recipients=(), subject="", outcome="skipped", detail=detail, trigger=trigger, by=by)
                    report.skipped.append(code)
                    report.details[code] = detail
            report.already = [c for c in wanted if c in due and c in sent_today]
            targets = [due[c] for c in wanted if c in due and c not in sent_today]
        mailable = []
        for reminder in targets:
            if reminder.emails:
                mailable.append(reminder)
                continue
            detail = "Đơn vị chưa có địa chỉ email trong danh sách đơn vị: hãy gửi nội dung nhắc qua Zalo hoặc điện thoại."
            store.record_reminder(reminder.code, recipients=(), subject=reminder.subject, outcome="skipped", detail=detail, trigger=trigger, by=by)
            report.skipped.append(reminder.code)
            report.details[reminder.code] = detail
        if not mailable:
            return report
        with Mailer(svc.settings) as mailer:
            for reminder in (progress or _plain)(mailable):
                svc.store.check_fence()  # a holder that lost the lease sends nothing more
                try:
                    refused = mailer.send(Mail(reminder.emails, reminder.subject, reminder.text), when=moment)
                except MailRefused as exc:
                    store.record_reminder(
                        reminder.code, recipients=reminder.emails, subject=reminder.subject, outcome="failed", detail=exc.explain(), trigger=trigger, by=by
                    )
                    report.failed.append(reminder.code)
                    report.details[reminder.code] = exc.explain()
                    continue
                except MailUnavailable as exc:  # the run stops; the units sent so far are recorded
                    log.warning("reminders stopped after %d sent: %s", len(report.sent), exc.message)
                    raise
                got = tuple(a for a in reminder.emails if a not in refused)
                detail = f"Không gửi được tới: {', '.join(refused)}." if refused else ""
                store.record_reminder(reminder.code, recipients=got, subject=reminder.subject, outcome="sent", detail=detail, trigger=trigger, by=by)
                report.sent.append(reminder.code)
                if detail:
                    report.details[reminder.code] = detail
    log.info("%s", report.summary())
    return report


def _plain(items):
    return items


__all__ = [
    "OUTCOME_LABELS",
    "REASON_LABELS",
    "TRIGGER_LABELS",
    "Reminder",
    "SendReport",
    "reason_for",
    "reminder_preview",
    "reminder_text",
    "reminders_log",
    "send_reminders",
]

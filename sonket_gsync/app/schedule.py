"""The schedule of ``serve`` and ``worker``: a nightly sync at a local time (Asia/Ho_Chi_Minh),
and, on a backend that pushes changes (Google Drive), renewing the notification channel before
it expires. Both only enqueue jobs; the worker runs them. A single machine needs no cron.

Schedules are persisted in the store, not in memory: each names its last slot claimed. Every
process with a schedule looks once a minute (and at start) for a slot that has passed and
that nobody claimed; the claim is one conditional write in the store, so of two processes
exactly one enqueues it. A worker that was down at 02:00 runs the missed sync when it starts
— once, however many nights it missed. A schedule seen for the first time starts from its
latest slot (a new installation does not run last night's sync).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from sonket_gsync.app.channels import needs_renewal, renewal_params
from sonket_gsync.app.lease import holder_label
from sonket_gsync.app.mail import mail_configured
from sonket_gsync.core.text import TZ, to_local

log = logging.getLogger("sonket_gsync.web")

NIGHTLY = "nightly-sync"
RENEWAL = "renew-channel"
TICK_SECONDS = 60.0  # how often a process looks for a due slot
RENEWAL_EVERY = timedelta(minutes=10)


def latest_slot(moment: datetime, hhmm: str) -> datetime:
    """The latest time ``hhmm`` (local) at or before ``moment``."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    local = moment.astimezone(TZ)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return slot if slot <= local else slot - timedelta(days=1)


def next_slot(moment: datetime, hhmm: str) -> datetime:
    return latest_slot(moment, hhmm) + timedelta(days=1)


def nightly_sync(service) -> bool:
    """Enqueue the nightly sync if its latest slot is unclaimed (once per slot, across
    processes; a missed slot once, not once per missed night). True if this call enqueued."""
    hhmm = service.settings.nightly_sync_time
    if not hhmm:
        return False
    slot = latest_slot(service.store.clock.now(), hhmm)
    first = slot.isoformat()  # first sight: the latest slot counts as done
    if not service.store.claim_schedule(NIGHTLY, slot.isoformat(), holder_label("lịch"), first=first):
        return False
    job = service.enqueue("sync", {"trigger": "nightly"}, requested_by="lịch hằng đêm")
    log.info("nightly sync of %s enqueued as job %s", slot.isoformat(), job.id)
    return True


def check_channel(service) -> bool:
    """Renew the Drive channel when it nears expiry (its expiry is in the store: a process
    that was down catches up at once). True if a renewal was enqueued."""
    channel = service.store.active_channel()
    if not needs_renewal(channel, service.store.clock.now()):
        return False
    if any(j.kind == "renew_channel" and not j.finished for j in service.queries.jobs(20)):
        return False  # one renewal at a time (each carries its own new token)
    moment = service.store.clock.now()
    bucket = datetime.fromtimestamp(moment.timestamp() // RENEWAL_EVERY.total_seconds() * RENEWAL_EVERY.total_seconds(), TZ)
    if not service.store.claim_schedule(RENEWAL, bucket.isoformat(), holder_label("lịch")):
        return False  # another process looked in this period
    service.enqueue("renew_channel", renewal_params(channel), requested_by="lịch gia hạn kênh")
    return True


def run_due(service) -> list[str]:
    """Every schedule whose slot is due and unclaimed, enqueued now; their names."""
    ran = []
    if nightly_sync(service):
        ran.append(NIGHTLY)
    if service.workspace.capabilities.pushes_changes and check_channel(service):
        ran.append(RENEWAL)
    if scheduled_reminders(service):
        ran.append(REMINDERS)
    return ran


def schedule_status(service) -> list[tuple[str, datetime | None, datetime | None]]:
    """(schedule, last slot claimed, next slot) for ``status``/``jobs``."""
    rows: list[tuple[str, datetime | None, datetime | None]] = []
    hhmm = service.settings.nightly_sync_time
    if hhmm:
        last = service.store.schedule_slot(NIGHTLY)
        rows.append((NIGHTLY, datetime.fromisoformat(last) if last else None, next_slot(service.store.clock.now(), hhmm)))
    return rows


def _guarded(fn, service) -> None:
    try:
        fn(service)
    except Exception as exc:  # a store outage: the next tick tries again (the slot stays unclaimed)
        log.warning("schedule check failed, will look again in %d s: %s", int(TICK_SECONDS), getattr(exc, "message", exc))


def start_schedule(service, settings) -> BackgroundScheduler:
    """Look for due slots now (catching up what was missed while down) and every minute."""
    scheduler = BackgroundScheduler(timezone=TZ, job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1})
    start = datetime.now(TZ)
    if settings.nightly_sync_time:
        scheduler.add_job(_guarded, IntervalTrigger(seconds=TICK_SECONDS, timezone=TZ), args=[nightly_sync, service], id=NIGHTLY, next_run_time=start)
    if service.workspace.capabilities.pushes_changes:
        scheduler.add_job(_guarded, IntervalTrigger(seconds=TICK_SECONDS, timezone=TZ), args=[check_channel, service], id=RENEWAL, next_run_time=start)
    if service.campaign.reminders is not None and mail_configured(settings):
        scheduler.add_job(_guarded, IntervalTrigger(seconds=TICK_SECONDS, timezone=TZ), args=[scheduled_reminders, service], id=REMINDERS, next_run_time=start)
    scheduler.start()
    return scheduler


# --- reminders (issue 18) -------------------------------------------------------------------

REMINDERS = "send-reminders"


def reminder_day(campaign, day: date) -> bool:
    """Is ``day`` (local) a reminder day of the campaign's [reminders]: ``before_days`` days
    before the deadline's day, or a multiple of ``overdue_every_days`` days after it?"""
    settings = campaign.reminders
    if settings is None:
        return False
    before = (to_local(campaign.deadline).date() - day).days
    if before > 0:
        return before in settings.before_days
    overdue = -before
    return overdue > 0 and settings.overdue_every_days > 0 and overdue % settings.overdue_every_days == 0


def scheduled_reminders(service) -> bool:
    """Enqueue the reminders of today's slot (``send_at``, local) when today is a reminder day
    and the slot has passed unclaimed: once per day across processes; a process that was down
    at ``send_at`` sends them when it starts, the same day (a day missed entirely is not sent
    late). Only with an SMTP server set. True if this call enqueued."""
    campaign = service.campaign
    if campaign.reminders is None or not mail_configured(service.settings):
        return False
    slot = latest_slot(service.store.clock.now(), campaign.reminders.send_at.strftime("%H:%M"))
    if not reminder_day(campaign, slot.date()):
        return False
    if not service.store.claim_schedule(REMINDERS, slot.isoformat(), holder_label("lịch")):
        return False
    job = service.enqueue("send_reminders", {"trigger": "schedule"}, requested_by="lịch nhắc nhở")
    log.info("reminders of %s enqueued as job %s", slot.isoformat(), job.id)
    return True


def next_reminder(service, moment: datetime | None = None, horizon_days: int = 400) -> datetime | None:
    """When the next scheduled reminders go (None: no [reminders], or none left to send)."""
    campaign = service.campaign
    if campaign.reminders is None:
        return None
    hhmm = campaign.reminders.send_at.strftime("%H:%M")
    slot = next_slot(moment or service.store.clock.now(), hhmm)
    for _ in range(horizon_days):
        if reminder_day(campaign, slot.date()):
            return slot
        slot = next_slot(slot, hhmm)
    return None

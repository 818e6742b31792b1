"""The in-process schedule of ``serve`` and ``worker``: a nightly sync at a local time
(Asia/Ho_Chi_Minh), and, on a backend that pushes changes (Google Drive), renewing the
notification channel before it expires. Both only enqueue jobs; the worker runs them. A single machine needs no cron.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sonket_gsync.app.channels import needs_renewal, renewal_params
from sonket_gsync.core.text import TZ

log = logging.getLogger("sonket_gsync.web")


def nightly_sync(service) -> None:
    job = service.enqueue("sync", {"trigger": "nightly"}, requested_by="lịch hằng đêm")
    log.info("nightly sync enqueued as job %s", job.id)


def check_channel(service) -> None:
    channel = service.store.active_channel()
    if not needs_renewal(channel):
        return
    if any(j.kind == "renew_channel" and not j.finished for j in service.queries.jobs(20)):
        return  # one renewal at a time (each carries its own new token)
    service.enqueue("renew_channel", renewal_params(channel), requested_by="lịch gia hạn kênh")


def start_schedule(service, settings) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=TZ, job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1})
    if settings.nightly_sync_time:
        hour, minute = (int(p) for p in settings.nightly_sync_time.split(":"))
        scheduler.add_job(nightly_sync, CronTrigger(hour=hour, minute=minute, timezone=TZ), args=[service], id="nightly-sync")
    if service.workspace.capabilities.pushes_changes:
        scheduler.add_job(check_channel, IntervalTrigger(minutes=10, timezone=TZ), args=[service], id="renew-channel")
    scheduler.start()
    return scheduler

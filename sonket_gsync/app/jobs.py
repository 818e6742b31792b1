"""Jobs: every command that writes runs as a job that holds the campaign's writer lease.

A job has an id, a kind, a state (pending | running | done | failed | interrupted),
progress, a serialisable result or error, and a dedupe key (kind + params): a request for a
job that is already pending joins it instead of queueing another. The web app only enqueues
and reads; ``sonket-gsync worker`` (``CampaignService.run_worker``) claims and runs them.

Handlers live in one table, kind → ``fn(service, params, progress) -> dict``, filled here
with ``@register("kind")``: every job kind is a core operation, whoever enqueues it (the CLI,
the web, the schedule). Their labels are ``sonket_gsync.app.labels.JOB_KINDS``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sonket_gsync.app.labels import COMPILE_STEPS, JOB_KINDS, JOB_STATES
from sonket_gsync.core.errors import Bug, ConfigError, LeaseLost, SonketError
from sonket_gsync.ingest.upload import accept_upload
from sonket_gsync.store.records import Job

log = logging.getLogger(__name__)

STATES = tuple(JOB_STATES)  # pending | running | done | failed | interrupted
KINDS_JOINING_RUNNING = ("provision", "accept_upload", "renew_channel")
"""A request for these joins a *running* job too (the running one does the same work). A
sync or compile asked while one runs queues one more (the running one may have listed the
changes before this request's change): at most one pending per key."""
PROGRESS_EVERY = 0.5  # seconds between progress writes
ATTEMPTS = {"sync": 3, "compile": 3}
"""Kinds re-queued when interrupted (their worker died or lost the lease), and how many times
in all they may be claimed. Others end "interrupted" (a person asks again)."""


def max_attempts(kind: str) -> int:
    return ATTEMPTS.get(kind, 1)


Handler = Callable[["Any", dict, "JobProgress"], dict]
HANDLERS: dict[str, Handler] = {}


def register(kind: str, label: str = "") -> Callable[[Handler], Handler]:
    """Add a job kind to the table. The project's kinds have their label in ``JOB_KINDS``;
    ``label`` names a kind added from outside (a benchmark, a test) that has none there."""

    def wrap(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if label:
            JOB_KINDS.setdefault(kind, label)
        return fn

    return wrap


NOT_IN_KEY = ("trigger",)
"""Params that say why a job was asked, not what it does: a sync asked by a click and one asked
by a Drive notification are the same job (the first request's trigger is kept)."""


def dedupe_key(kind: str, params: dict | None) -> str:
    what = {k: v for k, v in (params or {}).items() if k not in NOT_IN_KEY}
    return f"{kind}:{json.dumps(what, ensure_ascii=False, sort_keys=True, separators=(',', ':'))}"


def check_kind(kind: str) -> None:
    if kind not in HANDLERS:
        raise ConfigError(
            f"Không có loại việc '{kind}'.",
            where="hàng đợi việc",
            fix=f"Dùng một trong: {', '.join(sorted(HANDLERS))}.",
        )


class JobProgress:
    """Progress of one running job, written to the store at most every PROGRESS_EVERY
    seconds; also checks the lease is still held (a stalled holder stops)."""

    def __init__(self, store, job_id: int | None, lease=None) -> None:
        self.store = store
        self.job_id = job_id
        self.lease = lease
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, done: int, total: int, label: str, *, force: bool = False) -> None:
        if self.lease is not None:
            self.lease.check()
        if self.job_id is None:
            return
        t = time.monotonic()
        with self._lock:
            if not force and t - self._last < PROGRESS_EVERY and done < total:
                return
            self._last = t
        self.store.update_job(self.job_id, done=done, total=total, label=label)

    def step(self, label: str) -> Callable[[Sequence], Iterable]:
        """A wrapper for the service's ``progress=`` arguments: reports each item done."""

        def wrap(items: Sequence):
            total = len(items)
            self(0, total, label, force=True)
            for index, item in enumerate(items, 1):
                yield item
                self(index, total, label)
            self(total, total, label, force=True)

        return wrap


def run_job(service, job: Job, lease=None) -> Job:
    """Run one claimed job to its end; its outcome (result or error) is recorded."""
    progress = JobProgress(service.store, job.id, lease)
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise ConfigError(f"Tiến trình chạy việc không biết loại việc '{job.kind}'.", fix="Cập nhật sonket-gsync cho tiến trình worker.")
        started = time.perf_counter()
        with service.job_context(job.id):
            result = handler(service, dict(job.params), progress) or {}
        log.info("job %s (%s) done in %.1f s", job.id, job.kind, time.perf_counter() - started)
        return service.store.finish_job(job.id, "done", result=result)
    except LeaseLost as exc:  # fenced: we may write nothing; the new holder re-queues or ends the job
        log.warning("job %s (%s) stopped: the writer lease was lost (%s)", job.id, job.kind, exc.message)
        return job
    except SonketError as exc:
        log.warning("job %s (%s) failed: %s", job.id, job.kind, exc.explain())
        return service.store.finish_job(job.id, "failed", error=exc.to_dict())
    except Exception as exc:  # a bug: recorded, the worker goes on with the next job
        log.exception("job %s (%s) failed unexpectedly", job.id, job.kind)
        return service.store.finish_job(job.id, "failed", error=Bug.from_exception(exc, where=f"việc #{job.id} ({job.kind})").to_dict())


# --- the kinds ------------------------------------------------------------------------------


@register("sync")
def _sync(service, params: dict, progress: JobProgress) -> dict:
    report = service.sync(
        full=bool(params.get("full")), only=tuple(params.get("only") or ()), trigger=params.get("trigger", "job"), progress=progress.step(JOB_KINDS["sync"])
    )
    return report.to_dict()


@register("compile")
def _compile(service, params: dict, progress: JobProgress) -> dict:
    report = service.sync(trigger=params.get("trigger", "compile"), progress=progress.step(COMPILE_STEPS["read"]))
    stages = [key for key in COMPILE_STEPS if key != "read"]

    def step(key: str) -> None:  # "Soạn dự thảo báo cáo" 1/4: stages done of the compile's own
        progress(stages.index(key), len(stages), COMPILE_STEPS[key], force=True)

    result = service.compile(step=step)
    progress(len(stages), len(stages), JOB_KINDS["compile"], force=True)
    return {
        "sync": report.to_dict(),
        "report": {"name": result.report.name, "url": result.report.url},
        "tables": {"name": result.tables.name, "url": result.tables.url},
        "companion": {"name": result.companion.name, "url": result.companion.url} if result.companion else None,
        "data_problems": [p.to_dict() for p in result.data_problems],
        "warnings": list(result.warnings),
    }


@register("provision")
def _provision(service, params: dict, progress: JobProgress) -> dict:
    report = service.provision(tuple(params.get("only") or ()), progress=progress.step(JOB_KINDS["provision"]))
    return {"created": report.created, "existing": report.existing}


@register("publish_summary")
def _publish_summary(service, params: dict, progress: JobProgress) -> dict:
    ref = service.publish_summary()
    return {"name": ref.name, "url": ref.url}


@register("accept_upload")
def _accept_upload(service, params: dict, progress: JobProgress) -> dict:
    progress(0, 1, JOB_KINDS["accept_upload"], force=True)
    result = accept_upload(service, params)
    progress(1, 1, JOB_KINDS["accept_upload"], force=True)
    return result


@register("renew_channel")
def _renew_channel(service, params: dict, progress: JobProgress) -> dict:
    return service.renew_channel(address=params["address"], token=params.get("token", ""), ttl_seconds=params.get("ttl_seconds"))


REMINDER_RETRY_SECONDS = (300.0, 900.0, 1800.0, 3600.0)
"""A reminders run the mail server refused for now (MailUnavailable) is queued again after
these waits, one per retry; after the last one it stays failed (staff can send again)."""


@register("send_reminders", label="Gửi nhắc nhở")
def _send_reminders(service, params: dict, progress: JobProgress) -> dict:
    from sonket_gsync.app.mail import MailUnavailable
    from sonket_gsync.app.reminders import send_reminders

    attempt = int(params.get("attempt") or 1)
    only = params.get("only")
    try:
        report = send_reminders(
            service,
            only,
            by=params.get("by", ""),
            trigger=params.get("trigger", "manual"),
            progress=progress.step(JOB_KINDS["send_reminders"]),
            once_a_day=True if attempt > 1 or not only else None,
        )
    except MailUnavailable as exc:
        if attempt <= len(REMINDER_RETRY_SECONDS):  # units sent before the failure are not sent again that day
            delay = REMINDER_RETRY_SECONDS[attempt - 1]
            retry = service.enqueue("send_reminders", {**params, "attempt": attempt + 1}, requested_by="thử lại gửi nhắc nhở", delay_seconds=delay)
            exc.fix = f"Hệ thống tự thử lại sau {int(delay // 60)} phút (việc #{retry.id}); nếu lỗi kéo dài, kiểm tra máy chủ thư (SONKET_SMTP_*)."
        raise
    return report.to_dict()


__all__ = ["ATTEMPTS", "HANDLERS", "STATES", "Job", "JobProgress", "check_kind", "dedupe_key", "max_attempts", "register", "run_job"]

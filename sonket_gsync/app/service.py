"""The campaign service: one object holding the campaign, its workspace and its store, with
the operations people run — provision, sync, compile, status — and the job queue.

Every operation that writes holds the campaign's writer lease (in the store, so it holds
across processes): one writer at a time, whoever asks — the CLI, the worker, a test. The
lease is re-entrant within a thread (a compile job's sync runs under the job's lease). When
this process takes the lease, the workspace drops what it cached (another process may have
created files meanwhile). The CLI and the web app are thin layers over this class.

Fencing: while a thread holds the lease, every store write it makes is conditional on the
lease's token still being current, and a file written outside the store (the draft, the
summary, the links sheet) is written only after a fresh check; a holder that was paused past
its expiry while another took over gets LeaseLost (exit 75, job "interrupted") and writes nothing.

The worker (``run_worker``) never dies of a transient fault: a store, Google or disk error in
its loop is logged once, backed off (exponentially, capped, on the store's clock) and retried;
only a permanent one (no store, a misconfigured or newer store) ends it, so that a supervisor
restarts the process. ``supervise_worker`` restarts the loop in ``serve``'s worker thread.
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sonket_gsync.app.lease import WriterLease, holder_id, holder_label
from sonket_gsync.backends import open_workspace
from sonket_gsync.backends.base import UnitFiles, Workspace, no_push
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import ConfigError, LeaseHeld, LeaseLost, SonketError, StoreError
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import now
from sonket_gsync.forms.submission import UnitRecord
from sonket_gsync.ingest.sync import Progress, SyncReport, sync
from sonket_gsync.store import Job, StoreProtocol, open_store
from sonket_gsync.store.records import ChannelInfo, Staff

log = logging.getLogger(__name__)

REPORT_TEMPLATE = "bao-cao-so-ket.docx"
DISTRIBUTION_NAME = "duong-dan-va-ma-qr.docx"
HEARTBEAT_SECONDS = 10.0  # a worker records it is alive this often, even during a long job
BACKOFF_FIRST_SECONDS = 1.0  # a failing worker loop waits this long, doubling up to BACKOFF_MAX_SECONDS
BACKOFF_MAX_SECONDS = 60.0
PROBE_AFTER_FAILURES = 3  # store errors in a row before asking whether the store is gone for good


def is_fatal(exc: BaseException) -> bool:
    """An error the worker cannot outwait: no store, a misconfigured, corrupt or newer one."""
    return isinstance(exc, (StoreError, ConfigError)) and not getattr(exc, "retryable", False)


class Backoff:
    """Failures in a row of one loop: the wait before the next try (exponential, capped) and
    one log line per streak of failures, not one per retry."""

    def __init__(self, what: str, first: float = BACKOFF_FIRST_SECONDS, cap: float = BACKOFF_MAX_SECONDS) -> None:
        self.what, self.first, self.cap = what, first, cap
        self.failures = 0

    def failed(self, exc: BaseException) -> float:
        self.failures += 1
        if self.failures == 1:
            detail = exc.explain() if isinstance(exc, SonketError) else f"{type(exc).__name__}: {exc}"
            log.warning("%s failed, retrying with backoff (logged once until it recovers): %s", self.what, detail)
        else:
            log.debug("%s failed again (%d in a row): %s", self.what, self.failures, exc)
        return min(self.first * 2 ** (self.failures - 1), self.cap)

    def succeeded(self) -> None:
        if self.failures:
            log.warning("%s recovered after %d failed attempts", self.what, self.failures)
        self.failures = 0


@dataclass(frozen=True)
class ProvisionReport:
    created: list[str]
    existing: list[str]


class CampaignService:
    def __init__(self, settings: Settings, campaign: Campaign, workspace: Workspace, store: StoreProtocol) -> None:
        self.settings = settings
        self.campaign = campaign
        self.workspace = workspace
        self.store = store
        self._local = threading.local()  # this thread's lease and job

    @classmethod
    def open(cls, settings: Settings, *, create: bool = True) -> CampaignService:
        """``create=False`` for read-only commands: no store there raises StoreMissing."""
        campaign = load_campaign(settings.campaign_dir)
        store = open_store(settings, create=create)
        return cls(settings, campaign, open_workspace(settings, campaign), store)

    def close(self) -> None:
        self.store.close()

    @property
    def queries(self):
        from sonket_gsync.app.queries import Queries

        return Queries(self.store, self.campaign, self.workspace.kind)

    # --- the writer lease --------------------------------------------------------------------

    @contextmanager
    def lease(self, holder: str = "", *, wait: bool = False, timeout: float | None = None) -> Iterator[WriterLease]:
        """Hold the campaign's writer lease. A second writer gets LeaseHeld (exit 75) naming
        the holder and since when, or waits with ``wait``. Re-entrant in one thread."""
        current: WriterLease | None = getattr(self._local, "lease", None)
        if current is not None:
            yield current
            return
        lease = WriterLease(self.store, holder_label(holder or "sonket-gsync"), self.settings.lease_seconds, clock=self.store.clock)
        lease.acquire(wait=wait, timeout=timeout)
        self._local.lease = lease
        try:
            with self.store.fence(lease.holder, lease.token):  # every write of this thread is fenced
                self.workspace.refresh()  # another process may have made files since our listing
                yield lease
        finally:
            self._local.lease = None
            lease.release()

    def _holder(self) -> str:
        lease = getattr(self._local, "lease", None)
        return lease.holder if lease else ""

    @contextmanager
    def job_context(self, job_id: int | None) -> Iterator[None]:
        previous = getattr(self._local, "job_id", None)
        self._local.job_id = job_id
        try:
            yield
        finally:
            self._local.job_id = previous

    # --- operations ------------------------------------------------------------------------

    def provision(self, only: Sequence[str] = (), progress: Progress | None = None) -> ProvisionReport:
        units = self._units(only)
        with self.lease("provision"):
            self.workspace.prepare()
            created: list[str] = []
            existing: list[str] = []
            # provision_units may make several units at once (Google); results come in order
            for unit, files in self.workspace.provision_units((progress or _plain)(units)):
                if isinstance(files, Exception):
                    raise files
                self.store.save_unit_files(self.workspace.kind, files)
                (created if files.created else existing).append(unit.code)
        return ProvisionReport(created, existing)

    def sync(self, *, full: bool = False, trigger: str = "manual", only: Sequence[str] = (), progress: Progress | None = None) -> SyncReport:
        """Sync, then refresh the "Tổng hợp" summary when it is owed: a sync that read
        something owes it until a refresh succeeds (a later sync pays it). A no-change sync
        with nothing owed costs no summary write: every Google call counts against quota."""
        with self.lease(f"sync{' --full' if full else ''}"):
            report = sync(
                self.campaign,
                self.workspace,
                self.store,
                full=full,
                trigger=trigger,
                only=only,
                progress=progress,
                holder=self._holder(),
                job_id=getattr(self._local, "job_id", None),
            )
            if self.store.summary_owed():
                try:
                    self.publish_summary()
                except SonketError as exc:  # the data is stored; the summary stays owed
                    log.warning("summary refresh failed, will retry at the next sync: %s", exc.explain())
                    report.summary_error = exc.explain()
        return report

    def compile(self, compiled_at=None, step=None):
        from sonket_gsync.app.compile import compile_report  # pandas, docxtpl and matplotlib load only when compiling

        with self.lease("compile"):
            result = compile_report(
                self.campaign,
                self.records(),
                cast(Workspace, FencedWorkspace(self.workspace, self.store.check_fence)),
                self.settings.templates_dir / REPORT_TEMPLATE,
                compiled_at=compiled_at,
                step=step,
            )
            self.store.save_output("report", result.report.name, result.report.url)
            self.store.save_output("tables", result.tables.name, result.tables.url)
            if result.companion is not None:
                self.store.save_output("companion", result.companion.name, result.companion.url)
        return result

    def distribution_sheet(self):
        """The printable sheet of every unit's links and QR codes, stored as an output."""
        from sonket_gsync.backends.base import DOCX_MIME
        from sonket_gsync.report.distribution import distribution_docx

        with self.lease("links"):
            rows = self.unit_files()
            pages = self.unit_page_urls([u.code for u, _ in rows])
            self.store.check_fence()  # a holder that lost the lease writes no file
            ref = self.workspace.write_output(DISTRIBUTION_NAME, distribution_docx(self.campaign, rows, page_urls=pages), DOCX_MIME)
            self.store.save_output("distribution", ref.name, ref.url)
        return ref

    def publish_summary(self):
        """Refresh the "Tổng hợp" spreadsheet from the stored data; no longer owed after."""
        from sonket_gsync.analysis.aggregate import aggregate
        from sonket_gsync.report.tables import summary_tabs

        with self.lease("publish_summary"):
            aggregates = aggregate(self.campaign, self.records())
            self.store.check_fence()  # a holder that lost the lease writes no file
            ref = self.workspace.write_summary(summary_tabs(self.campaign, aggregates))
            self.store.save_output("summary", ref.name, ref.url)
            self.store.set_summary_owed(False)
        return ref

    def renew_channel(self, *, address: str, token: str = "", ttl_seconds: float | None = None) -> dict:
        """Open a new Drive push channel (overlapping the old one), then stop the old ones.
        Without ``token`` a random one is made: a notification must carry it to be heard."""
        if not self.workspace.capabilities.pushes_changes:
            raise no_push()
        token = token or secrets.token_urlsafe(32)
        with self.lease("renew_channel"):
            old = [c for c in self.store.channels() if c.stopped_at is None]
            channel_id = uuid.uuid4().hex
            expiration = now() + timedelta(seconds=ttl_seconds) if ttl_seconds else None
            answer = self.workspace.watch_changes(address, token, channel_id, expiration=expiration)
            created = ChannelInfo(
                channel_id=answer.get("channel_id", channel_id),
                resource_id=answer.get("resource_id", ""),
                token=token,
                expiration=answer.get("expiration") or expiration,
                address=address,
                created_at=now(),
            )
            self.store.save_channel(created)
            for channel in old:
                try:
                    self.workspace.stop_channel(channel.channel_id, channel.resource_id)
                finally:
                    self.store.mark_channel_stopped(channel.channel_id)
        return {"channel_id": created.channel_id, "stopped": [c.channel_id for c in old]}

    # --- jobs ------------------------------------------------------------------------------

    def enqueue(self, kind: str, params: dict | None = None, *, requested_by: str = "", delay_seconds: float = 0) -> Job:
        """Queue a job, or join the pending one with the same kind and params (a burst of
        requests is one job; ``delay_seconds`` lets a debounced sync wait for the burst)."""
        from sonket_gsync.app.jobs import KINDS_JOINING_RUNNING, check_kind, dedupe_key, max_attempts

        check_kind(kind)
        params = dict(params or {})
        return self.store.enqueue_job(
            kind,
            params,
            dedupe_key=dedupe_key(kind, params),
            requested_by=requested_by,
            delay_seconds=delay_seconds,
            join_running=kind in KINDS_JOINING_RUNNING,
            max_attempts=max_attempts(kind),
        )

    def job(self, job_id: int) -> Job | None:
        return self.store.job(job_id)

    def run_worker(self, stop_event: threading.Event | None = None, *, once: bool = False, worker_id: str = "") -> int:
        """Claim and run queued jobs under the writer lease, heartbeating; ``once``: return
        when no job is due. Returns how many jobs ran. Transient errors (store, Google, disk)
        are backed off and retried; a permanent one (``is_fatal``) is raised."""
        worker_id = worker_id or holder_id()
        stop_event = stop_event or threading.Event()
        poll = self.settings.worker_poll_seconds
        beating = threading.Event()
        beat = threading.Thread(target=self._beat, args=(worker_id, beating), name="sonket-worker-heartbeat", daemon=True)
        beat.start()  # a long job still shows a live worker (the web's readiness check)
        try:
            return self._work(worker_id, stop_event, poll, once)
        finally:
            beating.set()
            beat.join(timeout=5)

    def _beat(self, worker_id: str, stop: threading.Event) -> None:
        backoff = Backoff("worker heartbeat")
        while not self.store.clock.wait(stop, HEARTBEAT_SECONDS):  # the store's clock: tests advance it
            try:
                self.store.heartbeat(worker_id)
                backoff.succeeded()
            except Exception as exc:  # a store outage: the next beat tries again
                backoff.failed(exc)

    def _work(self, worker_id: str, stop_event: threading.Event, poll: float, once: bool) -> int:
        ran = 0
        backoff = Backoff("worker loop")
        clock = self.store.clock  # due times are on the store's clock
        while not stop_event.is_set():
            try:
                done, pause = self._work_step(worker_id, stop_event, poll, once)
                ran += done
                backoff.succeeded()
            except Exception as exc:
                if not is_fatal(exc) and isinstance(exc, StoreError) and backoff.failures >= PROBE_AFTER_FAILURES:
                    exc = self._store_problem() or exc  # an outage, or a store that is gone for good?
                if is_fatal(exc):
                    log.error("worker stops: %s", exc.explain() if isinstance(exc, SonketError) else exc)
                    raise exc from None
                if once:
                    raise
                clock.wait(stop_event, backoff.failed(exc))
                continue
            if pause is None:
                return ran
            if pause > 0:
                clock.wait(stop_event, pause)
        return ran

    def _work_step(self, worker_id: str, stop_event: threading.Event, poll: float, once: bool) -> tuple[int, float | None]:
        """One turn of the worker loop: (jobs run, seconds to pause; None: return)."""
        from sonket_gsync.app.jobs import run_job

        clock = self.store.clock
        self.store.heartbeat(worker_id)
        due = self.store.next_job_at()
        if due is None or due > clock.time():
            if once:
                return 0, None
            return 0, poll if due is None else min(poll, max(0.01, due - clock.time()))
        ran = 0
        try:
            with self.lease("worker") as lease:
                while not stop_event.is_set():
                    job = self.store.claim_job(lease.holder)
                    if job is None:
                        break
                    run_job(self, job, lease)
                    ran += 1
                    self.store.heartbeat(worker_id)
        except LeaseHeld:
            return ran, None if once else poll
        except LeaseLost as exc:  # paused past expiry: the new holder re-queues what we ran
            log.warning("worker lost the writer lease; it wrote nothing more: %s", exc.explain())
        return ran, 0.0

    def _store_problem(self) -> SonketError | None:
        """Open the store afresh without creating it: the permanent error that says it is gone
        or misconfigured (no store, a newer schema), else None (an outage: keep waiting)."""
        try:
            open_store(self.settings, create=False, clock=self.store.clock).close()
        except SonketError as exc:
            return exc if is_fatal(exc) else None
        return None

    def supervise_worker(self, stop_event: threading.Event, *, on_fatal: Callable[[BaseException], None], worker_id: str = "") -> None:
        """Run the worker until ``stop_event``; restart it after any crash (with backoff, logged
        once per streak). A permanent error (``is_fatal``) calls ``on_fatal`` and returns: the
        process should then exit non-zero so that its supervisor restarts it."""
        backoff = Backoff("worker thread")
        while not stop_event.is_set():
            try:
                self.run_worker(stop_event, worker_id=worker_id)
                return
            except Exception as exc:
                if is_fatal(exc):
                    on_fatal(exc)
                    return
                if backoff.failures == 0:
                    log.error("worker thread crashed; restarting it", exc_info=True)
                self.store.clock.wait(stop_event, backoff.failed(exc))

    # --- reading ---------------------------------------------------------------------------

    def records(self) -> list[UnitRecord]:
        """What the compile aggregates: every unit's counted version ([submission] count:
        the latest valid one, or the last confirmed one not returned)."""
        from sonket_gsync.app.submissions import counted_records

        return counted_records(self.store, self.campaign, self.store.unit_records(self.campaign))

    def record(self, code: str) -> UnitRecord:
        unit = self.campaign.unit(code)  # UnknownUnit (not found) for a code not in the campaign
        return next(r for r in self.records() if r.unit.code == unit.code)

    def status_counts(self, records: Iterable[UnitRecord] | None = None) -> dict[str, Counter]:
        """Per group code (and "__all__"): how many units have each status."""
        counts: dict[str, Counter] = {"__all__": Counter()}
        for record in records if records is not None else self.records():
            counts.setdefault(record.unit.group, Counter())[record.status] += 1
            counts["__all__"][record.status] += 1
        return counts

    def unit_page_urls(self, codes: Iterable[str]) -> dict[str, str] | None:
        """Each unit's own page on the web service (``/u/<token>``), when its public address
        is set (SONKET_PUBLIC_BASE_URL); else None."""
        base = self.settings.public_base_url.rstrip("/")
        if not base:
            return None
        return {code: f"{base}/u/{self.store.unit_token(code)}" for code in codes}

    def unit_files(self) -> list[tuple[Unit, UnitFiles]]:
        files = self.store.unit_files(self.workspace.kind)
        return [(u, files[u.code]) for u in self.campaign.units if u.code in files]

    def _units(self, only: Sequence[str]) -> list[Unit]:
        if not only:
            return list(self.campaign.units)
        return [self.campaign.unit(code) for code in only]

    # --- the web's writes --------------------------------------------------------------------
    # Small writes of the web's own tables; none needs the writer lease (no unit data changes).

    def unit_token(self, code: str) -> str:
        """The unit's private page token: random, made on first ask, then always the same."""
        return self.store.unit_token(self.campaign.unit(code).code)

    def reopen_unit(self, code: str, until: datetime, by: str) -> None:
        """Let a unit send files after the deadline, until ``until`` (counted late)."""
        self.store.reopen_unit(self.campaign.unit(code).code, until, by)

    def note_notification(self, channel_id: str, message_number: str | int) -> bool:
        """Remember a Drive notification; False if it was seen already (a redelivery)."""
        return self.store.note_notification(channel_id, message_number)

    def add_staff(self, email: str, name: str, password_hash: str) -> Staff:
        """Add a staff account, or update its name and password hash (a new password ends
        every session of the account and enables it again)."""
        return self.store.add_staff(email, name, password_hash)

    def google_staff(self, email: str, name: str) -> Staff:
        """The account behind a listed Google sign-in email (made on its first sign-in)."""
        return self.store.google_staff(email, name)

    def end_staff_sessions(self, email: str) -> bool:
        """Every session of the account ends (sign-out ends them all, on every device)."""
        return self.store.end_staff_sessions(email)

    def disable_staff(self, email: str, by: str, *, disabled: bool = True) -> bool:
        """Refuse the account's sign-in and end its sessions (or enable it again)."""
        done = self.store.set_staff_disabled(email, disabled)
        if done:
            self.store.add_audit("staff_disabled" if disabled else "staff_enabled", email.strip().lower(), by=by)
        return done

    def remove_staff(self, email: str, by: str) -> bool:
        done = self.store.remove_staff(email)
        if done:
            self.store.add_audit("staff_removed", email.strip().lower(), by=by)
        return done

    def rotate_unit_links(self, codes: Sequence[str] | None, by: str) -> dict[str, str]:
        """A new private link for the given units (every unit if ``codes`` is None); the old
        links then open a page saying they were replaced. Returns code → new token."""
        units = [self.campaign.unit(c).code for c in codes] if codes is not None else [u.code for u in self.campaign.units]
        fresh = self.store.rotate_unit_tokens(units, by)
        subject = "tất cả đơn vị" if codes is None else ", ".join(units)
        self.store.add_audit("unit_links_rotated", subject, f"{len(fresh)} đơn vị", by=by)
        log.info("unit links rotated for %d unit(s) by %s", len(fresh), by)
        return fresh

    def note_signin_failure(self, key: str, *, window: float, backoff):
        """Count a failed sign-in for ``key`` in the store (every process shares the count);
        ``backoff(failures)`` says how many seconds the key then waits."""
        return self.store.note_signin_failure(key, window=window, backoff=backoff)

    def clear_signin_failures(self, keys: list[str]) -> None:
        self.store.clear_signin_failures(keys)

    def audit(self, kind: str, subject: str = "", detail: str = "", by: str = "") -> None:
        """One line of the web's audit trail (a sign-in lockout, a link rotated…)."""
        self.store.add_audit(kind, subject, detail, by)

    # --- the submission workflow (issue 18; app/submissions.py) ----------------------------------

    def confirm_submission(
        self,
        code: str,
        *,
        name: str,
        position: str,
        doc_number: str = "",
        doc_date: date | str | None = None,
        signed_pdf: bytes | None = None,
        pdf_filename: str = "",
        by: str = "",
        version_id: int | None = None,
    ):
        """The unit confirms its latest valid version: who signs (name, position), the
        document's số and ngày (dd/mm/yyyy or a date), optionally its signed PDF. Under the
        lease, audited. SubmissionError (bad_input) when there is nothing valid to confirm,
        the files have errors, this version is already confirmed, or (``version_id``, the
        version the unit was shown) a newer one came since. A SubmissionInfo."""
        from sonket_gsync.app.submissions import confirm_submission

        return confirm_submission(
            self,
            code,
            name=name,
            position=position,
            doc_number=doc_number,
            doc_date=doc_date,
            signed_pdf=signed_pdf,
            pdf_filename=pdf_filename,
            by=by,
            version_id=version_id,
        )

    def accept_submission(self, code: str, *, by: str, note: str = ""):
        """Staff accept the unit's confirmed version (state "submitted" only). A SubmissionInfo."""
        from sonket_gsync.app.submissions import accept_submission

        return accept_submission(self, code, by=by, note=note)

    def return_submission(self, code: str, *, by: str, comments: Sequence):
        """Staff return the unit's confirmed version with ReviewComments (at least one; each
        located by form/row/column or outline item, or general). A SubmissionInfo."""
        from sonket_gsync.app.submissions import return_submission

        return return_submission(self, code, by=by, comments=comments)

    def attach_signed_pdf(self, code: str, data: bytes, filename: str, *, by: str = ""):
        """Attach the unit's signed report (PDF) to its last confirmation. A SubmissionInfo."""
        from sonket_gsync.app.submissions import attach_signed_pdf

        return attach_signed_pdf(self, code, data, filename, by=by)

    def signed_pdf(self, code: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of the signed PDF of the unit's last confirmation, or None."""
        info = self.queries.submission(code)
        if info.pdf is None:
            return None
        data = self.store.signed_pdf_data(info.pdf.id)
        return None if data is None else (info.pdf.filename, data)

    # --- reminders (issue 18; app/reminders.py) -------------------------------------------------

    def reminder_preview(self, links=None):
        """Who would be reminded now and the message each would get (nothing is sent)."""
        from sonket_gsync.app.reminders import reminder_preview

        return reminder_preview(self, links=links)

    def send_reminders(self, codes: Sequence[str] | None = None, *, by: str = "", trigger: str = "manual"):
        """Email the reminders due now (one unit, some, or all due), under the writer lease,
        each attempt recorded per unit; a SendReport."""
        from sonket_gsync.app.reminders import send_reminders

        return send_reminders(self, codes, by=by, trigger=trigger)


class FencedWorkspace:
    """The workspace as a lease holder writes to it: each output or summary is written only
    after ``check`` confirmed the holder's fencing token is still current."""

    def __init__(self, workspace: Workspace, check: Callable[[], None]) -> None:
        self._workspace = workspace
        self._check = check

    def write_output(self, *args, **kwargs):
        self._check()
        return self._workspace.write_output(*args, **kwargs)

    def write_summary(self, *args, **kwargs):
        self._check()
        return self._workspace.write_summary(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._workspace, name)


DEMO_MARKER = ".sonket-demo"  # written by the demo in the data folder it fills


def is_demo_folder(data_dir) -> bool:
    return (data_dir / DEMO_MARKER).exists()


def _plain(items):
    return items

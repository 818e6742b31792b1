"""One sync run: ask the workspace what changed since the stored cursor, read those units
(plus any left to retry), parse and validate them, and record everything in the store.

A unit that cannot be read, or reads with errors, is flagged with located problems and the
run goes on; its last valid version stays. Only failures of the whole workspace (no access,
no credentials) stop a run, and then the cursor does not move.

No edit is left behind: a unit whose read failed — for any reason, a permanent one (404, 403)
included — is owed a re-read, so the next sync reads it again even though the change that
named it was consumed from the changes feed (a temporary failure at the next sync; a
permanent one after a growing pause, store.reread_delay). It stays flagged until read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TypeVar

from sonket_gsync.backends.base import Capabilities, UnitSnapshot, Workspace
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import AuthError, LeaseLost, NotFound, RetryableError, SonketError, StorageQuotaExceeded, WorkspaceError
from sonket_gsync.core.text import now
from sonket_gsync.forms.limits import Limits
from sonket_gsync.forms.submission import Problem
from sonket_gsync.ingest.parse import Parsed, parse_snapshot
from sonket_gsync.store.protocol import VersionStore as Store  # a sync uses versions and runs only

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[Sequence[T]], Iterable[T]]


@dataclass
class SyncReport:
    run_id: int
    full: bool
    changed: int = 0
    read: int = 0
    versions_added: int = 0
    accepted: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # read, but older than what was stored: ignored
    seconds: float = 0.0
    summary_error: str = ""  # the summary refresh failed: it stays owed until a later sync

    def to_dict(self) -> dict:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        return {
            "changed": self.changed,
            "read": self.read,
            "versions_added": self.versions_added,
            "invalid": len(self.invalid),
            "failed": len(self.failed) + len(self.retry),
        }


def sync(
    campaign: Campaign,
    workspace: Workspace,
    store: Store,
    *,
    full: bool = False,
    trigger: str = "manual",
    only: Sequence[str] = (),
    progress: Progress | None = None,
    holder: str = "",
    job_id: int | None = None,
) -> SyncReport:
    """Sync changed units (all units when ``full``; just ``only`` when given, cursor untouched).

    The run is recorded under ``holder`` (the writer lease's holder): if that process dies,
    the run shows as interrupted once its lease expires. A run that read or flagged anything
    leaves the summary owed, in the same transaction that records the run's end.
    """
    started = time.perf_counter()
    run_id = store.begin_run(trigger, workspace.kind, full, holder=holder, job_id=job_id)
    report = SyncReport(run_id=run_id, full=full)
    cursor = store.cursor(workspace.kind)
    batch: list[_Read] = []  # parsed units not yet recorded (recorded RECORD_CHUNK at a time)
    try:
        if only:  # read these units now: no need to ask what changed (a Google call saved)
            wanted = [campaign.unit(code) for code in only]
        else:
            changes = workspace.changes(None if full else cursor)
            codes = {c.unit_code for c in changes.changed} | set(store.pending_retries())
            wanted = [u for u in campaign.units if u.code in codes]
            _record_gone(campaign, store, run_id, changes.missing, report)
            cursor = changes.cursor
        report.changed = len(wanted)
        # read_units may read several units at once (Google); results come back in order
        # and are recorded here, by the lease holder.
        with closing(workspace.read_units((progress or _plain)(wanted))) as results:
            for unit, result in results:
                read = _sync_unit(campaign, store, run_id, unit, result, report, workspace.limits, workspace.capabilities)
                if read is None:
                    continue
                if any(p.unit.code == unit.code for p in batch):
                    _record_reads(store, run_id, batch, report)
                batch.append(read)
                if len(batch) >= RECORD_CHUNK:
                    _record_reads(store, run_id, batch, report)
        _record_reads(store, run_id, batch, report)
    except LeaseLost:
        raise  # fenced: a holder that lost the lease writes nothing more
    except SonketError as exc:
        _record_what_was_read(store, run_id, batch, report)
        store.fail_run(run_id, exc.message, owe_summary=_touched(report))
        raise
    except BaseException as exc:
        _record_what_was_read(store, run_id, batch, report)
        store.fail_run(run_id, repr(exc), owe_summary=_touched(report))
        raise
    # ``only`` reads a few units on demand: the cursor stays where it was for everything else.
    store.finish_run(run_id, backend=workspace.kind, cursor=cursor or "", counts=report.counts(), owe_summary=_touched(report))
    report.seconds = time.perf_counter() - started
    return report


def _sync_unit(
    campaign: Campaign,
    store: Store,
    run_id: int,
    unit: Unit,
    result: UnitSnapshot | Exception,
    report: SyncReport,
    limits: Limits,
    capabilities: Capabilities | None = None,
) -> _Read | None:
    """Parse one unit's read; its failure is recorded at once, a parsed read is returned
    for ``_record_reads`` to record with others (None when there is nothing more to do)."""
    # An older read recorded after a newer one must not win (store.record_read): reads may
    # run ahead of recording (read_units), so a read is dated when it started.
    read_at = getattr(result, "read_started", None) or now()
    try:
        if isinstance(result, Exception):
            raise result
        snapshot = result
        parsed = parse_snapshot(campaign, unit, snapshot, limits, capabilities=capabilities)  # bounds every backend, not only the local reader
    except (AuthError, StorageQuotaExceeded):
        raise  # the whole workspace is refused: no point going on unit by unit
    except RetryableError as exc:
        store.record_failure(run_id, unit.code, _problem(unit, exc, "warning"), retry=True, read_at=read_at)
        report.retry.append(unit.code)
        return None
    except LeaseLost:
        raise
    except SonketError as exc:  # 404, 403, a broken file: read again after a pause, flagged until then
        store.record_failure(run_id, unit.code, _problem(unit, exc), retry=True, backoff=True, gone=isinstance(exc, NotFound), read_at=read_at)
        report.failed.append(unit.code)
        return None
    except Exception as exc:  # a file no parser foresaw must not stop the others
        log.exception("unexpected failure reading unit %s", unit.code)
        problem = Problem(
            unit.code,
            f"Không đọc được tệp của đơn vị do lỗi không lường trước ({type(exc).__name__}). "
            "Hãy kiểm tra tệp có mở được bình thường không; nếu lỗi lặp lại, báo cho quản trị hệ thống.",
            "unexpected",
        )
        store.record_failure(run_id, unit.code, problem, retry=True, backoff=True, read_at=read_at)
        report.failed.append(unit.code)
        return None
    return _Read(unit, parsed, snapshot.modified_at, read_at)


@dataclass(frozen=True)
class _Read:
    """A unit read and parsed, waiting to be recorded."""

    unit: Unit
    parsed: Parsed
    modified_at: datetime
    read_at: datetime


RECORD_CHUNK = 200  # parsed units recorded per store transaction


def _record_reads(store: Store, run_id: int, batch: list[_Read], report: SyncReport) -> None:
    """Record the batch's reads in one transaction, then empty it."""
    if not batch:
        return
    outcomes = store.record_reads(run_id, [(r.parsed.submission, r.parsed.problems, r.modified_at, r.read_at) for r in batch])
    for read, outcome in zip(batch, outcomes, strict=True):
        code = read.unit.code
        report.read += 1
        if outcome.stale:  # a newer read of this unit was recorded meanwhile: nothing moves back
            report.stale.append(code)
            continue
        report.versions_added += int(outcome.version_added)
        if outcome.accepted:
            report.accepted.append(code)
        elif read.parsed.errors:
            report.invalid.append(code)
    batch.clear()


def _record_what_was_read(store: Store, run_id: int, batch: list[_Read], report: SyncReport) -> None:
    """A run stopping on an error still records the units it read before (as each unit's
    read was recorded at once before reads were batched)."""
    try:
        _record_reads(store, run_id, batch, report)
    except Exception:
        log.exception("could not record the units read before the run stopped")


def _record_gone(campaign: Campaign, store: Store, run_id: int, missing: Sequence[str], report: SyncReport) -> None:
    """Units read before whose files have disappeared: flag them once, keep their data."""
    statuses = store.read_statuses()
    for code in missing:
        if code in statuses and statuses[code] != "gone":
            unit = campaign.unit(code)
            problem = Problem(
                unit.code,
                "Không còn tìm thấy tệp biểu mẫu của đơn vị (đã bị xóa, chuyển đi hoặc bị thu hồi quyền truy cập). "
                "Dữ liệu hợp lệ gần nhất vẫn được giữ. " + REREAD_HINT.format(code=code),
                "file_gone",
            )
            store.record_failure(run_id, code, problem, retry=True, backoff=True, gone=True)
            report.gone.append(code)


def _touched(report: SyncReport) -> bool:
    return bool(report.read or report.failed or report.retry or report.gone)


REREAD_HINT = (
    "Hãy khôi phục tệp từ Thùng rác hoặc chia sẻ lại quyền cho tài khoản của hệ thống; hệ thống tự đọc lại đơn vị này "
    "ở các lần đồng bộ sau (thưa dần), hoặc đọc lại ngay bằng lệnh “sonket-gsync sync --unit {code}”."
)


def _problem(unit: Unit, exc: SonketError, severity: str = "error") -> Problem:
    if exc.retryable:
        message = exc.explain() + " Hệ thống sẽ tự đọc lại ở lần đồng bộ sau."
    elif isinstance(exc, WorkspaceError):  # the file or its access: provisioning again changes nothing
        message = f"{exc.message} " + REREAD_HINT.format(code=unit.code)
    else:
        message = exc.explain() + " Hệ thống sẽ đọc lại đơn vị này ở các lần đồng bộ sau."
    return Problem(unit.code, message, _snake(type(exc).__name__), severity=severity)  # type: ignore[arg-type]


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _plain(items: Sequence[T]) -> Iterable[T]:
    return items

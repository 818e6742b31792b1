"""The campaign's writer lease, kept in the store so that it holds across processes and
machines.

One row per lease name. Taking it is one conditional UPDATE (free, ours, or expired) inside a
write transaction — ``BEGIN IMMEDIATE`` on SQLite, an advisory lock plus the row lock on
PostgreSQL — so exactly one of many contenders wins. The holder renews it (heartbeat); a holder
that dies stops renewing, the lease expires, and whoever takes it next marks the dead holder's
runs and jobs ``interrupted`` (a job with attempts left goes back to the queue instead).
Expiry is read from the store's clock.

Fencing: each new holder gets the next ``token`` (it only ever grows). A thread that holds the
lease registers (holder, token) with ``fence``; from then on every write a holder makes
(versions, cursor, outputs, the summary flag, job progress and finish) checks, in the same
transaction, that the lease is still that holder's with that token and unexpired, else raises
LeaseLost and the transaction writes nothing. A holder that was paused past its expiry while
another took the lease can therefore never overwrite the newer holder's data.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, and_, case, or_, select, update

from sonket_gsync.core.errors import LeaseLost
from sonket_gsync.core.text import TZ
from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time, changed, dumps
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import LeaseInfo

WRITER = "writer"
INTERRUPTED_ERROR = {
    "category": "temporary",
    "message": "Tiến trình chạy việc này đã dừng đột ngột (bị tắt hoặc mất kết nối) trước khi xong.",
    "where": "",
    "fix": "Yêu cầu chạy lại; dữ liệu đã ghi trước đó vẫn được giữ.",
    "type": "Interrupted",
}
REQUEUED_NOTE = "Việc được tự động xếp lại vào hàng đợi (lần {attempt}/{limit})."


def lease_lost(where: str = "") -> LeaseLost:
    return LeaseLost(
        "Tiến trình này đã mất quyền ghi vào chiến dịch (bị treo hoặc mất kết nối quá lâu nên khóa ghi đã hết hạn "
        "và được tiến trình khác nhận); nó dừng lại và không ghi gì thêm.",
        where=where,
        fix="Không cần làm gì nếu tiến trình kia đang chạy đúng việc này; nếu không, chạy lại lệnh. Dữ liệu đã ghi trước đó vẫn được giữ.",
    )


def epoch_time(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, TZ)


def _fences(store: StoreBase) -> threading.local:
    return store.__dict__.setdefault("_fence_local", threading.local())


def fence_check(store: StoreBase, conn: Connection) -> None:
    """Inside a write transaction: raise LeaseLost when this thread's fence (``fence``) is no
    longer current — another holder, a newer token, or expired. No fence: nothing to check."""
    fence = getattr(_fences(store), "fence", None)
    if fence is None:
        return
    name, holder, token = fence
    lease = s.leases.c
    current = conn.execute(
        select(lease.name).where(and_(lease.name == name, lease.holder == holder, lease.token == token, lease.expires_at > store.clock.time()))
    ).first()
    if current is None:
        raise lease_lost(store.where)


class SqlLeaseStore(StoreBase):
    @guarded
    def acquire_lease(self, holder: str, label: str, ttl: float, name: str = WRITER) -> tuple[bool, LeaseInfo | None]:
        """Take the lease if free, already ours, or expired. Returns (taken, current lease).
        A new holder gets the next fencing token (``lease_token``)."""
        with self._write() as conn:
            self._insert_ignore(conn, s.leases, {"name": name, "holder": None, "label": "", "since": None, "expires_at": 0.0}, ["name"])
            t = self.clock.time()
            since = self.clock.now().isoformat()
            lease = s.leases.c
            taken = changed(
                conn,
                update(s.leases)
                .where(lease.name == name, or_(lease.holder.is_(None), lease.holder == holder, lease.expires_at < t))
                .values(
                    holder=holder,
                    label=label,
                    since=since,
                    expires_at=t + ttl,
                    token=case((lease.holder == holder, lease.token), else_=lease.token + 1),
                ),
            )
            if taken == 1 and name == WRITER:
                self._interrupt_others(conn, holder)
            return taken == 1, self._lease(conn, name)

    @guarded
    def lease_token(self, holder: str, name: str = WRITER) -> int | None:
        """The fencing token of ``holder``'s lease, or None when it does not hold it."""
        with self._read() as conn:
            return conn.execute(select(s.leases.c.token).where(s.leases.c.name == name, s.leases.c.holder == holder)).scalar()

    def _interrupt_others(self, conn: Connection, holder: str) -> None:
        """We hold the writer lease now: any run or job still 'running' under another holder
        belongs to a process that died or lost its lease. A job with attempts left goes back
        to the queue (due now, unless a same job is already pending); the others end
        ``interrupted``."""
        stamp = self.clock.now().isoformat()
        conn.execute(
            update(s.sync_runs)
            .where(s.sync_runs.c.status == "running", s.sync_runs.c.holder != holder, s.sync_runs.c.holder != "")
            .values(status="interrupted", finished_at=stamp)
        )
        j = s.jobs
        rows = conn.execute(select(j.c.id, j.c.dedupe_key, j.c.attempts, j.c.max_attempts).where(j.c.state == "running", j.c.holder != holder)).all()
        for job_id, key, attempts, limit in rows:
            pending = conn.execute(select(j.c.id).where(j.c.dedupe_key == key, j.c.state == "pending").limit(1)).first()
            if attempts < limit and pending is None:
                note = dict(INTERRUPTED_ERROR, requeued=REQUEUED_NOTE.format(attempt=attempts + 1, limit=limit))
                conn.execute(
                    update(j).where(j.c.id == job_id).values(state="pending", holder="", run_after=self.clock.time(), started_at=None, error=dumps(note))
                )
            else:
                conn.execute(update(j).where(j.c.id == job_id).values(state="interrupted", finished_at=stamp, error=dumps(INTERRUPTED_ERROR)))

    # --- fencing -----------------------------------------------------------------------------

    @contextmanager
    def fence(self, holder: str, token: int, name: str = WRITER) -> Iterator[None]:
        """Within this block, in this thread, every fenced write checks that ``holder`` still
        holds the lease with ``token`` (and raises LeaseLost, writing nothing, if not)."""
        local = _fences(self)
        previous = getattr(local, "fence", None)
        local.fence = (name, holder, token)
        try:
            yield
        finally:
            local.fence = previous

    def current_fence(self) -> tuple[str, str, int] | None:
        return getattr(_fences(self), "fence", None)

    @guarded
    def check_fence(self) -> None:
        """Raise LeaseLost unless this thread's fence is still current (before writing a file
        outside the store: the draft, the summary)."""
        with self._read() as conn:
            fence_check(self, conn)

    @guarded
    def renew_lease(self, holder: str, ttl: float, name: str = WRITER) -> bool:
        """Extend our lease; False when it is no longer ours (it expired and was taken)."""
        with self._write() as conn:
            t = self.clock.time()
            return changed(conn, update(s.leases).where(s.leases.c.name == name, s.leases.c.holder == holder).values(expires_at=t + ttl)) == 1

    @guarded
    def release_lease(self, holder: str, name: str = WRITER) -> None:
        with self._write() as conn:
            conn.execute(update(s.leases).where(s.leases.c.name == name, s.leases.c.holder == holder).values(holder=None, label="", since=None, expires_at=0.0))

    @guarded
    def lease(self, name: str = WRITER) -> LeaseInfo | None:
        """The current holder, or None when the lease is free or expired."""
        with self._read() as conn:
            return self._lease(conn, name)

    def _lease(self, conn: Connection, name: str) -> LeaseInfo | None:
        row = conn.execute(select(s.leases).where(s.leases.c.name == name)).mappings().first()
        if row is None or row["holder"] is None or row["expires_at"] < self.clock.time():
            return None
        return LeaseInfo(name, row["holder"], row["label"], a_time(row["since"]), epoch_time(row["expires_at"]))


__all__ = ["INTERRUPTED_ERROR", "REQUEUED_NOTE", "WRITER", "SqlLeaseStore", "epoch_time", "fence_check", "lease_lost"]

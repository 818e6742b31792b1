"""The campaign's writer lease, kept in the store so that it holds across processes and
machines.

One row per lease name. Taking it is one conditional UPDATE (free, ours, or expired) inside a
write transaction — ``BEGIN IMMEDIATE`` on SQLite, an advisory lock plus the row lock on
PostgreSQL — so exactly one of many contenders wins. The holder renews it (heartbeat); a holder
that dies stops renewing, the lease expires, and whoever takes it next marks the dead holder's
runs and jobs ``interrupted``. Expiry is read from the store's clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, or_, select, update

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


def epoch_time(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, TZ)


class SqlLeaseStore(StoreBase):
    @guarded
    def acquire_lease(self, holder: str, label: str, ttl: float, name: str = WRITER) -> tuple[bool, LeaseInfo | None]:
        """Take the lease if free, already ours, or expired. Returns (taken, current lease)."""
        with self._write() as conn:
            self._insert_ignore(conn, s.leases, {"name": name, "holder": None, "label": "", "since": None, "expires_at": 0.0}, ["name"])
            t = self.clock.time()
            since = self.clock.now().isoformat()
            taken = changed(
                conn,
                update(s.leases)
                .where(s.leases.c.name == name, or_(s.leases.c.holder.is_(None), s.leases.c.holder == holder, s.leases.c.expires_at < t))
                .values(holder=holder, label=label, since=since, expires_at=t + ttl),
            )
            if taken == 1 and name == WRITER:
                self._interrupt_others(conn, holder)
            return taken == 1, self._lease(conn, name)

    def _interrupt_others(self, conn: Connection, holder: str) -> None:
        """We hold the writer lease now: any run or job still 'running' under another holder
        belongs to a process that died (its lease expired)."""
        stamp = self.clock.now().isoformat()
        conn.execute(
            update(s.sync_runs)
            .where(s.sync_runs.c.status == "running", s.sync_runs.c.holder != holder, s.sync_runs.c.holder != "")
            .values(status="interrupted", finished_at=stamp)
        )
        conn.execute(
            update(s.jobs)
            .where(s.jobs.c.state == "running", s.jobs.c.holder != holder)
            .values(state="interrupted", finished_at=stamp, error=dumps(INTERRUPTED_ERROR))
        )

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


__all__ = ["INTERRUPTED_ERROR", "WRITER", "SqlLeaseStore", "epoch_time"]

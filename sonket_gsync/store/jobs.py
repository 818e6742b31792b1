"""The job queue and the workers' heartbeats, kept in the store so that they hold across
processes and machines. A job runs under the writer lease (lease.py); a running job whose
holder's lease expired shows ``interrupted``. Due times and heartbeats read the store's clock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, as_time, changed, dumps, loads
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.lease import INTERRUPTED_ERROR, REQUEUED_NOTE, epoch_time, fence_check
from sonket_gsync.store.records import Job


class SqlJobStore(StoreBase):
    # --- jobs --------------------------------------------------------------------------------

    @guarded
    def enqueue_job(
        self,
        kind: str,
        params: dict[str, Any],
        *,
        dedupe_key: str,
        requested_by: str = "",
        delay_seconds: float = 0,
        join_running: bool = False,
        max_attempts: int = 1,
    ) -> Job:
        """Add a job, or join the pending one with the same dedupe key (and, when
        ``join_running``, a running one). Joining with a delay pushes the start back (a burst
        of requests becomes one job), but never past ``5 × delay`` after the first request.
        ``max_attempts``: a job interrupted (its worker died or lost the lease) goes back to
        the queue while it has been claimed fewer times than this."""
        with self._write() as conn:
            j = s.jobs
            states = ["pending", "running"] if join_running else ["pending"]
            existing = conn.execute(select(j).where(j.c.dedupe_key == dedupe_key, j.c.state.in_(states)).order_by(j.c.id).limit(1)).mappings().first()
            t = self.clock.time()
            if existing is not None:
                if existing["state"] == "pending" and delay_seconds > 0:
                    created = datetime.fromisoformat(existing["created_at"]).timestamp()
                    run_after = max(existing["run_after"], min(t + delay_seconds, created + 5 * delay_seconds))
                    conn.execute(update(j).where(j.c.id == existing["id"]).values(run_after=run_after))
                return self._job(conn, existing["id"])  # type: ignore[return-value]
            result = conn.execute(
                j.insert().values(
                    kind=kind,
                    state="pending",
                    params=json.dumps(params, ensure_ascii=False, sort_keys=True),
                    dedupe_key=dedupe_key,
                    requested_by=requested_by,
                    created_at=epoch_time(t).isoformat(),
                    run_after=t + max(0.0, delay_seconds),
                    max_attempts=max(1, int(max_attempts)),
                )
            )
            return self._job(conn, int(result.inserted_primary_key[0]))  # type: ignore[return-value]

    @guarded
    def next_job_at(self) -> float | None:
        """Epoch time (on the store's clock) the next pending job may start (None: nothing
        pending). Cheap: workers poll it."""
        with self._read() as conn:
            return conn.execute(select(s.jobs.c.run_after).where(s.jobs.c.state == "pending").order_by(s.jobs.c.run_after).limit(1)).scalar()

    @guarded
    def claim_job(self, holder: str) -> Job | None:
        """The oldest due pending job, now running under ``holder`` (who holds the lease)."""
        j = s.jobs
        with self._write() as conn:
            row = conn.execute(
                select(j.c.id).where(j.c.state == "pending", j.c.run_after <= self.clock.time()).order_by(j.c.run_after, j.c.id).limit(1)
            ).first()
            if row is None:
                return None
            fence_check(self, conn)
            conn.execute(
                update(j)
                .where(j.c.id == row[0], j.c.state == "pending")
                .values(state="running", started_at=self.clock.now().isoformat(), holder=holder, attempts=j.c.attempts + 1)
            )
            return self._job(conn, row[0])

    @guarded
    def update_job(self, job_id: int, *, done: int, total: int, label: str) -> None:
        """Progress of a running job (fenced: a holder that lost the lease writes nothing)."""
        with self._write() as conn:
            fence_check(self, conn)
            conn.execute(update(s.jobs).where(s.jobs.c.id == job_id).values(progress_done=done, progress_total=total, progress_label=label))

    @guarded
    def finish_job(self, job_id: int, state: str, *, result: dict | None = None, error: dict | None = None) -> Job | None:
        """Record a job's end (fenced: a holder that lost the lease — whose job the new holder
        re-queued or ended — writes nothing)."""
        with self._write() as conn:
            fence_check(self, conn)
            conn.execute(
                update(s.jobs)
                .where(s.jobs.c.id == job_id)
                .values(state=state, result=dumps(result), error=dumps(error), finished_at=self.clock.now().isoformat())
            )
            return self._job(conn, job_id)

    # --- schedules ---------------------------------------------------------------------------

    @guarded
    def schedule_slot(self, name: str) -> str | None:
        """The last slot (ISO time) of schedule ``name`` that some process claimed."""
        with self._read() as conn:
            return conn.execute(select(s.schedules.c.last_slot).where(s.schedules.c.name == name)).scalar()

    @guarded
    def claim_schedule(self, name: str, slot: str, holder: str, *, first: str | None = None) -> bool:
        """Claim slot ``slot`` (an ISO time) of schedule ``name``: True for exactly one caller
        per slot, across processes; False when that slot or a later one was claimed already.
        ``first``: a schedule never seen before starts as if ``first`` had been claimed (so a
        new installation does not run yesterday's slot)."""
        with self._write() as conn:
            if first is not None:
                self._insert_ignore(conn, s.schedules, {"name": name, "last_slot": first, "claimed_by": ""}, ["name"])
            else:
                self._insert_ignore(conn, s.schedules, {"name": name, "last_slot": None, "claimed_by": ""}, ["name"])
            sc = s.schedules.c
            taken = changed(
                conn,
                update(s.schedules)
                .where(sc.name == name, or_(sc.last_slot.is_(None), sc.last_slot < slot))
                .values(last_slot=slot, claimed_at=self.clock.now().isoformat(), claimed_by=holder),
            )
            return taken == 1

    @guarded
    def job(self, job_id: int) -> Job | None:
        with self._read() as conn:
            return self._job(conn, job_id)

    @guarded
    def jobs(self, limit: int = 20, *, state: str | None = None) -> list[Job]:
        query = select(s.jobs).order_by(s.jobs.c.id.desc()).limit(limit)
        if state:
            query = query.where(s.jobs.c.state == state)
        with self._read() as conn:
            live = self._live_holders(conn)
            return [job_record(r, live) for r in conn.execute(query).mappings()]

    def _job(self, conn: Connection, job_id: int) -> Job | None:
        row = conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).mappings().first()
        return job_record(row, self._live_holders(conn)) if row else None

    # --- worker heartbeats -------------------------------------------------------------------

    @guarded
    def heartbeat(self, worker_id: str) -> None:
        t = self.clock.time()
        with self._write() as conn:
            self._upsert(
                conn,
                s.workers,
                {"worker_id": worker_id, "last_seen": epoch_time(t).isoformat(), "last_seen_epoch": t},
                ["worker_id"],
                ["last_seen", "last_seen_epoch"],
            )

    @guarded
    def last_heartbeat(self) -> datetime | None:
        with self._read() as conn:
            epoch = conn.execute(select(s.workers.c.last_seen_epoch).order_by(s.workers.c.last_seen_epoch.desc()).limit(1)).scalar()
        return epoch_time(epoch) if epoch is not None else None


def job_record(row, live_holders: set[str]) -> Job:
    state = row["state"]
    error = loads(row["error"])
    if state == "running" and row["holder"] not in live_holders:
        state, error = "interrupted", INTERRUPTED_ERROR  # its worker died; the lease expired
        if row["attempts"] < row["max_attempts"]:  # the next lease holder puts it back in the queue
            error = dict(INTERRUPTED_ERROR, requeued=REQUEUED_NOTE.format(attempt=row["attempts"] + 1, limit=row["max_attempts"]))
    return Job(
        id=row["id"],
        kind=row["kind"],
        state=state,
        params=loads(row["params"]) or {},
        dedupe_key=row["dedupe_key"],
        progress_done=row["progress_done"],
        progress_total=row["progress_total"],
        progress_label=row["progress_label"],
        result=loads(row["result"]),
        error=error,
        requested_by=row["requested_by"],
        created_at=as_time(row["created_at"]),
        started_at=as_time(row["started_at"]),
        finished_at=as_time(row["finished_at"]),
        run_after=epoch_time(row["run_after"]) if row["run_after"] else None,
        holder=row["holder"],
    )


__all__ = ["SqlJobStore", "job_record"]

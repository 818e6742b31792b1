"""Versions and runs: sync runs with the backend cursor, every accepted version, each unit's
state and problems, provisioned files and outputs.

A unit's accepted version only ever moves forward: a read that fails or finds errors records
the problems and flags the unit (the last valid version stays what aggregation uses), and a
read of a file older than one already recorded (a slow sync finishing after a newer one)
changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import now
from sonket_gsync.forms.submission import FLAGGING_READS, Problem, Submission, UnitRecord, unit_status
from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time, as_time
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.lease import epoch_time, fence_check
from sonket_gsync.store.records import OutputRecord, ReadOutcome, RunRecord, VersionRecord
from sonket_gsync.store.rows import problem, run_record, version_record

SUMMARY_OWED = "summary_owed"
REREAD_FIRST_SECONDS = 60.0
"""A unit whose read failed for good (404, 403…) is read again after this, then twice as
long after each further failure, up to REREAD_MAX_SECONDS: flagged meanwhile."""
REREAD_MAX_SECONDS = 6 * 3600.0


def reread_delay(failures: int) -> float:
    """Seconds before re-reading a unit whose read failed permanently ``failures`` times in a row."""
    return min(REREAD_FIRST_SECONDS * 2 ** max(0, failures - 1), REREAD_MAX_SECONDS)


class SqlVersionStore(StoreBase):
    # --- meta: cursor and flags ----------------------------------------------------------

    @guarded
    def cursor(self, backend: str) -> str | None:
        return self._meta(f"cursor:{backend}")

    def _meta(self, key: str) -> str | None:
        with self._read() as conn:
            return conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar()

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        self._upsert(conn, s.meta, {"key": key, "value": value}, ["key"], ["value"])

    @guarded
    def summary_owed(self) -> bool:
        """True while the "Tổng hợp" summary is older than the data (set by a sync that read
        something; cleared only once a refresh succeeded)."""
        return self._meta(SUMMARY_OWED) == "1"

    @guarded
    def set_summary_owed(self, owed: bool) -> None:
        with self._write() as conn:
            fence_check(self, conn)
            self._set_meta(conn, SUMMARY_OWED, "1" if owed else "0")

    # --- runs --------------------------------------------------------------------------------

    @guarded
    def begin_run(self, trigger: str, backend: str, full: bool, *, holder: str = "", job_id: int | None = None) -> int:
        with self._write() as conn:
            fence_check(self, conn)
            result = conn.execute(
                s.sync_runs.insert().values(
                    trigger=trigger, backend=backend, full=int(full), started_at=now().isoformat(), status="running", holder=holder, job_id=job_id
                )
            )
            return int(result.inserted_primary_key[0])

    @guarded
    def finish_run(self, run_id: int, *, backend: str, cursor: str, counts: dict[str, int], status: str = "ok", owe_summary: bool = False) -> None:
        """Close a run and move the cursor, in one transaction: the cursor never runs ahead
        of the data. ``owe_summary`` marks the summary as owed in the same transaction."""
        with self._write() as conn:
            fence_check(self, conn)
            conn.execute(
                update(s.sync_runs)
                .where(s.sync_runs.c.id == run_id)
                .values(
                    finished_at=now().isoformat(),
                    status=status,
                    units_changed=counts.get("changed", 0),
                    units_read=counts.get("read", 0),
                    versions_added=counts.get("versions_added", 0),
                    units_invalid=counts.get("invalid", 0),
                    units_failed=counts.get("failed", 0),
                )
            )
            self._set_meta(conn, f"cursor:{backend}", cursor)
            if owe_summary:
                self._set_meta(conn, SUMMARY_OWED, "1")

    @guarded
    def fail_run(self, run_id: int, message: str, *, owe_summary: bool = False) -> None:
        with self._write() as conn:
            fence_check(self, conn)
            conn.execute(update(s.sync_runs).where(s.sync_runs.c.id == run_id).values(finished_at=now().isoformat(), status=f"failed: {message}"))
            if owe_summary:
                self._set_meta(conn, SUMMARY_OWED, "1")

    @guarded
    def runs(self, limit: int = 20) -> list[RunRecord]:
        with self._read() as conn:
            rows = conn.execute(select(s.sync_runs).order_by(s.sync_runs.c.id.desc()).limit(limit)).mappings().all()
            live = self._live_holders(conn)
        return [run_record(r, live) for r in rows]

    @guarded
    def pending_retries(self) -> list[str]:
        """Units owed a re-read now: their last read failed (temporarily, or for good and
        their backoff has passed)."""
        st = s.unit_state.c
        with self._read() as conn:
            due = (st.retry == 1) & (st.retry_after.is_(None) | (st.retry_after <= self.clock.time()))
            return list(conn.execute(select(st.unit_code).where(due)).scalars())

    @guarded
    def reread_due(self) -> dict[str, datetime | None]:
        """Every unit owed a re-read, with when it will be read again (None: at the next sync)."""
        st = s.unit_state.c
        with self._read() as conn:
            rows = conn.execute(select(st.unit_code, st.retry_after).where(st.retry == 1)).all()
        return {code: epoch_time(after) if after and after > self.clock.time() else None for code, after in rows}

    # --- recording reads -----------------------------------------------------------------------

    @guarded
    def record_read(
        self, run_id: int, submission: Submission, problems: list[Problem], modified_at: datetime, *, read_at: datetime | None = None
    ) -> ReadOutcome:
        """Record a unit's parsed files: a new version if valid and new; its problems always.

        ``read_at``: when the read began. A read that began before the recorded one and saw
        an older file (a slow sync finishing after a newer one) changes nothing: stale."""
        read_at = read_at or now()
        with self._write() as conn:
            fence_check(self, conn)
            state = self._state(conn, submission.unit_code)
            outcome, values, problems = self._apply_read(conn, run_id, state, submission, problems, modified_at, read_at)
            if values is not None:
                self._save_states(conn, [values], [(submission.unit_code, problems)], run_id)
        return outcome

    @guarded
    def record_reads(self, run_id: int, reads: Sequence[tuple[Submission, list[Problem], datetime, datetime | None]]) -> list[ReadOutcome]:
        """``record_read`` for several units (each once) in one transaction: one fence check,
        the units' states read in one query, their states and problems written with
        executemany. (submission, problems, modified_at, read_at) each; outcomes in order."""
        if not reads:
            return []
        codes = [submission.unit_code for submission, *_ in reads]
        if len(set(codes)) != len(codes):
            raise ValueError("record_reads: a unit appears twice in one batch")
        with self._write() as conn:
            fence_check(self, conn)
            st = s.unit_state
            states = {row["unit_code"]: row for row in conn.execute(select(st).where(st.c.unit_code.in_(codes))).mappings()}
            outcomes: list[ReadOutcome] = []
            rows: list[dict] = []
            told: list[tuple[str, list[Problem]]] = []
            for submission, problems, modified_at, read_at in reads:
                outcome, values, kept = self._apply_read(conn, run_id, states.get(submission.unit_code), submission, problems, modified_at, read_at or now())
                outcomes.append(outcome)
                if values is not None:
                    rows.append(values)
                    told.append((submission.unit_code, kept))
            self._save_states(conn, rows, told, run_id)
        return outcomes

    def _apply_read(
        self, conn: Connection, run_id: int, state, submission: Submission, problems: list[Problem], modified_at: datetime, read_at: datetime
    ) -> tuple[ReadOutcome, dict | None, list[Problem]]:
        """One read against the unit's stored ``state``: its version stored (if valid and
        new) and its new state row (None when the read is stale), not yet written."""
        if _stale(state, modified_at, read_at):
            return ReadOutcome(version_added=False, accepted=False, stale=True), None, problems
        accepted_id = state["accepted_version_id"] if state else None
        if submission.is_empty and accepted_id is not None:
            problems = [*problems, _emptied(submission.unit_code)]
        errors = [p for p in problems if p.severity == "error"]
        first_accepted = state["first_accepted_at"] if state else None
        version_added = False
        if submission.is_empty and not errors:
            read_status = "empty"
        elif errors:
            read_status = "invalid"
        else:
            read_status = "ok"
            content = submission.to_json()
            content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
            version_added = (
                self._insert_ignore(
                    conn,
                    s.versions,
                    dict(
                        unit_code=submission.unit_code,
                        content_hash=content_hash,
                        content=content,
                        source_modified_at=modified_at.isoformat(),
                        stored_at=now().isoformat(),
                        run_id=run_id,
                    ),
                    ["unit_code", "content_hash"],
                )
                == 1
            )
            accepted_id = conn.execute(
                select(s.versions.c.id).where(s.versions.c.unit_code == submission.unit_code, s.versions.c.content_hash == content_hash)
            ).scalar_one()
            first_accepted = first_accepted or modified_at.isoformat()
        values = self._state_values(
            submission.unit_code,
            read_status=read_status,
            accepted_version_id=accepted_id,
            first_accepted_at=first_accepted,
            last_modified_at=modified_at.isoformat(),
            run_id=run_id,
            problems=problems,
            read_at=read_at,
        )
        return ReadOutcome(version_added=version_added, accepted=read_status == "ok"), values, problems

    @guarded
    def record_failure(
        self, run_id: int, unit_code: str, problem: Problem, *, retry: bool, gone: bool = False, read_at: datetime | None = None, backoff: bool = False
    ) -> bool:
        """A unit could not be read. Its last valid version stays; it is flagged. False (and
        nothing recorded) when a read that began later is already recorded.

        ``retry``: it is owed a re-read at the next sync; with ``backoff`` (a permanent
        failure: 404, 403…) not before ``reread_delay`` of its failures in a row."""
        read_at = read_at or now()
        with self._write() as conn:
            fence_check(self, conn)
            state = self._state(conn, unit_code)
            if state is not None and state["read_started_at"] and read_at < datetime.fromisoformat(state["read_started_at"]):
                return False
            self._write_state(
                conn,
                unit_code,
                read_status="gone" if gone else "unreadable",
                accepted_version_id=state["accepted_version_id"] if state else None,
                first_accepted_at=state["first_accepted_at"] if state else None,
                last_modified_at=state["last_modified_at"] if state else None,
                run_id=run_id,
                problems=[problem],
                retry=retry,
                read_at=read_at,
                failures=(state["failures"] if state else 0) + 1,
                backoff=backoff,
            )
        return True

    def _state(self, conn: Connection, unit_code: str):
        return conn.execute(select(s.unit_state).where(s.unit_state.c.unit_code == unit_code)).mappings().first()

    def _write_state(self, conn: Connection, unit_code: str, *, run_id: int, problems: list[Problem], **fields) -> None:
        values = self._state_values(unit_code, run_id=run_id, problems=problems, **fields)
        self._save_states(conn, [values], [(unit_code, problems)], run_id)

    def _state_values(
        self,
        unit_code: str,
        *,
        read_status: str,
        accepted_version_id,
        first_accepted_at,
        last_modified_at,
        run_id: int,
        problems: list[Problem],
        retry: bool = False,
        read_at: datetime | None = None,
        failures: int = 0,
        backoff: bool = False,
    ) -> dict:
        errors = sum(1 for p in problems if p.severity == "error")
        retry_after = self.clock.time() + reread_delay(failures) if retry and backoff else None
        return dict(
            unit_code=unit_code,
            read_status=read_status,
            accepted_version_id=accepted_version_id,
            first_accepted_at=first_accepted_at,
            last_modified_at=last_modified_at,
            last_read_at=now().isoformat(),
            last_run_id=run_id,
            error_count=errors,
            warning_count=len(problems) - errors,
            retry=int(retry),
            read_started_at=(read_at or now()).isoformat(),
            retry_after=retry_after,
            failures=failures,
        )

    def _save_states(self, conn: Connection, rows: list[dict], told: list[tuple[str, list[Problem]]], run_id: int) -> None:
        """Units' state rows upserted and their problems inserted, each with one executemany."""
        if rows:
            stmt = self._insert(s.unit_state)
            stmt = stmt.on_conflict_do_update(index_elements=["unit_code"], set_={c: stmt.excluded[c] for c in rows[0] if c != "unit_code"})
            conn.execute(stmt, rows)
        found = [
            dict(unit_code=code, run_id=run_id, severity=p.severity, code=p.code, sheet=p.sheet, row=p.row, column=p.column, message=p.message)
            for code, problems in told
            for p in problems
        ]
        if found:
            conn.execute(s.problems.insert(), found)

    # --- reading back ------------------------------------------------------------------------

    @guarded
    def problems(self, unit_code: str) -> list[Problem]:
        """The problems found at the unit's latest read."""
        return self._problems(s.problems.c.unit_code == unit_code)

    @guarded
    def all_problems(self) -> list[Problem]:
        return self._problems(None)

    def _problems(self, condition) -> list[Problem]:
        p, st = s.problems, s.unit_state
        query = select(p).join(st, (st.c.unit_code == p.c.unit_code) & (st.c.last_run_id == p.c.run_id))
        if condition is not None:
            query = query.where(condition)
        with self._read() as conn:
            rows = conn.execute(query.order_by(p.c.unit_code, p.c.id)).mappings().all()
        return [problem(r) for r in rows]

    @guarded
    def versions(self, unit_code: str, *, newest_first: bool = False) -> list[VersionRecord]:
        """The unit's stored versions, oldest first (``newest_first``: the other way)."""
        v = s.versions
        with self._read() as conn:
            rows = conn.execute(
                select(v.c.id, v.c.unit_code, v.c.content_hash, v.c.source_modified_at, v.c.stored_at, v.c.run_id)
                .where(v.c.unit_code == unit_code)
                .order_by(v.c.id.desc() if newest_first else v.c.id)
            ).mappings()
            return [version_record(r) for r in rows]

    @guarded
    def version_content(self, version_id: int) -> tuple[str, str] | None:
        """(unit code, the submission's JSON) of one stored version."""
        with self._read() as conn:
            row = conn.execute(select(s.versions.c.unit_code, s.versions.c.content).where(s.versions.c.id == version_id)).first()
        return (row[0], row[1]) if row else None

    @guarded
    def unit_records(self, campaign: Campaign) -> list[UnitRecord]:
        """Every campaign unit, in config order, with its status and last accepted version
        (on time or late by when that version was made)."""
        st, v = s.unit_state, s.versions
        with self._read() as conn:
            rows = (
                conn.execute(select(st, v.c.content, v.c.source_modified_at).select_from(st.outerjoin(v, v.c.id == st.c.accepted_version_id))).mappings().all()
            )
        states = {r["unit_code"]: r for r in rows}
        records = []
        for unit in campaign.units:
            state = states.get(unit.code)
            if state is None:
                records.append(UnitRecord(unit=unit, status="missing", submission=None, submitted_at=None, last_modified=None))
                continue
            submission = Submission.from_json(unit.code, state["content"]) if state["content"] else None
            # the deadline applies to the version counted: a correction made after it is late
            submitted_at = as_time(state["source_modified_at"]) or as_time(state["first_accepted_at"])
            flagged = state["read_status"] in FLAGGING_READS
            status = unit_status(state["read_status"], submission is not None, submitted_at, campaign.deadline)
            records.append(
                UnitRecord(
                    unit=unit,
                    status=status,
                    submission=submission,
                    submitted_at=submitted_at,
                    # a unit that never sent anything (its file is the blank form) has no "last change"
                    last_modified=None if status == "missing" else as_time(state["last_modified_at"]),
                    error_count=state["error_count"],
                    warning_count=state["warning_count"],
                    flagged=flagged,
                )
            )
        return records

    @guarded
    def read_statuses(self) -> dict[str, str]:
        with self._read() as conn:
            return {r[0]: r[1] for r in conn.execute(select(s.unit_state.c.unit_code, s.unit_state.c.read_status))}

    # --- provisioned files and outputs -----------------------------------------------------

    @guarded
    def save_unit_files(self, backend: str, files: UnitFiles) -> None:
        values = dict(
            unit_code=files.unit_code,
            backend=backend,
            sheet_id=files.sheet_id,
            sheet_url=files.sheet_url,
            doc_id=files.doc_id,
            doc_url=files.doc_url,
            provisioned_at=now().isoformat(),
        )
        with self._write() as conn:
            fence_check(self, conn)
            self._upsert(conn, s.unit_files, values, ["unit_code", "backend"], ["sheet_id", "sheet_url", "doc_id", "doc_url"])

    @guarded
    def unit_files(self, backend: str) -> dict[str, UnitFiles]:
        f = s.unit_files
        with self._read() as conn:
            rows = conn.execute(select(f).where(f.c.backend == backend)).mappings().all()
        return {r["unit_code"]: UnitFiles(r["unit_code"], r["sheet_id"], r["sheet_url"], r["doc_id"], r["doc_url"]) for r in rows}

    @guarded
    def save_output(self, kind: str, name: str, url: str) -> None:
        """Record an output; call only once the file exists where ``url`` points."""
        with self._write() as conn:
            fence_check(self, conn)
            conn.execute(s.outputs.insert().values(kind=kind, name=name, url=url, created_at=now().isoformat()))

    @guarded
    def outputs(self, limit: int = 20, kind: str | None = None) -> list[OutputRecord]:
        o = s.outputs
        query = select(o).order_by(o.c.id.desc()).limit(limit)
        if kind:
            query = query.where(o.c.kind == kind)
        with self._read() as conn:
            return [OutputRecord(r["id"], r["kind"], r["name"], r["url"], a_time(r["created_at"])) for r in conn.execute(query).mappings()]

    @guarded
    def counts(self) -> dict[str, int]:
        """Rows per main table (for tests, benchmarks, health checks)."""
        with self._read() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (s.sync_runs, s.versions, s.unit_state, s.jobs)}


def _stale(state, modified_at: datetime, read_at: datetime) -> bool:
    """Began before the recorded read and saw an older file: a slow, overtaken read. (File
    times alone are not enough: a unit may restore an older copy, and the demo writes past
    times; read order alone is not either, across machines whose clocks differ.)"""
    if state is None or not state["read_started_at"] or not state["last_modified_at"]:
        return False
    return read_at < datetime.fromisoformat(state["read_started_at"]) and modified_at < datetime.fromisoformat(state["last_modified_at"])


def _emptied(unit_code: str) -> Problem:
    return Problem(
        unit_code,
        "Biểu mẫu của đơn vị đã bị xóa hết nội dung. Hệ thống vẫn giữ bản hợp lệ gần nhất để tổng hợp; "
        "hãy khôi phục nội dung (Lịch sử phiên bản) hoặc điền lại.",
        "emptied",
    )


__all__ = ["REREAD_FIRST_SECONDS", "REREAD_MAX_SECONDS", "SUMMARY_OWED", "SqlVersionStore", "reread_delay"]

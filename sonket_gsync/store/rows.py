"""Database rows to records, for every part of the store (nothing past the store sees a row)."""

from __future__ import annotations

from sonket_gsync.forms.submission import Problem
from sonket_gsync.store.base import a_time, as_time
from sonket_gsync.store.records import RunRecord, VersionRecord


def run_record(row, live_holders: set[str]) -> RunRecord:
    status = row["status"]
    if status == "running" and row["holder"] and row["holder"] not in live_holders:
        status = "interrupted"  # its holder died: the lease expired without the run finishing
    return RunRecord(
        id=row["id"],
        trigger=row["trigger"],
        backend=row["backend"],
        full=bool(row["full"]),
        started_at=a_time(row["started_at"]),
        finished_at=as_time(row["finished_at"]),
        units_changed=row["units_changed"] or 0,
        units_read=row["units_read"] or 0,
        versions_added=row["versions_added"] or 0,
        units_invalid=row["units_invalid"] or 0,
        units_failed=row["units_failed"] or 0,
        status=status,
        holder=row["holder"] or "",
        job_id=row["job_id"],
    )


def version_record(row) -> VersionRecord:
    return VersionRecord(row["id"], row["unit_code"], row["content_hash"], a_time(row["source_modified_at"]), a_time(row["stored_at"]), row["run_id"])


def problem(row) -> Problem:
    return Problem(
        unit_code=row["unit_code"],
        message=row["message"],
        code=row["code"],
        sheet=row["sheet"],
        row=row["row"],
        column=row["column"],
        severity=row["severity"],
    )

"""The SQLite store: every accepted version, each unit's state, its problems, the sync runs,
and the backend's sync cursor — kept together so the cursor can never run ahead of the data.

A unit's accepted version only ever moves forward to another valid version: a read that
fails or finds errors records the problems and flags the unit, and the last valid version
stays what aggregation uses.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .backends.base import UnitFiles
from .campaign import Campaign
from .errors import StoreError
from .submission import Problem, Submission, UnitRecord
from .text import now

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_runs (
    id INTEGER PRIMARY KEY,
    trigger TEXT NOT NULL,
    backend TEXT NOT NULL,
    full INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    units_changed INTEGER DEFAULT 0,
    units_read INTEGER DEFAULT 0,
    versions_added INTEGER DEFAULT 0,
    units_invalid INTEGER DEFAULT 0,
    units_failed INTEGER DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    unit_code TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    content TEXT NOT NULL,
    source_modified_at TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    run_id INTEGER REFERENCES sync_runs(id),
    UNIQUE (unit_code, content_hash)
);
CREATE TABLE IF NOT EXISTS unit_state (
    unit_code TEXT PRIMARY KEY,
    read_status TEXT NOT NULL,          -- ok | invalid | unreadable | empty | gone
    accepted_version_id INTEGER REFERENCES versions(id),
    first_accepted_at TEXT,             -- file time of the first accepted version
    last_modified_at TEXT,
    last_read_at TEXT,
    last_run_id INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0,
    retry INTEGER NOT NULL DEFAULT 0   -- a retryable failure: read again at the next sync
);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY,
    unit_code TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    sheet TEXT NOT NULL DEFAULT '',
    row INTEGER,
    "column" TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problems_by_unit ON problems (unit_code, run_id);
CREATE TABLE IF NOT EXISTS unit_files (
    unit_code TEXT NOT NULL,
    backend TEXT NOT NULL,
    sheet_id TEXT NOT NULL,
    sheet_url TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '',
    doc_url TEXT NOT NULL DEFAULT '',
    provisioned_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, backend)
);
CREATE TABLE IF NOT EXISTS outputs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ReadOutcome:
    """What recording one unit's read changed."""

    version_added: bool
    accepted: bool


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.executescript(SCHEMA)
            self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"Không mở được kho dữ liệu SQLite: {exc}.",
                where=str(self.path),
                fix="Kiểm tra tệp có bị hỏng hoặc bị chương trình khác khóa; có thể khôi phục từ bản sao lưu.",
            ) from None

    def close(self) -> None:
        self.db.close()

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row["value"]) > SCHEMA_VERSION:
            raise StoreError(
                f"Kho dữ liệu thuộc phiên bản mới hơn ({row['value']}).",
                where=str(self.path),
                fix="Cập nhật sonket-gsync lên phiên bản mới nhất.",
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- cursor and runs -------------------------------------------------------------------

    def cursor(self, backend: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"cursor:{backend}",)).fetchone()
        return row["value"] if row else None

    def begin_run(self, trigger: str, backend: str, full: bool) -> int:
        cur = self.db.execute(
            "INSERT INTO sync_runs (trigger, backend, full, started_at) VALUES (?, ?, ?, ?)",
            (trigger, backend, int(full), now().isoformat()),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, *, backend: str, cursor: str, counts: dict[str, int], status: str = "ok") -> None:
        with self.transaction() as db:
            db.execute(
                """UPDATE sync_runs SET finished_at = ?, status = ?, units_changed = ?, units_read = ?,
                   versions_added = ?, units_invalid = ?, units_failed = ? WHERE id = ?""",
                (
                    now().isoformat(),
                    status,
                    counts.get("changed", 0),
                    counts.get("read", 0),
                    counts.get("versions_added", 0),
                    counts.get("invalid", 0),
                    counts.get("failed", 0),
                    run_id,
                ),
            )
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"cursor:{backend}", cursor),
            )

    def fail_run(self, run_id: int, message: str) -> None:
        self.db.execute("UPDATE sync_runs SET finished_at = ?, status = ? WHERE id = ?", (now().isoformat(), f"failed: {message}", run_id))

    def runs(self, limit: int = 20) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    def pending_retries(self) -> list[str]:
        return [r["unit_code"] for r in self.db.execute("SELECT unit_code FROM unit_state WHERE retry = 1")]

    # --- recording reads -------------------------------------------------------------------

    def record_read(self, run_id: int, submission: Submission, problems: list[Problem], modified_at: datetime) -> ReadOutcome:
        """Record a unit's parsed files: a new version if valid and new; its problems always."""
        with self.transaction() as db:
            state = self._state(submission.unit_code)
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
                cur = db.execute(
                    """INSERT OR IGNORE INTO versions (unit_code, content_hash, content, source_modified_at, stored_at, run_id)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    (submission.unit_code, content_hash, content, modified_at.isoformat(), now().isoformat(), run_id),
                )
                version_added = cur.rowcount == 1
                accepted_id = db.execute(
                    "SELECT id FROM versions WHERE unit_code = ? AND content_hash = ?", (submission.unit_code, content_hash)
                ).fetchone()["id"]
                first_accepted = first_accepted or modified_at.isoformat()
            self._write_state(
                db,
                submission.unit_code,
                read_status=read_status,
                accepted_version_id=accepted_id,
                first_accepted_at=first_accepted,
                last_modified_at=modified_at.isoformat(),
                run_id=run_id,
                problems=problems,
            )
        return ReadOutcome(version_added=version_added, accepted=read_status == "ok")

    def record_failure(self, run_id: int, unit_code: str, problem: Problem, *, retry: bool, gone: bool = False) -> None:
        """A unit could not be read. Its last valid version stays; it is flagged."""
        with self.transaction() as db:
            state = self._state(unit_code)
            self._write_state(
                db,
                unit_code,
                read_status="gone" if gone else "unreadable",
                accepted_version_id=state["accepted_version_id"] if state else None,
                first_accepted_at=state["first_accepted_at"] if state else None,
                last_modified_at=state["last_modified_at"] if state else None,
                run_id=run_id,
                problems=[problem],
                retry=retry,
            )

    def _state(self, unit_code: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM unit_state WHERE unit_code = ?", (unit_code,)).fetchone()

    def _write_state(self, db, unit_code: str, *, read_status: str, accepted_version_id, first_accepted_at, last_modified_at, run_id: int, problems: list[Problem], retry: bool = False) -> None:
        errors = sum(1 for p in problems if p.severity == "error")
        db.execute(
            """INSERT INTO unit_state (unit_code, read_status, accepted_version_id, first_accepted_at, last_modified_at,
                                       last_read_at, last_run_id, error_count, warning_count, retry)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(unit_code) DO UPDATE SET read_status = excluded.read_status,
                 accepted_version_id = excluded.accepted_version_id, first_accepted_at = excluded.first_accepted_at,
                 last_modified_at = excluded.last_modified_at, last_read_at = excluded.last_read_at,
                 last_run_id = excluded.last_run_id, error_count = excluded.error_count,
                 warning_count = excluded.warning_count, retry = excluded.retry""",
            (unit_code, read_status, accepted_version_id, first_accepted_at, last_modified_at, now().isoformat(), run_id, errors, len(problems) - errors, int(retry)),
        )
        db.executemany(
            """INSERT INTO problems (unit_code, run_id, severity, code, sheet, row, "column", message)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [(unit_code, run_id, p.severity, p.code, p.sheet, p.row, p.column, p.message) for p in problems],
        )

    # --- reading back ------------------------------------------------------------------------

    def problems(self, unit_code: str) -> list[Problem]:
        """The problems found at the unit's latest read."""
        rows = self.db.execute(
            """SELECT p.* FROM problems p JOIN unit_state s ON s.unit_code = p.unit_code AND s.last_run_id = p.run_id
               WHERE p.unit_code = ? ORDER BY p.id""",
            (unit_code,),
        ).fetchall()
        return [_problem(r) for r in rows]

    def all_problems(self) -> list[Problem]:
        rows = self.db.execute(
            """SELECT p.* FROM problems p JOIN unit_state s ON s.unit_code = p.unit_code AND s.last_run_id = p.run_id
               ORDER BY p.unit_code, p.id"""
        ).fetchall()
        return [_problem(r) for r in rows]

    def versions(self, unit_code: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT id, content_hash, source_modified_at, stored_at, run_id FROM versions WHERE unit_code = ? ORDER BY id",
            (unit_code,),
        ).fetchall()

    def unit_records(self, campaign: Campaign) -> list[UnitRecord]:
        """Every campaign unit, in config order, with its status and last accepted version."""
        states = {
            r["unit_code"]: r
            for r in self.db.execute(
                """SELECT s.*, v.content FROM unit_state s LEFT JOIN versions v ON v.id = s.accepted_version_id"""
            )
        }
        records = []
        for unit in campaign.units:
            state = states.get(unit.code)
            if state is None:
                records.append(UnitRecord(unit=unit, status="missing", submission=None, submitted_at=None, last_modified=None))
                continue
            submission = Submission.from_json(unit.code, state["content"]) if state["content"] else None
            submitted_at = _time(state["first_accepted_at"])
            flagged = state["read_status"] in ("invalid", "unreadable", "gone")
            if flagged:
                status = "invalid"
            elif submission is None:
                status = "missing"
            else:
                status = "on_time" if submitted_at <= campaign.deadline else "late"
            records.append(
                UnitRecord(
                    unit=unit,
                    status=status,
                    submission=submission,
                    submitted_at=submitted_at,
                    # a unit that never sent anything (its file is still the blank form) has no "last change"
                    last_modified=None if status == "missing" and not flagged else _time(state["last_modified_at"]),
                    error_count=state["error_count"],
                    warning_count=state["warning_count"],
                    flagged=flagged,
                )
            )
        return records

    def read_statuses(self) -> dict[str, str]:
        return {r["unit_code"]: r["read_status"] for r in self.db.execute("SELECT unit_code, read_status FROM unit_state")}

    # --- provisioned files and outputs -----------------------------------------------------

    def save_unit_files(self, backend: str, files: UnitFiles) -> None:
        self.db.execute(
            """INSERT INTO unit_files (unit_code, backend, sheet_id, sheet_url, doc_id, doc_url, provisioned_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(unit_code, backend) DO UPDATE SET sheet_id = excluded.sheet_id, sheet_url = excluded.sheet_url,
                 doc_id = excluded.doc_id, doc_url = excluded.doc_url""",
            (files.unit_code, backend, files.sheet_id, files.sheet_url, files.doc_id, files.doc_url, now().isoformat()),
        )

    def unit_files(self, backend: str) -> dict[str, UnitFiles]:
        rows = self.db.execute("SELECT * FROM unit_files WHERE backend = ?", (backend,)).fetchall()
        return {
            r["unit_code"]: UnitFiles(r["unit_code"], r["sheet_id"], r["sheet_url"], r["doc_id"], r["doc_url"]) for r in rows
        }

    def save_output(self, kind: str, name: str, url: str) -> None:
        self.db.execute(
            "INSERT INTO outputs (kind, name, url, created_at) VALUES (?, ?, ?, ?)", (kind, name, url, now().isoformat())
        )

    def outputs(self, limit: int = 20) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM outputs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()


def _problem(row: sqlite3.Row) -> Problem:
    return Problem(
        unit_code=row["unit_code"],
        message=row["message"],
        code=row["code"],
        sheet=row["sheet"],
        row=row["row"],
        column=row["column"],
        severity=row["severity"],
    )


def _emptied(unit_code: str) -> Problem:
    return Problem(
        unit_code,
        "Biểu mẫu của đơn vị đã bị xóa hết nội dung. Hệ thống vẫn giữ bản hợp lệ gần nhất để tổng hợp; "
        "hãy khôi phục nội dung (Lịch sử phiên bản) hoặc điền lại.",
        "emptied",
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


"""The store: everything the campaign keeps, one module per concern, each behind a narrow
protocol (protocol.py): versions and runs (versions.py: versions, unit state, problems, runs,
cursor, files, outputs), the writer lease (lease.py), the job queue and worker heartbeats
(jobs.py), the web's tables (web.py), the submission workflow's acts, comments and signed
PDFs (submissions.py), and the dashboard's read across them (overview.py).
``SqlStore`` is all of them on one engine.

SQLite (a file in the data folder) is the embedded default; ``SONKET_DATABASE_URL`` =
``postgresql://…`` selects PostgreSQL for deployments with several processes or machines.
Both go through SQLAlchemy Core; the schema is built by Alembic migrations (migrations/).

    store = open_store(settings)                 # creates and migrates the store if needed
    store = open_store(settings, create=False)   # read-only commands: StoreMissing if none
    store = open_store(settings, clock=clock)    # leases, due times, heartbeats on that clock
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import Engine, exc

from sonket_gsync.core.clock import SYSTEM, Clock
from sonket_gsync.core.errors import StoreMissing
from sonket_gsync.store.engine import database_url, describe, has_tables, make_engine, migrate, translate
from sonket_gsync.store.jobs import SqlJobStore
from sonket_gsync.store.lease import WRITER, SqlLeaseStore
from sonket_gsync.store.overview import SqlOverview
from sonket_gsync.store.protocol import JobStore, LeaseStore, OverviewReads, StoreProtocol, SubmissionStore, VersionStore, WebTables
from sonket_gsync.store.records import ChannelInfo, Job, LeaseInfo, OutputRecord, ReadOutcome, RunRecord, Staff, UnitState, VersionRecord
from sonket_gsync.store.reminders import SqlReminderLog
from sonket_gsync.store.submissions import SqlSubmissionStore
from sonket_gsync.store.versions import SqlVersionStore
from sonket_gsync.store.web import SqlWebTables


class SqlStore(SqlVersionStore, SqlLeaseStore, SqlJobStore, SqlWebTables, SqlOverview, SqlReminderLog, SqlSubmissionStore):
    """The store on SQLAlchemy: SQLite or PostgreSQL. Safe to share between threads (a pool
    hands each thread its own connection)."""

    def __init__(self, target: Engine | Path | str, *, clock: Clock = SYSTEM) -> None:
        if isinstance(target, Engine):
            engine = target
        else:  # a path: the SQLite file (kept for callers of the first store, Store(path))
            url = str(target) if "://" in str(target) else database_url("", Path(target))
            engine = _opened(url)
        super().__init__(engine, clock=clock)

    def close(self) -> None:
        self.engine.dispose()


Store = SqlStore  # the name the engine has always used


def open_store(settings, *, create: bool = True, clock: Clock = SYSTEM) -> SqlStore:
    """The campaign's store as the settings say. ``create=False`` (read-only commands):
    raise StoreMissing rather than make an empty store in the wrong folder. ``clock``: what
    leases, job due times and heartbeats read (tests pass a ManualClock)."""
    url = database_url(getattr(settings, "database_url", ""), settings.db_path)
    sqlite = not settings_url(settings)
    if not create and sqlite and not Path(settings.db_path).is_file():
        raise _missing(settings, str(Path(settings.db_path).absolute()))
    return SqlStore(_opened(url, create=create, settings=settings), clock=clock)


def settings_url(settings) -> str:
    return getattr(settings, "database_url", "") or ""


def _opened(url: str, *, create: bool = True, settings=None) -> Engine:
    engine = make_engine(url)
    try:
        if not create:
            with engine.connect() as conn:
                exists = has_tables(conn)
            if not exists:
                engine.dispose()
                raise _missing(settings, describe(url))
        migrate(engine)
    except (exc.SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise translate(error, describe(url)) from None
    return engine


def _missing(settings, where: str) -> StoreMissing:
    data = Path(settings.data_dir).absolute() if settings is not None else ""
    return StoreMissing(
        f"Chưa có dữ liệu chiến dịch ở đây: thư mục dữ liệu {data} chưa từng được tạo biểu mẫu (provision) hay đồng bộ (sync).",
        where=where,
        fix="Chỉ đến đúng thư mục dữ liệu bằng tùy chọn --data THƯ_MỤC (hoặc biến môi trường SONKET_DATA_DIR, "
        "hoặc SONKET_DATABASE_URL nếu dùng PostgreSQL; mặc định ./data, cũng là nơi 'sonket-gsync demo' ghi); "
        "nếu là chiến dịch mới, chạy 'sonket-gsync provision' trước." + _stores_near(settings),
    )


def _stores_near(settings) -> str:
    """Data folders beside the one asked for that do hold a store: the likely right one."""
    if settings is None:
        return ""
    data = Path(settings.data_dir)
    found: set[str] = set()
    for base in {Path.cwd(), data.parent}:
        with contextlib.suppress(OSError):
            found |= {str(p.parent) for p in sorted(base.glob("*/sonket.db"))[:5]}
    return f" Thư mục có dữ liệu ở gần: {', '.join(sorted(found)[:5])}." if found else ""


__all__ = [
    "WRITER",
    "ChannelInfo",
    "Job",
    "JobStore",
    "LeaseInfo",
    "LeaseStore",
    "OutputRecord",
    "OverviewReads",
    "ReadOutcome",
    "RunRecord",
    "SqlStore",
    "Staff",
    "Store",
    "StoreProtocol",
    "SubmissionStore",
    "UnitState",
    "VersionRecord",
    "VersionStore",
    "WebTables",
    "open_store",
]

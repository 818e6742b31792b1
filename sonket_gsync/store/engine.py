"""The database engine behind the store: one SQLAlchemy engine (a pool: a connection per
thread at a time), transactions that serialise writers, every database error translated
into a SonketError at this boundary, and migrations run once, under a lock.

SQLite (the embedded default): WAL, a busy timeout, and every write transaction opened with
``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way. PostgreSQL:
writes take a transaction-scoped advisory lock, which gives the same one-writer-at-a-time
order across processes and machines.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect, text
from sqlalchemy.engine import make_url

from sonket_gsync.core.errors import SonketError, StoreBusy, StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITE_LOCK = 4_545_001  # advisory lock key: the store's writers (PostgreSQL)
MIGRATE_LOCK = 4_545_002  # advisory lock key: migrations (PostgreSQL)
BUSY_TIMEOUT_MS = 15_000
BUSY_ATTEMPTS = 4
T = TypeVar("T")

_BUSY_WORDS = (
    "database is locked",
    "database table is locked",
    "busy",
    "lock timeout",
    "lock_timeout",
    "could not obtain lock",
    "deadlock detected",
    "could not serialize",
    "connection refused",
    "could not connect",
    "server closed the connection",
    "connection timeout",
    "timeout expired",
    "too many clients",
    "the database system is starting up",
    "the database system is shutting down",
    "terminating connection",
    "queuepool limit",
)
_CORRUPT_WORDS = ("malformed", "not a database", "file is encrypted", "disk image")


def database_url(url: str, sqlite_path: Path) -> str:
    """The SQLAlchemy URL: the SQLite file when ``url`` is empty; psycopg 3 for postgresql://."""
    if not url:
        return f"sqlite:///{Path(sqlite_path).absolute()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def describe(url: str) -> str:
    """Where the store is, for messages (never the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def translate(error: BaseException, where: str) -> SonketError:
    """A database error as the SonketError a person (or a retry loop) can act on."""
    if isinstance(error, SonketError):
        return error
    message = str(getattr(error, "orig", None) or error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    lowered = str(error).lower()
    if isinstance(error, exc.TimeoutError) or any(w in lowered for w in _BUSY_WORDS):
        return StoreBusy(
            f"Kho dữ liệu đang bận hoặc tạm thời không kết nối được ({message}).",
            where=where,
            fix="Chờ một lát rồi chạy lại; nếu kéo dài, kiểm tra máy chủ cơ sở dữ liệu và tiến trình đang ghi vào kho.",
        )
    if any(w in lowered for w in _CORRUPT_WORDS):
        return StoreError(
            f"Kho dữ liệu bị hỏng, không đọc được ({message}).",
            where=where,
            fix="Khôi phục tệp kho dữ liệu từ bản sao lưu gần nhất, hoặc chạy lại 'sonket-gsync sync --full' trên một thư mục dữ liệu mới.",
        )
    if isinstance(error, exc.OperationalError):
        return StoreBusy(
            f"Kho dữ liệu tạm thời không dùng được ({message}).",
            where=where,
            fix="Chạy lại sau ít phút; kiểm tra ổ đĩa còn chỗ trống và máy chủ cơ sở dữ liệu đang chạy.",
        )
    return StoreError(
        f"Kho dữ liệu từ chối thao tác ({message}).",
        where=where,
        fix="Kiểm tra phiên bản sonket-gsync khớp với kho dữ liệu; nếu lỗi lặp lại, báo cho quản trị hệ thống.",
    )


def guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Translate database errors raised by a store method; retry a busy write a few times."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        for attempt in range(BUSY_ATTEMPTS):
            try:
                return method(self, *args, **kwargs)
            except (exc.SQLAlchemyError, OSError) as error:
                translated = translate(error, self.where)
            if not translated.retryable or attempt == BUSY_ATTEMPTS - 1:
                raise translated from None
            time.sleep(0.05 * (2**attempt) + random.random() * 0.05)
        raise AssertionError("unreachable")

    return wrapper


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_size=8, max_overflow=16, pool_timeout=60, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            for attempt in range(20):  # switching a new file to WAL needs a moment alone
                try:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    break
                except Exception as error:  # sqlite3.OperationalError: database is locked
                    if "locked" not in str(error) or attempt == 19:
                        raise
                    time.sleep(0.05 + random.random() * 0.1)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection):
            write = conn.get_execution_options().get("sonket_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        pool_timeout=60,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "options": "-c lock_timeout=30000"},
    )


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: one at a time across every process using this store."""
    with engine.connect() as conn:
        conn.execution_options(sonket_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent snapshot for reading (SQLite WAL / PostgreSQL)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def _alembic_config(conn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def known_revisions() -> tuple[str, ...]:
    """The revisions this version knows, oldest first, read from the migration file names
    (``NNNN_what.py`` holds revision ``"NNNN"``, down_revision the one before; a test checks
    this against Alembic's own reading): no Alembic import on the common path."""
    names = os.listdir(MIGRATIONS / "versions")
    return tuple(sorted(m.group(1) for m in map(_REVISION_FILE.match, names) if m))


def head_revision() -> str:
    """The newest revision: the schema every store is brought to."""
    revisions = known_revisions()
    return revisions[-1] if revisions else ""


def current_revision(conn: Connection) -> str | None:
    """The store's revision (alembic_version), None for a store Alembic never touched."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return rows[0] if len(rows) == 1 else None


def has_tables(conn: Connection) -> bool:
    names = set(inspect(conn).get_table_names())
    return "alembic_version" in names or "meta" in names


def migrate(engine: Engine) -> None:
    """Bring the store to the newest schema, once, whoever else opens it at the same time.

    SQLite: under BEGIN IMMEDIATE (other openers wait on the busy timeout, then find the work
    done). PostgreSQL: under an advisory lock, in one transaction (DDL is transactional).
    A store made by the first SQLite-only version (a ``meta`` table, schema_version 1, no
    Alembic table) is stamped as revision 0001 and upgraded from there. The common case, a
    store already at the head, reads alembic_version and never imports Alembic.
    """
    head = head_revision()
    with engine.connect() as conn, conn.begin():
        if current_revision(conn) == head:
            return
    from alembic import command

    with engine.connect() as conn:
        conn.execution_options(sonket_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
            current = current_revision(conn)
            if current == head:
                return
            config = _alembic_config(conn)
            if current is None and _is_first_store(conn):
                newer = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
                if newer is not None and int(newer) > 1:
                    raise StoreError(
                        f"Kho dữ liệu thuộc phiên bản mới hơn ({newer}).",
                        where=describe(str(engine.url)),
                        fix="Cập nhật sonket-gsync lên phiên bản mới nhất.",
                    )
                command.stamp(config, "0001")
            elif current is not None and not _known(current):
                raise StoreError(
                    f"Kho dữ liệu thuộc phiên bản mới hơn (lược đồ {current}).",
                    where=describe(str(engine.url)),
                    fix="Cập nhật sonket-gsync lên phiên bản mới nhất.",
                )
            command.upgrade(config, "head")


def _is_first_store(conn: Connection) -> bool:
    return "meta" in inspect(conn).get_table_names()


def _known(revision: str) -> bool:
    return revision in known_revisions()

"""What every part of the SQL store shares: the engine, the clock, the transactions, upserts,
and small conversions of column values."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from sonket_gsync.core.clock import SYSTEM, Clock
from sonket_gsync.store.engine import describe, read_transaction, write_transaction


class StoreBase:
    """``clock``: what the lease, the job queue and the heartbeats read the time from (a test
    hands a ManualClock and advances it)."""

    engine: Engine
    where: str
    clock: Clock

    def __init__(self, engine: Engine, *, clock: Clock = SYSTEM) -> None:
        self.engine = engine
        self.clock = clock
        self.where = describe(str(engine.url.render_as_string(hide_password=False)))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _write(self):
        return write_transaction(self.engine)

    def _read(self):
        return read_transaction(self.engine)

    def _live_holders(self, conn: Connection) -> set[str]:
        """Holders whose lease has not expired by the store's clock: a 'running' run or job of
        anyone else was interrupted (its process died and stopped renewing)."""
        from sonket_gsync.store.schema import leases

        rows = conn.execute(select(leases.c.holder).where(leases.c.expires_at > self.clock.time(), leases.c.holder.is_not(None)))
        return {r[0] for r in rows}

    def _insert(self, table: Table):
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _upsert(self, conn: Connection, table: Table, values: dict[str, Any], keys: Iterable[str], update: Iterable[str]) -> None:
        stmt = self._insert(table).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
        conn.execute(stmt)

    def _insert_ignore(self, conn: Connection, table: Table, values: dict[str, Any], keys: Iterable[str]) -> int:
        """Insert unless the key exists; 1 if inserted, else 0. (RETURNING, not rowcount:
        psycopg reports -1 for some statements.)"""
        keys = list(keys)
        stmt = self._insert(table).values(**values).on_conflict_do_nothing(index_elements=keys).returning(table.c[keys[0]])
        return len(conn.execute(stmt).all())


def changed(conn: Connection, stmt) -> int:
    """Rows an UPDATE changed, counted with RETURNING (reliable on every driver)."""
    table = stmt.table
    first = next(iter(table.primary_key.columns))
    return len(conn.execute(stmt.returning(first)).all())


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def a_time(value: str) -> datetime:
    """A time from a column that is never empty."""
    return datetime.fromisoformat(value)


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)

"""The reminders log in the store (store/reminders.py), on SQLite and PostgreSQL: each attempt
recorded with when, to whom, the outcome and why; read newest first per unit; the units sent
a reminder on a local day; fenced under the writer lease; the migration from 0005 keeps data."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sonket_gsync.core.errors import LeaseLost
from sonket_gsync.core.text import TZ
from sonket_gsync.store import open_store
from sonket_gsync.store.protocol import ReminderLog


@pytest.fixture
def store(store_settings, clock):
    store = open_store(store_settings, clock=clock)
    yield store
    store.close()


def test_attempts_are_recorded_and_read_newest_first(store, clock):
    assert isinstance(store, ReminderLog)
    clock.set(datetime(2026, 4, 13, 8, 0, tzinfo=TZ))
    first = store.record_reminder("A", recipients=("a@x.example", "a2@x.example"), subject="Nhắc gửi báo cáo: Sơ kết", outcome="sent", trigger="schedule")
    clock.advance(60)
    store.record_reminder("B", recipients=("b@x.example",), subject="Nhắc", outcome="failed", detail="550 No such mailbox", by="canbo@tinhuy.example")
    clock.advance(60)
    store.record_reminder("A", recipients=(), subject="", outcome="skipped", detail="Đơn vị đã gửi")

    assert first.at == datetime(2026, 4, 13, 8, 0, tzinfo=TZ) and first.recipients == ("a@x.example", "a2@x.example")
    [newest, older] = store.reminders_sent("A")
    assert (newest.outcome, newest.recipients, newest.detail, newest.trigger) == ("skipped", (), "Đơn vị đã gửi", "manual")
    assert older == first and older.at.tzinfo is not None
    [b] = store.reminders_sent("B")
    assert (b.outcome, b.detail, b.by) == ("failed", "550 No such mailbox", "canbo@tinhuy.example")
    assert [e.unit_code for e in store.reminders_sent()] == ["A", "B", "A"]
    assert len(store.reminders_sent(limit=2)) == 2
    assert first.to_dict()["at"] == "2026-04-13T08:00:00+07:00"


def test_the_units_sent_on_a_day_are_counted_by_local_date(store, clock):
    clock.set(datetime(2026, 4, 13, 23, 30, tzinfo=TZ))  # 16:30 UTC: the local day is the 13th
    store.record_reminder("A", recipients=("a@x.example",), subject="s", outcome="sent")
    store.record_reminder("B", recipients=("b@x.example",), subject="s", outcome="failed")
    clock.set(datetime(2026, 4, 14, 6, 59, tzinfo=TZ))  # 23:59 UTC of the 13th: locally the 14th
    store.record_reminder("C", recipients=("c@x.example",), subject="s", outcome="sent")
    assert store.reminded_on(date(2026, 4, 13)) == {"A"}
    assert store.reminded_on(date(2026, 4, 14)) == {"C"}
    assert store.reminded_on(date(2026, 4, 13), outcome="failed") == {"B"}


def test_a_holder_that_lost_the_lease_records_nothing(store, clock):
    ok, _ = store.acquire_lease("holder-1", "nhắc nhở", 10)
    assert ok
    with store.fence("holder-1", store.lease_token("holder-1")):
        store.record_reminder("A", recipients=("a@x.example",), subject="s", outcome="sent")
        clock.advance(11)  # expired: another may hold it now
        with pytest.raises(LeaseLost):
            store.record_reminder("B", recipients=("b@x.example",), subject="s", outcome="sent")
    assert [e.unit_code for e in store.reminders_sent()] == ["A"]


def test_a_store_at_0005_is_upgraded_to_the_reminders_log(store_settings):
    from alembic import command

    from sonket_gsync.store.engine import _alembic_config, current_revision, database_url, make_engine

    url = database_url(store_settings.database_url, store_settings.db_path)
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(conn), "0005")
        assert current_revision(conn) == "0005"
    engine.dispose()
    store = open_store(store_settings)
    try:
        store.record_reminder("A", recipients=("a@x.example",), subject="s", outcome="sent")
        assert [e.unit_code for e in store.reminders_sent()] == ["A"]
    finally:
        store.close()

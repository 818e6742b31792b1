"""The submission workflow's tables (migration 0005) on SQLite and PostgreSQL: acts with
their comments, signed PDFs kept with their hash (bytes read apart), the dashboard's read
carrying the acts, fenced writes, and a store made at 0004 upgraded in place with its data."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, inspect, text

from sonket_gsync.core.errors import LeaseLost
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.submission import Submission
from sonket_gsync.store import SqlStore, StoreProtocol, SubmissionStore, open_store
from sonket_gsync.store.engine import _alembic_config, current_revision, database_url, head_revision, make_engine
from sonket_gsync.store.records import ReviewCommentRecord, SignedPdfRecord, SubmissionEventRecord

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=TZ)


@pytest.fixture
def store(store_settings, clock):
    store = open_store(store_settings, clock=clock)
    yield store
    store.close()


def a_version(store, code="A", value=1, when=T0) -> int:
    run = store.begin_run("manual", "local", False)
    store.record_read(run, Submission(code, tables={"PL02": [{"members": value}]}), [], when)
    [latest] = store.versions(code, newest_first=True)[:1]
    return latest.id


def test_acts_and_comments_round_trip_as_typed_frozen_records(store):
    assert isinstance(store, SubmissionStore) and isinstance(store, StoreProtocol)
    version = a_version(store)
    confirmed = store.add_submission_event(
        "A",
        "confirmed",
        "submitted",
        at=T0,
        version_id=version,
        by="Nguyễn Văn An",
        name="Nguyễn Văn An",
        position="Bí thư",
        doc_number="12-BC/ĐU",
        doc_date=date(2026, 4, 9),
        on_time=True,
    )
    returned = store.add_submission_event(
        "A",
        "returned",
        "returned",
        at=T0 + timedelta(hours=2),
        version_id=version,
        by="canbo",
        comments=[{"text": "Sai số liệu.", "form": "PL02 Đảng ủy", "row": 7, "column": "Số lượng"}, {"text": "Bổ sung.", "outline_item": "II.1"}],
    )
    store.add_submission_event("B", "confirmed", "submitted", at=T0, on_time=False)
    assert isinstance(confirmed, SubmissionEventRecord) and confirmed.doc_date == date(2026, 4, 9) and confirmed.on_time is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        confirmed.state = "accepted"  # type: ignore[misc]
    assert [e.kind for e in store.submission_events("A")] == ["confirmed", "returned"]
    assert [e.unit_code for e in store.submission_events()] == ["A", "A", "B"]
    assert store.submission_events("A")[0] == confirmed and store.submission_events("A")[1].at == T0 + timedelta(hours=2)
    comments = store.review_comments([returned.id])
    assert all(isinstance(c, ReviewCommentRecord) for c in comments)
    assert [(c.form, c.row, c.column, c.outline_item) for c in comments] == [("PL02 Đảng ủy", 7, "Số lượng", ""), ("", None, "", "II.1")]
    assert store.review_comments([]) == [] and store.review_comments([confirmed.id]) == []
    assert confirmed.to_dict()["doc_date"] == "2026-04-09"


def test_signed_pdfs_are_kept_with_their_hash_and_read_apart(store):
    data = b"%PDF-1.7\n" + bytes(range(256)) * 40
    digest = hashlib.sha256(data).hexdigest()
    event = store.add_submission_event("A", "confirmed", "submitted", at=T0)
    first = store.save_signed_pdf("A", filename="bao-cao.pdf", data=data, sha256=digest, signer="Nguyễn Văn An", event_id=event.id, at=T0, by="x")
    second = store.save_signed_pdf("A", filename="bao-cao-2.pdf", data=b"%PDF-2", sha256="h2", at=T0 + timedelta(minutes=1))
    assert isinstance(first, SignedPdfRecord) and first.size == len(data) and first.sha256 == digest and first.signer == "Nguyễn Văn An"
    assert [p.id for p in store.signed_pdfs("A")] == [second.id, first.id] and store.signed_pdfs("B") == []
    assert store.signed_pdf_data(first.id) == data and store.signed_pdf_data(999) is None


def test_the_dashboard_read_carries_each_units_acts_and_counted_version(store):
    first = a_version(store, "A", 1, T0)
    latest = a_version(store, "A", 2, T0 + timedelta(days=20))
    store.add_submission_event("A", "confirmed", "submitted", at=T0, version_id=first, on_time=True)
    store.add_submission_event("C", "confirmed", "submitted", at=T0, on_time=False)  # a unit the store holds nothing else of
    selects: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            selects.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    states = store.unit_states("local")
    event.remove(store.engine, "before_cursor_execute", count)
    assert len(selects) == 2  # the dashboard's read stays two queries with the acts in it
    assert states["A"].latest_version_id == latest and states["A"].accepted_modified_at == T0 + timedelta(days=20)
    assert states["A"].first_accepted_at == T0
    [act] = states["A"].acts
    assert (act.kind, act.state, act.version_id, act.at, act.on_time) == ("confirmed", "submitted", first, T0, True)
    assert states["C"].acts[0].on_time is False and not states["C"].has_accepted
    assert store.unit_states("local", "A")["A"].acts == states["A"].acts
    contents = store.version_contents([first, latest, 12345])
    assert set(contents) == {first, latest} and contents[first][0] == "A" and '"members": 1' in contents[first][1]


def test_workflow_writes_are_fenced(store, clock):
    ok, _ = store.acquire_lease("holder-1", "x", 10)
    assert ok
    token = store.lease_token("holder-1")
    with store.fence("holder-1", token):
        store.add_submission_event("A", "confirmed", "submitted", at=T0)
        clock.advance(11)  # the lease expired: another may hold it now
        with pytest.raises(LeaseLost):
            store.add_submission_event("A", "accepted", "accepted", at=T0)
        with pytest.raises(LeaseLost):
            store.save_signed_pdf("A", filename="a.pdf", data=b"%PDF", sha256="h", at=T0)
    assert [e.kind for e in store.submission_events("A")] == ["confirmed"] and store.signed_pdfs("A") == []


def test_a_store_made_at_0004_is_upgraded_in_place_with_its_data(store_settings):
    from alembic import command

    url = database_url(store_settings.database_url, store_settings.db_path)
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(conn), "0004")
        assert current_revision(conn) == "0004"
        conn.execute(text("INSERT INTO sync_runs (trigger, backend, \"full\", started_at, status) VALUES ('manual','local',0,:t,'ok')"), {"t": T0.isoformat()})
        conn.execute(
            text("INSERT INTO versions (unit_code, content_hash, content, source_modified_at, stored_at, run_id) VALUES ('A','h',:c,:t,:t,1)"),
            {"c": Submission("A", tables={"PL02": [{"members": 7}]}).to_json(), "t": T0.isoformat()},
        )
        conn.execute(
            text("INSERT INTO unit_state (unit_code, read_status, accepted_version_id, first_accepted_at, last_modified_at) VALUES ('A','ok',1,:t,:t)"),
            {"t": T0.isoformat()},
        )
        conn.execute(text("INSERT INTO audit_log (at, kind) VALUES (:t, 'signin_locked')"), {"t": T0.isoformat()})
        assert "submission_events" not in inspect(conn).get_table_names()
    engine.dispose()

    store = open_store(store_settings)
    try:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert {"submission_events", "review_comments", "signed_pdfs"} <= set(inspect(conn).get_table_names())
        assert store.unit_states("local")["A"].latest_version_id == 1 and store.audit(5)[0].kind == "signin_locked"
        event = store.add_submission_event("A", "confirmed", "submitted", at=T0, version_id=1, on_time=True)
        assert store.submission_events("A") == [event]
    finally:
        store.close()


def test_sqlstore_is_the_workflow_store_too(tmp_path):
    store = SqlStore(tmp_path / "s.db")
    try:
        assert isinstance(store, SubmissionStore)
    finally:
        store.close()

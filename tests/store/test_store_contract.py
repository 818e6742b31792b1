"""One contract suite for every store implementation: SQLite (the embedded default) and
PostgreSQL (a real server started by tests/pg.py). Records are typed and frozen; threads
share one store; the lease has one winner; jobs dedupe; nothing moves backwards. Leases, due
times and heartbeats run on a ManualClock: a test moves time forward instead of sleeping."""

from __future__ import annotations

import dataclasses
import pickle
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.core.errors import StoreError, StoreMissing
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import TZ, now
from sonket_gsync.forms.submission import Problem, Submission
from sonket_gsync.store import (
    ChannelInfo,
    Job,
    JobStore,
    LeaseInfo,
    LeaseStore,
    OutputRecord,
    OverviewReads,
    RunRecord,
    SqlStore,
    StoreProtocol,
    VersionRecord,
    VersionStore,
    WebTables,
    open_store,
)
from sonket_gsync.store.engine import head_revision

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def store(store_settings, clock):
    store = open_store(store_settings, clock=clock)
    yield store
    store.close()


def submission(code: str, value: int) -> Submission:
    return Submission(code, tables={"PL02": [{"members": value}]}, narrative={"1": f"Văn bản {value}"})


def test_is_a_store_and_answers_with_typed_frozen_records(store):
    assert isinstance(store, StoreProtocol)
    assert all(isinstance(store, concern) for concern in (VersionStore, LeaseStore, JobStore, WebTables, OverviewReads))
    run = store.begin_run("manual", "local", False)
    store.record_read(run, submission("A", 1), [], T0)
    store.finish_run(run, backend="local", cursor="c1", counts={"changed": 1, "read": 1})
    store.save_output("report", "bao-cao.docx", "file:///x")
    [r] = store.runs()
    [v] = store.versions("A")
    [o] = store.outputs()
    assert isinstance(r, RunRecord) and isinstance(v, VersionRecord) and isinstance(o, OutputRecord)
    assert r.status == "ok" and r.units_changed == 1 and isinstance(r.started_at, datetime)
    assert v.source_modified_at == T0 and o.url == "file:///x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps([r, v, o])) == [r, v, o]
    assert r.to_dict()["started_at"] == r.started_at.isoformat()
    assert store.cursor("local") == "c1" and store.cursor("google") is None


def test_versions_are_kept_once_and_an_invalid_read_keeps_the_last_valid_one(store, campaign):
    code = campaign.units[0].code
    run = store.begin_run("manual", "local", False)
    assert store.record_read(run, submission(code, 1), [], T0).version_added
    assert not store.record_read(run, submission(code, 1), [], T0 + timedelta(minutes=1)).version_added
    error = Problem(code, "Sai số liệu.", "not_a_number", sheet="PL02", row=6, column="Số")
    outcome = store.record_read(run, submission(code, 2), [error], T0 + timedelta(minutes=2))
    assert not outcome.accepted
    [record] = [r for r in store.unit_records(campaign) if r.unit.code == code]
    assert record.status == "invalid" and record.flagged and record.submission.tables["PL02"][0]["members"] == 1
    assert store.problems(code) == [error] and store.all_problems() == [error]
    assert len(store.versions(code)) == 1
    assert store.read_statuses() == {code: "invalid"}


def test_an_older_read_recorded_after_a_newer_one_changes_nothing(store, campaign):
    code = campaign.units[0].code
    run = store.begin_run("manual", "local", False)
    slow_began = now()
    store.record_read(run, submission(code, 2), [], T0 + timedelta(hours=1), read_at=slow_began + timedelta(seconds=1))  # the newer file, read later
    outcome = store.record_read(run, submission(code, 1), [], T0, read_at=slow_began)  # the slow read of the older file
    assert outcome.stale and not outcome.accepted
    [record] = [r for r in store.unit_records(campaign) if r.unit.code == code]
    assert record.submission.tables["PL02"][0]["members"] == 2 and record.last_modified == T0 + timedelta(hours=1)
    assert not store.record_failure(run, code, Problem(code, "x", "unreadable"), retry=True, read_at=slow_began)
    # A unit that restores an older copy later (older file time, newer read) is recorded.
    assert store.record_read(run, submission(code, 3), [], T0, read_at=slow_began + timedelta(seconds=2)).accepted


def test_a_failed_read_flags_the_unit_and_keeps_its_data(store, campaign):
    code = campaign.units[1].code
    run = store.begin_run("manual", "local", False)
    store.record_read(run, submission(code, 5), [], T0)
    store.record_failure(run, code, Problem(code, "Tạm thời không đọc được.", "workspace_unavailable", severity="warning"), retry=True)
    assert store.pending_retries() == [code]
    [record] = [r for r in store.unit_records(campaign) if r.unit.code == code]
    assert record.flagged and record.submission is not None


def test_the_summary_is_owed_with_the_run_until_cleared(store):
    assert not store.summary_owed()
    run = store.begin_run("manual", "local", False)
    store.finish_run(run, backend="local", cursor="c", counts={}, owe_summary=True)
    assert store.summary_owed()
    store.set_summary_owed(False)
    assert not store.summary_owed()
    run = store.begin_run("manual", "local", False)
    store.fail_run(run, "stopped", owe_summary=True)
    assert store.summary_owed() and store.runs()[0].status == "failed: stopped"


def test_files_and_outputs(store):
    store.save_unit_files("local", UnitFiles("A", "s1", "file:///a.xlsx", "d1", "file:///a.docx"))
    store.save_unit_files("local", UnitFiles("A", "s2", "file:///a2.xlsx", "", ""))
    assert store.unit_files("local")["A"].sheet_id == "s2" and store.unit_files("google") == {}
    for name in ("a", "b", "c"):
        store.save_output("report" if name != "b" else "summary", name, f"u:{name}")
    assert [o.name for o in store.outputs()] == ["c", "b", "a"]
    assert [o.name for o in store.outputs(kind="report", limit=1)] == ["c"]


def test_threads_share_one_store(store, campaign):
    """Eight threads reading and writing at once: no error (the old store raised hundreds of
    'cannot start a transaction within a transaction')."""
    codes = [u.code for u in campaign.units[:40]]
    run = store.begin_run("manual", "local", False)

    def work(i: int) -> None:
        for n, code in enumerate(codes[i::8]):
            store.record_read(run, submission(code, n + i), [], T0 + timedelta(minutes=n))
            store.unit_records(campaign)
            store.problems(code)
            store.save_output("summary", f"s{i}", "u")
            store.heartbeat(f"w{i}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert len(store.read_statuses()) == len(codes)
    assert sum(len(store.versions(c)) for c in codes) == len(codes)


def test_one_lease_holder_among_many(store):
    def take(i: int) -> bool:
        return store.acquire_lease(f"h{i}", f"người {i}", 30)[0]

    with ThreadPoolExecutor(12) as pool:
        winners = [i for i, won in enumerate(pool.map(take, range(12))) if won]
    assert len(winners) == 1
    lease = store.lease()
    assert isinstance(lease, LeaseInfo) and lease.holder == f"h{winners[0]}" and lease.label == f"người {winners[0]}"
    assert store.renew_lease(f"h{winners[0]}", 30) and not store.renew_lease("someone-else", 30)
    store.release_lease(f"h{winners[0]}")
    assert store.lease() is None and store.acquire_lease("h99", "x", 30)[0]


def test_an_expired_lease_is_taken_over_and_its_work_shows_interrupted(store, clock):
    assert store.acquire_lease("dead", "tiến trình đã chết", 2)[0]
    run = store.begin_run("manual", "local", False, holder="dead")
    store.enqueue_job("sync", {}, dedupe_key="sync:{}")
    job = store.claim_job("dead")
    assert job.state == "running" and store.runs()[0].status == "running"
    assert not store.acquire_lease("alive", "x", 30)[0]
    clock.advance(1.9)
    assert store.lease().holder == "dead" and store.runs()[0].status == "running"  # not expired yet
    clock.advance(0.2)
    assert store.runs()[0].status == "interrupted" and store.job(job.id).state == "interrupted"  # shown so before anyone takes over
    assert store.acquire_lease("alive", "x", 30)[0]
    assert store.runs()[0].status == "interrupted" and store.runs()[0].id == run
    interrupted = store.job(job.id)
    assert interrupted.state == "interrupted" and interrupted.error["category"] == "temporary"
    assert not store.renew_lease("dead", 30)


def test_twenty_concurrent_requests_are_one_job(store):
    def enqueue(i: int) -> int:
        return store.enqueue_job("sync", {"full": False}, dedupe_key="sync:{full:false}", requested_by=f"nv{i}").id

    with ThreadPoolExecutor(20) as pool:
        ids = set(pool.map(enqueue, range(20)))
    assert len(ids) == 1 and len(store.jobs(state="pending")) == 1


def test_a_job_runs_through_its_states(store):
    job = store.enqueue_job("compile", {"x": 1}, dedupe_key="compile:x", requested_by="a@b.vn")
    assert isinstance(job, Job) and job.state == "pending" and job.params == {"x": 1}
    assert store.next_job_at() is not None
    assert store.acquire_lease("w", "worker", 30)[0]
    claimed = store.claim_job("w")
    assert claimed.id == job.id and claimed.state == "running" and store.claim_job("w") is None
    # A sync asked while one runs is queued again (the running one may have listed before the change).
    again = store.enqueue_job("compile", {"x": 1}, dedupe_key="compile:x")
    assert again.id != job.id
    store.update_job(job.id, done=3, total=10, label="Đồng bộ")
    assert store.job(job.id).progress_done == 3 and store.job(job.id).progress_label == "Đồng bộ"
    done = store.finish_job(job.id, "done", result={"report": {"url": "u"}})
    assert done.state == "done" and done.result == {"report": {"url": "u"}} and done.finished
    failed = store.finish_job(again.id, "failed", error={"category": "config", "message": "m", "where": "", "fix": ""})
    assert failed.error["category"] == "config"
    assert [j.id for j in store.jobs(limit=5)] == [again.id, job.id]
    assert pickle.loads(pickle.dumps(done)) == done


def test_a_delayed_job_waits_and_a_burst_pushes_it_back_once(store, clock):
    first = store.enqueue_job("sync", {}, dedupe_key="sync", delay_seconds=2)
    assert store.claim_job("w") is None and store.next_job_at() == clock.time() + 2
    clock.advance(1)
    second = store.enqueue_job("sync", {}, dedupe_key="sync", delay_seconds=2)  # the burst goes on
    assert second.id == first.id and second.run_after - first.run_after == timedelta(seconds=1)
    clock.advance(1.5)  # past the first due time, not the pushed one
    assert store.claim_job("w") is None
    clock.advance(0.6)
    assert store.claim_job("w").id == first.id


def test_a_burst_never_delays_a_job_past_five_delays(store, clock):
    first = store.enqueue_job("sync", {}, dedupe_key="sync", delay_seconds=2)
    for _ in range(12):  # a request every second for 12 s, each asking for 2 s of quiet
        clock.advance(1)
        store.enqueue_job("sync", {}, dedupe_key="sync", delay_seconds=2)
    assert store.job(first.id).run_after == first.created_at + timedelta(seconds=10)
    assert store.claim_job("w").id == first.id  # due: 12 s have passed


def test_web_tables(store, clock):
    store.add_staff("Can.Bo@tinh.vn", "Cán bộ", "hash1")
    store.add_staff("can.bo@tinh.vn", "Cán bộ Một", "hash2")
    assert store.staff("CAN.BO@tinh.vn").password_hash == "hash2" and [s.name for s in store.list_staff()] == ["Cán bộ Một"]
    assert store.staff("khac@tinh.vn") is None
    token = store.unit_token("X_XUAN_LOC")
    assert len(token) >= 24 and store.unit_token("X_XUAN_LOC") == token and store.unit_token("SO_NV") != token
    assert store.unit_by_token(token) == "X_XUAN_LOC" and store.unit_by_token("forged") is None and store.unit_by_token("") is None
    until = T0 + timedelta(days=3)
    store.reopen_unit("SO_NV", until, "can.bo@tinh.vn")
    assert store.reopened_until("SO_NV") == until and store.reopened_until("X_XUAN_LOC") is None
    old = ChannelInfo("c1", "r1", "tok", now() + timedelta(days=1), "https://x/notify", now())
    store.save_channel(old)
    store.save_channel(dataclasses.replace(old, channel_id="c2", created_at=now() + timedelta(seconds=1)))
    assert store.active_channel().channel_id == "c2"
    store.mark_channel_stopped("c2")
    assert store.active_channel().channel_id == "c1" and len(store.channels()) == 2
    assert store.note_notification("c1", 5) and not store.note_notification("c1", "5") and store.note_notification("c1", 6)
    assert store.last_heartbeat() is None
    store.heartbeat("worker-1")
    assert store.last_heartbeat() == clock.now()  # on the store's clock
    clock.advance(30)
    store.heartbeat("worker-2")
    assert store.last_heartbeat() == clock.now()


def test_read_only_opening_never_creates_a_store(store_settings, tmp_path):
    with pytest.raises(StoreMissing) as err:
        open_store(store_settings, create=False)
    assert err.value.category == "not_found" and err.value.exit_code == 2
    assert "--data" in err.value.fix and "SONKET_DATA_DIR" in err.value.fix
    assert not store_settings.db_path.exists()
    open_store(store_settings).close()
    open_store(store_settings, create=False).close()


def test_a_corrupt_sqlite_file_is_a_store_error(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path)
    settings.db_path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError) as err:
        open_store(settings)
    assert not err.value.retryable and "sao lưu" in err.value.fix


def test_a_store_of_the_first_version_is_migrated_with_its_data(tmp_path, campaign):
    path = tmp_path / "sonket.db"
    db = sqlite3.connect(path)
    db.executescript(FIRST_SCHEMA)
    code = campaign.units[0].code
    db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('cursor:local', 'old-cursor')")
    db.execute(
        "INSERT INTO sync_runs (trigger, backend, full, started_at, finished_at, status) VALUES ('manual','local',0,?,?, 'ok')",
        (T0.isoformat(), T0.isoformat()),
    )
    db.execute(
        "INSERT INTO versions (unit_code, content_hash, content, source_modified_at, stored_at, run_id) VALUES (?, 'h', ?, ?, ?, 1)",
        (code, submission(code, 7).to_json(), T0.isoformat(), T0.isoformat()),
    )
    db.execute(
        "INSERT INTO unit_state (unit_code, read_status, accepted_version_id, first_accepted_at, last_modified_at, last_run_id) VALUES (?, 'ok', 1, ?, ?, 1)",
        (code, T0.isoformat(), T0.isoformat()),
    )
    db.commit()
    db.close()
    store = SqlStore(path)
    assert store.cursor("local") == "old-cursor" and store.runs()[0].holder == ""
    [record] = [r for r in store.unit_records(campaign) if r.unit.code == code]
    assert record.submission.tables["PL02"][0]["members"] == 7
    assert store.acquire_lease("h", "x", 5)[0]  # the new tables are there
    store.close()
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()


FIRST_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sync_runs (id INTEGER PRIMARY KEY, trigger TEXT NOT NULL, backend TEXT NOT NULL, full INTEGER NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, units_changed INTEGER DEFAULT 0, units_read INTEGER DEFAULT 0,
    versions_added INTEGER DEFAULT 0, units_invalid INTEGER DEFAULT 0, units_failed INTEGER DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running');
CREATE TABLE versions (id INTEGER PRIMARY KEY, unit_code TEXT NOT NULL, content_hash TEXT NOT NULL, content TEXT NOT NULL,
    source_modified_at TEXT NOT NULL, stored_at TEXT NOT NULL, run_id INTEGER REFERENCES sync_runs(id), UNIQUE (unit_code, content_hash));
CREATE TABLE unit_state (unit_code TEXT PRIMARY KEY, read_status TEXT NOT NULL, accepted_version_id INTEGER REFERENCES versions(id),
    first_accepted_at TEXT, last_modified_at TEXT, last_read_at TEXT, last_run_id INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0, warning_count INTEGER NOT NULL DEFAULT 0, retry INTEGER NOT NULL DEFAULT 0);
CREATE TABLE problems (id INTEGER PRIMARY KEY, unit_code TEXT NOT NULL, run_id INTEGER NOT NULL, severity TEXT NOT NULL,
    code TEXT NOT NULL, sheet TEXT NOT NULL DEFAULT '', row INTEGER, "column" TEXT NOT NULL DEFAULT '', message TEXT NOT NULL);
CREATE INDEX problems_by_unit ON problems (unit_code, run_id);
CREATE TABLE unit_files (unit_code TEXT NOT NULL, backend TEXT NOT NULL, sheet_id TEXT NOT NULL, sheet_url TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '', doc_url TEXT NOT NULL DEFAULT '', provisioned_at TEXT NOT NULL, PRIMARY KEY (unit_code, backend));
CREATE TABLE outputs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL, created_at TEXT NOT NULL);
"""


def test_a_pg_server_that_is_down_is_temporary(tmp_path):
    from tests.net import free_port

    settings = Settings.from_env({}, data_dir=tmp_path, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")
    with pytest.raises(StoreError) as err:
        open_store(settings)
    assert err.value.retryable and err.value.category == "temporary" and err.value.exit_code == 75


def test_a_locked_sqlite_store_is_busy_not_a_raw_sqlite_error(tmp_path):
    from sqlalchemy import create_engine, exc, text

    from sonket_gsync.core.errors import StoreBusy
    from sonket_gsync.store.engine import translate

    path = tmp_path / "sonket.db"
    SqlStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    impatient = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    with pytest.raises(exc.OperationalError) as raw, impatient.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('k', 'v')"))
    error = translate(raw.value, str(path))
    assert isinstance(error, StoreBusy) and error.retryable and error.exit_code == 75 and "database is locked" in error.message
    holder.execute("ROLLBACK")

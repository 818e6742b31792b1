"""Running for months unattended: a holder that lost the lease writes nothing (fencing), the
worker outlives store and disk faults, schedules catch up once, interrupted jobs go back to
the queue a bounded number of times. Real stores (SQLite; PostgreSQL where marked), the real
local workspace; time is a ManualClock, nothing sleeps a second."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from sonket_gsync.app.jobs import register
from sonket_gsync.app.schedule import NIGHTLY, nightly_sync, run_due
from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.clock import ManualClock
from sonket_gsync.core.errors import LeaseLost, StoreMissing
from sonket_gsync.core.text import TZ
from sonket_gsync.store import open_store
from tests.units import only, type_answers

CODES = ("LHH_KHKT", "SO_NV", "MTTQ")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ).timestamp()


@pytest.fixture
def small(campaign):
    return only(campaign, CODES)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def cfg(request, settings):
    if request.param == "postgresql":
        return settings.with_(database_url=request.getfixturevalue("pg_url"))
    return settings


def make(settings, campaign, clock) -> CampaignService:
    return CampaignService(settings, campaign, LocalWorkspace(settings.workspace_dir, campaign), open_store(settings, clock=clock))


def wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# --- fencing -------------------------------------------------------------------------------


def test_a_paused_holder_never_overwrites_the_newer_draft_cursor_or_outputs(cfg, small):
    a = make(cfg, small, ManualClock(T0))  # A's clock stands still: it is paused (no renewal)
    b = make(cfg, small, ManualClock(T0 + cfg.lease_seconds + 5))  # B lives after A's lease expired
    try:
        a.provision()
        type_answers(a, "SO_NV", seed=1)
        a.sync()
        with a.lease("compile") as held:  # A holds the lease, then stalls past its expiry
            type_answers(b, "SO_NV", seed=2, typed_at=30)  # a unit edits meanwhile
            b.sync()
            newer = b.compile()
            draft = b.workspace.output_file(newer.report.name)
            cursor = b.store.cursor("local")
            outputs = [(o.kind, o.name, o.created_at) for o in b.store.outputs()]
            assert b.store.lease_token(held.holder) is None  # A's holding is gone
            with pytest.raises(LeaseLost) as lost:
                a.compile()  # A resumes: it would write its older draft
            assert lost.value.exit_code == 75
            with pytest.raises(LeaseLost):
                a.sync()  # and its older cursor
            with pytest.raises(LeaseLost):
                a.publish_summary()
        assert b.workspace.output_file(newer.report.name) == draft  # B's newer draft stands
        assert b.store.cursor("local") == cursor
        assert [(o.kind, o.name, o.created_at) for o in b.store.outputs()] == outputs
        assert [r.trigger for r in b.store.runs()].count("manual") == 2  # A's refused sync left no run
    finally:
        a.close()
        b.close()


def test_the_fencing_token_grows_with_every_new_holder(cfg):
    store = open_store(cfg, clock=ManualClock(T0))
    try:
        tokens = []
        for holder in ("a", "b", "c"):
            assert store.acquire_lease(holder, holder, 30)[0]
            tokens.append(store.lease_token(holder))
            assert store.acquire_lease(holder, holder, 30)[0] and store.lease_token(holder) == tokens[-1]  # re-taking keeps it
            store.release_lease(holder)
        assert tokens == sorted(set(tokens)) and len(tokens) == 3
    finally:
        store.close()


# --- the worker outlives faults --------------------------------------------------------------


class DiskFull:
    """An ENOSPC at the store's write boundary (what SQLite says when the disk is full), on
    while ``on`` is set: every statement fails as on a full disk."""

    def __init__(self, engine) -> None:
        self.on = threading.Event()
        self.failures = 0
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.on.is_set() and not statement.lstrip().upper().startswith("BEGIN"):  # the write fails, as on a full disk
            self.failures += 1
            raise sqlite3.OperationalError("database or disk is full")


probe_runs: list[int] = []


@register("probe-17a", label="Việc thử")
def _probe(service, params, progress):
    probe_runs.append(params["n"])
    return {"n": params["n"]}


def test_the_worker_outlives_a_full_disk_logs_once_and_runs_the_queue_after(settings, small, caplog):
    clock = ManualClock(T0)
    service = make(settings, small, clock)
    disk = DiskFull(service.store.engine)
    stop = threading.Event()
    box: dict = {}
    worker = threading.Thread(target=lambda: box.setdefault("ran", service.run_worker(stop)), daemon=True)
    caplog.set_level(logging.DEBUG, logger="sonket_gsync.app.service")
    try:
        disk.on.set()
        worker.start()
        assert wait_for(lambda: disk.failures > 0 and clock.waiting >= 2)
        for _ in range(8):  # a long outage: the worker keeps backing off on the injected clock
            before = disk.failures
            clock.advance(61)
            assert wait_for(lambda before=before: disk.failures >= before + 8 and clock.waiting >= 2)  # both tried again, parked
        assert worker.is_alive() and disk.failures >= 8
        loop_lines = [r for r in caplog.records if "worker loop failed" in r.getMessage() and r.levelno >= logging.WARNING]
        assert len(loop_lines) == 1  # logged once, not once per retry
        disk.on.clear()  # space freed: nobody touches the worker
        job = service.enqueue("probe-17a", {"n": 1})
        clock.advance(61)
        assert wait_for(lambda: service.job(job.id).state == "done")
        assert any("recovered" in r.getMessage() for r in caplog.records)
    finally:
        stop.set()
        clock.advance(3600)
        worker.join(10)
        service.close()
    assert not worker.is_alive() and box.get("ran", 0) >= 1


def test_a_permanent_store_error_ends_the_worker_so_a_supervisor_restarts_it(settings, small):
    clock = ManualClock(T0)
    service = make(settings, small, clock)
    service.store.close()
    settings.db_path.unlink()  # the store is gone for good (a wrong volume, a deleted file)
    service.store = open_store(settings, clock=clock, create=True)
    service.store.engine.dispose()
    settings.db_path.unlink()
    settings.db_path.mkdir()  # now a folder stands where the store was: it cannot be opened
    fatal: list[BaseException] = []
    stop = threading.Event()
    supervisor = threading.Thread(target=service.supervise_worker, args=(stop,), kwargs={"on_fatal": fatal.append}, daemon=True)
    supervisor.start()
    try:
        for _ in range(20):  # a few backed-off tries, then the store is found gone for good
            if not supervisor.is_alive():
                break
            clock.advance(61)
            supervisor.join(0.5)
        assert not supervisor.is_alive()
        assert len(fatal) == 1 and isinstance(fatal[0], StoreMissing) and fatal[0].exit_code != 0
    finally:
        stop.set()
        clock.advance(3600)


# --- schedules that catch up -------------------------------------------------------------------


def test_a_missed_nightly_sync_runs_once_at_start_and_only_in_one_process(settings, small):
    clock = ManualClock(datetime(2026, 3, 2, 14, 0, tzinfo=TZ))
    cfg = settings.with_(nightly_sync_time="02:00")
    one, two = make(cfg, small, clock), make(cfg, small, clock)
    try:
        assert nightly_sync(one) is False  # first sight: the schedule starts from today's slot
        assert cfg.nightly_sync_time and one.store.schedule_slot(NIGHTLY) == datetime(2026, 3, 2, 2, 0, tzinfo=TZ).isoformat()
        clock.advance(timedelta(days=3, hours=-4).total_seconds())  # down for three nights, back at 10:00
        assert run_due(one) == [NIGHTLY]  # the missed sync, once
        assert run_due(two) == [] and run_due(one) == []  # not once per missed night, not twice
        syncs = [j for j in one.queries.jobs(20) if j.kind == "sync"]
        assert len(syncs) == 1 and syncs[0].params == {"trigger": "nightly"}
        assert one.store.schedule_slot(NIGHTLY) == datetime(2026, 3, 5, 2, 0, tzinfo=TZ).isoformat()
        clock.advance(timedelta(hours=16, minutes=1).total_seconds())  # the next night, 02:01
        assert run_due(two) == [NIGHTLY] and run_due(one) == []
    finally:
        one.close()
        two.close()


def test_two_processes_racing_for_one_slot_enqueue_it_once(cfg, small):
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=TZ))
    nightly = cfg.with_(nightly_sync_time="02:00")
    services = [make(nightly, small, clock) for _ in range(4)]
    try:
        nightly_sync(services[0])
        clock.advance(3600 + 60)
        barrier = threading.Barrier(len(services))

        def race(svc):
            barrier.wait()
            return nightly_sync(svc)

        results: list[bool] = []
        threads = [threading.Thread(target=lambda s=s: results.append(race(s))) for s in services]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == [False, False, False, True]
    finally:
        for svc in services:
            svc.close()


# --- interrupted jobs go back to the queue, a bounded number of times ----------------------------


def test_an_interrupted_compile_is_requeued_up_to_three_attempts_and_jobs_says_so(settings, small):
    clock = ManualClock(T0)
    service = make(settings, small, clock)
    try:
        job = service.enqueue("compile", {})
        for attempt in (1, 2, 3):
            holder = f"dead-{attempt}"
            assert service.store.acquire_lease(holder, "worker", settings.lease_seconds)[0]
            claimed = service.store.claim_job(holder)
            assert claimed is not None and claimed.id == job.id  # the process dies here
            clock.advance(settings.lease_seconds + 1)
            shown = service.job(job.id)
            assert shown.state == "interrupted"
            if attempt < 3:
                assert f"lần {attempt + 1}/3" in shown.error["requeued"]  # says it will run again
            else:
                assert "requeued" not in shown.error  # the last attempt: a person asks again
            assert service.store.acquire_lease(f"next-{attempt}", "worker", settings.lease_seconds)[0]  # the next worker
            service.store.release_lease(f"next-{attempt}")
            assert service.job(job.id).state == ("pending" if attempt < 3 else "interrupted")
        assert service.store.claim_job("x") is None
    finally:
        service.close()


def test_an_interrupted_provision_is_not_requeued(settings, small):
    clock = ManualClock(T0)
    service = make(settings, small, clock)
    try:
        job = service.enqueue("provision", {})
        assert service.store.acquire_lease("dead", "worker", settings.lease_seconds)[0]
        service.store.claim_job("dead")
        clock.advance(settings.lease_seconds + 1)
        assert service.store.acquire_lease("next", "worker", settings.lease_seconds)[0]
        assert service.job(job.id).state == "interrupted"
    finally:
        service.close()


def test_a_missing_store_is_permanent(settings):
    with pytest.raises(StoreMissing):
        open_store(settings, create=False)


def test_a_compile_stopped_mid_run_by_sigstop_writes_nothing_when_it_resumes(cfg, campaign):
    """The issue's scenario with a real process: `sonket-gsync compile` (A) takes the lease and
    is stopped (SIGSTOP) before it writes; B, living after A's lease expired, syncs a newer edit
    and compiles; A resumes, finds it lost the lease, exits 75 and leaves B's draft standing."""
    import os
    import signal
    import subprocess
    import sys

    from sonket_gsync.core.clock import SYSTEM
    from sonket_gsync.core.settings import REPO_ROOT

    first = make(cfg, campaign, SYSTEM)
    first.provision(CODES)
    type_answers(first, "SO_NV", seed=1)
    first.sync()
    first.close()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "SONKET_DATABASE_URL": cfg.database_url}
    a = subprocess.Popen(
        [sys.executable, "-m", "sonket_gsync", "--data", str(cfg.data_dir), "compile"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watcher = open_store(cfg)
    try:
        assert wait_for(lambda: (lease := watcher.lease()) is not None and "compile" in lease.label, 60), "A never took the lease"
        os.kill(a.pid, signal.SIGSTOP)
        assert a.poll() is None and not watcher.outputs(kind="report"), "A finished before it could be stopped"
        b = make(cfg, campaign, ManualClock(time.time() + cfg.lease_seconds + 5))  # B lives after A's lease expired
        try:
            type_answers(b, "SO_NV", seed=2, typed_at=30)
            b.sync()
            newer = b.compile()
            draft = b.workspace.output_file(newer.report.name)
            outputs = [(o.kind, o.name, o.created_at) for o in b.store.outputs()]
        finally:
            b.close()
        os.kill(a.pid, signal.SIGCONT)
        _, err = a.communicate(timeout=180)
        assert a.returncode == 75, err  # A says it lost the writer lease…
        reopened = make(cfg, campaign, SYSTEM)
        try:
            assert reopened.workspace.output_file(newer.report.name) == draft  # …and wrote nothing
            assert [(o.kind, o.name, o.created_at) for o in reopened.store.outputs()] == outputs
        finally:
            reopened.close()
    finally:
        if a.poll() is None:
            os.kill(a.pid, signal.SIGCONT)
            a.kill()
        watcher.close()

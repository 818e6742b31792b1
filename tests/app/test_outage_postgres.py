"""The worker outlives a PostgreSQL outage: the server is stopped under a running worker (in
this process, on a ManualClock) and under ``sonket-gsync serve`` (a real process), then started
again; afterwards the queued jobs run with no person acting, and the outage is logged once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.clock import ManualClock
from sonket_gsync.core.settings import REPO_ROOT
from sonket_gsync.store import open_store
from tests.app.test_unattended import T0, probe_runs, wait_for
from tests.net import free_port, readyz
from tests.pg import create_database
from tests.units import only

pytestmark = pytest.mark.postgres


def test_a_worker_rides_out_a_postgresql_restart_and_runs_the_queue_after(pg_control, settings, campaign, caplog):
    cfg = settings.with_(database_url=create_database(pg_control.url))
    small = only(campaign, ("SO_NV",))
    clock = ManualClock(T0)
    service = CampaignService(cfg, small, LocalWorkspace(cfg.workspace_dir, small), open_store(cfg, clock=clock))
    job = service.enqueue("probe-17a", {"n": 17}, delay_seconds=1000)  # due after the outage
    stop = threading.Event()
    worker = threading.Thread(target=service.run_worker, args=(stop,), daemon=True)
    caplog.set_level(logging.DEBUG, logger="sonket_gsync.app.service")

    def failures() -> int:
        return sum("worker loop failed" in r.getMessage() for r in caplog.records)

    try:
        worker.start()
        assert wait_for(lambda: clock.waiting >= 2)
        pg_control.stop()  # PostgreSQL goes down under the running worker
        for _ in range(6):
            seen = failures()
            clock.advance(61)
            assert wait_for(lambda seen=seen: failures() > seen and clock.waiting >= 2, 30)
        assert worker.is_alive()
        warnings = [r for r in caplog.records if "worker loop failed" in r.getMessage() and r.levelno >= logging.WARNING]
        assert len(warnings) == 1  # one line for the whole outage
        pg_control.start()  # back; nobody touches the worker
        clock.advance(1000)
        assert wait_for(lambda: service.store.job(job.id).state == "done", 30)
        assert 17 in probe_runs
        assert any("recovered" in r.getMessage() for r in caplog.records)
    finally:
        stop.set()
        clock.advance(3600)
        worker.join(10)
        service.close()


def test_serve_rides_out_a_postgresql_restart_and_readyz_tells_the_truth(pg_control, settings, tmp_path):
    url = create_database(pg_control.url)
    env = dict(os.environ, SONKET_DATABASE_URL=url, SONKET_DATA_DIR=str(settings.data_dir), SONKET_NIGHTLY_SYNC_TIME="", SONKET_LEASE_SECONDS="6")
    env["SONKET_HEARTBEAT_MAX_SECONDS"] = "15"
    store = open_store(settings.with_(database_url=url))
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([sys.executable, "-m", "sonket_gsync.cli.main", "serve", "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    try:
        assert wait_for(lambda: readyz(port) == 200, 60)
        pg_control.stop()
        assert wait_for(lambda: readyz(port) == 503, 30)  # the store is down: not ready, but alive
        time.sleep(0.5)
        assert serve.poll() is None
        pg_control.start()
        job = store.enqueue_job("sync", {}, dedupe_key="sync:{}", max_attempts=3)  # asked after the outage
        assert wait_for(lambda: store.job(job.id).state in ("done", "failed"), 90)
        assert store.job(job.id).state == "done"
        assert wait_for(lambda: readyz(port) == 200, 30)
        assert serve.poll() is None  # the same process, never restarted by hand
    finally:
        serve.terminate()
        serve.wait(30)
        store.close()
        log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]
    assert text.count("worker loop failed") <= 1

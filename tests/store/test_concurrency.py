"""One writer at a time, for real: threads and processes on one campaign, with the real
local workspace and SQLite store (PostgreSQL where the test says so). Each test here fails on
the single-process engine this replaced. Nothing waits on the wall clock for a second: stalls
are events or file handshakes, and a lease expires when the test's ManualClock moves past it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from sonket_gsync.app.service import HEARTBEAT_SECONDS, CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.clock import ManualClock
from sonket_gsync.core.errors import LeaseHeld, WorkspaceUnavailable
from sonket_gsync.core.settings import REPO_ROOT, Settings
from sonket_gsync.ingest import sync as sync_module
from sonket_gsync.store import open_store
from tests.units import only, type_answers

CODES = ("LHH_KHKT", "SO_NV", "MTTQ", "X_XUAN_LOC", "P_BIEN_HOA", "DU_CA")
SLOW_UNIT = "X_XUAN_LOC"


class SlowWorkspace(LocalWorkspace):
    """The local folder, with a read of one unit that stops half-way until released: a sync
    that is slow at the network edge."""

    def __init__(self, root, campaign, unit_code: str = SLOW_UNIT) -> None:
        super().__init__(root, campaign)
        self.unit_code = unit_code
        self.reached = threading.Event()
        self.release = threading.Event()

    def read_unit(self, unit):
        snapshot = super().read_unit(unit)
        if unit.code == self.unit_code:
            self.reached.set()
            assert self.release.wait(60), "the test never released the slow read"
        return snapshot


class FlakySummaryWorkspace(LocalWorkspace):
    """The summary upload fails the first ``failures`` times (as a Google 503 would)."""

    failures = 1

    def write_summary(self, tabs):
        if self.failures > 0:
            self.failures -= 1
            raise WorkspaceUnavailable("Máy chủ tạm thời không trả lời.")
        return super().write_summary(tabs)


@pytest.fixture
def small(campaign):
    return only(campaign, CODES)


def make_service(settings, campaign, workspace_class=LocalWorkspace, clock=None, **settings_changes) -> CampaignService:
    settings = settings.with_(**settings_changes) if settings_changes else settings
    store = open_store(settings, clock=clock) if clock is not None else open_store(settings)
    return CampaignService(settings, campaign, workspace_class(settings.workspace_dir, campaign), store)


@pytest.fixture
def service(small, settings):
    service = make_service(settings, small)
    service.provision()
    yield service
    service.close()


def answer(service, code, seed=0, typed_at=0, **changes):
    return type_answers(service, code, seed, typed_at=typed_at, same_time=True, **changes)


def members(service, code):
    record = service.record(code)
    return str(record.submission.tables["PL02"][0]["documents"]) if record.submission else None


def in_thread(fn):
    box: dict = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_two_syncs_at_once_one_works_and_the_other_is_told_who_holds_the_lease(service, small, settings):
    answer(service, SLOW_UNIT)
    slow = make_service(settings, small, SlowWorkspace)
    other = make_service(settings, small)
    thread, box = in_thread(lambda: slow.sync(trigger="first"))
    assert slow.workspace.reached.wait(30)
    with pytest.raises(LeaseHeld) as err:
        other.sync(trigger="second")
    assert err.value.exit_code == 75 and "sync" in err.value.message and "từ" in err.value.message
    waiting, waited = in_thread(lambda: (other.lease("sync --wait", wait=True).__enter__(), other.sync(trigger="waited")))
    time.sleep(0.5)
    assert waiting.is_alive()  # it waits for its turn...
    slow.workspace.release.set()
    thread.join(30)
    waiting.join(30)
    assert "error" not in box and "error" not in waited
    assert box["result"].accepted == [SLOW_UNIT]
    assert waited["result"][1].changed == 0  # ...and then finds the work done, not done twice
    triggers = [r.trigger for r in service.store.runs(limit=10)]
    assert "second" not in triggers and triggers.count("first") == 1


def test_a_slow_older_sync_never_overwrites_a_newer_version(service, small, settings):
    """Even without the lease (a holder that stalled past its expiry), the slow sync's older
    read loses to the newer one recorded meanwhile."""
    answer(service, SLOW_UNIT, PL02={"documents": 100})
    service.sync()
    answer(service, SLOW_UNIT, typed_at=30, PL02={"documents": 200})
    slow = make_service(settings, small, SlowWorkspace)
    thread, box = in_thread(lambda: sync_module.sync(slow.campaign, slow.workspace, slow.store, only=[SLOW_UNIT]))
    assert slow.workspace.reached.wait(30)  # it has read members = 200 and stalls
    answer(service, SLOW_UNIT, typed_at=60, PL02={"documents": 300})
    newer = sync_module.sync(service.campaign, service.workspace, service.store, only=[SLOW_UNIT])
    assert newer.accepted == [SLOW_UNIT]
    last_modified = service.record(SLOW_UNIT).last_modified
    slow.workspace.release.set()
    thread.join(30)
    assert box["result"].stale == [SLOW_UNIT]
    assert members(service, SLOW_UNIT) == "300" and service.record(SLOW_UNIT).last_modified == last_modified
    assert service.sync().versions_added == 0 and members(service, SLOW_UNIT) == "300"  # later syncs agree
    assert service.sync().changed == 0  # nothing left to repair


def test_sync_and_compile_at_once_the_draft_waits_for_the_synced_state(service, small, settings):
    answer(service, SLOW_UNIT)
    slow = make_service(settings, small, SlowWorkspace)
    compiler = make_service(settings, small)
    thread, box = in_thread(lambda: slow.sync())
    assert slow.workspace.reached.wait(30)
    with pytest.raises(LeaseHeld):
        compiler.compile()  # without waiting: refused, not a draft of a half-synced state

    def compile_waiting():
        with compiler.lease("compile", wait=True):
            return compiler.compile()

    waiting, compiled = in_thread(compile_waiting)
    time.sleep(0.5)
    assert waiting.is_alive()
    slow.workspace.release.set()
    thread.join(60)
    waiting.join(120)
    assert "error" not in box and "error" not in compiled, compiled.get("error")
    completeness = compiled["result"].aggregates.completeness
    assert completeness.loc[completeness["code"] == SLOW_UNIT, "status"].item() == "on_time"
    assert os.path.exists(compiled["result"].report.url.removeprefix("file://"))


def test_two_threads_writing_the_same_output_never_collide(service):
    workspace = service.workspace

    def write(i: int) -> None:
        for n in range(10):
            workspace.write_output("bao-cao.docx", f"{i}-{n}".encode() * 1000, "application/octet-stream")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    assert not [p for p in workspace.outputs_dir.rglob("*") if p.name.endswith(".tmp")]
    final = (workspace.outputs_dir / "bao-cao.docx").read_bytes()
    assert final in {f"{i}-9".encode() * 1000 for i in range(4)}  # one whole write, never a mix
    payloads = {f"{i}-{n}".encode() * 1000 for i in range(4) for n in range(10)}
    revisions = list((workspace.outputs_dir / ".phien-ban").iterdir())
    assert revisions and all(r.read_bytes() in payloads for r in revisions)  # earlier ones kept whole


def test_the_summary_is_owed_until_a_refresh_succeeds(small, settings):
    service = make_service(settings, small, FlakySummaryWorkspace)
    service.provision()
    answer(service, "SO_NV")
    report = service.sync()
    assert report.accepted == ["SO_NV"] and "tạm thời" in report.summary_error
    assert service.store.summary_owed()
    assert not (service.workspace.outputs_dir / "tong-hop.xlsx").exists()
    again = service.sync()  # nothing changed, but the summary is owed: this sync pays it
    assert again.changed == 0 and again.summary_error == ""
    assert not service.store.summary_owed() and (service.workspace.outputs_dir / "tong-hop.xlsx").exists()
    service.sync()
    assert len(service.store.outputs(kind="summary")) == 1  # a no-change sync owes nothing


def test_twenty_concurrent_requests_are_one_job_and_the_worker_runs_it(service, small, settings):
    answer(service, "MTTQ")
    services = [make_service(settings, small) for _ in range(4)]
    with ThreadPoolExecutor(20) as pool:
        jobs = list(pool.map(lambda i: services[i % 4].enqueue("sync", {"trigger": "web"}, requested_by=f"nv{i}"), range(20)))
    assert len({j.id for j in jobs}) == 1
    assert service.enqueue("sync", {"trigger": "push"}).id == jobs[0].id  # why it was asked is not what it does
    assert service.enqueue("sync", {"full": True}).id != jobs[0].id
    assert service.run_worker(once=True) == 2
    job = service.job(jobs[0].id)
    assert job.state == "done" and job.result["accepted"] == ["MTTQ"] and job.params == {"trigger": "web"}
    assert job.progress_total == len(CODES) and job.progress_done == len(CODES) and job.progress_label == "Đồng bộ"
    assert service.store.runs()[1].job_id == job.id and service.store.runs()[1].trigger == "web"
    assert service.store.last_heartbeat() is not None


def test_a_failing_job_records_its_error_and_the_worker_goes_on(service):
    bad = service.enqueue("sync", {"only": ["KHONG_CO"]})
    good = service.enqueue("publish_summary")
    assert service.run_worker(once=True) == 2
    failed = service.job(bad.id)
    assert failed.state == "failed" and failed.error["category"] == "not_found" and "KHONG_CO" in failed.error["message"]
    assert service.job(good.id).state == "done" and service.job(good.id).result["name"] == "tong-hop.xlsx"


def _script(body: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(body)]


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for key in ("SONKET_BACKEND", "SONKET_DATABASE_URL", "SONKET_DATA_DIR"):
        env.pop(key, None)
    return env


def test_a_killed_job_lease_expires_and_its_job_and_run_show_interrupted(small, settings, tmp_path):
    """A worker killed with SIGKILL mid-sync: its lease stops being renewed and expires;
    until then another sync exits 75; after it, the job and the run show interrupted and a
    new sync works. The worker stalls mid-sync on a file handshake (no sleep); the lease
    expires on this test's clock, moved past it (no waiting for the wall clock)."""
    lease_seconds = 30
    clock = ManualClock(time.time())
    service = make_service(settings, small, clock=clock)
    service.provision()
    answer(service, "MTTQ")
    stalled = tmp_path / "stalled"
    worker = subprocess.Popen(
        _script(
            f"""
            import threading
            from pathlib import Path
            from sonket_gsync.app.jobs import register
            from sonket_gsync.app.service import CampaignService
            from sonket_gsync.core.settings import Settings

            @register("slow_sync")
            def slow_sync(service, params, progress):
                def crawl(items):
                    for item in items:
                        yield item
                        Path({str(stalled)!r}).touch()  # mid-sync: the test may look now
                        threading.Event().wait()  # stalls here until killed
                return service.sync(progress=crawl).to_dict()

            service = CampaignService.open(Settings.from_env({{}}, data_dir=Path({str(settings.data_dir)!r}), lease_seconds={lease_seconds}))
            service.enqueue("slow_sync")
            service.run_worker(once=True)
            """
        ),
        env=_env(),
        cwd=tmp_path,
    )
    try:
        assert _appears(stalled, worker), "the worker never reached the middle of its sync"
        [job] = service.store.jobs()
        assert job.state == "running" and service.store.runs()[0].status == "running"
        cli = [sys.executable, "-m", "sonket_gsync.cli.main", "--data", str(settings.data_dir), "sync"]
        refused = subprocess.run(cli, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert refused.returncode == 75, refused.stderr  # the CLI's sync while the worker's runs
        assert "worker" in refused.stderr and f"tiến trình {worker.pid}" in refused.stderr and "--wait" in refused.stderr
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    with pytest.raises(LeaseHeld):  # the dead holder's lease has not expired yet
        service.sync()
    clock.set(time.time() + lease_seconds + 1)  # past the last renewal's expiry, on this test's clock
    assert service.store.lease() is None
    assert service.store.job(job.id).state == "interrupted" and service.store.runs()[0].status == "interrupted"  # shown so before anyone takes over
    service.sync()  # this process takes the expired lease over
    done = subprocess.run(cli, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr  # and, the lease released, the CLI's sync works
    assert service.store.job(job.id).state == "interrupted" and service.store.job(job.id).error["category"] == "temporary"
    runs = service.store.runs()
    assert [r.status for r in runs[:3]] == ["ok", "ok", "interrupted"] and runs[2].job_id == job.id
    service.close()


def _appears(path, process, timeout: float = 60) -> bool:
    """Whether ``path`` appears before ``timeout`` (False at once if ``process`` ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists():
            return True
        time.sleep(0.02)
    return path.exists()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_eight_processes_opening_a_new_store_at_once(backend, tmp_path, request):
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else ""
    body = f"""
        import sys
        from pathlib import Path
        from sonket_gsync.core.settings import Settings
        from sonket_gsync.store import open_store
        store = open_store(Settings.from_env({{}}, data_dir=Path({str(tmp_path / "data")!r}), database_url={url!r}))
        store.heartbeat("p" + sys.argv[1])
        store.enqueue_job("sync", {{}}, dedupe_key="sync")
        print(len(store.jobs()))
        """
    processes = [subprocess.Popen([*_script(body), str(i)], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, [err for _, err in outputs]
    settings = Settings.from_env({}, data_dir=tmp_path / "data", database_url=url)
    store = open_store(settings, create=False)
    assert len(store.jobs()) == 1


def test_a_temporary_file_left_by_a_killed_process_is_swept(service):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    outputs = service.workspace.outputs_dir
    outputs.mkdir(parents=True, exist_ok=True)
    leftover = outputs / f".bao-cao.docx.{dead}.1234.tmp"
    leftover.write_bytes(b"half a draft")
    alive = outputs / f".bao-cao.docx.{os.getpid()}.99.tmp"  # another thread of a live process: kept
    alive.write_bytes(b"being written")
    service.workspace.write_output("bao-cao.docx", b"draft", "application/octet-stream")
    assert not leftover.exists() and alive.exists()


class CountingWorkspace(LocalWorkspace):
    """A workspace that caches a listing, as the Google one does, and counts its refreshes."""

    refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1


def test_taking_the_lease_refreshes_the_workspace_once_per_hold(small, settings):
    service = make_service(settings, small, CountingWorkspace)
    service.provision()  # takes the lease: one refresh
    assert service.workspace.refreshes == 1
    with service.lease("compile"):  # held across a sync and a compile: still one refresh
        service.sync()
        service.publish_summary()
    assert service.workspace.refreshes == 2


def test_renewing_a_drive_channel_on_the_local_backend_is_a_config_error_job(service):
    job = service.enqueue("renew_channel", {"address": "https://so-ket.example/drive", "token": "t"})
    assert service.run_worker(once=True) == 1
    failed = service.job(job.id)
    assert failed.state == "failed" and failed.error["category"] == "config" and "Google" in failed.error["message"]
    assert service.store.channels() == []


def test_a_long_job_still_shows_a_live_worker(small, settings):
    """The job runs while the store's clock moves on by heartbeat periods: the worker's
    heartbeat thread beats on that clock, so the worker shows alive during the job."""
    from sonket_gsync.app.jobs import HANDLERS, register

    clock = ManualClock()
    service = make_service(settings, small, clock=clock)
    seen = {}

    def long_job(svc, params, progress):
        seen["started"] = svc.store.last_heartbeat()
        deadline = time.monotonic() + 30
        while svc.store.last_heartbeat() == seen["started"] and time.monotonic() < deadline:
            clock.advance(HEARTBEAT_SECONDS)  # the job takes a heartbeat period longer
            time.sleep(0.02)
        seen["during"] = svc.store.last_heartbeat()
        return {}

    register("long_job_for_test")(long_job)
    try:
        service.enqueue("long_job_for_test")
        assert service.run_worker(once=True) == 1
    finally:
        HANDLERS.pop("long_job_for_test", None)
        service.close()
    assert seen["during"] - seen["started"] >= timedelta(seconds=HEARTBEAT_SECONDS)  # beats went on while the job ran

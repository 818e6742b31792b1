"""The CLI with the store and the lease: read-only commands never create a store; a second
writer exits 75 naming who holds the lease since when, or waits with --wait; the worker runs
queued jobs. Nothing waits on the wall clock for a second: the waiting writer is released once
it is seen waiting (its store open, a poll period gone by)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sonket_gsync.app.service import CampaignService
from sonket_gsync.core.settings import REPO_ROOT, Settings


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for key in ("SONKET_BACKEND", "SONKET_DATA_DIR", "SONKET_DATABASE_URL"):
        env.pop(key, None)
    return env


def run(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sonket_gsync.cli.main", *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)


def _has_open(process: subprocess.Popen, path: Path, timeout: float = 60) -> bool:
    """Whether ``process`` opens ``path`` (seen in /proc) before ``timeout``."""
    target = str(path.resolve())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if target in _open_files(process.pid):
            return True
        time.sleep(0.02)
    return False


def _open_files(pid: int) -> set[str]:
    found = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            continue
    return found


def test_status_in_a_folder_with_nothing_says_so_and_creates_nothing(tmp_path):
    result = run("--data", "du-lieu", "status", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "chưa từng được tạo biểu mẫu" in result.stderr and "--data" in result.stderr and "SONKET_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "du-lieu").exists()
    assert run("--data", "du-lieu", "links", cwd=tmp_path).returncode == 2 and not (tmp_path / "du-lieu").exists()


def test_a_second_writer_exits_75_naming_the_holder_or_waits(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    service = CampaignService.open(settings)
    lease = service.lease("sonket-gsync sync")
    lease.__enter__()
    try:
        refused = run("--data", str(settings.data_dir), "sync", cwd=tmp_path)
        assert refused.returncode == 75, refused.stderr
        assert f"sonket-gsync sync (máy {os.uname().nodename}, tiến trình {os.getpid()})" in refused.stderr
        assert "từ " in refused.stderr and "--wait" in refused.stderr and "Traceback" not in refused.stderr
        assert run("--data", str(settings.data_dir), "compile", cwd=tmp_path).returncode == 75
        status = run("--data", str(settings.data_dir), "status", cwd=tmp_path)  # reading is never blocked
        assert status.returncode == 0 and "Đang ghi: sonket-gsync sync" in status.stdout
        command = [sys.executable, "-m", "sonket_gsync.cli.main", "--data", str(settings.data_dir), "provision", "--unit", "SO_NV", "--wait"]
        waiting = subprocess.Popen(command, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert _has_open(waiting, settings.db_path), waiting.communicate()  # it has opened the store...
        time.sleep(0.6)  # ...and asked for the lease at least once (it polls every 0.5 s)
        assert waiting.poll() is None and "SO_NV" not in service.store.unit_files("local")  # it waits
        lease.__exit__(None, None, None)
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert "Đã tạo mới: 1 đơn vị" in out and "SO_NV" in service.store.unit_files("local")
    finally:
        service.close()


def test_the_worker_runs_queued_jobs(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    service = CampaignService.open(settings)
    job = service.enqueue("provision", {"only": ["SO_NV", "MTTQ"]}, requested_by="can.bo@tinh.vn")
    assert service.enqueue("provision", {"only": ["SO_NV", "MTTQ"]}).id == job.id
    result = run("--data", str(settings.data_dir), "worker", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Đã chạy 1 việc." in result.stdout
    done = service.job(job.id)
    assert done.state == "done" and sorted(done.result["created"]) == ["MTTQ", "SO_NV"]
    assert done.requested_by == "can.bo@tinh.vn" and done.started_at <= done.finished_at
    service.enqueue("sync", {"only": ["KHONG_CO"]})
    assert run("--data", str(settings.data_dir), "worker", "--once", cwd=tmp_path).returncode == 0
    listed = run("--data", str(settings.data_dir), "jobs", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("#2 Đồng bộ: lỗi") and "KHONG_CO" in lines[1]
    assert lines[2].startswith(f"#{job.id} Tạo biểu mẫu: xong") and "can.bo@tinh.vn" in lines[2]
    assert "worker" in lines[-1] and "lần cuối" in lines[-1]
    service.close()

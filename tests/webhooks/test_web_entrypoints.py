"""The service's entry commands, run as the container and a single machine run them (Docker
itself cannot build here): the Dockerfile's commands match the package's entry points;
gunicorn serves ``webhooks:create_app()`` on loopback while ``sonket-gsync worker --once``
runs the sync a request queued; ``sonket-gsync serve`` runs app + worker in one process;
``sonket-gsync staff add`` stores a hashed password."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from sonket_gsync.core.settings import REPO_ROOT
from tests.net import free_port
from tests.web.fixtures import SYNC_SECRET


def dockerfile() -> dict:
    text = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    return {"text": text, "cmd": cmd, "from": re.search(r"^FROM (\S+)", text, re.M).group(1), "user": re.findall(r"^USER (\S+)", text, re.M)}


def test_dockerfile_is_slim_non_root_with_a_data_volume():
    d = dockerfile()
    assert d["from"].startswith("python:3.") and d["from"].endswith("-slim")
    assert d["user"] and d["user"][-1] not in ("root", "0")
    assert re.search(r'^VOLUME \["/data"\]', d["text"], re.M) and "SONKET_DATA_DIR=/data" in d["text"]
    assert re.search(r"^RUN pip install /app", d["text"], re.M)


def test_dockerfile_commands_match_the_entry_points():
    d = dockerfile()
    shell = d["cmd"][-1]
    spec = re.search(r"'(webhooks:create_app\(\))'", shell).group(1)
    assert shell.startswith("exec gunicorn ") and "--bind 0.0.0.0:${PORT}" in shell
    module, call = spec.split(":")
    import importlib

    factory = getattr(importlib.import_module(module), call.removesuffix("()"))
    assert callable(factory)
    # the worker command named in the Dockerfile is the package's console script + a real command
    assert "sonket-gsync worker" in d["text"]
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"sonket-gsync": "sonket_gsync.cli.main:main"}
    from sonket_gsync.cli.main import cli

    assert {"worker", "serve", "watch", "staff"} <= set(cli.commands)
    # the campaign and template ship as package data: their sources are copied before pip install
    assert "SONKET_CAMPAIGN_DIR" not in d["text"]
    assert re.search(r"^COPY config \./config", d["text"], re.M) and re.search(r"^COPY templates \./templates", d["text"], re.M)


def env_for(data: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SONKET_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "SONKET_DATA_DIR": str(data),
            "SONKET_SYNC_SECRET": SYNC_SECRET,
            "SONKET_NIGHTLY_SYNC_TIME": "",
            "SONKET_WORKER_POLL_SECONDS": "0.2",
        }
    )
    env.update(extra)
    return env


def get(url: str, **kw):
    request = urllib.request.Request(url, **kw)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-3000:]
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def test_gunicorn_serves_the_factory_and_the_worker_runs_the_queued_sync(demo_template, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    port = free_port()
    shell = dockerfile()["cmd"][-1]
    args = shell.removeprefix("exec gunicorn ").replace("${PORT}", str(port)).replace("0.0.0.0", "127.0.0.1")
    argv = [sys.executable, "-m", "gunicorn", *[a.strip("'") for a in args.split()]]
    web = subprocess.Popen(argv, env=env_for(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/healthz", web)
        assert get(base + "/readyz")[0] == 503  # no worker yet
        status, body = get(base + "/sync", method="POST", headers={"Authorization": f"Bearer {SYNC_SECRET}"})
        assert status == 202, body
        job = json.loads(body)["job"]
        worker = subprocess.run(
            [sys.executable, "-m", "sonket_gsync.cli.main", "worker", "--once"], env=env_for(data), capture_output=True, text=True, timeout=300
        )
        assert worker.returncode == 0, worker.stderr
        assert "Đã chạy 1 việc" in worker.stdout
        assert get(base + "/readyz")[0] == 200  # the worker's heartbeat is fresh
    finally:
        log = stop(web)
    assert re.search(r"POST /sync 202", log), log[-2000:]  # one line per request
    assert SYNC_SECRET not in log
    assert job


def test_serve_runs_app_worker_and_answers_a_sync(demo_template, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sonket_gsync.cli.main", "serve", "--port", str(port)],
        env=env_for(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/healthz", process)
        status, _body = get(base + "/sync", method="POST", headers={"Authorization": f"Bearer {SYNC_SECRET}"})
        assert status == 202
        deadline = time.monotonic() + 120
        while get(base + "/readyz")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert get(base + "/readyz")[0] == 200
    finally:
        log = stop(process)
    assert process.returncode == 0, log[-2000:]


@pytest.mark.parametrize("password, ok", [("mot-mat-khau-dai", True), ("ngan", False)])
def test_staff_add_stores_a_hashed_password(tmp_path, password, ok):
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "sonket_gsync.cli.main", "--data", str(data), "staff", "add", "Can.Bo@Tinh.example", "--name", "Cán Bộ", "--password-stdin"],
        input=password + "\n",
        env=env_for(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if not ok:
        assert result.returncode == 2 and "Mật khẩu quá ngắn" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    from sonket_gsync.core.settings import Settings
    from sonket_gsync.store import open_store

    store = open_store(Settings.from_env({}, data_dir=data), create=False)
    person = store.staff("can.bo@tinh.example")
    store.close()
    assert person.name == "Cán Bộ" and password not in person.password_hash
    from werkzeug.security import check_password_hash

    assert check_password_hash(person.password_hash, password)

"""No unit token in any log line, and no ``Server: Werkzeug/… Python/…`` header: ``serve``
(Werkzeug's access log) and gunicorn with its access log on, each run as the machine runs it
and its whole output read."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from sonket_gsync.core.settings import Settings
from sonket_gsync.store import open_store
from tests.webhooks.test_web_entrypoints import dockerfile, env_for, free_port, wait_up


def stop(process: subprocess.Popen) -> str:
    """Stop the server; everything it wrote (stdout and stderr)."""
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return out + err


def fetch(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, dict(exc.headers)


def tokens_of(data) -> tuple[list[str], str]:
    """Three live unit tokens and one rotated away."""
    store = open_store(Settings.from_env({}, data_dir=data))
    try:
        codes = ["SO_NV", "SO_TC", "VP_UBND"]
        live = [store.unit_token(c) for c in codes]
        old = live[0]
        store.rotate_unit_tokens([codes[0]], "test")
        live[0] = store.unit_token(codes[0])
        return live, old
    finally:
        store.close()


def visit(base: str, live: list[str], old: str) -> list[dict]:
    headers = []
    for token in live:
        for path in (f"/u/{token}", f"/u/{token}/bieu-mau.xlsx", f"/u/{token}/khong-co", f"/u/{token}?a=1"):
            status, h = fetch(base + path)
            assert status in (200, 404), (path, status)
            headers.append(h)
    status, h = fetch(base + f"/u/{old}")
    assert status == 410
    headers.append(h)
    return headers


def check(log: str, live: list[str], old: str, headers: list[dict]) -> None:
    assert "/u/…" in log, log[-2000:]  # the requests were logged, masked
    for token in [*live, old]:
        assert token not in log
    for h in headers:
        server = h.get("Server", "")
        assert "Werkzeug" not in server and "Python" not in server, server


def test_serve_logs_no_token_and_names_no_server_software(demo_template, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    live, old = tokens_of(data)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sonket_gsync.cli.main", "serve", "--port", str(port), "--no-schedule"],
        env=env_for(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/healthz", process)
        headers = visit(base, live, old)
    finally:
        log = stop(process)
    assert '"GET /u/… HTTP/1.1" 200' in log, log[-2000:]  # Werkzeug's own access line, masked
    check(log, live, old, headers)


def test_gunicorn_access_log_has_no_token(demo_template, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    live, old = tokens_of(data)
    port = free_port()
    shell = dockerfile()["cmd"][-1]
    args = shell.removeprefix("exec gunicorn ").replace("${PORT}", str(port)).replace("0.0.0.0", "127.0.0.1")
    argv = [sys.executable, "-m", "gunicorn", "--access-logfile", "-", "--error-logfile", "-", *[a.strip("'") for a in args.split()]]
    web = subprocess.Popen(argv, env=env_for(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/healthz", web)
        headers = visit(base, live, old)
    finally:
        log = stop(web)
    assert '"GET /u/… HTTP/1.1" 200' in log, log[-3000:]  # gunicorn's access line, masked
    check(log, live, old, headers)

"""A real PostgreSQL server for the tests, started by the tests themselves and removed after.

Debian's server binaries (/usr/lib/postgresql/<version>/bin) refuse to run as root, so as
root the cluster lives in a temporary folder owned by ``postgres`` and initdb/pg_ctl run
through ``runuser -u postgres``. The server listens on a free loopback port only, with
fsync off (throwaway data). Each test that asks for ``pg_url`` gets a fresh database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.net import free_port

RUNUSER = "/usr/sbin/runuser"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name.split(".")[0]))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return [RUNUSER, "-u", "postgres", "--", *args]
    return args


class PgServer:
    """A throwaway server the test owns: ``url``; ``stop()`` (immediate, like a crash or a
    restart) and ``start()`` again on the same port and data."""

    def __init__(self, bin_dir: Path, root: Path, port: int) -> None:
        self.bin_dir, self.root, self.port = bin_dir, root, port
        self.url = f"postgresql://postgres@127.0.0.1:{port}"

    def _ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            _as_postgres([str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), *args]), check=check, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._ctl("-w", "-l", str(self.root / "log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a restart as an operator does it (connections cut, data kept). The server
        runs with synchronous_commit off, so ``immediate`` may lose the last commits."""
        self._ctl("-m", mode, "-w", "stop", check=False)


@contextmanager
def postgres_control():
    """Start a throwaway server; yield its PgServer (stop/start it at will); remove it after."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): install the Debian package 'postgresql'.")
    root = Path(tempfile.mkdtemp(prefix="sonket-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PgServer(bin_dir, root, free_port())
    try:
        subprocess.run(
            _as_postgres([str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        server.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from None
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_server():
    """Start a throwaway server; yield postgresql://postgres@127.0.0.1:PORT; stop and remove it."""
    with postgres_control() as server:
        yield server.url


@pytest.fixture(scope="session")
def pg_server():
    """postgresql://postgres@127.0.0.1:PORT — the server of this test session."""
    try:
        server = postgres_server()
        url = server.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def create_database(server_url: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return f"{server_url}/{name}"


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty database on the session's server."""
    return create_database(pg_server)


@pytest.fixture
def pg_control():
    """A server of this test's own, which the test may stop and start (an outage)."""
    try:
        control = postgres_control()
        server = control.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        control.__exit__(None, None, None)

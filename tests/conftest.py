"""Shared fixtures: a loaded campaign, fresh settings on a temporary data folder, the wheel
built once, and the demo run from it once for the whole test run (its folder copied by each
test that writes)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.clock import ManualClock
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, REPO_ROOT, Settings

pytest_plugins = ["tests.fake_google.fixtures", "tests.pg", "tests.web.fixtures"]  # tests.pg: a real PostgreSQL (store); tests.web: the web app (issue 8)


@pytest.fixture(scope="session")
def campaign():
    return load_campaign(DEFAULT_CAMPAIGN)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_settings(request, tmp_path) -> Settings:
    """Settings on each store in turn: SQLite, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return Settings.from_env({}, data_dir=tmp_path / "data")
    return Settings.from_env({}, data_dir=tmp_path / "data", database_url=request.getfixturevalue("pg_url"))


@pytest.fixture
def clock() -> ManualClock:
    """Time that moves only when a test says so."""
    return ManualClock()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts PostgreSQL (through the ``pg_server`` / ``pg_url`` fixtures) is
    marked ``postgres``: ``make test-fast`` leaves it out."""
    for item in items:
        if {"pg_server", "pg_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder ``build`` fills once per test run: with pytest-xdist the first worker that needs
    it builds it under a lock, the others wait for it and use the same folder."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / f"{name}.built").exists():
                shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
                folder.mkdir()
                build(folder)
                (root / f"{name}.built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


@dataclass(frozen=True)
class Wheel:
    """The project built as a wheel (``pip wheel``) and unpacked into ``site``: what an
    installation holds, with no source checkout around it."""

    path: Path
    site: Path

    def env(self) -> dict[str, str]:
        """The environment of a process that imports sonket_gsync from the wheel only."""
        env = {**os.environ, "PYTHONPATH": str(self.site)}
        for key in ("SONKET_BACKEND", "SONKET_CAMPAIGN_DIR", "SONKET_TEMPLATES_DIR"):
            env.pop(key, None)
        return env


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Wheel:
    """The wheel, built once for the test run (a few seconds): tests/test_packaging.py checks
    what it carries, and the demo runs from it."""

    def build(folder: Path) -> None:
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder / "dist"), str(REPO_ROOT)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if built.returncode != 0:
            raise RuntimeError(f"pip wheel failed:\n{built.stderr}")
        path = next((folder / "dist").glob("sonket_gsync-*.whl"))
        with zipfile.ZipFile(path) as package:
            package.extractall(folder / "site")

    folder = build_once(tmp_path_factory, "wheel", build)
    return Wheel(next((folder / "dist").glob("sonket_gsync-*.whl")), folder / "site")


@dataclass(frozen=True)
class DemoRun:
    """``python -m sonket_gsync demo`` as a user runs it: installed from the wheel, in a
    fresh folder far from the source checkout, no option."""

    cwd: Path  # where it ran (its data/ folder): only tests/cli/test_cli.py goes on in it
    result: subprocess.CompletedProcess
    pristine: Path  # a copy of its data folder made at once and never written: copy it to write
    pythonpath: str  # where its code came from (the unpacked wheel)

    @property
    def ok(self) -> bool:
        return self.result.returncode == 0


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, wheel: Wheel) -> DemoRun:
    """The whole demo (127 units provisioned, answering on time, late, with errors or not at
    all, a draft) run once for the test run, from the wheel (so tests/test_packaging.py needs
    no second run): it takes half a minute."""

    def build(folder: Path) -> None:
        cwd = folder / "run"
        cwd.mkdir()
        env = wheel.env()
        args = [sys.executable, "-m", "sonket_gsync", "demo"]
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        record = {"args": args, "returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
        (folder / "result.json").write_text(json.dumps({"result": record, "pythonpath": env["PYTHONPATH"]}))
        if done.returncode == 0:
            shutil.copytree(cwd / "data", folder / "pristine" / "data", symlinks=True)

    folder = build_once(tmp_path_factory, "demo", build)
    saved = json.loads((folder / "result.json").read_text())
    result = subprocess.CompletedProcess(**saved["result"])
    return DemoRun(cwd=folder / "run", result=result, pristine=folder / "pristine" / "data", pythonpath=saved["pythonpath"])

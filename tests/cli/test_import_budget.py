"""Each command loads only what it uses: the module sets of real CLI runs, read in a child
process (``sys.modules`` at exit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sonket_gsync.app.service import CampaignService
from sonket_gsync.core.settings import REPO_ROOT, Settings
from tests.units import type_answers

HEAVY = ("flask", "sqlalchemy", "alembic", "pandas", "openpyxl", "docx", "sklearn", "scipy", "matplotlib", "docxtpl", "googleapiclient")
ANALYSIS_STACK = ("sklearn", "scipy", "matplotlib", "docxtpl")
NOT_IN_A_SYNC = (*ANALYSIS_STACK, "flask", "alembic", "googleapiclient")  # local backend, store at the head
NOT_IN_A_NO_CHANGE_SYNC = (*NOT_IN_A_SYNC, "pandas", "openpyxl", "docx", "python_calamine")  # nothing to read or total
RECORD = "import atexit, json, os, sys; atexit.register(lambda: open(os.environ['MODULES_OUT'], 'w').write(json.dumps(sorted(sys.modules))))\n"


def loaded(tmp_path: Path, code: str, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "MODULES_OUT": str(out)}
    subprocess.run([sys.executable, "-c", RECORD + code, *args], env=env, cwd=tmp_path, check=True, capture_output=True)
    return set(json.loads(out.read_text()))


def top_level(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(names))


def run_cli(tmp_path: Path, *args: str) -> set[str]:
    return loaded(tmp_path, "from sonket_gsync.cli import main\nmain(sys.argv[1:])", *args)


def test_importing_the_cli_loads_no_heavy_library(tmp_path):
    assert top_level(loaded(tmp_path, "import sonket_gsync.cli"), HEAVY) == []


def test_help_loads_no_heavy_library_and_lists_every_registered_command(tmp_path):
    modules = run_cli(tmp_path, "--help")
    assert top_level(modules, HEAVY) == []
    assert "webhooks.cli" in modules and "sonket_gsync.demo.command" in modules  # the entry points were loaded


def test_sync_loads_no_analysis_or_report_stack(tmp_path):
    data = tmp_path / "data"
    service = CampaignService.open(Settings.from_env(data_dir=data))
    service.provision(["X_XUAN_LOC", "SO_NV"])
    type_answers(service, "X_XUAN_LOC")  # one unit typed its answers: the sync reads, validates, stores
    service.close()
    modules = run_cli(tmp_path, "--data", str(data), "sync")
    assert "sonket_gsync.ingest.sync" in modules
    assert top_level(modules, NOT_IN_A_SYNC) == []


def test_a_no_change_sync_loads_no_reader_no_migration_tool_and_no_other_command(tmp_path):
    data = tmp_path / "data"
    service = CampaignService.open(Settings.from_env(data_dir=data))
    service.provision(["X_XUAN_LOC"])
    service.sync()
    service.close()
    modules = run_cli(tmp_path, "--data", str(data), "sync")
    assert "sonket_gsync.ingest.sync" in modules and "sqlalchemy" in modules
    assert top_level(modules, NOT_IN_A_NO_CHANGE_SYNC) == []
    # the entry points' commands (web, demo) are loaded only to list commands or run one of theirs
    assert not {"webhooks.cli", "sonket_gsync.demo.command"} & modules


def test_a_command_from_an_entry_point_runs(tmp_path):
    modules = run_cli(tmp_path, "staff", "--help")
    assert "webhooks.cli" in modules
    assert top_level(modules, ("flask", "pandas", "alembic")) == []

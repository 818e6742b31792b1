"""The whole cycle on PostgreSQL (the store for several processes or machines): provision,
sync, compile and status through the CLI with SONKET_DATABASE_URL, one writer at a time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.core.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.postgres


def run(*args: str, cwd, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "SONKET_DATABASE_URL": url}
    for key in ("SONKET_BACKEND", "SONKET_DATA_DIR"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "sonket_gsync.cli.main", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_a_campaign_on_postgresql_through_the_cli(pg_url, tmp_path):
    assert run("--data", "du-lieu", "status", cwd=tmp_path, url=pg_url).returncode == 2  # nothing there yet
    units = ["--unit", "SO_NV", "--unit", "MTTQ"]
    provisioned = run("--data", "du-lieu", "provision", *units, cwd=tmp_path, url=pg_url)
    assert provisioned.returncode == 0, provisioned.stderr
    assert not (tmp_path / "du-lieu" / "sonket.db").exists()  # the store is the database, not a file
    settings = Settings.from_env({}, data_dir=tmp_path / "du-lieu", database_url=pg_url)
    service = CampaignService.open(settings, create=False)
    with service.lease("kiểm thử"):
        refused = run("--data", "du-lieu", "sync", cwd=tmp_path, url=pg_url)
        assert refused.returncode == 75 and "kiểm thử" in refused.stderr
    synced = run("--data", "du-lieu", "sync", cwd=tmp_path, url=pg_url)
    assert synced.returncode == 0, synced.stderr
    compiled = run("--data", "du-lieu", "compile", cwd=tmp_path, url=pg_url)
    assert compiled.returncode == 0, compiled.stderr
    status = run("--data", "du-lieu", "status", cwd=tmp_path, url=pg_url)
    assert status.returncode == 0 and "Dự thảo gần nhất: file://" in status.stdout
    assert {o.kind for o in service.store.outputs(limit=4)} == {"companion", "tables", "report", "summary"}
    assert service.store.runs()[0].status == "ok"
    service.close()

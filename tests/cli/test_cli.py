"""The sonket-gsync command as a user runs it: the demo end to end, and errors as messages."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sonket_gsync.core.settings import REPO_ROOT


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("SONKET_BACKEND", None)
    return subprocess.run([sys.executable, "-m", "sonket_gsync.cli.main", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo(demo_run) -> tuple[Path, subprocess.CompletedProcess]:
    """`demo` in a fresh folder, run once for the test run (tests/conftest.py, the web tests
    copy it): this module's commands go on in that folder."""
    return demo_run.cwd, demo_run.result


def test_demo_runs_the_whole_campaign_and_says_where_the_draft_is(demo):
    cwd, result = demo
    assert result.returncode == 0, result.stderr
    draft = cwd / "data" / "workspace" / "ket-qua" / "bao-cao-so-ket-du-thao.docx"
    assert draft.as_uri() in result.stdout
    assert zipfile.is_zipfile(draft)
    assert "Toàn tỉnh" in result.stdout and "Chưa gửi" in result.stdout


def test_demo_has_units_on_time_late_invalid_and_missing(demo):
    cwd, _ = demo
    db = sqlite3.connect(cwd / "data" / "sonket.db")
    statuses = dict(db.execute("SELECT read_status, COUNT(*) FROM unit_state GROUP BY read_status").fetchall())
    assert statuses["ok"] > 80 and statuses["invalid"] >= 5 and statuses["empty"] >= 5
    located = db.execute("SELECT COUNT(*) FROM problems WHERE severity = 'error' AND sheet != '' AND row IS NOT NULL").fetchone()[0]
    assert located > 0


def test_status_after_the_demo_shows_one_units_problems(demo):
    cwd, _ = demo
    db = sqlite3.connect(cwd / "data" / "sonket.db")
    code = db.execute("SELECT unit_code FROM unit_state WHERE read_status = 'invalid' ORDER BY unit_code LIMIT 1").fetchone()[0]
    result = run("status", "--unit", code.lower(), cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Lỗi [" in result.stdout and "Bảng tính: file://" in result.stdout


def test_a_second_sync_after_the_demo_finds_nothing_to_read(demo):
    cwd, _ = demo
    result = run("sync", cwd=cwd)
    assert result.returncode == 0 and ": 0 đơn vị có thay đổi" in result.stdout


def test_demo_refuses_to_wipe_a_folder_that_is_not_a_demo(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "quan-trong.txt").write_text("x")
    result = run("--data", "data", "demo", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "data" / "quan-trong.txt").exists()
    assert "Lỗi:" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_campaign_folder_is_a_message_not_a_traceback(tmp_path):
    result = run("--config", str(tmp_path / "khong-co"), "status", cwd=tmp_path)
    assert result.returncode == 2
    assert "campaign.toml" in result.stderr and "Cách khắc phục" in result.stderr and "Traceback" not in result.stderr


def test_status_tells_the_last_sync_and_where_the_latest_draft_is(demo):
    cwd, _ = demo
    result = run("status", cwd=cwd)
    assert result.returncode == 0, result.stderr
    draft = (cwd / "data" / "workspace" / "ket-qua" / "bao-cao-so-ket-du-thao.docx").as_uri()
    assert "Đồng bộ gần nhất:" in result.stdout and f"Dự thảo gần nhất: {draft}" in result.stdout


# --- after the demo, the README's next commands work in the same folder with no option ------


def test_status_errors_after_the_demo_lists_located_problems(demo):
    cwd, _ = demo
    result = run("status", "--errors", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Dữ liệu chạy thử" in result.stdout and "- " in result.stdout and "dòng" in result.stdout


def test_compile_after_the_demo_drafts_from_the_demos_data(demo):
    cwd, _ = demo
    result = run("compile", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert (cwd / "data" / "workspace" / "ket-qua" / "bao-cao-so-ket-du-thao.docx").as_uri() in result.stdout


def test_links_after_the_demo_writes_the_distribution_sheet(demo):
    cwd, _ = demo
    result = run("links", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "127 đơn vị" in result.stdout


def test_reading_commands_never_create_a_store_and_say_where_to_look(demo):
    cwd, _ = demo
    result = run("--data", "khong-co-gi", "status", cwd=cwd)
    assert result.returncode == 2
    assert not (cwd / "khong-co-gi").exists()
    assert "--data" in result.stderr and str(cwd / "data") in result.stderr and "Traceback" not in result.stderr


def test_check_config_summarises_the_campaign(tmp_path):
    result = run("check-config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "127" not in result.stderr and "chỉ tiêu" in result.stdout

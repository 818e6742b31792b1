"""Sync on the real local workspace and SQLite store: incremental reads, versions kept once,
bad files flagged without losing what was stored, and the cursor kept with the data."""

from __future__ import annotations

import os
import sqlite3

import pytest
from openpyxl import load_workbook

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.errors import AuthError, WorkspaceUnavailable
from sonket_gsync.demo.synthetic import to_submission
from sonket_gsync.forms import narrative
from sonket_gsync.forms.layout import sheet_layout
from sonket_gsync.store import Store
from tests.units import only, type_answers

answer = type_answers

CODES = ("LHH_KHKT", "SO_NV", "MTTQ", "X_XUAN_LOC", "P_BIEN_HOA", "DU_CA")


@pytest.fixture
def small(campaign):
    return only(campaign, CODES)


@pytest.fixture
def service(small, settings):
    workspace = LocalWorkspace(settings.workspace_dir, small)
    service = CampaignService(settings, small, workspace, Store(settings.db_path))
    service.provision()
    yield service
    service.close()


def record(service, code):
    return next(r for r in service.records() if r.unit.code == code)


def test_first_sync_reads_every_unit_and_stores_what_they_typed(service):
    answers = answer(service, "X_XUAN_LOC")
    report = service.sync()
    assert report.changed == len(CODES) and report.read == len(CODES)
    assert report.accepted == ["X_XUAN_LOC"] and report.versions_added == 1
    rec = record(service, "X_XUAN_LOC")
    assert rec.status == "on_time"
    assert rec.submission.tables == to_submission(service.campaign, service.campaign.unit("X_XUAN_LOC"), answers).tables
    assert record(service, "SO_NV").status == "missing"


def test_second_sync_reads_only_what_changed(service):
    service.sync()
    assert service.sync().changed == 0
    answer(service, "SO_NV")
    report = service.sync()
    assert report.changed == 1 and report.accepted == ["SO_NV"]


def test_identical_content_is_not_stored_twice(service):
    answer(service, "MTTQ")
    service.sync()
    answer(service, "MTTQ", typed_at=5)  # same answers typed again: the file changes, the content does not
    report = service.sync()
    assert report.changed == 1 and report.versions_added == 0
    assert len(service.store.versions("MTTQ")) == 1
    answer(service, "MTTQ", seed=1, typed_at=10)
    assert service.sync().versions_added == 1
    assert len(service.store.versions("MTTQ")) == 2


def test_late_submission_is_late(service):
    answer(service, "DU_CA", profile="late")
    service.sync()
    rec = record(service, "DU_CA")
    assert rec.status == "late" and rec.submitted_at > service.campaign.deadline


def test_invalid_edit_keeps_the_last_valid_version_and_flags_the_unit(service):
    good = answer(service, "X_XUAN_LOC")
    service.sync()
    answer(service, "X_XUAN_LOC", typed_at=5, PL02={"members_rate": 140})
    report = service.sync()
    assert report.invalid == ["X_XUAN_LOC"]
    rec = record(service, "X_XUAN_LOC")
    assert rec.status == "invalid" and rec.flagged and rec.error_count == 1
    assert rec.submission.tables["PL02"][0]["members_rate"] == good.tables["PL02"][0]["members_rate"]
    [problem] = service.store.problems("X_XUAN_LOC")
    assert problem.code == "percent_range" and problem.sheet == "PL02 Đảng ủy" and problem.row == 6


def test_corrupt_file_is_flagged_and_the_rest_of_the_sync_goes_on(service):
    answer(service, "SO_NV")
    answer(service, "MTTQ")
    service.sync()
    answer(service, "MTTQ", seed=2, typed_at=5)
    service.workspace.xlsx_path(service.campaign.unit("SO_NV")).write_bytes(b"PK\x03\x04 not really a workbook")
    report = service.sync()
    assert report.failed == ["SO_NV"] and report.accepted == ["MTTQ"]
    rec = record(service, "SO_NV")
    assert rec.status == "invalid" and rec.submission is not None
    [problem] = service.store.problems("SO_NV")
    assert "SO_NV_bieu-mau.xlsx" in problem.message and "Cách khắc phục" in problem.message


def test_a_text_file_renamed_xlsx_does_not_crash(service):
    service.workspace.xlsx_path(service.campaign.unit("DU_CA")).write_text("không phải bảng tính", encoding="utf-8")
    report = service.sync()
    assert report.failed == ["DU_CA"] and record(service, "DU_CA").status == "invalid"


def test_deleted_file_is_flagged_once_and_keeps_its_data(service):
    answer(service, "P_BIEN_HOA")
    service.sync()
    os.remove(service.workspace.xlsx_path(service.campaign.unit("P_BIEN_HOA")))
    assert service.sync().gone == ["P_BIEN_HOA"]
    assert service.sync().gone == []  # told once, not at every run
    rec = record(service, "P_BIEN_HOA")
    assert rec.status == "invalid" and rec.submission is not None


def test_deleted_sheet_and_overwritten_header_are_located_errors(service, small):
    unit = small.unit("LHH_KHKT")
    answer(service, "LHH_KHKT")
    path = service.workspace.xlsx_path(unit)
    wb = load_workbook(path)
    del wb["PL01-2 Kiểm tra"]
    wb["PL01-1 Văn bản"]["B4"] = "đã ghi đè"
    wb.save(path)
    service.sync()
    codes = sorted(p.code for p in service.store.problems("LHH_KHKT") if p.severity == "error")
    assert codes == ["missing_column", "missing_sheet"]
    assert not any("Lịch sử phiên bản" in p.message for p in service.store.problems("LHH_KHKT"))  # the local backend has none


def test_retryable_failure_is_read_again_at_the_next_sync(service, small, monkeypatch):
    answer(service, "SO_NV")
    original = service.workspace.read_unit

    def flaky(unit):
        if unit.code == "SO_NV":
            raise WorkspaceUnavailable("Ổ đĩa mạng tạm thời không truy cập được.")
        return original(unit)

    monkeypatch.setattr(service.workspace, "read_unit", flaky)  # the network edge, not our logic
    assert service.sync().retry == ["SO_NV"]
    monkeypatch.setattr(service.workspace, "read_unit", original)
    report = service.sync()  # the file did not change, but the unit is still owed a read
    assert report.changed == 1 and report.accepted == ["SO_NV"]


def test_cursor_is_stored_with_the_data_and_not_moved_by_a_failed_run(service, settings, small):
    service.sync()
    cursor = service.store.cursor("local")
    assert cursor
    answer(service, "SO_NV")

    def refused(unit):
        raise AuthError("Thông tin xác thực Google bị từ chối.")

    service.workspace.read_unit = refused  # the whole workspace refuses: the run stops
    with pytest.raises(AuthError):
        service.sync()
    assert service.store.cursor("local") == cursor
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1").fetchone()[0].startswith("failed")


def test_on_demand_sync_of_one_unit_leaves_the_cursor(service):
    service.sync()
    cursor = service.store.cursor("local")
    answer(service, "SO_NV")
    answer(service, "MTTQ")
    report = service.sync(only=["SO_NV"])
    assert report.accepted == ["SO_NV"]
    assert service.store.cursor("local") == cursor
    assert sorted(service.sync().accepted) == ["MTTQ", "SO_NV"]  # the cursor had not moved past them


def test_emptied_file_after_a_valid_version_is_flagged(service, small):
    unit = small.unit("X_XUAN_LOC")
    answer(service, "X_XUAN_LOC")
    service.sync()
    layout = sheet_layout(small, unit, small.form("PL02"))
    blanks = [[None] * 7]
    from sonket_gsync.backends.base import CellBlock

    service.workspace.write_unit(
        unit,
        [CellBlock("PL02 Đảng ủy", layout.first_data_row, 3, blanks), CellBlock("Chỉ tiêu", 5, 5, [[None] * 4] * 11)],
        narrative.build_docx(small, unit),
    )
    service.sync()
    rec = record(service, "X_XUAN_LOC")
    assert rec.flagged and rec.submission is not None
    assert [p.code for p in service.store.problems("X_XUAN_LOC")] == ["emptied"]


def test_every_job_kind_is_registered_by_the_core_without_the_web():
    """accept_upload (which ends in a sync of the unit) is a core job kind: the worker knows it
    without importing the web, and every labelled kind has a handler."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sonket_gsync.app.jobs import HANDLERS\n"
        "from sonket_gsync.app.labels import JOB_KINDS\n"
        "assert set(JOB_KINDS) == set(HANDLERS), (sorted(JOB_KINDS), sorted(HANDLERS))\n"
        "print(sorted(m for m in sys.modules if m == 'webhooks' or m.startswith(('webhooks.', 'flask'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_reads_recorded_in_chunks_give_what_one_by_one_gives(service, monkeypatch):
    from sonket_gsync.ingest import sync as sync_module

    monkeypatch.setattr(sync_module, "RECORD_CHUNK", 2)  # six units: three store transactions
    answer(service, "X_XUAN_LOC")
    answer(service, "SO_NV")
    answer(service, "P_BIEN_HOA", PL02={"members_rate": 140})
    report = service.sync()
    assert report.read == len(CODES) and report.versions_added == 2
    assert sorted(report.accepted) == ["SO_NV", "X_XUAN_LOC"] and report.invalid == ["P_BIEN_HOA"]
    assert [p.code for p in service.store.problems("P_BIEN_HOA") if p.severity == "error"] == ["percent_range"]
    assert record(service, "X_XUAN_LOC").status == "on_time" and record(service, "DU_CA").status == "missing"
    assert service.sync(full=True).versions_added == 0  # the same content, read again: no new version


def test_a_batch_naming_a_unit_twice_is_refused(service):
    from datetime import datetime

    from sonket_gsync.core.text import TZ
    from sonket_gsync.forms.submission import Submission

    run = service.store.begin_run("manual", "local", False)
    when = datetime(2026, 4, 1, tzinfo=TZ)
    with pytest.raises(ValueError):
        service.store.record_reads(run, [(Submission("SO_NV"), [], when, when), (Submission("SO_NV"), [], when, when)])

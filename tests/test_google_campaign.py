"""The whole engine on the Google backend: CampaignService over GoogleWorkspace over the
real google-api-python-client, talking to the fake Google on 127.0.0.1. Units type through
the Sheets API (or the fake's UI helpers) the way a person would; everything after reading —
validation, versions, statuses, the summary sheet, the draft — is the engine's, unchanged."""

from __future__ import annotations

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.google import GoogleWorkspace
from sonket_gsync.core.settings import Settings
from sonket_gsync.demo.synthetic import to_submission
from sonket_gsync.forms.layout import sheet_layout
from sonket_gsync.store import Store
from tests.fake_google.fixtures import restore, snapshot
from tests.fake_google.server import FakeGoogle
from tests.fake_google.state import ManualClock
from tests.units import only, type_answers

CODES = ("LHH_KHKT", "SO_NV", "MTTQ", "X_XUAN_LOC", "P_BIEN_HOA", "DU_CA")


@pytest.fixture(scope="module")
def small(campaign):
    return only(campaign, CODES)


def open_service(fake, settings, small, drive):
    settings = settings.with_(
        backend="google",
        google_endpoint=fake.endpoint,
        google_token=fake.token,
        google_shared_drive_id=drive,
        sheets_reads_per_minute=100_000,
        sheets_writes_per_minute=100_000,
        max_attempts=5,
    )
    sleeps: list[float] = []
    workspace = GoogleWorkspace.from_settings(settings, small, sleep=sleeps.append)  # backoff without waiting
    service = CampaignService(settings, small, workspace, Store(settings.db_path))
    service.sleeps = sleeps
    service.provision()
    return service


@pytest.fixture(scope="module")
def provisioned(small, tmp_path_factory):
    """The units' files, made once on a fake of the module's own: each test restores them."""
    with FakeGoogle(clock=ManualClock()) as fake:
        fake.set_quota()
        drive = fake.create_shared_drive("Sơ kết 45")
        open_service(fake, Settings.from_env({}, data_dir=tmp_path_factory.mktemp("provisioned") / "data"), small, drive).close()
        return drive, snapshot(fake)


@pytest.fixture
def service(fake_google, settings, small, provisioned):
    drive, files = provisioned
    fake_google.set_quota()
    restore(fake_google, files)
    service = open_service(fake_google, settings, small, drive)  # provision() finds every file: one listing
    yield service
    service.close()


def record(service, code):
    return next(r for r in service.records() if r.unit.code == code)


def test_units_typing_through_the_api_are_synced_validated_and_stored(service):
    expected = {code: type_answers(service, code) for code in ("LHH_KHKT", "X_XUAN_LOC")}
    report = service.sync()
    assert sorted(report.accepted) == ["LHH_KHKT", "X_XUAN_LOC"] and report.failed == []
    for code, answers in expected.items():
        rec = record(service, code)
        assert rec.status == "on_time"
        assert rec.submission.tables == to_submission(service.campaign, service.campaign.unit(code), answers).tables
        assert rec.submission.narrative == answers.narrative
    assert record(service, "SO_NV").status == "missing"


def test_a_cell_typed_wrong_in_the_sheet_is_located_and_the_last_version_kept(service, fake_google):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    unit = service.campaign.unit("X_XUAN_LOC")
    row = sheet_layout(service.campaign, unit, service.campaign.form("PL02")).first_data_row
    sheet_id = service.workspace.links(unit).sheet_id
    fake_google.edit_cells(sheet_id, f"'PL02 Đảng ủy'!E{row}", [["gần 100"]])  # the rate column, typed as a person would
    report = service.sync()
    assert report.changed == 1 and report.invalid == ["X_XUAN_LOC"]
    rec = record(service, "X_XUAN_LOC")
    assert rec.flagged and rec.submission is not None
    [problem] = service.store.problems("X_XUAN_LOC")
    assert (problem.sheet, problem.row, problem.code) == ("PL02 Đảng ủy", row, "not_a_number")


def test_a_quota_storm_mid_sync_is_ridden_out_with_no_failed_unit(service, fake_google):
    for code in CODES:
        type_answers(service, code)
    fake_google.fail_next(4, 429, api="sheets")
    fake_google.fail_next(2, 503, api="drive", path_contains="export")
    report = service.sync()
    assert report.failed == [] and report.retry == []
    assert len(report.accepted) == len(CODES)
    assert len(service.sleeps) >= 6 and max(service.sleeps) <= service.settings.backoff_cap_seconds


def test_a_unit_revoking_access_is_flagged_and_the_rest_of_the_sync_finishes(service, fake_google):
    type_answers(service, "SO_NV")
    type_answers(service, "MTTQ")
    service.sync()
    type_answers(service, "MTTQ", seed=1)
    fake_google.revoke_access(service.workspace.links(service.campaign.unit("SO_NV")).sheet_id)
    report = service.sync()
    assert report.accepted == ["MTTQ"]
    assert "SO_NV" in report.gone + report.failed
    rec = record(service, "SO_NV")
    assert rec.status == "invalid" and rec.submission is not None


def test_no_change_sync_costs_one_call_and_writes_no_summary(service, fake_google):
    type_answers(service, "DU_CA")
    service.sync()
    fake_google.reset_log()
    assert service.sync().changed == 0
    assert fake_google.count() == 1


def test_summary_sheet_and_draft_are_written_back_to_drive(service, fake_google):
    type_answers(service, "LHH_KHKT")
    service.sync()
    summary = [f for f in fake_google.state.files.values() if f.name == "Tổng hợp"]
    assert len(summary) == 1
    first = service.compile()
    second = service.compile()
    assert first.report.url.startswith("https://") and first.report.file_id == second.report.file_id
    assert len(fake_google.state.files[second.report.file_id].revisions) == 2


def test_google_slower_than_the_timeout_fails_the_run_as_temporary_and_loses_nothing(service, fake_google, small):
    import google.oauth2.credentials

    from sonket_gsync.backends.google.client import GoogleClient
    from sonket_gsync.core.errors import WorkspaceUnavailable

    type_answers(service, "SO_NV")
    sleeps: list[float] = []
    client = GoogleClient(
        google.oauth2.credentials.Credentials(fake_google.token),
        endpoint=fake_google.endpoint,
        reads_per_minute=100_000,
        writes_per_minute=100_000,
        max_attempts=2,
        sleep=sleeps.append,
        timeout=0.3,
    )
    patient = service.workspace
    service.workspace = GoogleWorkspace(small, client, shared_drive_id=service.settings.google_shared_drive_id)
    cursor = service.store.cursor("google")
    fake_google.latency = 0.6  # every answer now comes after the client has given up
    with pytest.raises(WorkspaceUnavailable) as err:
        service.sync()
    assert err.value.retryable and len(sleeps) == 1  # two attempts, one backoff between them
    assert service.store.cursor("google") == cursor
    # Google answers in time again: the next run, with the usual timeout (0.3 s would fail
    # any answer a loaded machine serves a little late), reads what the failed run left.
    fake_google.latency = 0.0
    service.workspace = patient
    report = service.sync()
    assert report.accepted == ["SO_NV"] and record(service, "SO_NV").status == "on_time"


def test_on_demand_sync_of_one_unit_does_not_poll_the_changes_feed(service, fake_google):
    service.sync()
    type_answers(service, "SO_NV")
    fake_google.reset_log()
    report = service.sync(only=["SO_NV"])
    assert report.accepted == ["SO_NV"]
    assert fake_google.count(path_contains="/changes") == 0
    assert fake_google.count(path_contains="values:batchGet") == 0 and fake_google.count(path_contains="/export") == 2

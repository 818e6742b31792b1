"""Google at scale (issue 10) against the fake: Sheets read through the Drive .xlsx export with
the Sheets API as fallback, reads and provisioning on a pool of workers, group templates
copied with files.copy, refresh() between two runners, Drive push notifications end to end."""

from __future__ import annotations

import http.server
import itertools
import random
import threading
import time
from dataclasses import replace

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.google import GoogleWorkspace
from sonket_gsync.backends.google.templates import fits_template
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.errors import BadRequest, ConfigError
from sonket_gsync.core.settings import Settings
from sonket_gsync.demo.synthetic import answers_for, modified_time, to_blocks
from sonket_gsync.forms import narrative
from sonket_gsync.forms.layout import sheet_layout, workbook_layout
from sonket_gsync.ingest.parse import parse_snapshot
from sonket_gsync.store import Store
from tests.fake_google.fixtures import restore, snapshot
from tests.fake_google.server import FakeGoogle
from tests.fake_google.state import ManualClock

CODES = ("LHH_KHKT", "SO_NV", "MTTQ", "X_XUAN_LOC", "P_BIEN_HOA", "DU_CA", "SO_TC", "VP_UBND")
SPREADSHEET = "application/vnd.google-apps.spreadsheet"


@pytest.fixture(scope="module")
def small(campaign):
    return replace(campaign, units=tuple(u for u in campaign.units if u.code in CODES))


def google_settings(fake, settings):
    fake.set_quota()
    drive = fake.create_shared_drive("Sơ kết 45")
    return settings.with_(
        backend="google",
        google_endpoint=fake.endpoint,
        google_token=fake.token,
        google_shared_drive_id=drive,
        sheets_reads_per_minute=100_000,
        sheets_writes_per_minute=100_000,
        max_attempts=4,
        google_workers=4,
    )


@pytest.fixture
def gsettings(fake_google, settings):
    return google_settings(fake_google, settings)


def workspace(gsettings, campaign, **changes) -> GoogleWorkspace:
    return GoogleWorkspace.from_settings(gsettings.with_(**changes), campaign, sleep=lambda s: None)


def type_answers(ws, campaign, code, seed=0):
    unit = campaign.unit(code)
    rng = random.Random(f"{code}{seed}")
    answers = answers_for(campaign, unit, rng)
    doc = narrative.docx_from_sections(campaign, unit, answers.narrative)
    ws.write_unit(unit, to_blocks(campaign, unit, answers), doc, modified_time("on_time", campaign, rng))
    return answers


@pytest.fixture(scope="module")
def typed_files(small, tmp_path_factory):
    """Every unit provisioned and answered, once, on a fake of the module's own."""
    with FakeGoogle(clock=ManualClock()) as fake:
        gsettings = google_settings(fake, Settings.from_env({}, data_dir=tmp_path_factory.mktemp("typed") / "data"))
        ws = workspace(gsettings, small)
        ws.prepare()
        for _, files in ws.provision_units(small.units):
            assert not isinstance(files, Exception), files
        for code in CODES:
            type_answers(ws, small, code)
        return gsettings.google_shared_drive_id, snapshot(fake)


@pytest.fixture
def typed(gsettings, small, fake_google, typed_files):
    """Every unit provisioned and answered (``typed_files``, restored on this test's fake);
    returns a workspace that has provisioned them (it finds every file: one listing)."""
    drive, files = typed_files
    assert gsettings.google_shared_drive_id == drive  # fresh fakes number their drives alike
    restore(fake_google, files)
    ws = workspace(gsettings, small)
    ws.prepare()
    for _, found in ws.provision_units(small.units):
        assert not isinstance(found, Exception) and not found.created, found
    return ws


# --- reading through the .xlsx export --------------------------------------------------------


def test_the_xlsx_export_reads_exactly_what_the_sheets_api_reads(typed, gsettings, small, fake_google):
    exported = workspace(gsettings, small)
    values = workspace(gsettings, small, google_export_sheets="values")
    fake_google.reset_log()
    for unit in small.units:
        a, b = exported.read_unit(unit), values.read_unit(unit)
        pa, pb = parse_snapshot(small, unit, a), parse_snapshot(small, unit, b)
        assert pa.submission.tables == pb.submission.tables, unit.code
        assert [p.code for p in pa.problems] == [p.code for p in pb.problems], unit.code
        assert {t: g for t, g in a.sheets.items() if t in b.sheets} == b.sheets, unit.code
    assert exported.stats.counts == {"export_read": len(small.units)}
    assert values.stats.counts == {"values_read": len(small.units)}
    n = len(small.units)
    assert fake_google.count(path_contains="values:batchGet") == n  # the "values" workspace only


def test_a_sheet_over_the_export_limit_falls_back_to_values_batchget(typed, gsettings, small, fake_google):
    fake_google.export_limit = 2_000  # bytes: every unit's .xlsx is bigger
    ws = workspace(gsettings, small)
    unit = small.unit("SO_NV")
    fake_google.reset_log()
    snapshot = ws.read_unit(unit)
    assert fake_google.count(path_contains="/export", status=403) == 1  # exportSizeLimitExceeded, not retried
    assert fake_google.count(path_contains="values:batchGet", status=200) == 1
    assert ws.stats.counts == {"export_failed": 1, "values_read": 1}
    assert parse_snapshot(small, unit, snapshot).submission.tables


def test_a_sheet_with_a_formula_is_read_by_the_sheets_api_for_its_computed_value(typed, gsettings, small, fake_google):
    unit = small.unit("X_XUAN_LOC")
    row = sheet_layout(small, unit, small.form("PL02")).first_data_row
    sid = typed.links(unit).sheet_id
    fake_google.edit_cells(sid, f"'PL02 Đảng ủy'!E{row}", [["=40+2"]])
    ws = workspace(gsettings, small)
    fake_google.reset_log()
    snapshot = ws.read_unit(unit)
    assert ws.stats.counts == {"export_formula": 1, "values_read": 1}
    assert snapshot.sheets["PL02 Đảng ủy"][row - 1][4] == 42  # computed, as the Sheets API gives it


def test_an_export_over_the_unit_file_limits_flags_the_unit_without_a_sheets_read(typed, gsettings, small, fake_google):
    from sonket_gsync.core.errors import UnitFileError
    from sonket_gsync.forms.limits import Limits

    unit = small.unit("SO_NV")
    layout = workbook_layout(small, unit)[0]
    rows = [[f"dòng {i}"] for i in range(40)]  # 40 filled rows: over 3 (+ the header allowance)
    fake_google.edit_cells(typed.links(unit).sheet_id, f"'{layout.form.sheet}'!B{layout.first_data_row}", rows)
    ws = workspace(gsettings, small)
    ws.limits = Limits(max_rows_per_form=3)
    fake_google.reset_log()
    with pytest.raises(UnitFileError) as err:
        ws.read_unit(unit)
    assert "sonket-export" not in err.value.where and unit.code in err.value.where  # located in Google, not a temp file
    assert fake_google.count(api="sheets") == 0 and ws.stats.counts == {"export_refused": 1}


def test_export_429s_are_retried_with_backoff(typed, gsettings, small, fake_google):
    ws = workspace(gsettings, small)
    fake_google.reset_log()
    fake_google.fail_next(2, 429, api="drive", path_contains="/export")
    assert ws.read_unit(small.unit("MTTQ")).sheets
    assert fake_google.count(status=429) == 2 and fake_google.count(api="sheets") == 0
    assert ws.stats.counts == {"export_read": 1}


# --- a pool of workers ------------------------------------------------------------------------


def test_read_units_runs_on_a_pool_with_one_transport_per_thread_and_keeps_order(typed, gsettings, small, fake_google):
    ws = workspace(gsettings, small, google_workers=4)
    ws.changes(None)
    fake_google.latency = 0.05  # long enough for calls to overlap
    fake_google.reset_log()
    results = list(ws.read_units(small.units))
    assert [u.code for u, _ in results] == [u.code for u in small.units]
    assert all(not isinstance(r, Exception) and r.unit_code == u.code for u, r in results)
    assert all(r.read_started is not None and r.read_started.tzinfo for _, r in results)  # for the store's read_at
    calls = sorted(fake_google.requests, key=lambda r: r.started)
    overlapping = sum(1 for a, b in itertools.pairwise(calls) if b.started < a.ended)
    assert overlapping >= len(calls) // 2  # really concurrent
    workers = {t: http for t, http in ws.client.transports.items() if t != threading.get_ident()}
    assert 2 <= len(workers) <= 4 and len({id(h) for h in workers.values()}) == len(workers)


def test_workers_share_one_limiter_per_quota_and_get_no_429(typed, gsettings, small, fake_google):
    """Drive quota of 6 calls a minute on the fake, the same on the client: 4 workers reading
    8 units (16 exports) wait for the window together and are never refused.

    The client and the fake read one manual clock. On a real clock a call the limiter lets
    go reaches Google within the limiter's one second of margin; here time must likewise not
    jump while a call is on its way, or the call would reach the fake a minute after the
    limiter stamped it and count in the next window (a refusal the client did not cause).
    So a waiting worker only asks for time to pass, and time passes when the limiter reads
    the clock, under its lock (no call is let go meanwhile), once every call it has let go
    has been counted by the fake: exact on any machine, however loaded."""
    clock = fake_google.clock
    lock = threading.Lock()
    wanted = [clock()]  # the latest time a waiting worker asked for

    def sleep(seconds):  # a worker waits (outside the limiter's lock)
        assert time.monotonic() < deadline, "a call the client let go never reached the fake"
        with lock:
            wanted[0] = max(wanted[0], clock() + seconds)
        time.sleep(0.001)  # let the calls on their way arrive before the limiter looks again

    def limiter_clock():  # read by the limiter under its lock
        with lock:
            if wanted[0] > clock() and fake_google.quota_counted["drive"] - counted_before == limiter.granted - granted_before:
                clock.advance(wanted[0] - clock())
            return clock()

    ws = GoogleWorkspace.from_settings(gsettings.with_(drive_calls_per_minute=6, google_workers=4), small, clock=limiter_clock, sleep=sleep)
    limiter = ws.client.drive_limiter
    granted_before, counted_before = limiter.granted, fake_google.quota_counted["drive"]
    ws.changes(None)  # ids cached: 2 Drive calls
    fake_google.set_quota(drive_per_minute=6)
    fake_google.reset_log()
    start, deadline = clock(), time.monotonic() + 120
    results = list(ws.read_units(small.units))
    assert clock() - start >= 2 * 60  # 16 calls at 6 a minute: the workers waited for two windows
    assert all(not isinstance(r, Exception) for _, r in results)
    # one export of each Sheet and each Doc; on a loaded machine a call the client timed out
    # may be sent again, which is not a refusal
    exported = {r.path.split("?")[0] for r in fake_google.requests if r.api == "drive" and r.status == 200}
    assert len(exported) == 2 * len(small.units)
    assert fake_google.count(status=403) == 0 and fake_google.count(status=429) == 0


def test_an_error_for_one_unit_comes_back_in_its_place(typed, gsettings, small, fake_google):
    ws = workspace(gsettings, small)
    ws.changes(None)
    victim = small.unit("MTTQ")
    fake_google.delete_file(typed.links(victim).sheet_id)
    results = list(ws.read_units(small.units))
    errors = [(u.code, type(r).__name__) for u, r in results if isinstance(r, Exception)]
    assert errors == [("MTTQ", "NotFound")]


def test_a_sync_with_the_pool_records_every_unit(typed, gsettings, small):
    service = CampaignService(gsettings, small, workspace(gsettings, small), Store(gsettings.db_path))
    try:
        report = service.sync(full=True)
        assert report.failed == [] and report.retry == []
        assert sorted(report.accepted + report.invalid) == sorted(CODES)
    finally:
        service.close()


# --- provisioning by template copies ----------------------------------------------------------


def test_provision_units_on_a_pool_copies_one_template_per_group(gsettings, small, fake_google):
    ws = workspace(gsettings, small, google_workers=4)
    ws.prepare()
    results = list(ws.provision_units(small.units))
    assert [u.code for u, _ in results] == [u.code for u in small.units]
    assert all(f.created for _, f in results)
    groups = {u.group for u in small.units}
    templates = [f for f in fake_google.state.files.values() if f.appProperties.get("sonketKind") == "template"]
    assert len(templates) == len(groups)
    # every unit is a copy, but a unit that reports an indicator the rest of its group does
    # not (LHH_KHKT: CT01) gets its own batchUpdate: the template has that row locked
    copied = [u for u in small.units if fits_template(small, u, "write")]
    assert 0 < len(small.units) - len(copied) < len(small.units)
    assert fake_google.count(path_contains="/copy") == len(copied)
    for unit, files in results:
        ss = fake_google.state.spreadsheets[files.sheet_id]
        for layout in workbook_layout(small, unit):
            tab = ss.by_title(layout.form.sheet)
            assert tab.values()[1][0] == layout.unit_line
            assert tab.protected and (tab.validations or not layout.data)
    # again, with another workspace (store lost): nothing created, nothing written
    fake_google.reset_log()
    again = workspace(gsettings, small)
    assert not any(f.created for _, f in again.provision_units(small.units))
    assert [r.method_id for r in fake_google.requests] == ["drive.files.list"]


def test_title_mode_makes_units_without_any_sheets_write(gsettings, small, fake_google):
    ws = workspace(gsettings, small, google_unit_cells="title")
    ws.prepare()
    fake_google.reset_log()
    files = dict((u.code, f) for u, f in ws.provision_units(small.units))
    groups = {u.group for u in small.units}
    own = [u for u in small.units if not fits_template(small, u, "title")]  # see above: LHH_KHKT
    assert fake_google.count(api="sheets") == len(groups) + len(own)  # the templates' batchUpdates only
    unit = small.unit("SO_NV")
    ss = fake_google.state.spreadsheets[files["SO_NV"].sheet_id]
    first = workbook_layout(small, unit)[0]
    assert "tên tệp" in ss.by_title(first.form.sheet).values()[1][0]
    assert fake_google.state.files[files["SO_NV"].sheet_id].name.startswith(unit.name)


def test_a_changed_form_makes_a_new_template(gsettings, small, fake_google):
    ws = workspace(gsettings, small)
    ws.prepare()
    ws.provision(small.unit("SO_NV"))
    forms = tuple(replace(f, note=f.note + " (sửa)") if f.code == "PL01_VB" else f for f in small.forms)
    changed = replace(small, forms=forms)
    ws2 = workspace(gsettings, changed)
    ws2.provision(changed.unit("SO_TC"))
    templates = [f for f in fake_google.state.files.values() if f.appProperties.get("sonketKind") == "template"]
    assert len({f.appProperties["sonketTemplate"] for f in templates}) == 2


# --- refresh between two runners --------------------------------------------------------------


def test_two_long_lived_workspaces_in_turn_with_refresh_never_duplicate_a_file(gsettings, small, fake_google):
    a, b = workspace(gsettings, small), workspace(gsettings, small)
    a.prepare()
    b.prepare()  # b lists now: it caches an empty campaign
    first = [u for u in small.units][:4]
    rest = [u for u in small.units][4:]
    for _ in a.provision_units(first):
        pass
    a.write_output("bao-cao.docx", b"PK draft 1", "application/octet-stream")
    # b takes the lease next
    b.refresh()
    for _, files in b.provision_units(small.units):
        assert not isinstance(files, Exception)
    b.write_output("bao-cao.docx", b"PK draft 2", "application/octet-stream")
    # and a again, long after
    a.refresh()
    for _ in a.provision_units(rest):
        pass
    a.write_output("bao-cao.docx", b"PK draft 3", "application/octet-stream")
    state = fake_google.state
    for kind in ("sheet", "doc"):
        per_unit = [f.appProperties["sonketUnit"] for f in state.files.values() if f.appProperties.get("sonketKind") == kind]
        assert sorted(per_unit) == sorted(u.code for u in small.units if kind == "sheet" or small.has_narrative(u))
    drafts = [f for f in state.files.values() if f.name == "bao-cao.docx"]
    assert len(drafts) == 1 and len(drafts[0].revisions) == 3
    assert len([f for f in state.files.values() if f.appProperties.get("sonketKind") == "template"]) == len({u.group for u in small.units})


def test_without_refresh_a_stale_listing_would_create_a_second_file(gsettings, small, fake_google):
    """Why refresh() exists: the same turn-taking without it duplicates the draft."""
    a, b = workspace(gsettings, small), workspace(gsettings, small)
    a.prepare()
    b.prepare()
    a.write_output("bao-cao.docx", b"PK 1", "application/octet-stream")
    b.write_output("bao-cao.docx", b"PK 2", "application/octet-stream")
    assert len([f for f in fake_google.state.files.values() if f.name == "bao-cao.docx"]) == 2


def test_local_refresh_is_a_no_op_and_push_needs_google(tmp_path, small):
    ws = LocalWorkspace(tmp_path, small)
    ws.refresh()
    with pytest.raises(ConfigError) as err:
        ws.watch_changes("https://example.org/drive", "t", "c1")
    assert "Google" in err.value.message
    with pytest.raises(ConfigError):
        ws.stop_channel("c1", "r1")


# --- Drive push notifications -----------------------------------------------------------------


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording each notification's headers."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.got: list[dict] = []
        self.event = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer.event:
                    outer.got.append({**dict(self.headers.items()), "_names": list(self.headers.keys()), "_body": body})
                    outer.event.notify_all()
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.address = f"http://127.0.0.1:{self.server.server_port}/drive/notifications"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        with self.event:
            self.event.wait_for(lambda: len(self.got) >= count, timeout=timeout)
            return list(self.got)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_watch_delivers_sync_then_changes_with_googles_headers_until_stopped(typed, gsettings, small, fake_google, receiver):
    ws = workspace(gsettings, small)
    fake_google.reset_log()
    channel = ws.watch_changes(receiver.address, "token-bi-mat-123", "kenh-1")
    assert [r.method_id for r in fake_google.requests] == ["drive.changes.getStartPageToken", "drive.changes.watch"]
    watch = fake_google.requests[1]
    assert watch.query["driveId"] == gsettings.google_shared_drive_id
    assert watch.query["supportsAllDrives"] == "true" and watch.query["includeItemsFromAllDrives"] == "true"
    assert watch.query["pageToken"]
    assert channel["channel_id"] == "kenh-1" and channel["resource_id"] and channel["expiration"].tzinfo

    [sync] = receiver.wait_for(1)
    assert sync["X-Goog-Resource-State"] == "sync" and sync["X-Goog-Message-Number"] == "1"
    assert sync["X-Goog-Channel-ID"] == "kenh-1" and sync["X-Goog-Channel-Token"] == "token-bi-mat-123"
    assert "X-Goog-Channel-ID" in sync["_names"]  # spelt as Google does
    assert sync["X-Goog-Resource-ID"] == channel["resource_id"] and sync["_body"] == b""
    assert sync["X-Goog-Resource-URI"].startswith("https://www.googleapis.com/drive/v3/changes")
    assert sync["X-Goog-Channel-Expiration"].endswith("GMT")

    unit = small.unit("SO_NV")
    for n in range(3):  # a unit types three times
        fake_google.edit_cells(typed.links(unit).sheet_id, f"'{small.forms_for(unit)[0].sheet}'!B6", [[f"x{n}"]])
    got = receiver.wait_for(4)
    changes = got[1:]
    assert [h["X-Goog-Resource-State"] for h in changes] == ["change"] * 3
    numbers = [int(h["X-Goog-Message-Number"]) for h in got]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4  # increasing
    assert all(h["X-Goog-Resource-ID"] == channel["resource_id"] for h in changes)

    ws.stop_channel("kenh-1", channel["resource_id"])
    fake_google.edit_cells(typed.links(unit).sheet_id, f"'{small.forms_for(unit)[0].sheet}'!B6", [["after"]])
    assert fake_google.push.wait_idle()
    assert len(receiver.got) == 4  # nothing after the stop
    ws.stop_channel("kenh-1", channel["resource_id"])  # stopping twice is harmless (404 = stopped)


def test_watch_refuses_a_plain_http_address_off_loopback_and_bad_ids(typed, gsettings, small):
    ws = workspace(gsettings, small)
    with pytest.raises(BadRequest):
        ws.watch_changes("http://example.org/drive", "t", "kenh-2")
    with pytest.raises(ConfigError):
        ws.watch_changes("https://example.org/drive", "t", "x" * 65)


def test_a_failing_receiver_is_retried_like_google(typed, gsettings, small, fake_google):
    failing = Receiver(status=503)
    try:
        ws = workspace(gsettings, small)
        ws.watch_changes(failing.address, "t", "kenh-3")
        assert fake_google.push.wait_idle()
        attempts = [d for d in fake_google.push.deliveries if d.channel_id == "kenh-3"]
        assert len(attempts) > 1 and all(d.status == 503 and d.state == "sync" for d in attempts)
    finally:
        failing.close()


def test_verify_google_script_runs_its_checks_against_the_fake(fake_google, gsettings):
    """bench/verify_google.py (what a user with credentials runs) works end to end."""
    import json
    import os
    import subprocess
    import sys

    from sonket_gsync.core.settings import REPO_ROOT

    env = {
        **os.environ,
        "SONKET_GOOGLE_ENDPOINT": fake_google.endpoint,
        "SONKET_GOOGLE_TOKEN": fake_google.token,
        "SONKET_GOOGLE_SHARED_DRIVE_ID": gsettings.google_shared_drive_id,
    }
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "verify_google.py"), "all", "--exports", "3", "--editor", "a@b.example"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout[done.stdout.index("{") :])
    assert out["export-quota"]["refused_count"] == 0 and "Drive" in out["export-quota"]["verdict"]
    assert out["protections"]["editors kept"] and out["protections"]["validation kept"]
    assert "webhookUrlNotHttps" in out["push"]["plain http"]
    scratch = [f for f in fake_google.state.files.values() if f.appProperties.get("sonketVerify")]
    assert scratch and all(f.trashed for f in scratch)  # cleaned up


def test_auto_writes_unit_names_up_to_300_units_and_uses_the_title_beyond():
    from sonket_gsync.backends.google.workspace import unit_cells_mode

    assert unit_cells_mode("auto", 300) == "write"
    assert unit_cells_mode("auto", 301) == "title"
    assert unit_cells_mode("write", 1500) == "write"

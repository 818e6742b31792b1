"""The Google backend against the fake Google server on 127.0.0.1 (tests/fake_google).

Every assertion about API cost reads the fake's request log, so these tests pin the number
of calls a provisioning run, a sync read and a no-change poll make.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from docx import Document

from sonket_gsync.backends import open_workspace
from sonket_gsync.backends.base import DOCX_MIME, CellBlock
from sonket_gsync.backends.google import GoogleWorkspace
from sonket_gsync.backends.google.client import WINDOW, GoogleClient, MinuteLimiter
from sonket_gsync.backends.google.sheets import expected_rule, validation_rule
from sonket_gsync.core.errors import (
    AccessDenied,
    NotFound,
    RateLimited,
    StorageQuotaExceeded,
    WorkspaceUnavailable,
)
from sonket_gsync.forms.layout import workbook_layout
from sonket_gsync.forms.narrative import docx_from_sections

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
DOCUMENT = "application/vnd.google-apps.document"
FOLDER = "application/vnd.google-apps.folder"


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def small(campaign):
    """Five units, one from each group where possible, sharing as the campaign says."""
    picked, seen = [], set()
    for unit in campaign.units:
        if unit.group not in seen:
            picked.append(unit)
            seen.add(unit.group)
    for unit in campaign.units:
        if len(picked) >= 5:
            break
        if unit not in picked:
            picked.append(unit)
    return replace(campaign, units=tuple(picked))


class Setup:
    def __init__(self, fake, settings):
        self.fake = fake
        self.drive = fake.create_shared_drive("Sơ kết")
        self.drive_id = self.drive if isinstance(self.drive, str) else self.drive["id"]
        self.sleeps: list[float] = []
        self.settings = settings.with_(
            backend="google",
            google_endpoint=fake.endpoint,
            google_token=fake.token,
            google_shared_drive_id=self.drive_id,
            sheets_reads_per_minute=100_000,
            sheets_writes_per_minute=100_000,
            max_attempts=4,
            backoff_cap_seconds=8.0,
        )

    def workspace(self, campaign, **changes) -> GoogleWorkspace:
        settings = self.settings.with_(**changes) if changes else self.settings
        return GoogleWorkspace.from_settings(settings, campaign, sleep=self.sleeps.append)

    def provision_all(self, campaign, **changes):
        ws = self.workspace(campaign, **changes)
        ws.prepare()
        return ws, {u.code: ws.provision(u) for u in campaign.units}


@pytest.fixture
def g(fake_google, settings):
    fake_google.set_quota()  # no server-side quota unless a test sets one
    return Setup(fake_google, settings)


def _calls(fake, **kw) -> int:
    return fake.count(**kw)


# --- provisioning ---------------------------------------------------------------------------


def test_open_workspace_picks_the_google_backend(g, small):
    ws = open_workspace(g.settings, small)
    assert isinstance(ws, GoogleWorkspace) and ws.kind == "google"


def test_provision_builds_the_tree_tabs_protections_validations_and_link_sharing(g, small):
    small = replace(small, sharing="anyone_with_link")
    g.fake.reset_log()
    _ws, files = g.provision_all(small)
    state = g.fake.state
    n = len(small.units)

    # folder tree: campaign folder in the Shared Drive, "Đơn vị" and "Kết quả" inside
    folders = {f.name: f for f in state.files.values() if f.mimeType == FOLDER}
    top = folders[small.name]
    assert top.parents == [g.drive_id]
    assert folders["Đơn vị"].parents == [top.id] and folders["Kết quả"].parents == [top.id]

    for unit in small.units:
        uf = files[unit.code]
        assert uf.created and uf.sheet_url and uf.doc_url
        sheet, doc = state.files[uf.sheet_id], state.files[uf.doc_id]
        assert sheet.mimeType == SPREADSHEET and doc.mimeType == DOCUMENT
        assert sheet.parents == doc.parents == [folders["Đơn vị"].id]
        assert sheet.appProperties["sonketUnit"] == unit.code and sheet.appProperties["sonketKind"] == "sheet"
        assert sheet.appProperties["sonketReady"] == "1"
        assert doc.appProperties == {"sonketCampaign": small.code, "sonketUnit": unit.code, "sonketKind": "doc"}
        # anyone with the link can edit, nobody got an email
        for f in (sheet, doc):
            assert any(p.get("type") == "anyone" and p.get("role") == "writer" for p in f.permissions)

        layouts = workbook_layout(small, unit)
        ss = state.spreadsheets[uf.sheet_id]
        assert ss.titles() == [layout.form.sheet for layout in layouts]  # "Sheet1" gone
        assert ss.props.get("locale") == "vi_VN"
        for layout in layouts:
            tab = ss.by_title(layout.form.sheet)
            values = tab.values()
            assert values[layout.header_row - 1][: len(layout.headers)] == list(layout.headers)
            assert values[0][0] == layout.title
            assert values[1][0] == layout.unit_line and unit.name in layout.unit_line  # the unit's own line
            for r, row in enumerate(layout.grid()):  # every cell as the unit's own layout says
                assert [v if v != "" else None for v in (values[r] if r < len(values) else [])][: len(row)] + [None] * max(
                    0, len(row) - len(values[r] if r < len(values) else [])
                ) == [None if v in (None, "") else v for v in row], (layout.form.sheet, r)
            assert tab.props["gridProperties"]["frozenRowCount"] == layout.first_data_row - 1
            # header rows protected; fixed columns protected too
            ranges = [p["range"] for p in tab.protected]
            assert any(r["startRowIndex"] == 0 and r["endRowIndex"] == layout.first_data_row - 1 for r in ranges)
            if layout.locked_columns and layout.data:
                assert len(tab.protected) >= 2
            assert all(p.get("warningOnly") or p.get("editors") for p in tab.protected)
            # strict validation on input columns, with a Vietnamese input message
            rules = tab.validations
            for col, column in enumerate(layout.form.columns):
                for offset in range(len(layout.data)):  # the rule of the column policy on every data cell
                    expected = expected_rule(layout, offset, col)
                    rule = rules.get((layout.first_data_row - 1 + offset, col))
                    assert rule == expected, (layout.form.sheet, column.key, offset)
                    assert rule is None or (rule["strict"] and rule["inputMessage"])

    # per group: ONE template (Drive create, ONE Sheets batchUpdate, ready-mark) in a templates
    # folder; per unit: Drive files.copy of its group's template, ONE Sheets values.batchUpdate
    # (its own cells), Doc upload, 2 shares, ready-mark; plus one list and the 3 folders
    k = len({u.group for u in small.units})
    assert _calls(g.fake, api="sheets", path_contains=":batchUpdate") == k + n
    assert _calls(g.fake, api="sheets", path_contains="values:batchUpdate") == n
    assert _calls(g.fake, api="sheets") == k + n
    assert _calls(g.fake, api="upload") == n
    assert g.fake.count(path_contains="/copy") == n
    assert _calls(g.fake, api="drive") == 1 + 3 + 1 + 2 * k + n * 4
    assert len(g.fake.requests) == 5 + 3 * k + n * 6
    templates = [f for f in state.files.values() if f.appProperties.get("sonketKind") == "template"]
    assert len(templates) == k and all(f.appProperties["sonketReady"] == "1" for f in templates)
    assert all(not any(p.get("type") == "anyone" for p in f.permissions) for f in templates)  # not shared


def test_validation_rules_per_column_type(small):
    kinds = {}
    for form in small.forms:
        for column in form.columns:
            rule = validation_rule(column)
            if rule:
                kinds.setdefault(column.type, set()).add(rule["condition"]["type"])
    assert kinds["choice"] == {"ONE_OF_LIST"}
    assert kinds.get("percent", {"NUMBER_BETWEEN"}) == {"NUMBER_BETWEEN"}
    assert kinds["date"] <= {"DATE_IS_VALID", "DATE_AFTER", "DATE_BETWEEN"}
    assert kinds["integer"] == {"CUSTOM_FORMULA"}  # whole numbers: =AND(ISNUMBER(..);..=INT(..);..)
    assert kinds["text"] == {"CUSTOM_FORMULA"}  # =LEN(..)<=max_length


def test_provision_again_with_the_store_lost_creates_nothing(g, small):
    _, first = g.provision_all(small)
    g.fake.reset_log()
    ws = g.workspace(small)  # a fresh object: nothing cached
    ws.prepare()
    again = {u.code: ws.provision(u) for u in small.units}
    assert len(g.fake.requests) == 1  # one files.list of the campaign's files, nothing else
    assert _calls(g.fake, api="drive", method="GET") == 1
    for code, uf in again.items():
        assert not uf.created
        assert (uf.sheet_id, uf.doc_id) == (first[code].sheet_id, first[code].doc_id)
    assert ws.links(small.units[0]).sheet_id == first[small.units[0].code].sheet_id


def test_provision_writers_mode_shares_with_each_unit_email_without_notification(g, small):
    writers = replace(small, sharing="writers")
    _, files = g.provision_all(writers)
    for unit in writers.units:
        for file_id in (files[unit.code].sheet_id, files[unit.code].doc_id):
            perms = g.fake.state.files[file_id].permissions
            emails = {p.get("emailAddress") for p in perms if p.get("type") == "user" and p.get("role") == "writer"}
            assert set(unit.emails) <= emails
            assert not any(p.get("type") == "anyone" for p in perms)
    shares = [r for r in g.fake.requests if r.method_id == "drive.permissions.create"]
    assert shares and all(r.query.get("sendNotificationEmail") == "false" for r in shares)


def test_storage_quota_exceeded_says_to_use_a_shared_drive(g, small):
    g.fake.service_account_has_storage = False
    ws = g.workspace(small, google_shared_drive_id="")
    with pytest.raises(StorageQuotaExceeded) as err:
        ws.prepare()
    text = str(err.value)
    assert "SONKET_GOOGLE_SHARED_DRIVE_ID" in text and "Shared Drive" in text and "SONKET_GOOGLE_SUBJECT" in text
    assert g.fake.token not in text
    assert _calls(g.fake, method="POST") == 1  # not retried


# --- changes and reading -------------------------------------------------------------------------


def test_changes_with_nothing_changed_is_one_call(g, small):
    ws, _files = g.provision_all(small)
    g.fake.reset_log()
    first = ws.changes(None)
    assert {c.unit_code for c in first.changed} == {u.code for u in small.units}
    assert first.missing == ()
    assert [r.method_id for r in g.fake.requests] == ["drive.changes.getStartPageToken", "drive.files.list"]
    g.fake.reset_log()
    fresh = g.workspace(small)
    second = fresh.changes(first.cursor)
    assert second.changed == () and second.missing == ()
    assert [r.method_id for r in g.fake.requests] == ["drive.changes.list"]


def test_an_edited_unit_is_found_and_read_with_two_drive_exports_and_no_sheets_call(g, small):
    ws, files = g.provision_all(small)
    cursor = ws.changes(None).cursor
    unit = small.units[0]
    form = small.forms_for(unit)[0]
    layout = workbook_layout(small, unit)[0]
    g.fake.clock.advance(60)
    g.fake.edit_cells(files[unit.code].sheet_id, f"'{form.sheet}'!B{layout.first_data_row}", [["Tỉnh ủy", "12-KH/TU"]])

    g.fake.reset_log()
    fresh = g.workspace(small)
    change = fresh.changes(cursor)
    assert [c.unit_code for c in change.changed] == [unit.code]
    snapshot = fresh.read_unit(unit)
    assert _calls(g.fake, api="sheets") == 0  # the Sheets read quota is not touched
    assert [r.query.get("mimeType") for r in g.fake.requests if "/export" in r.path] == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        DOCX_MIME,
    ]
    # changes.list + 2 exports: the ids come from the cursor, no files.list
    assert [r.method_id for r in g.fake.requests] == [
        "drive.changes.list",
        "drive.files.export",
        "drive.files.export",
    ]
    assert fresh.stats.counts == {"export_read": 1}
    assert set(snapshot.sheets) == {f.sheet for f in small.forms_for(unit)}
    grid = snapshot.sheets[form.sheet]
    assert grid[layout.first_data_row - 1][1:3] == ["Tỉnh ủy", "12-KH/TU"]
    assert grid[layout.header_row - 1][: len(layout.headers)] == list(layout.headers)
    assert Document(io.BytesIO(snapshot.narrative)).paragraphs  # the Doc exported as .docx
    assert snapshot.modified_at.tzinfo is not None
    assert fresh.changes(change.cursor).changed == ()


def test_a_deleted_tab_falls_back_to_the_tabs_that_exist(g, small):
    ws, files = g.provision_all(small, google_export_sheets="values")
    unit = small.units[0]
    forms = small.forms_for(unit)
    sid = files[unit.code].sheet_id
    g.fake.delete_tab(sid, forms[0].sheet)
    g.fake.rename_tab(sid, forms[1].sheet, "Biểu đã đổi tên")
    g.fake.reset_log()
    snapshot = ws.read_unit(unit)
    assert set(snapshot.sheets) == {"Biểu đã đổi tên", *(f.sheet for f in forms[2:])}
    assert _calls(g.fake, path_contains="values:batchGet") == 2  # the failed one, then the fallback
    assert _calls(g.fake, api="sheets", status=400) == 1
    assert _calls(g.fake, api="sheets", method="GET") == 3  # 2 batchGets + spreadsheets.get
    # through the .xlsx export every tab comes at once: nothing to fall back on
    exported = g.workspace(small).read_unit(unit)
    assert exported.sheets == snapshot.sheets


def test_revoked_or_deleted_files_show_as_missing_and_fail_to_read(g, small):
    ws, files = g.provision_all(small)
    cursor = ws.changes(None).cursor
    revoked, deleted = small.units[0], small.units[1]
    g.fake.revoke_access(files[revoked.code].sheet_id)
    g.fake.delete_file(files[deleted.code].sheet_id)
    change = ws.changes(cursor)
    assert set(change.missing) == {revoked.code, deleted.code}
    assert not {c.unit_code for c in change.changed} & {revoked.code, deleted.code}
    with pytest.raises(NotFound):
        ws.read_unit(revoked)  # not listed any more


def test_read_with_stale_ids_raises_not_found_or_access_denied(g, small):
    ws, files = g.provision_all(small)
    ws.changes(None)  # caches the ids
    revoked, deleted = small.units[0], small.units[1]
    g.fake.revoke_access(files[revoked.code].sheet_id)
    g.fake.delete_file(files[deleted.code].sheet_id)
    g.fake.reset_log()
    with pytest.raises((AccessDenied, NotFound)) as err:
        ws.read_unit(revoked)
    assert revoked.code in str(err.value)
    with pytest.raises(NotFound):
        ws.read_unit(deleted)
    # each tried once per API (the export fails, the Sheets API is asked, fails too): no retry
    # of a permanent error
    assert sorted(r.method_id for r in g.fake.requests) == 2 * ["drive.files.export"] + 2 * ["sheets.spreadsheets.values.batchGet"]
    assert g.sleeps == []


def _many(campaign, n):
    return replace(campaign, units=tuple(campaign.units[:n]))


def test_no_change_sync_is_one_call_for_thirty_units_and_a_paged_listing(g, campaign):
    thirty = _many(campaign, 30)
    ws, files = g.provision_all(thirty)
    ws.drive.page_size = 10  # 3 folders + 60 files: a 7-page full listing
    g.fake.reset_log()
    first = ws.changes(None)
    assert len(first.changed) == 30 and first.missing == ()
    assert _calls(g.fake, path_contains="/files") == 7
    assert len(g.fake.requests) == 1 + 7  # getStartPageToken + the listing

    for _ in range(3):  # polling with nothing changed: one changes.list each time
        g.fake.reset_log()
        fresh = g.workspace(thirty)
        fresh.drive.page_size = 10
        nothing = fresh.changes(first.cursor)
        assert nothing.changed == () and nothing.missing == ()
        assert [r.method_id for r in g.fake.requests] == ["drive.changes.list"]
        first = nothing

    # one unit edited: still one call, and only that unit
    unit = thirty.units[17]
    form = thirty.forms_for(unit)[0]
    layout = workbook_layout(thirty, unit)[0]
    g.fake.clock.advance(60)
    g.fake.edit_cells(files[unit.code].sheet_id, f"'{form.sheet}'!B{layout.first_data_row}", [["Sở Y tế"]])
    g.fake.reset_log()
    edited = g.workspace(thirty).changes(first.cursor)
    assert [c.unit_code for c in edited.changed] == [unit.code]
    assert edited.changed[0].modified_at == datetime.fromisoformat(g.fake.state.files[files[unit.code].sheet_id].modifiedTime.replace("Z", "+00:00"))
    assert len(g.fake.requests) == 1

    # twelve units edited with 10 changes a page: two changes.list pages
    g.fake.clock.advance(60)
    for u in thirty.units[:12]:
        g.fake.edit_cells(files[u.code].sheet_id, f"'{thirty.forms_for(u)[0].sheet}'!B{layout.first_data_row}", [["x"]])
    g.fake.reset_log()
    busy = g.workspace(thirty)
    busy.drive.page_size = 10
    many = busy.changes(edited.cursor)
    assert {c.unit_code for c in many.changed} == {u.code for u in thirty.units[:12]}
    assert [r.method_id for r in g.fake.requests] == ["drive.changes.list"] * 2


def test_deleted_trashed_and_revoked_sheets_are_missing_incrementally(g, small):
    ws, files = g.provision_all(small)
    cursor = ws.changes(None).cursor
    deleted, trashed, revoked = small.units[0], small.units[1], small.units[2]
    g.fake.delete_file(files[deleted.code].sheet_id)
    g.fake.trash_file(files[trashed.code].sheet_id)
    g.fake.revoke_access(files[revoked.code].sheet_id)
    g.fake.reset_log()
    fresh = g.workspace(small)
    change = fresh.changes(cursor)
    assert set(change.missing) == {deleted.code, trashed.code, revoked.code}
    assert change.changed == ()
    assert len(g.fake.requests) == 1
    # still missing on the next poll (the cursor forgot their Sheets), still one call
    g.fake.reset_log()
    again = g.workspace(small).changes(change.cursor)
    assert set(again.missing) == {deleted.code, trashed.code, revoked.code} and again.changed == ()
    assert len(g.fake.requests) == 1
    with pytest.raises(NotFound):
        fresh.read_unit(revoked)  # not cached any more: listed, not found
    # access restored: the unit comes back as changed
    g.fake.restore_access(files[revoked.code].sheet_id)
    back = g.workspace(small).changes(again.cursor)
    assert [c.unit_code for c in back.changed] == [revoked.code]
    assert set(back.missing) == {deleted.code, trashed.code}


def test_a_reprovisioned_sheet_is_picked_up_from_the_changes_feed(g, small):
    ws, files = g.provision_all(small)
    unit = small.units[0]
    cursor = ws.changes(None).cursor
    g.fake.delete_file(files[unit.code].sheet_id)
    gone = g.workspace(small).changes(cursor)
    assert gone.missing == (unit.code,)
    renewed = g.workspace(small).provision(unit)
    assert renewed.created and renewed.sheet_id != files[unit.code].sheet_id
    g.fake.reset_log()
    fresh = g.workspace(small)
    change = fresh.changes(gone.cursor)
    assert [c.unit_code for c in change.changed] == [unit.code] and change.missing == ()
    assert len(g.fake.requests) == 1
    g.fake.reset_log()
    assert fresh.read_unit(unit).sheets  # the new Sheet's id came with the change: no listing
    assert _calls(g.fake, path_contains=renewed.sheet_id) == 1
    assert not any(r.method_id == "drive.files.list" for r in g.fake.requests)


def test_doc_edits_count_and_foreign_files_are_ignored(g, small):
    ws, _files = g.provision_all(small)
    cursor = ws.changes(None).cursor
    unit = small.units[3]
    g.fake.clock.advance(30)
    ws.write_unit(unit, [], narrative=docx_from_sections(small, unit, {}))
    # someone else's file in the same Shared Drive, and one of another campaign
    drive = ws.client.drive.files()
    drive.create(body={"name": "Ghi chú", "mimeType": DOCUMENT, "parents": [g.drive_id]}, supportsAllDrives=True).execute()
    drive.create(
        body={
            "name": "Khác",
            "mimeType": SPREADSHEET,
            "parents": [g.drive_id],
            "appProperties": {"sonketCampaign": "chien-dich-khac", "sonketKind": "sheet", "sonketUnit": unit.code},
        },
        supportsAllDrives=True,
    ).execute()
    g.fake.reset_log()
    change = g.workspace(small).changes(cursor)
    assert [c.unit_code for c in change.changed] == [unit.code] and change.missing == ()
    assert len(g.fake.requests) == 1
    assert len(json.loads(change.cursor)["files"]) == len(json.loads(cursor)["files"])


def test_a_refused_or_old_cursor_falls_back_to_a_full_listing(g, small):
    ws, files = g.provision_all(small)
    cursor = ws.changes(None).cursor
    unit = small.units[1]
    g.fake.clock.advance(60)
    g.fake.edit_cells(files[unit.code].sheet_id, f"'{small.forms_for(unit)[0].sheet}'!B9", [["mới"]])
    g.fake.expire_change_tokens()
    g.fake.reset_log()
    change = g.workspace(small).changes(cursor)
    # the token is refused (400): start token + full listing; the map still tells what changed
    assert [r.method_id for r in g.fake.requests] == [
        "drive.changes.list",
        "drive.changes.getStartPageToken",
        "drive.files.list",
    ]
    assert _calls(g.fake, status=400) == 1
    assert [c.unit_code for c in change.changed] == [unit.code] and change.missing == ()
    assert g.sleeps == []
    g.fake.reset_log()
    assert g.workspace(small).changes(change.cursor).changed == ()
    assert len(g.fake.requests) == 1  # back to the feed with the new token

    g.fake.fail_next(1, 404, api="drive", path_contains="/changes")  # a token Google forgot
    g.fake.reset_log()
    lost = g.workspace(small).changes(change.cursor)
    assert lost.changed == () and _calls(g.fake, status=404) == 1 and len(g.fake.requests) == 3

    for old in (
        json.dumps({"v": 1, "units": {u.code: {files[u.code].sheet_id: ""} for u in small.units}}),
        "không phải JSON",
        json.dumps({**json.loads(change.cursor), "drive": "0Akhac"}),  # another Shared Drive
    ):
        g.fake.reset_log()
        redo = g.workspace(small).changes(old)
        assert len(redo.changed) == len(small.units)  # unknown cursor: everything counts
        assert [r.method_id for r in g.fake.requests] == ["drive.changes.getStartPageToken", "drive.files.list"]
    assert json.loads(redo.cursor)["v"] == 2


# --- retries ---------------------------------------------------------------------------------------


def test_bursts_of_429_and_5xx_are_retried_then_succeed(g, small):
    ws, _files = g.provision_all(small, google_export_sheets="values")
    ws.changes(None)
    unit = small.units[0]
    g.fake.reset_log()
    g.fake.fail_next(2, 429, api="sheets")
    g.fake.fail_next(1, 503, api="drive")
    snapshot = ws.read_unit(unit)
    assert snapshot.sheets
    assert _calls(g.fake, status=429) == 2 and _calls(g.fake, status=503) == 1
    assert _calls(g.fake, path_contains="values:batchGet") == 3
    assert len(g.sleeps) == 3 and all(0 <= s <= 8.0 for s in g.sleeps)


def test_403_rate_limit_reason_is_retried(g, small):
    ws, _ = g.provision_all(small)
    g.fake.reset_log()
    g.fake.fail_next(1, 403, reason="userRateLimitExceeded", api="drive")
    assert ws.changes(None).changed
    # getStartPageToken refused once then retried, then the one files.list
    assert [r.method_id for r in g.fake.requests] == [
        "drive.changes.getStartPageToken",
        "drive.changes.getStartPageToken",
        "drive.files.list",
    ]
    assert _calls(g.fake, status=403) == 1 and len(g.sleeps) == 1


def test_a_permanent_404_is_not_retried(g, small):
    ws, _ = g.provision_all(small, google_export_sheets="values")
    ws.changes(None)
    g.fake.reset_log()
    g.fake.fail_next(1, 404, api="sheets")
    with pytest.raises(NotFound) as err:
        ws.read_unit(small.units[0])
    assert len(g.fake.requests) == 1 and g.sleeps == []
    assert small.units[0].code in err.value.where
    g.fake.reset_log()
    g.fake.fail_next(1, 403, api="sheets")  # PERMISSION_DENIED: access revoked
    with pytest.raises(AccessDenied):
        ws.read_unit(small.units[0])
    g.fake.fail_next(1, 403, reason="insufficientFilePermissions", api="drive")
    with pytest.raises(AccessDenied):
        ws.changes(None)
    assert _calls(g.fake, status=403) == 2 and g.sleeps == []


def test_retries_are_bounded_by_max_attempts(g, small):
    ws, _ = g.provision_all(small)
    g.fake.reset_log()
    g.fake.fail_next(4, 503, api="drive")  # as many failures as attempts (max_attempts = 4)
    with pytest.raises(WorkspaceUnavailable) as err:
        ws.changes(None)
    assert err.value.retryable
    assert len(g.fake.requests) == 4
    assert len(g.sleeps) == 3 and all(0 <= s <= 8.0 for s in g.sleeps)
    g.fake.reset_log()
    g.fake.fail_next(2, 429, api="drive")
    with pytest.raises(RateLimited):
        g.workspace(small, max_attempts=2).changes(None)
    assert len(g.fake.requests) == 2
    assert ws.changes(None).changed  # the faults are used up: the next call goes through


def test_backoff_is_exponential_full_jitter_and_capped(fake_google):
    from google.oauth2.credentials import Credentials

    client = GoogleClient(Credentials(token="t"), endpoint=fake_google.endpoint, backoff_cap=10.0, rand=lambda: 1.0)
    assert [client._backoff(a, None) for a in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    client.rand = lambda: 0.25
    assert client._backoff(3, None) == 1.0
    assert client._backoff(1, 30.0) == 10.0  # Retry-After honoured, still capped


def test_sheets_calls_are_paced_per_minute():
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = MinuteLimiter(3, clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        limiter.acquire()
        now[0] += 1.0
    # 3 calls at t=0,1,2; the 4th waits until t=61 (a minute plus the margin); the 7th until t=122
    assert len(waits) == 2 and waits[0] == pytest.approx(WINDOW - 3) and WINDOW > 60


def test_a_threads_collections_are_built_once_and_each_thread_has_its_own(fake_google):
    """googleapiclient builds a collection (``drive.files()``) anew on every call, most of a
    call's cost: the client builds each once per thread and reuses it for every request."""
    import threading

    from tests.fake_google.fixtures import credentials

    client = GoogleClient(credentials(fake_google.token), endpoint=fake_google.endpoint)
    files = client.drive.files()
    assert client.drive.files() is files and client.sheets.spreadsheets().values() is client.sheets.spreadsheets().values()
    other: list = []
    worker = threading.Thread(target=lambda: other.append(client.drive.files()))
    worker.start()
    worker.join()
    assert other[0] is not files and other[0] is not None  # httplib2 is not thread-safe
    drive = fake_google.create_shared_drive("Sơ kết")
    for _ in range(2):  # the same collection makes request after request
        listed = client.execute(files.list(driveId=drive, corpora="drive", includeItemsFromAllDrives=True, supportsAllDrives=True), what="Drive files.list")
        assert listed["files"] == []
    assert fake_google.count(api="drive") == 2


# --- writing ------------------------------------------------------------------------------------------


def test_write_unit_then_read_back(g, small):
    ws, _files = g.provision_all(small)
    unit = small.units[0]
    form = small.forms_for(unit)[0]
    layout = workbook_layout(small, unit)[0]
    sections = {small.outline_items[0].key: "Đơn vị đã quán triệt nghị quyết."}
    from datetime import datetime

    when = datetime(2026, 4, 10, 8, 30, tzinfo=UTC)
    g.fake.reset_log()
    ws.write_unit(
        unit,
        [CellBlock(form.sheet, layout.first_data_row, 2, [["Tỉnh ủy", "05-CT/TU"]])],
        narrative=docx_from_sections(small, unit, sections),
        modified_at=when,
    )
    assert _calls(g.fake, path_contains="values:batchUpdate") == 1
    snapshot = g.workspace(small).read_unit(unit)
    assert snapshot.sheets[form.sheet][layout.first_data_row - 1][1:3] == ["Tỉnh ủy", "05-CT/TU"]
    assert "quán triệt" in "\n".join(p.text for p in Document(io.BytesIO(snapshot.narrative)).paragraphs)
    assert snapshot.modified_at == when


def test_write_output_twice_keeps_the_file_and_adds_a_revision(g, small):
    ws, _ = g.provision_all(small)
    first = ws.write_output("bao-cao-so-ket.docx", docx_from_sections(small, small.units[0], {}), DOCX_MIME)
    second = g.workspace(small).write_output("bao-cao-so-ket.docx", b"PK second version", DOCX_MIME)
    assert first.file_id == second.file_id and second.url
    f = g.fake.state.files[first.file_id]
    assert len(f.revisions) == 2
    outputs = [x for x in g.fake.state.files.values() if x.name == "bao-cao-so-ket.docx"]
    assert len(outputs) == 1
    folder = next(x for x in g.fake.state.files.values() if x.name == "Kết quả")
    assert f.parents == [folder.id]


def test_write_summary_is_raw_and_replaced_whole(g, small):
    ws, _ = g.provision_all(small)
    g.fake.reset_log()
    ref = ws.write_summary({"Tình hình nộp": [["Đơn vị", "Ghi chú"], ["Sở Nội vụ", "=1+1"], ["Sở Tài chính", 3]]})
    # Drive create + spreadsheets.get + ONE batchUpdate (tabs) + ONE values.batchUpdate (RAW)
    assert [r.method_id for r in g.fake.requests] == [
        "drive.files.create",
        "sheets.spreadsheets.get",
        "sheets.spreadsheets.batchUpdate",
        "sheets.spreadsheets.values.batchUpdate",
    ]
    ss = g.fake.state.spreadsheets[ref.file_id]
    assert ss.titles() == ["Tình hình nộp"]
    assert ss.by_title("Tình hình nộp").values()[1] == ["Sở Nội vụ", "=1+1"]
    read = ws.client.execute(
        ws.client.sheets.spreadsheets().values().get(spreadsheetId=ref.file_id, range="'Tình hình nộp'!B2", valueRenderOption="UNFORMATTED_VALUE"),
        what="test",
    )
    assert read["values"] == [["=1+1"]]  # text, never evaluated

    g.fake.reset_log()
    again = g.workspace(small).write_summary({"Chỉ tiêu": [["Mã", "Giá trị"], ["CT01", 1]]})
    assert again.file_id == ref.file_id and again.url == ref.url
    assert g.fake.state.spreadsheets[ref.file_id].titles() == ["Chỉ tiêu"]  # replaced whole
    assert g.fake.sheet_values(ref.file_id, "Chỉ tiêu") == [["Mã", "Giá trị"], ["CT01", 1]]
    assert _calls(g.fake, method="POST") == 2  # found by appProperties: nothing created


def _spreadsheets(g, kind):
    return [f for f in g.fake.state.files.values() if f.mimeType == SPREADSHEET and f.appProperties.get("sonketKind") == kind]


def test_an_interrupted_provisioning_is_repaired_not_duplicated(g, small):
    unit = small.units[0]
    ws = g.workspace(small, max_attempts=1)
    ws.prepare()
    # 1. the group's template exists, its batchUpdate never happened
    g.fake.fail_next(1, 500, api="sheets", path_contains=":batchUpdate")
    with pytest.raises(WorkspaceUnavailable):
        ws.provision(unit)
    [template] = _spreadsheets(g, "template")
    assert template.appProperties["sonketReady"] == "0" and not _spreadsheets(g, "sheet")
    # 2. the next run repairs the template, copies it; the unit's own cells fail to write
    g.fake.fail_next(1, 500, api="sheets", path_contains="values:batchUpdate")
    with pytest.raises(WorkspaceUnavailable):
        g.workspace(small, max_attempts=1).provision(unit)
    assert [t.id for t in _spreadsheets(g, "template")] == [template.id] and template.appProperties["sonketReady"] == "1"
    [sheet] = _spreadsheets(g, "sheet")
    assert sheet.appProperties["sonketReady"] == "0"
    assert (
        g.fake.state.spreadsheets[sheet.id].by_title(small.forms_for(unit)[0].sheet).values()[1][0] != workbook_layout(small, unit)[0].unit_line
    )  # still the template's line

    # 3. store lost too: found by appProperties, repaired, not duplicated
    g.fake.reset_log()
    files = g.workspace(small).provision(unit)
    assert [f.id for f in _spreadsheets(g, "sheet")] == [files.sheet_id] == [sheet.id]
    ss = g.fake.state.spreadsheets[files.sheet_id]
    assert ss.titles() == [f.sheet for f in small.forms_for(unit)]
    for layout in workbook_layout(small, unit):
        assert ss.by_title(layout.form.sheet).values()[1][0] == layout.unit_line
    assert g.fake.state.files[files.sheet_id].appProperties["sonketReady"] == "1"
    assert files.doc_id and files.created
    assert _calls(g.fake, path_contains=":batchUpdate") == 1  # the unit's cells only
    assert [t.id for t in _spreadsheets(g, "template")] == [template.id]


def test_client_side_pacing_keeps_under_the_sheets_quota(g, small):
    _, _files = g.provision_all(small)
    g.fake.set_quota(sheets_reads_per_minute=2)
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        g.fake.clock.advance(seconds)

    ws = GoogleWorkspace.from_settings(g.settings.with_(sheets_reads_per_minute=2, google_export_sheets="values"), small, clock=g.fake.clock, sleep=sleep)
    ws.changes(None)
    g.fake.reset_log()
    for unit in small.units[:3]:
        ws.read_unit(unit)
    assert _calls(g.fake, api="sheets") == 3
    assert _calls(g.fake, status=429) == 0  # paced, never refused
    assert len(waited) == 1 and waited[0] == pytest.approx(60.0, abs=1.0)


def test_read_without_a_cached_id_lists_only_that_unit(g, small):
    _, _files = g.provision_all(small)
    g.fake.reset_log()
    snapshot = g.workspace(small).read_unit(small.units[1])
    assert snapshot.sheets and snapshot.narrative
    assert [r.method_id for r in g.fake.requests] == [
        "drive.files.list",
        "drive.files.export",
        "drive.files.export",
    ]


def test_refused_credentials_raise_auth_error_without_the_token(g, small):
    from sonket_gsync.core.errors import AuthError

    ws = g.workspace(small, google_token="secret-token-123")
    with pytest.raises(AuthError) as err:
        ws.prepare()
    assert "secret-token-123" not in err.value.explain()
    assert len(g.fake.requests) == 1 and g.sleeps == []


def test_a_missing_key_file_is_an_auth_error(settings, small, tmp_path):
    from sonket_gsync.core.errors import AuthError

    missing = settings.with_(backend="google", google_credentials=tmp_path / "khong-co.json")
    with pytest.raises(AuthError) as err:
        GoogleWorkspace.from_settings(missing, small)
    assert "SONKET_GOOGLE_CREDENTIALS" in err.value.explain()
    bad = tmp_path / "hong.json"
    bad.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nabc"}')
    with pytest.raises(AuthError) as err:
        GoogleWorkspace.from_settings(settings.with_(backend="google", google_credentials=bad), small)
    assert "abc" not in err.value.explain()


def test_write_output_can_convert_to_google_docs(g, small):
    g.provision_all(small)
    ws = GoogleWorkspace(small, g.workspace(small).client, shared_drive_id=g.drive_id, convert_outputs=True)
    data = docx_from_sections(small, small.units[0], {})
    first = ws.write_output("bao-cao-so-ket.docx", data, DOCX_MIME)
    second = ws.write_output("bao-cao-so-ket.docx", data, DOCX_MIME)
    f = g.fake.state.files[first.file_id]
    assert second.file_id == first.file_id and f.mimeType == DOCUMENT
    assert len(f.revisions) == 2 and "document" in first.url

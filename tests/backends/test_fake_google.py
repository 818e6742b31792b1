"""The fake Google server, driven by the real client libraries."""

from __future__ import annotations

import io
import json
import zipfile

import gspread
import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from tests.fake_google.fixtures import build_service, credentials, gspread_client

FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error(exc: HttpError) -> dict:
    return json.loads(exc.content)["error"]


def _docx_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


@pytest.fixture
def drive(fake_google):
    return build_service(fake_google, "drive", "v3")


@pytest.fixture
def sheets(fake_google):
    return build_service(fake_google, "sheets", "v4")


@pytest.fixture
def drive_id(fake_google):
    return fake_google.create_shared_drive("Sonket")


def _spreadsheet(drive, parent, name="Book"):
    return drive.files().create(body={"name": name, "mimeType": SHEET, "parents": [parent]}, supportsAllDrives=True, fields="id").execute()["id"]


def test_folder_tree_in_shared_drive(drive, drive_id, fake_google):
    root = (
        drive.files().create(body={"name": "Sonket", "mimeType": FOLDER, "parents": [drive_id]}, supportsAllDrives=True, fields="id,driveId,parents").execute()
    )
    assert root["driveId"] == drive_id and root["parents"] == [drive_id]
    child = drive.files().create(body={"name": "Unit 01", "mimeType": FOLDER, "parents": [root["id"]]}, supportsAllDrives=True, fields="*").execute()
    assert child["driveId"] == drive_id
    assert child["webViewLink"].startswith("https://drive.google.com/drive/folders/")
    assert child["createdTime"].endswith("Z") and len(child["createdTime"]) == 24
    # default fields = kind,id,name,mimeType only, like Drive v3
    got = drive.files().get(fileId=child["id"], supportsAllDrives=True).execute()
    assert set(got) == {"kind", "id", "name", "mimeType"}
    # shared-drive items are invisible without supportsAllDrives
    with pytest.raises(HttpError) as err:
        drive.files().get(fileId=child["id"]).execute()
    assert err.value.resp.status == 404
    assert _error(err.value)["errors"][0]["reason"] == "notFound"
    listed = (
        drive.files()
        .list(
            q=f"'{root['id']}' in parents and trashed = false",
            corpora="drive",
            driveId=drive_id,
            includeItemsFromAllDrives=True,
            supportsAllDrives=True,
            fields="files(id,name)",
        )
        .execute()
    )
    assert listed == {"files": [{"id": child["id"], "name": "Unit 01"}]}
    assert drive.drives().get(driveId=drive_id).execute()["name"] == "Sonket"


def test_storage_quota_outside_shared_drive(drive, fake_google):
    with pytest.raises(HttpError) as err:
        drive.files().create(body={"name": "orphan", "mimeType": SHEET}).execute()
    assert err.value.resp.status == 403
    body = _error(err.value)
    assert body["errors"][0]["reason"] == "storageQuotaExceeded"
    assert body["errors"][0]["domain"] == "usageLimits"
    assert "Service Accounts do not have storage quota" in body["message"]
    fake_google.service_account_has_storage = True
    assert drive.files().create(body={"name": "ok", "mimeType": SHEET}).execute()["id"]


def test_upload_docx_as_doc_and_export(drive, drive_id, fake_google):
    data = _docx_bytes("Báo cáo")
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype=DOCX)
    doc = (
        drive.files()
        .create(body={"name": "Report", "mimeType": DOC, "parents": [drive_id]}, media_body=media, supportsAllDrives=True, fields="id,mimeType,webViewLink")
        .execute()
    )
    assert doc["mimeType"] == DOC
    assert doc["webViewLink"].startswith(f"https://docs.google.com/document/d/{doc['id']}/edit")
    assert drive.files().export(fileId=doc["id"], mimeType=DOCX).execute() == data
    text = drive.files().export(fileId=doc["id"], mimeType="text/plain").execute()
    assert text.decode() == "Báo cáo"
    # resumable media update -> new revision, bumps modifiedTime
    before = drive.files().get(fileId=doc["id"], supportsAllDrives=True, fields="modifiedTime").execute()["modifiedTime"]
    fake_google.clock.advance(5)
    new = _docx_bytes("v2")
    drive.files().update(fileId=doc["id"], supportsAllDrives=True, media_body=MediaIoBaseUpload(io.BytesIO(new), mimetype=DOCX, resumable=True)).execute()
    after = drive.files().get(fileId=doc["id"], supportsAllDrives=True, fields="modifiedTime").execute()["modifiedTime"]
    assert after > before
    revs = drive.revisions().list(fileId=doc["id"]).execute()["revisions"]
    assert len(revs) == 2
    assert drive.files().export(fileId=doc["id"], mimeType=DOCX).execute() == new
    assert fake_google.count(api="upload") == 3  # multipart + resumable start + PUT


def test_binary_upload_download_and_permissions(drive, drive_id, fake_google):
    payload = bytes(range(256)) * 10
    f = (
        drive.files()
        .create(
            body={"name": "a.pdf", "parents": [drive_id]},
            media_body=MediaIoBaseUpload(io.BytesIO(payload), mimetype="application/pdf"),
            supportsAllDrives=True,
            fields="id,size,md5Checksum",
        )
        .execute()
    )
    assert f["size"] == str(len(payload))
    assert drive.files().get_media(fileId=f["id"], supportsAllDrives=True).execute() == payload
    perm = (
        drive.permissions()
        .create(
            fileId=f["id"],
            supportsAllDrives=True,
            sendNotificationEmail=False,
            body={"type": "user", "role": "writer", "emailAddress": "lead@example.vn"},
            fields="id,type,role,emailAddress",
        )
        .execute()
    )
    assert perm["emailAddress"] == "lead@example.vn"
    perms = drive.permissions().list(fileId=f["id"], supportsAllDrives=True, fields="permissions(id,role,emailAddress)").execute()
    assert {"id": perm["id"], "role": "writer", "emailAddress": "lead@example.vn"} in perms["permissions"]
    drive.permissions().delete(fileId=f["id"], permissionId=perm["id"], supportsAllDrives=True).execute()
    fake_google.revoke_access(f["id"])
    with pytest.raises(HttpError) as err:
        drive.files().get(fileId=f["id"], supportsAllDrives=True).execute()
    assert err.value.resp.status == 404
    assert _error(err.value)["message"] == f"File not found: {f['id']}."


def test_app_properties_query_and_paging(drive, drive_id):
    for i in range(7):
        drive.files().create(
            body={"name": f"f{i}", "mimeType": FOLDER, "parents": [drive_id], "appProperties": {"unit": "u1" if i % 2 == 0 else "u2"}}, supportsAllDrives=True
        ).execute()
    q = f"appProperties has {{ key='unit' and value='u1' }} and (mimeType = '{FOLDER}' or name = 'x')"
    seen, token, pages = [], None, 0
    while True:
        resp = (
            drive.files()
            .list(
                q=q,
                pageSize=3,
                pageToken=token,
                corpora="allDrives",
                includeItemsFromAllDrives=True,
                supportsAllDrives=True,
                orderBy="name",
                fields="nextPageToken,files(id,name,appProperties)",
            )
            .execute()
        )
        seen += resp["files"]
        pages += 1
        token = resp.get("nextPageToken")
        if not token:
            break
    assert [f["name"] for f in seen] == ["f0", "f2", "f4", "f6"] and pages == 2
    assert all(f["appProperties"] == {"unit": "u1"} for f in seen)
    with pytest.raises(HttpError) as err:
        drive.files().list(q="name = ", supportsAllDrives=True).execute()
    assert err.value.resp.status == 400 and _error(err.value)["errors"][0]["location"] == "q"
    # modifiedTime comparison
    stamp = seen[0]["id"]
    mt = drive.files().get(fileId=stamp, supportsAllDrives=True, fields="modifiedTime").execute()["modifiedTime"]
    later = drive.files().list(q=f"modifiedTime > '{mt}'", includeItemsFromAllDrives=True, supportsAllDrives=True, fields="files(name)").execute()
    assert "f0" not in [f["name"] for f in later["files"]] and later["files"]


def test_values_raw_vs_user_entered(sheets, drive, drive_id, fake_google):
    sid = _spreadsheet(drive, drive_id)
    sheets.spreadsheets().batchUpdate(
        spreadsheetId=sid,
        body={"requests": [{"addSheet": {"properties": {"title": "Tổng hợp", "gridProperties": {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1}}}}]},
    ).execute()
    row = ["=1+2", "42", "05/03/2024", "TRUE", "text"]
    sheets.spreadsheets().values().update(spreadsheetId=sid, range="'Tổng hợp'!A1", valueInputOption="RAW", body={"values": [row]}).execute()
    sheets.spreadsheets().values().update(spreadsheetId=sid, range="'Tổng hợp'!A2:E2", valueInputOption="USER_ENTERED", body={"values": [row]}).execute()
    got = (
        sheets.spreadsheets()
        .values()
        .batchGet(spreadsheetId=sid, ranges=["'Tổng hợp'!A1:H", "Sheet1"], valueRenderOption="UNFORMATTED_VALUE")
        .execute()["valueRanges"]
    )
    assert got[0]["range"] == "'Tổng hợp'!A1:H50"
    assert got[0]["values"] == [row, [3, 42, "05/03/2024", True, "text"]]
    assert "values" not in got[1]  # empty tab: no values key
    formatted = sheets.spreadsheets().values().get(spreadsheetId=sid, range="'Tổng hợp'!A2:B2").execute()
    assert formatted["values"] == [["3", "42"]]
    formula = sheets.spreadsheets().values().get(spreadsheetId=sid, range="'Tổng hợp'!A2", valueRenderOption="FORMULA").execute()
    assert formula["values"] == [["=1+2"]]
    with pytest.raises(HttpError) as err:
        sheets.spreadsheets().values().get(spreadsheetId=sid, range="'Missing'!A1:Z").execute()
    assert err.value.resp.status == 400
    assert _error(err.value) == {"code": 400, "status": "INVALID_ARGUMENT", "message": "Unable to parse range: 'Missing'!A1:Z"}
    # a person edits a cell; the Drive file's modifiedTime moves
    before = fake_google.state.files[sid].modifiedTime
    fake_google.clock.advance(1)
    fake_google.edit_cells(sid, "'Tổng hợp'!B6", [["typed"]])
    assert fake_google.state.files[sid].modifiedTime > before
    assert fake_google.sheet_values(sid, "Tổng hợp")[5] == ["", "typed"]


def test_batch_update_requests_and_state(sheets, drive, drive_id, fake_google):
    sid = _spreadsheet(drive, drive_id)
    reply = (
        sheets.spreadsheets()
        .batchUpdate(
            spreadsheetId=sid,
            body={
                "requests": [
                    {"addSheet": {"properties": {"title": "Data"}}},
                    {
                        "updateSheetProperties": {
                            "properties": {"sheetId": 0, "title": "Cover", "gridProperties": {"frozenRowCount": 2}},
                            "fields": "title,gridProperties.frozenRowCount",
                        }
                    },
                    {
                        "repeatCell": {
                            "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 3},
                            "cell": {"userEnteredValue": {"stringValue": "H"}},
                            "fields": "userEnteredValue",
                        }
                    },
                    {
                        "mergeCells": {
                            "range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 4},
                            "mergeType": "MERGE_ALL",
                        }
                    },
                    {
                        "addProtectedRange": {
                            "protectedRange": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}, "description": "header", "warningOnly": True}
                        }
                    },
                    {
                        "setDataValidation": {
                            "range": {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 4, "startColumnIndex": 1, "endColumnIndex": 2},
                            "rule": {
                                "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Có"}, {"userEnteredValue": "Không"}]},
                                "strict": True,
                                "showCustomUi": True,
                            },
                        }
                    },
                    {
                        "updateDimensionProperties": {
                            "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                            "properties": {"pixelSize": 240},
                            "fields": "pixelSize",
                        }
                    },
                    {"autoResizeDimensions": {"dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}},
                    {"updateSpreadsheetProperties": {"properties": {"title": "Sổ"}, "fields": "title"}},
                ]
            },
        )
        .execute()
    )
    new_id = reply["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert reply["replies"][4]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    assert reply["replies"][1] == {}
    meta = sheets.spreadsheets().get(spreadsheetId=sid, fields="properties.title,sheets(properties(sheetId,title,gridProperties),merges)").execute()
    assert meta["properties"] == {"title": "Sổ"}
    assert [s["properties"]["title"] for s in meta["sheets"]] == ["Cover", "Data"]
    assert meta["sheets"][0]["properties"]["gridProperties"]["frozenRowCount"] == 2
    assert meta["sheets"][1]["properties"]["sheetId"] == new_id
    ss = fake_google.state.spreadsheets[sid]
    cover = ss.by_title("Cover")
    assert len(cover.protected) == 1 and len(cover.merges) == 1
    assert set(cover.validations) == {(2, 1), (3, 1)}
    assert cover.cols_meta[0]["pixelSize"] == 240
    assert fake_google.state.files[sid].name == "Sổ"
    # atomic: a failing request rolls back the whole batch
    with pytest.raises(HttpError) as err:
        sheets.spreadsheets().batchUpdate(
            spreadsheetId=sid, body={"requests": [{"addSheet": {"properties": {"title": "Temp"}}}, {"deleteSheet": {"sheetId": 999}}]}
        ).execute()
    assert "Invalid requests[1].deleteSheet: No grid with id: 999" in _error(err.value)["message"]
    assert ss.titles() == ["Cover", "Data"]
    fake_google.rename_tab(sid, "Data", "Dữ liệu")
    fake_google.delete_tab(sid, "Cover")
    assert ss.titles() == ["Dữ liệu"]


def test_unknown_field_and_bad_param_are_400(sheets, drive, drive_id):
    sid = _spreadsheet(drive, drive_id)
    with pytest.raises(HttpError) as err:
        sheets.spreadsheets().batchUpdate(
            spreadsheetId=sid, body={"requests": [{"updateSheetProperties": {"properties": {"sheetId": 0, "titel": "x"}, "fields": "title"}}]}
        ).execute()
    body = _error(err.value)
    assert body["status"] == "INVALID_ARGUMENT"
    assert body["message"] == ("Invalid JSON payload received. Unknown name \"titel\" at 'requests[0].update_sheet_properties.properties': Cannot find field.")
    with pytest.raises(HttpError) as err:
        sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [{"updateDimensionProperties": {"range": {"sheetId": "zero"}}}]}).execute()
    assert _error(err.value)["message"].startswith("Invalid value at 'requests[0].update_dimension_properties.range.sheet_id'")
    # a query parameter the method does not have (raw HTTP via an authorized session)
    from google.auth.transport.requests import AuthorizedSession

    from tests.fake_google.fixtures import credentials as creds

    session = AuthorizedSession(creds(sheets._http.credentials.token))
    resp = session.get(f"{sheets._baseUrl}v4/spreadsheets/{sid}", params={"bogus": "1"})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"].startswith('Invalid JSON payload received. Unknown name "bogus"')


def test_sheets_quota_with_manual_clock(sheets, drive, drive_id, fake_google):
    sid = _spreadsheet(drive, drive_id)
    fake_google.set_quota(sheets_reads_per_minute=2)
    get = sheets.spreadsheets().values().get(spreadsheetId=sid, range="Sheet1!A1:B2")
    get.execute()
    get.execute()
    with pytest.raises(HttpError) as err:
        get.execute()
    body = _error(err.value)
    assert err.value.resp.status == 429 and body["status"] == "RESOURCE_EXHAUSTED"
    assert "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'" in body["message"]
    # writes have their own bucket
    sheets.spreadsheets().values().update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body={"values": [[1]]}).execute()
    fake_google.clock.advance(61)
    assert get.execute()["values"] == [["1"]]
    assert fake_google.count(api="sheets", status=429) == 1


def test_fail_next_latency_and_counting(drive, sheets, drive_id, fake_google):
    sid = _spreadsheet(drive, drive_id)
    fake_google.reset_log()
    fake_google.fail_next(1, 500, api="sheets", path_contains="/values")
    with pytest.raises(HttpError) as err:
        sheets.spreadsheets().values().get(spreadsheetId=sid, range="A1").execute()
    assert err.value.resp.status == 500 and _error(err.value)["status"] == "INTERNAL"
    assert sheets.spreadsheets().values().get(spreadsheetId=sid, range="A1").execute()
    fake_google.fail_next(2, 403, reason="userRateLimitExceeded", api="drive")
    for _ in range(2):
        with pytest.raises(HttpError) as err:
            drive.files().get(fileId=sid, supportsAllDrives=True).execute()
        assert _error(err.value)["errors"][0] == {"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User rate limit exceeded."}
    assert drive.files().get(fileId=sid, supportsAllDrives=True).execute()["id"] == sid
    assert fake_google.count() == 5
    assert fake_google.count(api="sheets", method="GET", status=500) == 1
    assert fake_google.count(api="drive", status=403) == 2
    assert fake_google.count(path_contains="/values/A1") == 2
    fake_google.latency = 0.05
    sheets.spreadsheets().get(spreadsheetId=sid).execute()
    last = fake_google.requests[-1]
    assert last.ended - last.started >= 0.05 and last.api == "sheets" and last.status == 200


def test_auth_required(fake_google):
    drive = build_service(fake_google, "drive", "v3", token="wrong")
    with pytest.raises(RefreshError):  # the 401 makes the client try to refresh a token it cannot
        drive.files().list().execute()
    assert fake_google.count(status=401) == 1


def test_gspread_against_fake(drive, drive_id, fake_google):
    sid = _spreadsheet(drive, drive_id, name="Gspread book")
    gc = gspread_client(fake_google)
    book = gc.open_by_key(sid)
    ws = book.add_worksheet("Đơn vị 1", rows=20, cols=5)
    ws.update([["Tên", "Số"], ["A", "=2*3"]], "A1", raw=False)
    assert ws.get_all_values()[:2] == [["Tên", "Số"], ["A", "6"]]
    assert book.values_batch_get(["'Đơn vị 1'!B2"], params={"valueRenderOption": "FORMULA"})["valueRanges"][0]["values"] == [["=2*3"]]
    ws.append_row(["B", 7])
    assert fake_google.sheet_values(sid, "Đơn vị 1")[2] == ["B", 7]
    with pytest.raises(gspread.exceptions.APIError):
        book.values_get("'Nope'!A1")
    assert fake_google.count(api="sheets") >= 5


def test_discovery_and_api_endpoint_variants(fake_google, drive_id):
    creds = credentials(fake_google.token)
    # 1) fetch the discovery document from the fake (rootUrl = endpoint): uploads work too
    drive = build(
        "drive",
        "v3",
        credentials=creds,
        static_discovery=False,
        cache_discovery=False,
        discoveryServiceUrl=fake_google.endpoint + "/discovery/v1/apis/{api}/{apiVersion}/rest",
    )
    created = (
        drive.files()
        .create(body={"name": "x.txt", "parents": [drive_id]}, supportsAllDrives=True, media_body=MediaIoBaseUpload(io.BytesIO(b"hi"), mimetype="text/plain"))
        .execute()
    )
    assert created["mimeType"] == "text/plain"
    # 2) api_endpoint works for non-media calls when it includes the service path
    drive2 = build("drive", "v3", credentials=creds, static_discovery=True, client_options={"api_endpoint": fake_google.endpoint + "/drive/v3/"})
    assert drive2.files().get(fileId=created["id"], supportsAllDrives=True).execute()["id"] == created["id"]
    sheets2 = build("sheets", "v4", credentials=creds, static_discovery=True, client_options={"api_endpoint": fake_google.endpoint})
    sid = drive2.files().create(body={"name": "S", "mimeType": SHEET, "parents": [drive_id]}, supportsAllDrives=True).execute()["id"]
    assert sheets2.spreadsheets().get(spreadsheetId=sid).execute()["spreadsheetId"] == sid


# ---- Drive changes feed (changes.getStartPageToken / changes.list) -------------------


def _all_changes(drive, token, **kw):
    """Every page from `token`: (changes, pages, newStartPageToken)."""
    changes, pages = [], 0
    while True:
        page = drive.changes().list(pageToken=token, **kw).execute()
        pages += 1
        changes.extend(page.get("changes", []))
        if "newStartPageToken" in page:
            assert "nextPageToken" not in page
            return changes, pages, page["newStartPageToken"]
        token = page["nextPageToken"]


def test_changes_feed_records_every_mutation_collapsed_and_paged(drive, sheets, drive_id, fake_google):
    scope = dict(driveId=drive_id, supportsAllDrives=True, includeItemsFromAllDrives=True)
    start = drive.changes().getStartPageToken(driveId=drive_id, supportsAllDrives=True).execute()
    assert start["kind"] == "drive#startPageToken" and isinstance(start["startPageToken"], str)
    token = start["startPageToken"]
    # nothing happened: one page, no changes, the same token back
    empty = drive.changes().list(pageToken=token, **scope).execute()
    assert empty["changes"] == [] and empty["newStartPageToken"] == token
    assert empty["kind"] == "drive#changeList"

    edited = _spreadsheet(drive, drive_id, "Edited")
    trashed = _spreadsheet(drive, drive_id, "Trashed")
    deleted = _spreadsheet(drive, drive_id, "Deleted")
    revoked = _spreadsheet(drive, drive_id, "Revoked")
    shared = _spreadsheet(drive, drive_id, "Shared")
    fake_google.clock.advance(5)
    for n in range(3):  # three edits of one file: listed once, as it is now
        sheets.spreadsheets().values().update(spreadsheetId=edited, range="A1", valueInputOption="RAW", body={"values": [[n]]}).execute()
    drive.files().update(fileId=trashed, body={"trashed": True}, supportsAllDrives=True).execute()
    drive.files().delete(fileId=deleted, supportsAllDrives=True).execute()
    fake_google.revoke_access(revoked)
    drive.permissions().create(fileId=shared, body={"type": "anyone", "role": "writer"}, supportsAllDrives=True).execute()
    fields = "nextPageToken,newStartPageToken,changes(fileId,removed,time,driveId,changeType,file(id,name,trashed,modifiedTime))"
    changes, pages, new_token = _all_changes(drive, token, pageSize=2, fields=fields, **scope)
    assert pages == 3  # five files, two per page
    by_id = {c["fileId"]: c for c in changes}
    assert len(changes) == len(by_id) == 5
    assert [c["fileId"] for c in changes] == [edited, trashed, deleted, revoked, shared]
    assert all(c["changeType"] == "file" and c["driveId"] == drive_id and c["time"].endswith("Z") for c in changes)
    assert by_id[edited]["removed"] is False
    assert by_id[edited]["file"]["modifiedTime"] == fake_google.state.files[edited].modifiedTime
    assert by_id[trashed]["removed"] is False and by_id[trashed]["file"]["trashed"] is True
    for gone in (deleted, revoked):  # deleted, or the caller lost access: removed, no file
        assert by_id[gone]["removed"] is True and "file" not in by_id[gone]
    assert by_id[shared]["file"]["name"] == "Shared"
    # default fields of a change, like Drive v3
    first = drive.changes().list(pageToken=token, pageSize=1, **scope).execute()
    assert set(first["changes"][0]) == {"kind", "changeType", "time", "removed", "fileId", "driveId", "file"}
    assert set(first["changes"][0]["file"]) == {"kind", "id", "name", "mimeType"}
    assert "nextPageToken" in first and "newStartPageToken" not in first
    # includeRemoved=false hides removals
    kept, _, _ = _all_changes(drive, token, includeRemoved=False, **scope)
    assert {c["fileId"] for c in kept} == {edited, trashed, shared}
    # from the new token: only what happens next; restored access shows the file again
    fake_google.restore_access(revoked)
    later, pages, _ = _all_changes(drive, new_token, fields=fields, **scope)
    assert pages == 1 and [(c["fileId"], c["removed"]) for c in later] == [(revoked, False)]


def test_changes_feed_scope_tokens_and_errors(drive, drive_id, fake_google):
    other = fake_google.create_shared_drive("Khác")
    token = drive.changes().getStartPageToken(driveId=drive_id, supportsAllDrives=True).execute()["startPageToken"]
    mine = _spreadsheet(drive, drive_id, "Mine")
    _spreadsheet(drive, other, "Elsewhere")
    scoped, _, _ = _all_changes(drive, token, driveId=drive_id, supportsAllDrives=True, includeItemsFromAllDrives=True)
    assert [c["fileId"] for c in scoped] == [mine]
    everywhere, _, _ = _all_changes(drive, token, supportsAllDrives=True, includeItemsFromAllDrives=True)
    assert len(everywhere) == 2
    my_drive_only, _, _ = _all_changes(drive, token)  # shared-drive items need the flags
    assert my_drive_only == []

    def status(call):
        with pytest.raises(HttpError) as err:
            call.execute()
        return err.value.resp.status, _error(err.value)["errors"][0]

    code, error = status(drive.changes().list(pageToken="not-a-token", driveId=drive_id, supportsAllDrives=True))
    assert code == 400 and error["location"] == "pageToken"
    assert status(drive.changes().list(pageToken=token, driveId=drive_id))[0] == 403
    assert status(drive.changes().getStartPageToken(driveId="0Anope", supportsAllDrives=True))[0] == 404
    code, error = status(drive.changes().list(pageToken=token, pageSize=1001))
    assert code == 400 and error["location"] == "pageSize"
    # an expired token is refused; a fresh start token works again
    fake_google.expire_change_tokens()
    assert status(drive.changes().list(pageToken=token, driveId=drive_id, supportsAllDrives=True))[0] == 400
    fresh = drive.changes().getStartPageToken(driveId=drive_id, supportsAllDrives=True).execute()["startPageToken"]
    assert drive.changes().list(pageToken=fresh, driveId=drive_id, supportsAllDrives=True).execute()["changes"] == []
    assert fake_google.count(path_contains="/changes", status=200) >= 5

"""Check, with real Google credentials, what the fake cannot tell us (README: "Unverified
against real Google"). Each check works in a scratch folder of the Shared Drive and trashes
what it created at the end.

    SONKET_GOOGLE_CREDENTIALS=key.json SONKET_GOOGLE_SHARED_DRIVE_ID=<id> \\
        python bench/verify_google.py export-quota
    ... python bench/verify_google.py protections --editor someone@your-domain
    ... python bench/verify_google.py push [--https-address https://your-service/drive/notifications]
    ... python bench/verify_google.py all

export-quota  70 files.export of one Sheet to .xlsx inside a minute, then one values.batchGet:
              if Google counts exports against the Sheets read quota (60 a minute per user),
              exports or the batchGet are refused with 429 "Read requests"; if it counts them
              against Drive, none is. Prints every refusal with Google's reason.
protections   a Sheet with a protected range whose editors are the service account (and
              --editor), copied with files.copy: prints both editor lists and whether the
              copy kept them (and whether it kept the data validation rule).
push          changes.watch with a plain-http address (the service facts say Google refuses
              it: prints Google's answer), then, with --https-address, a real channel on the
              Shared Drive's changes feed; edits the scratch Sheet so Google sends a
              notification; your service's log shows it; then channels.stop.

Settings come from the environment as for sonket-gsync (SONKET_GOOGLE_CREDENTIALS,
SONKET_GOOGLE_SUBJECT, SONKET_GOOGLE_SHARED_DRIVE_ID; SONKET_GOOGLE_ENDPOINT runs it against
the fake, which is how it is smoke-tested).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from googleapiclient.errors import HttpError  # noqa: E402

from sonket_gsync.backends.base import XLSX_MIME  # noqa: E402
from sonket_gsync.backends.google.auth import account_email, load_credentials  # noqa: E402
from sonket_gsync.backends.google.client import GoogleClient, error_details  # noqa: E402
from sonket_gsync.backends.google.drive import FOLDER_MIME, SPREADSHEET_MIME  # noqa: E402
from sonket_gsync.core.settings import Settings  # noqa: E402

TAG = {"sonketVerify": "1"}


class Scratch:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.credentials = load_credentials(settings)
        self.client = GoogleClient(self.credentials, endpoint=settings.google_endpoint)
        self.drive = self.client.drive
        self.sheets = self.client.sheets
        self.drive_id = settings.google_shared_drive_id
        self.email = account_email(self.credentials, settings)
        self.created: list[str] = []
        parent = {"parents": [self.drive_id]} if self.drive_id else {}
        self.folder = self.create({"name": f"sonket-verify {time.strftime('%Y-%m-%d %H:%M')}", "mimeType": FOLDER_MIME, **parent})

    def create(self, meta: dict) -> str:
        f = self.drive.files().create(body={**meta, "appProperties": TAG}, fields="id", supportsAllDrives=True).execute(num_retries=0)
        self.created.append(f["id"])
        return f["id"]

    def sheet(self, name: str) -> str:
        return self.create({"name": name, "mimeType": SPREADSHEET_MIME, "parents": [self.folder]})

    def cleanup(self) -> None:
        for file_id in reversed(self.created):
            try:
                self.drive.files().update(fileId=file_id, body={"trashed": True}, supportsAllDrives=True).execute(num_retries=0)
            except HttpError as exc:
                print(f"  (could not trash {file_id}: {describe(exc)})")


def describe(exc: HttpError) -> str:
    status, reasons, message = error_details(exc)
    return f"HTTP {status} {sorted(reasons)} {message}"


def check_export_quota(s: Scratch, count: int) -> dict:
    sid = s.sheet("export quota probe")
    s.sheets.spreadsheets().values().update(spreadsheetId=sid, range="A1:B2", valueInputOption="RAW", body={"values": [["a", 1], ["b", 2]]}).execute(
        num_retries=0
    )
    refused: list[str] = []
    started = time.monotonic()
    for _ in range(count):
        try:
            s.drive.files().export(fileId=sid, mimeType=XLSX_MIME).execute(num_retries=0)
        except HttpError as exc:
            refused.append(describe(exc))
    seconds = time.monotonic() - started
    try:
        s.sheets.spreadsheets().values().batchGet(spreadsheetId=sid, ranges=["A1:B2"]).execute(num_retries=0)
        after = "values.batchGet right after: accepted"
    except HttpError as exc:
        after = f"values.batchGet right after: REFUSED {describe(exc)}"
    sheets_quota = any("429" in r for r in refused) or "REFUSED" in after
    verdict = (
        "exports seem to count against the SHEETS read quota"
        if sheets_quota and seconds < 60
        else "exports did not touch the Sheets read quota (Drive quota)"
        if seconds < 60
        else "inconclusive: the exports took over a minute; rerun on a faster connection"
    )
    return {"exports": count, "seconds": round(seconds, 1), "refused": refused[:10], "refused_count": len(refused), "after": after, "verdict": verdict}


def check_protections(s: Scratch, editor: str) -> dict:
    sid = s.sheet("protections probe")
    users = [u for u in (s.email, editor) if u]
    protected = {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}, "description": "probe"}
    if users:
        protected["editors"] = {"users": users}
    else:
        protected["warningOnly"] = True
    rule = {
        "condition": {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "0"}, {"userEnteredValue": "100"}]},
        "strict": True,
        "inputMessage": "0–100",
    }
    s.sheets.spreadsheets().batchUpdate(
        spreadsheetId=sid,
        body={
            "requests": [
                {"addProtectedRange": {"protectedRange": protected}},
                {
                    "setDataValidation": {
                        "range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 1},
                        "rule": rule,
                    }
                },
            ]
        },
    ).execute(num_retries=0)
    copy = (
        s.drive.files()
        .copy(fileId=sid, body={"name": "protections probe (copy)", "parents": [s.folder], "appProperties": TAG}, fields="id", supportsAllDrives=True)
        .execute(num_retries=0)
    )
    s.created.append(copy["id"])

    def read(spreadsheet_id: str) -> tuple[list, object]:
        got = (
            s.sheets.spreadsheets()
            .get(
                spreadsheetId=spreadsheet_id,
                ranges=["A2"],
                includeGridData=True,
                fields="sheets(protectedRanges(editors,warningOnly,description),data.rowData.values.dataValidation)",
            )
            .execute(num_retries=0)
        )
        sheet = got["sheets"][0]
        cells = ((sheet.get("data") or [{}])[0].get("rowData") or [{}])[0].get("values") or [{}]
        return sheet.get("protectedRanges", []), cells[0].get("dataValidation")

    (orig, orig_rule), (copied, copied_rule) = read(sid), read(copy["id"])
    return {
        "original": orig,
        "copy": copied,
        "editors kept": [p.get("editors") for p in orig] == [p.get("editors") for p in copied],
        "validation kept": orig_rule == copied_rule and copied_rule is not None,
        "note": "with no editor given and no service-account email known, the range is warning-only" if not users else "",
    }


def check_push(s: Scratch, https_address: str, wait: int) -> dict:
    out: dict = {}
    params = {"supportsAllDrives": True, "includeItemsFromAllDrives": True}
    if s.drive_id:
        params["driveId"] = s.drive_id
    token = (
        s.drive.changes().getStartPageToken(**({"driveId": s.drive_id} if s.drive_id else {}), supportsAllDrives=True).execute(num_retries=0)["startPageToken"]
    )
    body = {"id": f"sonket-verify-{uuid.uuid4().hex[:12]}", "type": "web_hook", "address": "http://example.com/sonket-verify", "token": "verify"}
    try:
        channel = s.drive.changes().watch(pageToken=token, body=body, **params).execute(num_retries=0)
        out["plain http"] = f"ACCEPTED (unexpected): {channel}"
        s.drive.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute(num_retries=0)
    except HttpError as exc:
        out["plain http"] = f"refused: {describe(exc)}"
    if https_address:
        body = {**body, "id": f"sonket-verify-{uuid.uuid4().hex[:12]}", "address": https_address, "token": uuid.uuid4().hex}
        try:
            channel = s.drive.changes().watch(pageToken=token, body=body, **params).execute(num_retries=0)
            out["https channel"] = {k: channel.get(k) for k in ("id", "resourceId", "expiration")}
            sid = s.sheet("push probe")  # a change in the watched drive
            s.sheets.spreadsheets().values().update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body={"values": [["changed"]]}).execute(
                num_retries=0
            )
            print(
                f"  waiting {wait} s: your service should log a 'sync' then a 'change' notification for channel {channel['id']} (token {body['token']}) ...",
                flush=True,
            )
            time.sleep(wait)
            s.drive.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute(num_retries=0)
            out["stopped"] = True
        except HttpError as exc:
            out["https channel"] = f"refused: {describe(exc)}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=("export-quota", "protections", "push", "all"))
    parser.add_argument("--exports", type=int, default=70, help="files.export calls in the quota probe")
    parser.add_argument("--editor", default="", help="an extra editor for the protected range (an email)")
    parser.add_argument("--https-address", default="", help="your service's HTTPS notification address")
    parser.add_argument("--wait", type=int, default=30, help="seconds to wait for a notification")
    parser.add_argument("--keep", action="store_true", help="do not trash the scratch files")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    scratch = Scratch(settings)
    results: dict = {}
    try:
        if args.check in ("export-quota", "all"):
            results["export-quota"] = check_export_quota(scratch, args.exports)
        if args.check in ("protections", "all"):
            results["protections"] = check_protections(scratch, args.editor)
        if args.check in ("push", "all"):
            results["push"] = check_push(scratch, args.https_address, args.wait)
    finally:
        if not args.keep:
            scratch.cleanup()
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

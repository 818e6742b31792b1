"""``GoogleWorkspace``: the campaign in a Shared Drive — one Google Sheet and one Google Doc
per unit — behind the ``Workspace`` interface.

Drive layout (every item tagged with private ``appProperties``, found by them, never by name):

    <Shared Drive>/<campaign.name>/            sonketKind=campaign
        Đơn vị/                                sonketKind=units
            <unit> – Biểu mẫu số liệu          sonketKind=sheet, sonketUnit=<code>
            <unit> – Báo cáo thuyết minh       sonketKind=doc,   sonketUnit=<code>
        Kết quả/                               sonketKind=outputs
            <outputs>                          sonketKind=output, sonketOutput=<hash of name>
            Tổng hợp                           sonketKind=summary

        Mẫu biểu (hệ thống dùng, không sửa)/  sonketKind=templates
            <group> – mẫu                      sonketKind=template, sonketGroup, sonketTemplate

API cost (Drive lists return up to 1,000 files per call):

* prepare + provisioning run: ONE list of the campaign's files (cached); per unit group
  whose template is missing or stale, Drive create + ONE Sheets batchUpdate + Drive update;
  then per new unit Drive files.copy of its group's template + ONE Sheets values.batchUpdate
  of the unit's own cells (none with SONKET_GOOGLE_UNIT_CELLS=title) + Drive create (Doc
  upload) + one permission per file (and per email in "writers" mode) + one Drive update
  marking the unit ready; ``provision_units`` runs units on a pool of workers.
  Re-running with everything in place (even with the local store lost) costs the one list.
* changes(None) (first sync, or the stored cursor refused): ONE changes.getStartPageToken +
  one list per 1,000 campaign files. changes(cursor): ONE changes.list per 1,000 Drive
  changes since the stored page token -- a sync with nothing changed is exactly 1 call,
  whatever the number of units. The cursor keeps the page token and the map
  ``file_id -> [unit_code, kind, modifiedTime]`` that turns changed file ids into units.
* read_unit(): ONE Drive export of the Sheet as .xlsx (``values.batchGet`` over the form tabs
  instead when the export fails, is over 10 MB, or holds formulas) + ONE export of the Doc;
  ``read_units`` reads on a pool of workers (reading.py).
* refresh(): nothing; the next call lists again (another process may have created files).

Crash safety: a Sheet is created with ``sonketReady=0`` and flipped to ``1`` only when its
tabs, the Doc and the sharing are done; provisioning a unit whose Sheet is not ready repairs
it (adds the tabs if the atomic batchUpdate never ran, creates the Doc, re-shares).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sonket_gsync.backends.base import (
    DOCX_MIME,
    XLSX_MIME,
    Capabilities,
    CellBlock,
    Grid,
    OutputRef,
    UnitFiles,
    UnitSnapshot,
    Workspace,
)
from sonket_gsync.backends.google import reading
from sonket_gsync.backends.google import sheets as sheet_requests
from sonket_gsync.backends.google import templates as tpl
from sonket_gsync.backends.google.auth import account_email, load_credentials
from sonket_gsync.backends.google.changes import ChangesMixin
from sonket_gsync.backends.google.client import GoogleClient
from sonket_gsync.backends.google.comments import CommentsMixin
from sonket_gsync.backends.google.context import ReadStats
from sonket_gsync.backends.google.drive import DOCUMENT_MIME, SPREADSHEET_MIME, Drive, props_query
from sonket_gsync.backends.google.index import _Index, _older
from sonket_gsync.backends.google.provisioning import OUTPUTS_FOLDER, ProvisioningMixin
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import BadRequest, ConfigError, NotFound
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import now

log = logging.getLogger(__name__)

SUMMARY_NAME = "Tổng hợp"
CONVERSIONS = {DOCX_MIME: DOCUMENT_MIME, XLSX_MIME: SPREADSHEET_MIME}


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(tz=None).isoformat(timespec="milliseconds")


class GoogleWorkspace(ProvisioningMixin, ChangesMixin, CommentsMixin, Workspace):  # CommentsMixin: Drive comments (issue 18)
    kind = "google"
    capabilities = Capabilities(pushes_changes=True, online_files=True)

    def __init__(
        self,
        campaign: Campaign,
        client: GoogleClient,
        *,
        shared_drive_id: str = "",
        convert_outputs: bool = False,
        editors: tuple[str, ...] = (),
        workers: int = 8,
        export_sheets: bool = True,
        unit_cells: str = "write",
    ) -> None:
        """``convert_outputs``: store .docx/.xlsx outputs as Google Docs/Sheets (else as is).
        ``editors``: accounts that may edit protected ranges (empty: protections only warn).
        ``workers``: units read / provisioned at once. ``export_sheets``: read Sheets as
        .xlsx through Drive first. ``unit_cells``: "write" or "title" (see templates.py)."""
        super().__init__(campaign)
        self.client = client
        self.drive = Drive(client, shared_drive_id)
        self.shared_drive_id = shared_drive_id
        self.convert_outputs = convert_outputs
        self.editors = tuple(e for e in editors if e)
        self.workers = max(1, int(workers))
        self.export_sheets = export_sheets
        self.unit_cells = unit_cells
        self.stats = ReadStats()
        self._index: _Index | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        campaign: Campaign,
        *,
        convert_outputs: bool = False,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] | None = None,
    ) -> GoogleWorkspace:
        credentials = load_credentials(settings)
        extra: dict[str, Any] = {k: v for k, v in (("clock", clock), ("sleep", sleep), ("rand", rand)) if v is not None}
        client = GoogleClient(
            credentials,
            endpoint=settings.google_endpoint,
            reads_per_minute=settings.sheets_reads_per_minute,
            writes_per_minute=settings.sheets_writes_per_minute,
            drive_per_minute=settings.drive_calls_per_minute,
            max_attempts=settings.max_attempts,
            backoff_cap=settings.backoff_cap_seconds,
            **extra,
        )
        email = account_email(credentials, settings)
        return cls(
            campaign,
            client,
            shared_drive_id=settings.google_shared_drive_id,
            convert_outputs=convert_outputs,
            editors=(email,) if email else (),
            workers=settings.google_workers,
            export_sheets=settings.google_export_sheets == "xlsx",
            unit_cells=unit_cells_mode(settings.google_unit_cells, len(campaign.units)),
        )

    # --- the index of the campaign's files ---------------------------------------------------

    def _props(self, **extra: str) -> dict[str, str]:
        return {"sonketCampaign": self.campaign.code, **extra}

    def _list_campaign(self) -> _Index:
        """ONE list (per 1,000 files) of everything this campaign owns; rebuilds the cache."""
        index = _Index()
        for f in self.drive.list(props_query(self._props()), where=f"chiến dịch {self.campaign.code}"):
            if f.get("trashed"):
                continue
            props = f.get("appProperties") or {}
            kind = props.get("sonketKind", "")
            if kind in ("campaign", "units", "outputs", "templates"):
                index.folders[kind] = _older(index.folders.get(kind), f)
            elif kind == tpl.TEMPLATE_KIND:
                key = f"{props.get('sonketGroup', '')}|{props.get('sonketTemplate', '')}"
                index.templates[key] = _older(index.templates.get(key), f)
            elif kind in ("sheet", "doc") and props.get("sonketUnit"):
                files = index.units.setdefault(props["sonketUnit"], {})
                files[kind] = _older(files.get(kind), f)
            elif kind == "output" and props.get("sonketOutput"):
                index.outputs[props["sonketOutput"]] = _older(index.outputs.get(props["sonketOutput"]), f)
            elif kind == "summary":
                index.summary = _older(index.summary, f)
        self._index = index
        return index

    def _known(self) -> _Index:
        if self._index is not None and not self._index.partial:
            return self._index
        return self._list_campaign()

    def refresh(self) -> None:
        """Drop the cached listing: the next call lists the campaign's files again. Called
        when this process takes the writer lease (another runner may have created a unit's
        Sheet or an output since), so two runners in turn never create a file twice."""
        self._index = None

    def links(self, unit: Unit) -> UnitFiles | None:
        files = self._known().units.get(unit.code) or {}
        if "sheet" not in files:
            return None
        return self._unit_files(unit, files, False)

    def _unit_files(self, unit: Unit, files: dict[str, dict], created: bool) -> UnitFiles:
        sheet, doc = files["sheet"], files.get("doc")
        return UnitFiles(
            unit_code=unit.code,
            sheet_id=sheet["id"],
            sheet_url=sheet.get("webViewLink") or f"https://docs.google.com/spreadsheets/d/{sheet['id']}/edit",
            doc_id=doc["id"] if doc else "",
            doc_url=(doc.get("webViewLink") or f"https://docs.google.com/document/d/{doc['id']}/edit") if doc else "",
            created=created,
        )

    # --- reading ------------------------------------------------------------------------

    def _files_of(self, unit: Unit) -> dict[str, dict]:
        """The unit's files from the cache, else ONE list call for just this unit."""
        if self._index is not None and "sheet" in (self._index.units.get(unit.code) or {}):
            return self._index.units[unit.code]
        files: dict[str, dict] = {}
        found = self.drive.list(props_query(self._props(sonketUnit=unit.code)), where=f"đơn vị {unit.code}")
        for f in found:
            kind = (f.get("appProperties") or {}).get("sonketKind")
            if kind in ("sheet", "doc") and not f.get("trashed"):
                files[kind] = _older(files.get(kind), f)
        if self._index is not None:
            self._index.units[unit.code] = files
        if "sheet" not in files:
            raise NotFound(
                "Không tìm thấy bảng tính Google của đơn vị (chưa tạo, đã bị xóa hoặc bị thu hồi quyền truy cập).",
                where=f"đơn vị {unit.code} ({unit.name})",
                fix="Khôi phục tệp từ Thùng rác của Shared Drive, chia sẻ lại cho tài khoản dịch vụ, hoặc chạy `sonket-gsync provision` để tạo lại tệp trống.",
            )
        return files

    def read_unit(self, unit: Unit) -> UnitSnapshot:
        return reading.read_files(self, unit, self._files_of(unit))

    def read_units(self, units: Iterable[Unit]) -> Generator[tuple[Unit, UnitSnapshot | Exception], None, None]:
        """Several units at once (``workers`` threads, shared limiters), yielded in order."""

        def work(unit: Unit, files: dict[str, dict]) -> UnitSnapshot:
            started = now()
            return replace(reading.read_files(self, unit, files), read_started=started)

        yield from reading.in_order(units, self._files_of, work, self._executor(), 2 * self.workers)

    def _executor(self) -> ThreadPoolExecutor | None:
        """The workspace's pool of Google workers (None = work in the calling thread). Kept
        for the workspace's life: each worker keeps its connection between runs."""
        if self.workers <= 1:
            return None
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="google")
            return self._pool

    # --- push notifications (Drive changes.watch) -----------------------------------------

    def watch_changes(self, address: str, token: str, channel_id: str, expiration: datetime | None = None) -> dict:
        """Register a web_hook channel on this campaign's Shared Drive changes feed: TWO Drive
        calls (getStartPageToken, changes.watch). Google POSTs a notification (no body, X-Goog-*
        headers) to ``address`` — HTTPS with a valid certificate — after changes; it does not
        renew channels: watch again before ``expiration`` and stop the old one."""
        where = f"kênh thông báo thay đổi của chiến dịch {self.campaign.code}"
        if not channel_id or len(channel_id) > 64 or len(token) > 256:
            raise ConfigError(
                "Mã kênh thông báo phải có 1–64 ký tự và mã xác thực (token) tối đa 256 ký tự.",
                where=where,
                fix="Tạo mã kênh ngắn hơn (ví dụ một UUID) và token ngắn hơn.",
            )
        body: dict[str, Any] = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
        if expiration is not None:
            moment = expiration if expiration.tzinfo else expiration.astimezone()
            body["expiration"] = str(int(moment.timestamp() * 1000))
        page = self.drive.start_page_token(where=where)
        answer = self.drive.watch_changes(page, body, where=where)
        expires = answer.get("expiration")
        return {
            "channel_id": answer.get("id") or channel_id,
            "resource_id": answer.get("resourceId", ""),
            "expiration": datetime.fromtimestamp(int(expires) / 1000, UTC) if expires else None,
        }

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """channels.stop: ONE Drive call. A channel Google no longer knows (404) counts as stopped."""
        try:
            self.drive.stop_channel(channel_id, resource_id, where=f"kênh thông báo {channel_id}")
        except NotFound:
            log.info("Kênh thông báo %s đã không còn ở Google (đã hết hạn hoặc đã dừng).", channel_id)

    # --- writing ------------------------------------------------------------------------

    def write_unit(
        self,
        unit: Unit,
        blocks: Sequence[CellBlock],
        narrative: bytes | None = None,
        modified_at: datetime | None = None,
    ) -> None:
        files = self._files_of(unit)
        where = f"đơn vị {unit.code} ({unit.name})"
        sheet, doc = files["sheet"], files.get("doc")
        data = [
            {
                "range": sheet_requests.a1_block(b.sheet, b.row, b.column, len(b.values), max((len(r) for r in b.values), default=1)),
                "majorDimension": "ROWS",
                "values": [[sheet_requests.raw_value(v) for v in row] for row in b.values],
            }
            for b in blocks
            if b.values
        ]
        if data:
            call = self.client.sheets.spreadsheets().values().batchUpdate(spreadsheetId=sheet["id"], body={"valueInputOption": "USER_ENTERED", "data": data})
            self.client.execute(call, what="Sheets values.batchUpdate", where=f"{where}, bảng tính", sheets="write")
        if narrative is not None and doc is not None:
            files["doc"] = doc = self.drive.update(doc["id"], media=narrative, media_mime=DOCX_MIME, where=f"{where}, báo cáo")
        if modified_at is not None:
            stamp = {"modifiedTime": _iso(modified_at)}
            files["sheet"] = self.drive.update(sheet["id"], stamp, where=f"{where}, bảng tính")
            if doc is not None:
                files["doc"] = self.drive.update(doc["id"], stamp, where=f"{where}, báo cáo")

    def write_output(self, name: str, data: bytes, mime: str) -> OutputRef:
        """Upload into "Kết quả"; an existing output of that name gets a new revision (same id)."""
        if not name or "/" in name or name.startswith("."):
            raise BadRequest(
                f"Tên tệp kết quả '{name}' không hợp lệ.",
                where=f"thư mục '{OUTPUTS_FOLDER}'",
                fix="Dùng một tên tệp đơn giản, không chứa thư mục (ví dụ bao-cao-so-ket.docx).",
            )
        index = self._known()
        folders = self._folders(index)
        key = hashlib.sha1(name.encode("utf-8")).hexdigest()[:24]
        where = f"tệp kết quả '{name}'"
        existing = index.outputs.get(key)
        if existing is not None:
            f = self.drive.update(existing["id"], media=data, media_mime=mime, where=where)
        else:
            target = CONVERSIONS.get(mime) if self.convert_outputs else None
            f = self.drive.create(
                {
                    "name": name,
                    "mimeType": target or mime,
                    "parents": [folders["outputs"]["id"]],
                    "appProperties": self._props(sonketKind="output", sonketOutput=key),
                },
                media=data,
                media_mime=mime,
                where=where,
            )
        index.outputs[key] = f
        return OutputRef(name=name, url=_link(f), file_id=f["id"])

    def write_summary(self, tabs: dict[str, Grid]) -> OutputRef:
        """The "Tổng hợp" spreadsheet: get its tabs, ONE batchUpdate (add/clear/delete tabs),
        ONE values.batchUpdate with RAW input (a unit's "=..." stays text)."""
        tabs = dict(tabs) or {SUMMARY_NAME: []}
        index = self._known()
        folders = self._folders(index)
        where = f"bảng tính '{SUMMARY_NAME}'"
        if index.summary is None:
            index.summary = self.drive.create(
                {
                    "name": SUMMARY_NAME,
                    "mimeType": SPREADSHEET_MIME,
                    "parents": [folders["outputs"]["id"]],
                    "appProperties": self._props(sonketKind="summary"),
                },
                where=where,
            )
        sid = index.summary["id"]
        requests = sheet_requests.summary_requests(self._tab_properties(sid, where), tabs)
        spreadsheets = self.client.sheets.spreadsheets()
        if requests:
            call = spreadsheets.batchUpdate(spreadsheetId=sid, body={"requests": requests})
            self.client.execute(call, what="Sheets batchUpdate", where=where, sheets="write")
        data = sheet_requests.summary_values(tabs)
        if data:
            call = spreadsheets.values().batchUpdate(spreadsheetId=sid, body={"valueInputOption": "RAW", "data": data})
            self.client.execute(call, what="Sheets values.batchUpdate", where=where, sheets="write")
        return OutputRef(name=SUMMARY_NAME, url=_link(index.summary), file_id=sid)


def _link(f: dict) -> str:
    if f.get("webViewLink"):
        return f["webViewLink"]
    kind = {SPREADSHEET_MIME: "spreadsheets", DOCUMENT_MIME: "document"}.get(f.get("mimeType", ""))
    if kind:
        return f"https://docs.google.com/{kind}/d/{f['id']}/edit"
    return f"https://drive.google.com/file/d/{f['id']}/view"


# Writing each unit's name into its copied Sheet costs one Sheets write a unit: 300 units fit
# in five minutes of the 60-a-minute write quota. Beyond that the name stays in the file name
# only, so provisioning is bound by Drive (1,500 units in about 6 minutes, bench/results-google.md).
AUTO_WRITE_UNITS = 300


def unit_cells_mode(setting: str, units: int) -> str:
    if setting == "auto":
        return "write" if units <= AUTO_WRITE_UNITS else "title"
    return setting

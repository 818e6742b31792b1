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
import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Sequence

from ...campaign import Campaign, Unit
from ...errors import BadRequest, ConfigError, NotFound
from ...layout import workbook_layout
from ...settings import Settings
from ..base import (
    DOCX_MIME,
    XLSX_MIME,
    CellBlock,
    ChangeSet,
    Grid,
    OutputRef,
    UnitChange,
    UnitFiles,
    UnitSnapshot,
    Workspace,
)
from . import reading
from . import sheets as sheet_requests
from . import templates as tpl
from .auth import account_email, load_credentials
from .client import GoogleClient
from .drive import DOCUMENT_MIME, FOLDER_MIME, SPREADSHEET_MIME, Drive, props_query

log = logging.getLogger(__name__)

UNITS_FOLDER = "Đơn vị"
OUTPUTS_FOLDER = "Kết quả"
SUMMARY_NAME = "Tổng hợp"
CONVERSIONS = {DOCX_MIME: DOCUMENT_MIME, XLSX_MIME: SPREADSHEET_MIME}
CURSOR_VERSION = 2
UNIT_KINDS = ("sheet", "doc")


@dataclass
class _Index:
    """The campaign's files as last listed: folders, units' files, outputs."""

    folders: dict[str, dict] = field(default_factory=dict)  # "campaign" | "units" | "outputs" | "templates"
    templates: dict[str, dict] = field(default_factory=dict)  # "group|fingerprint" -> ready template
    units: dict[str, dict[str, dict]] = field(default_factory=dict)  # code -> {"sheet"|"doc": file}
    outputs: dict[str, dict] = field(default_factory=dict)  # sonketOutput -> file
    summary: dict | None = None
    partial: bool = False  # rebuilt from a changes cursor: unit files only, no folders/outputs


def _older(a: dict | None, b: dict) -> dict:
    """Of two duplicates (a race, a restore from trash), keep the first created."""
    if a is None:
        return b
    return a if (a.get("createdTime") or "") <= (b.get("createdTime") or "") else b


_parse_time = reading.parse_time


class _Stats:
    """Thread-safe counters of how units were read (diagnostics, benchmark)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def note(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(tz=None).isoformat(timespec="milliseconds")


class GoogleWorkspace(Workspace):
    kind = "google"

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
        self.stats = _Stats()
        self._index: _Index | None = None

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
    ) -> "GoogleWorkspace":
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
            unit_cells=settings.google_unit_cells,
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

    # --- provisioning -------------------------------------------------------------------

    def prepare(self) -> None:
        """Campaign folder with "Đơn vị" and "Kết quả" inside (idempotent, found by appProperties)."""
        index = self._list_campaign()
        self._folders(index)

    def _folders(self, index: _Index) -> dict[str, dict]:
        where = f"thư mục chiến dịch '{self.campaign.name}'"
        if "campaign" not in index.folders:
            meta: dict[str, Any] = {
                "name": self.campaign.name,
                "mimeType": FOLDER_MIME,
                "appProperties": self._props(sonketKind="campaign"),
            }
            if self.shared_drive_id:
                meta["parents"] = [self.shared_drive_id]
            index.folders["campaign"] = self.drive.create(meta, where=where)
        parent = index.folders["campaign"]["id"]
        for kind, name in (("units", UNITS_FOLDER), ("outputs", OUTPUTS_FOLDER)):
            if kind not in index.folders:
                meta = {
                    "name": name,
                    "mimeType": FOLDER_MIME,
                    "parents": [parent],
                    "appProperties": self._props(sonketKind=kind),
                }
                index.folders[kind] = self.drive.create(meta, where=f"{where} / {name}")
        return index.folders

    def provision(self, unit: Unit) -> UnitFiles:
        for _, result in self.provision_units([unit]):
            if isinstance(result, Exception):
                raise result
            return result  # type: ignore[return-value]
        raise AssertionError("unreachable")

    def provision_units(self, units: Iterable[Unit]) -> Iterator[tuple[Unit, UnitFiles | Exception]]:
        """Provision units on ``workers`` threads, yielding ``(unit, files | exception)`` in
        order. The listing, folders and group templates are made first, in this thread; each
        worker then only makes its unit's files (it never touches the cached index, the
        caller stores its answer)."""
        units = list(units)
        index = self._known()
        folders = self._folders(index)
        templates = self._templates(index, folders, {u.group for u in units if "sheet" not in index.units.get(u.code, {})})

        def prepare(unit: Unit) -> dict[str, dict]:
            return dict(index.units.get(unit.code) or {})

        def work(unit: Unit, files: dict[str, dict]) -> tuple[dict[str, dict], bool]:
            return self._provision_files(unit, files, folders, templates.get(unit.group))

        for unit, result in reading.in_order(units, prepare, work, self.workers, "google-provision"):
            if isinstance(result, Exception):
                yield unit, result
                continue
            files, created = result  # type: ignore[misc]
            index.units[unit.code] = files
            yield unit, self._unit_files(unit, files, created)

    def _provision_files(
        self, unit: Unit, files: dict[str, dict], folders: dict[str, dict], template: dict | None
    ) -> tuple[dict[str, dict], bool]:
        """Make what is missing of one unit's files (worker thread); returns (files, created)."""
        where = f"đơn vị {unit.code} ({unit.name})"
        sheet, doc = files.get("sheet"), files.get("doc")
        created = False
        to_share: list[dict] = []
        meta = {
            "name": f"{unit.name} – Biểu mẫu số liệu",
            "parents": [folders["units"]["id"]],
            "appProperties": self._props(sonketKind="sheet", sonketUnit=unit.code, sonketReady="0"),
        }
        if sheet is None and template is not None:
            sheet = self.drive.copy(template["id"], meta, where=f"{where}, bảng tính (sao từ mẫu)")
            files["sheet"] = sheet
            self._write_unit_cells(sheet["id"], unit)
            created = True
            to_share.append(sheet)
        elif sheet is None:
            sheet = self.drive.create({**meta, "mimeType": SPREADSHEET_MIME}, where=f"{where}, bảng tính")
            files["sheet"] = sheet
            self._setup_sheet(sheet["id"], unit, existing_tabs=None)
            created = True
            to_share.append(sheet)
        elif (sheet.get("appProperties") or {}).get("sonketReady") == "0":
            self._repair_sheet(sheet["id"], unit)
            to_share.append(sheet)
        if self.campaign.has_narrative(unit) and doc is None:
            from ...narrative import build_docx

            doc = self.drive.create(
                {
                    "name": f"{unit.name} – Báo cáo thuyết minh",
                    "mimeType": DOCUMENT_MIME,
                    "parents": [folders["units"]["id"]],
                    "appProperties": self._props(sonketKind="doc", sonketUnit=unit.code),
                },
                media=build_docx(self.campaign, unit),
                media_mime=DOCX_MIME,
                where=f"{where}, báo cáo thuyết minh",
            )
            files["doc"] = doc
            created = True
            to_share.append(doc)
        for f in to_share:
            self._share(f["id"], unit, where)
        if to_share and sheet in to_share:
            files["sheet"] = self.drive.update(sheet["id"], {"appProperties": {"sonketReady": "1"}}, where=f"{where}, bảng tính")
        return files, created

    def _templates(self, index: _Index, folders: dict[str, dict], groups: set[str]) -> dict[str, dict]:
        """group -> its ready template Spreadsheet, made (ONE batchUpdate each) if missing or
        stale. Only groups with a unit still to create need one."""
        out: dict[str, dict] = {}
        for group in sorted(groups):
            if not self.campaign.units_in(group):
                continue
            requests = tpl.template_requests(self.campaign, group, self.unit_cells, self.editors)
            stamp = tpl.fingerprint(requests)
            key = f"{group}|{stamp}"
            if key not in index.templates:
                index.templates[key] = self._make_template(folders, group, stamp, requests)
            elif (index.templates[key].get("appProperties") or {}).get("sonketReady") != "1":
                index.templates[key] = self._repair_template(index.templates[key], group)
            out[group] = index.templates[key]
        return out

    def _make_template(self, folders: dict[str, dict], group: str, stamp: str, requests: list[dict]) -> dict:
        where = f"mẫu biểu của nhóm {group}"
        if "templates" not in folders:
            folders["templates"] = self.drive.create(
                {
                    "name": tpl.TEMPLATES_FOLDER,
                    "mimeType": FOLDER_MIME,
                    "parents": [folders["campaign"]["id"]],
                    "appProperties": self._props(sonketKind="templates"),
                },
                where=f"thư mục '{tpl.TEMPLATES_FOLDER}'",
            )
        name = self.campaign.group(group).name
        f = self.drive.create(
            {
                "name": f"{name} – mẫu",
                "mimeType": SPREADSHEET_MIME,
                "parents": [folders["templates"]["id"]],
                "appProperties": self._props(
                    sonketKind=tpl.TEMPLATE_KIND, sonketGroup=group, sonketTemplate=stamp, sonketReady="0"
                ),
            },
            where=where,
        )
        call = self.client.sheets.spreadsheets().batchUpdate(spreadsheetId=f["id"], body={"requests": requests})
        self.client.execute(call, what="Sheets batchUpdate", where=where, sheets="write")
        return self.drive.update(f["id"], {"appProperties": {"sonketReady": "1"}}, where=where)

    def _repair_template(self, f: dict, group: str) -> dict:
        """A template left by an interrupted run: build its tabs unless the batchUpdate happened."""
        where = f"mẫu biểu của nhóm {group}"
        tabs = self._tab_properties(f["id"], where)
        titles = {t.get("title") for t in tabs}
        layouts = tpl.template_layouts(self.campaign, group, self.unit_cells)
        if not all(layout.form.sheet in titles for layout in layouts):
            requests = sheet_requests.setup_requests(
                layouts, editors=self.editors, delete_sheet_ids=tuple(int(t.get("sheetId", 0)) for t in tabs)
            )
            call = self.client.sheets.spreadsheets().batchUpdate(spreadsheetId=f["id"], body={"requests": requests})
            self.client.execute(call, what="Sheets batchUpdate", where=where, sheets="write")
        return self.drive.update(f["id"], {"appProperties": {"sonketReady": "1"}}, where=where)

    def _write_unit_cells(self, spreadsheet_id: str, unit: Unit) -> None:
        """The unit's own cells in a copied Sheet: ONE values.batchUpdate (RAW), or none."""
        data = tpl.unit_cells(self.campaign, unit, self.unit_cells)
        if not data:
            return
        call = self.client.sheets.spreadsheets().values().batchUpdate(
            spreadsheetId=spreadsheet_id, body={"valueInputOption": "RAW", "data": data}
        )
        self.client.execute(call, what="Sheets values.batchUpdate", where=f"đơn vị {unit.code}, bảng tính", sheets="write")

    def _setup_sheet(self, spreadsheet_id: str, unit: Unit, existing_tabs: list[dict] | None) -> None:
        """ONE batchUpdate: the forms' tabs, cells, formats, protections, validations."""
        layouts = workbook_layout(self.campaign, unit)
        if existing_tabs is None:
            delete = (sheet_requests.DEFAULT_TAB_ID,)
        else:
            delete = tuple(int(t.get("sheetId", 0)) for t in existing_tabs)
        requests = sheet_requests.setup_requests(layouts, editors=self.editors, delete_sheet_ids=delete)
        call = self.client.sheets.spreadsheets().batchUpdate(spreadsheetId=spreadsheet_id, body={"requests": requests})
        self.client.execute(call, what="Sheets batchUpdate", where=f"đơn vị {unit.code}, bảng tính", sheets="write")

    def _repair_sheet(self, spreadsheet_id: str, unit: Unit) -> None:
        """A Sheet left by an interrupted run: add the tabs unless the batchUpdate happened."""
        tabs = self._tab_properties(spreadsheet_id, f"đơn vị {unit.code}, bảng tính")
        titles = {t.get("title") for t in tabs}
        if all(form.sheet in titles for form in self.campaign.forms_for(unit)):
            self._write_unit_cells(spreadsheet_id, unit)  # a copy interrupted before its cells
            return
        self._setup_sheet(spreadsheet_id, unit, existing_tabs=tabs)

    def tab_properties(self, spreadsheet_id: str, where: str) -> list[dict]:
        return self._tab_properties(spreadsheet_id, where)

    def _tab_properties(self, spreadsheet_id: str, where: str) -> list[dict]:
        call = self.client.sheets.spreadsheets().get(
            spreadsheetId=spreadsheet_id,
            fields="sheets.properties(sheetId,title,gridProperties(rowCount,columnCount))",
        )
        answer = self.client.execute(call, what="Sheets spreadsheets.get", where=where, sheets="read")
        return [s.get("properties", {}) for s in answer.get("sheets", [])]

    def _share(self, file_id: str, unit: Unit, where: str) -> None:
        if self.campaign.sharing == "anyone_with_link":
            self.drive.share(file_id, {"type": "anyone", "role": "writer", "allowFileDiscovery": False}, where=where)
            return
        if not unit.emails:
            log.warning(
                "Đơn vị %s chưa có email trong units.csv nên tệp chưa được chia sẻ cho ai; "
                "thêm email rồi chạy lại provision (hoặc dùng chế độ chia sẻ anyone_with_link).",
                unit.code,
            )
        for email in unit.emails:
            self.drive.share(file_id, {"type": "user", "role": "writer", "emailAddress": email}, where=f"{where}, email {email}")

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

    # --- changes ------------------------------------------------------------------------

    def changes(self, cursor: str | None) -> ChangeSet:
        """Units whose Sheet or Doc changed since ``cursor``; ``missing``: units with no Sheet
        (never provisioned, deleted, trashed, or access revoked).

        Cursor: {"v": 2, "campaign", "drive", "token": <changes page token>,
        "files": {file_id: [unit_code, kind, modifiedTime]}}. With a cursor: the Drive changes
        feed since ``token`` (1 call when nothing changed). Without one, or when Google refuses
        the token (expired, from another drive): a full listing of the campaign's files.
        """
        saved = self._load_cursor(cursor)
        if saved is not None:
            try:
                return self._changes_since(saved)
            except (BadRequest, NotFound) as exc:
                log.warning(
                    "Google Drive không nhận mã theo dõi thay đổi đã lưu (%s); "
                    "đọc lại toàn bộ danh sách tệp của chiến dịch %s.",
                    exc.message,
                    self.campaign.code,
                )
        return self._changes_full(saved["files"] if saved is not None else None)

    def _changes_full(self, before: dict[str, list[str]] | None) -> ChangeSet:
        """getStartPageToken FIRST, then the listing: a change made in between shows up
        again next time instead of being lost."""
        token = self.drive.start_page_token(where=f"chiến dịch {self.campaign.code}")
        index = self._list_campaign()
        files: dict[str, list[str]] = {}
        for code, kinds in index.units.items():
            for kind in UNIT_KINDS:
                if kind in kinds:
                    f = kinds[kind]
                    files[f["id"]] = [code, kind, f.get("modifiedTime", "")]
        return self._change_set(before, files, token)

    def _changes_since(self, saved: dict) -> ChangeSet:
        """The Drive changes feed since the stored token, applied to the stored file map."""
        found, token = self.drive.changes(saved["token"], where=f"chiến dịch {self.campaign.code}")
        files: dict[str, list[str]] = dict(saved["files"])
        fresh: dict[str, dict] = {}
        for change in found:
            file_id = change.get("fileId")
            if not file_id:
                continue  # a shared-drive change (changeType "drive"), not a file
            f = change.get("file")
            if change.get("removed") or not f or f.get("trashed"):
                files.pop(file_id, None)  # deleted, trashed, or we lost access
                continue
            props = f.get("appProperties") or {}
            kind, code = props.get("sonketKind"), props.get("sonketUnit")
            if props.get("sonketCampaign") != self.campaign.code or kind not in UNIT_KINDS or not code:
                files.pop(file_id, None)  # not a unit file of this campaign (any more)
                continue
            # Known files keep their place; a new one (e.g. a re-provisioned Sheet) goes last,
            # so a unit's first-known file wins over a duplicate.
            files[file_id] = [code, kind, f.get("modifiedTime", "")]
            fresh[file_id] = f
        self._adopt(files, fresh)
        return self._change_set(saved["files"], files, token)

    def _adopt(self, files: dict[str, list[str]], fresh: dict[str, dict]) -> None:
        """Cache the units' files as the map says, so read_unit() needs no listing."""
        index = self._index
        old = index.units if index is not None else {}
        units: dict[str, dict[str, dict]] = {}
        stubs = False
        for file_id, (code, kind, modified) in files.items():
            slot = units.setdefault(code, {})
            if kind in slot:
                continue
            f = fresh.get(file_id)
            if f is None:
                known = (old.get(code) or {}).get(kind)
                if known is not None and known.get("id") == file_id:
                    f = known
                else:
                    stubs = True
                    f = {
                        "id": file_id,
                        "modifiedTime": modified,
                        "appProperties": self._props(sonketKind=kind, sonketUnit=code),
                    }
            slot[kind] = f
        if index is None:
            self._index = _Index(units=units, partial=True)
        else:
            index.units = units
            # Files this object never listed: provisioning must list again before trusting them.
            index.partial = index.partial or stubs

    def _change_set(self, before: dict[str, list[str]] | None, files: dict[str, list[str]], token: str) -> ChangeSet:
        now = _unit_stamps(files)
        earlier = _unit_stamps(before) if before is not None else None
        changed: list[UnitChange] = []
        missing: list[str] = []
        for unit in self.campaign.units:
            stamp = now.get(unit.code) or {}
            if "sheet" not in stamp:
                missing.append(unit.code)
                continue
            if earlier is None or earlier.get(unit.code) != stamp:
                changed.append(UnitChange(unit.code, max(_parse_time(t) for _, t in stamp.values())))
        cursor = json.dumps(
            {
                "v": CURSOR_VERSION,
                "campaign": self.campaign.code,
                "drive": self.shared_drive_id,
                "token": token,
                "files": files,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return ChangeSet(changed=tuple(changed), cursor=cursor, missing=tuple(missing))

    def _load_cursor(self, cursor: str | None) -> dict | None:
        """The saved cursor, or None when absent, older (v1), foreign or damaged."""
        if not cursor:
            return None
        try:
            data = json.loads(cursor)
        except ValueError:
            return None
        if (
            not isinstance(data, dict)
            or data.get("v") != CURSOR_VERSION
            or data.get("campaign") != self.campaign.code
            or data.get("drive") != self.shared_drive_id
            or not isinstance(data.get("token"), str)
            or not data["token"]
            or not isinstance(data.get("files"), dict)
        ):
            return None
        files: dict[str, list[str]] = {}
        for file_id, entry in data["files"].items():
            if not (isinstance(entry, list) and len(entry) == 3 and all(isinstance(x, str) for x in entry)):
                return None
            if entry[1] not in UNIT_KINDS:
                return None
            files[str(file_id)] = entry
        return {"token": data["token"], "files": files}

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
                fix="Khôi phục tệp từ Thùng rác của Shared Drive, chia sẻ lại cho tài khoản dịch vụ, "
                "hoặc chạy `sonket-gsync provision` để tạo lại tệp trống.",
            )
        return files

    def read_unit(self, unit: Unit) -> UnitSnapshot:
        return reading.read_files(self, unit, self._files_of(unit))

    def read_units(self, units: Iterable[Unit]) -> Iterator[tuple[Unit, UnitSnapshot | Exception]]:
        """Several units at once (``workers`` threads, shared limiters), yielded in order."""
        if self.workers == 1:
            yield from super().read_units(units)
            return
        work = lambda unit, files: reading.read_files(self, unit, files)  # noqa: E731
        yield from reading.in_order(units, self._files_of, work, self.workers, "google-read")  # type: ignore[misc]

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
            "expiration": datetime.fromtimestamp(int(expires) / 1000, timezone.utc) if expires else None,
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
                "range": sheet_requests.a1_block(
                    b.sheet, b.row, b.column, len(b.values), max((len(r) for r in b.values), default=1)
                ),
                "majorDimension": "ROWS",
                "values": [[sheet_requests.raw_value(v) for v in row] for row in b.values],
            }
            for b in blocks
            if b.values
        ]
        if data:
            call = self.client.sheets.spreadsheets().values().batchUpdate(
                spreadsheetId=sheet["id"], body={"valueInputOption": "USER_ENTERED", "data": data}
            )
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


def _unit_stamps(files: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """code -> {kind: [file_id, modifiedTime]}; of two files of one kind the first listed wins."""
    out: dict[str, dict[str, list[str]]] = {}
    for file_id, (code, kind, modified) in files.items():
        out.setdefault(code, {}).setdefault(kind, [file_id, modified])
    return out



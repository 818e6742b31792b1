"""Provisioning a campaign in Drive: the folder tree, one template per unit group, and each
unit's Sheet (a files.copy of its group's template) and Doc, shared as the campaign says; a
pool of workers makes many units at once. Part of ``GoogleWorkspace`` (see workspace.py for
the layout and the API cost; templates.py for the copy approach)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from sonket_gsync.backends.base import DOCX_MIME, UnitFiles
from sonket_gsync.backends.google import reading
from sonket_gsync.backends.google import sheets as sheet_requests
from sonket_gsync.backends.google import templates as tpl
from sonket_gsync.backends.google.client import GoogleClient
from sonket_gsync.backends.google.drive import DOCUMENT_MIME, FOLDER_MIME, SPREADSHEET_MIME, Drive
from sonket_gsync.backends.google.index import _Index
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.forms.layout import workbook_layout

log = logging.getLogger(__name__)

UNITS_FOLDER = "Đơn vị"
OUTPUTS_FOLDER = "Kết quả"


class ProvisioningMixin:
    """Needs from the workspace: campaign, client, drive, editors, workers, unit_cells,
    _props, _list_campaign, _known, _unit_files."""

    campaign: Campaign
    client: GoogleClient
    drive: Drive
    shared_drive_id: str
    editors: tuple[str, ...]
    workers: int
    unit_cells: str

    if TYPE_CHECKING:  # GoogleWorkspace's own methods (workspace.py)

        def _executor(self) -> Executor | None: ...

        def _props(self, **extra: str) -> dict[str, str]: ...
        def _list_campaign(self) -> _Index: ...
        def _known(self) -> _Index: ...
        def _unit_files(self, unit: Unit, files: dict[str, dict], created: bool) -> UnitFiles: ...

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
        for _, result in self._provision_many([unit], None):
            if isinstance(result, Exception):
                raise result
            return result
        raise AssertionError("unreachable")

    def provision_units(self, units: Iterable[Unit]) -> Iterator[tuple[Unit, UnitFiles | Exception]]:
        """Provision units on ``workers`` threads, yielding ``(unit, files | exception)`` in
        order. The listing, folders and group templates are made first, in this thread; each
        worker then only makes its unit's files (it never touches the cached index, the
        caller stores its answer)."""
        yield from self._provision_many(units, self._executor())

    def _provision_many(self, units: Iterable[Unit], pool: Executor | None) -> Iterator[tuple[Unit, UnitFiles | Exception]]:
        units = list(units)
        index = self._known()
        folders = self._folders(index)
        templates = self._templates(index, folders, {u.group for u in units if "sheet" not in index.units.get(u.code, {})})

        def prepare(unit: Unit) -> dict[str, dict]:
            return dict(index.units.get(unit.code) or {})

        def work(unit: Unit, files: dict[str, dict]) -> tuple[dict[str, dict], bool]:
            template = templates.get(unit.group) if tpl.fits_template(self.campaign, unit, self.unit_cells) else None
            return self._provision_files(unit, files, folders, template)

        for unit, result in reading.in_order(units, prepare, work, pool, 2 * self.workers):
            if isinstance(result, Exception):
                yield unit, result
                continue
            files, created = result
            index.units[unit.code] = files
            yield unit, self._unit_files(unit, files, created)

    def _provision_files(self, unit: Unit, files: dict[str, dict], folders: dict[str, dict], template: dict | None) -> tuple[dict[str, dict], bool]:
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
            from sonket_gsync.forms.narrative import build_docx

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
                "appProperties": self._props(sonketKind=tpl.TEMPLATE_KIND, sonketGroup=group, sonketTemplate=stamp, sonketReady="0"),
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
            requests = sheet_requests.setup_requests(layouts, editors=self.editors, delete_sheet_ids=tuple(int(t.get("sheetId", 0)) for t in tabs))
            call = self.client.sheets.spreadsheets().batchUpdate(spreadsheetId=f["id"], body={"requests": requests})
            self.client.execute(call, what="Sheets batchUpdate", where=where, sheets="write")
        return self.drive.update(f["id"], {"appProperties": {"sonketReady": "1"}}, where=where)

    def _write_unit_cells(self, spreadsheet_id: str, unit: Unit) -> None:
        """The unit's own cells in a copied Sheet: ONE values.batchUpdate (RAW), or none."""
        data = tpl.unit_cells(self.campaign, unit, self.unit_cells)
        if not data:
            return
        call = self.client.sheets.spreadsheets().values().batchUpdate(spreadsheetId=spreadsheet_id, body={"valueInputOption": "RAW", "data": data})
        self.client.execute(call, what="Sheets values.batchUpdate", where=f"đơn vị {unit.code}, bảng tính", sheets="write")

    def _setup_sheet(self, spreadsheet_id: str, unit: Unit, existing_tabs: list[dict] | None) -> None:
        """ONE batchUpdate: the forms' tabs, cells, formats, protections, validations."""
        layouts = workbook_layout(self.campaign, unit)
        delete = (sheet_requests.DEFAULT_TAB_ID,) if existing_tabs is None else tuple(int(t.get("sheetId", 0)) for t in existing_tabs)
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

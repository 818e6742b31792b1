"""What changed in the campaign's Drive since a cursor (Drive changes feed, or a full listing),
as units. Part of ``GoogleWorkspace`` (see workspace.py for the cursor and the API cost)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from sonket_gsync.backends.base import ChangeSet, UnitChange
from sonket_gsync.backends.google.drive import Drive
from sonket_gsync.backends.google.index import _Index
from sonket_gsync.backends.google.reading import parse_time as _parse_time
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.errors import BadRequest, NotFound

log = logging.getLogger(__name__)

CURSOR_VERSION = 2
UNIT_KINDS = ("sheet", "doc")


class ChangesMixin:
    """Needs from the workspace: campaign, drive, shared_drive_id, _index, _props,
    _list_campaign."""

    campaign: Campaign
    drive: Drive
    shared_drive_id: str
    _index: _Index | None

    if TYPE_CHECKING:  # GoogleWorkspace's own methods (workspace.py)

        def _props(self, **extra: str) -> dict[str, str]: ...
        def _list_campaign(self) -> _Index: ...

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
                    "Google Drive không nhận mã theo dõi thay đổi đã lưu (%s); đọc lại toàn bộ danh sách tệp của chiến dịch %s.",
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


def _unit_stamps(files: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """code -> {kind: [file_id, modifiedTime]}; of two files of one kind the first listed wins."""
    out: dict[str, dict[str, list[str]]] = {}
    for file_id, (code, kind, modified) in files.items():
        out.setdefault(code, {}).setdefault(kind, [file_id, modified])
    return out

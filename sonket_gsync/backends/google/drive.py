"""Drive v3 calls, always Shared-Drive aware, all through ``GoogleClient.execute``.

Every call passes ``supportsAllDrives=True``; lists also pass ``includeItemsFromAllDrives``,
``corpora="drive"`` and ``driveId`` (``corpora="user"`` when no Shared Drive is configured,
i.e. with domain-wide delegation into a user's My Drive). The service's files are found by
``appProperties`` (private to this app, invisible to units), never by name.
"""

from __future__ import annotations

import builtins
import io
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from sonket_gsync.backends.google.client import GoogleClient
from sonket_gsync.core.errors import BadRequest

FOLDER_MIME = "application/vnd.google-apps.folder"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
DOCUMENT_MIME = "application/vnd.google-apps.document"
FILE_FIELDS = "id,name,mimeType,createdTime,modifiedTime,appProperties,trashed,webViewLink,parents"
PAGE_SIZE = 1000  # Drive's maximum (files.list and changes.list)
CHANGE_FIELDS = f"nextPageToken,newStartPageToken,changes(fileId,removed,time,driveId,file({FILE_FIELDS}))"


def props_query(props: dict[str, str]) -> str:
    """``appProperties has { key='k' and value='v' }`` clauses joined with ``and``."""
    return " and ".join(f"appProperties has {{ key='{_escape(k)}' and value='{_escape(v)}' }}" for k, v in props.items())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _media(data: bytes, mime: str) -> MediaIoBaseUpload:
    # Non-resumable (multipart): one request, safe to repeat on retry.
    return MediaIoBaseUpload(io.BytesIO(data), mimetype=mime, resumable=False)


class Drive:
    def __init__(self, client: GoogleClient, drive_id: str = "") -> None:
        self.client = client
        self.drive_id = drive_id
        self.page_size = PAGE_SIZE

    # Resources of the calling thread's service (one transport per thread).
    @property
    def files(self) -> Any:
        return self.client.drive.files()

    @property
    def permissions(self) -> Any:
        return self.client.drive.permissions()

    @property
    def changes_api(self) -> Any:
        return self.client.drive.changes()

    def list(self, query: str, *, where: str = "") -> list[dict]:
        """All files matching ``query`` (one call per page of up to 1,000 files)."""
        found: list[dict] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "q": query,
                "pageSize": self.page_size,
                "fields": f"nextPageToken,files({FILE_FIELDS})",
                "supportsAllDrives": True,
                "includeItemsFromAllDrives": True,
            }
            if self.drive_id:
                params.update(corpora="drive", driveId=self.drive_id)
            else:
                params.update(corpora="user")
            if token:
                params["pageToken"] = token
            page = self.client.execute(self.files.list(**params), what="Drive files.list", where=where)
            found.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return found

    def start_page_token(self, *, where: str = "") -> str:
        """The changes feed's current position (changes.getStartPageToken): ONE call."""
        params: dict[str, Any] = {"supportsAllDrives": True}
        if self.drive_id:
            params["driveId"] = self.drive_id
        answer = self.client.execute(self.changes_api.getStartPageToken(**params), what="Drive changes.getStartPageToken", where=where)
        return str(answer["startPageToken"])

    def changes(self, token: str, *, where: str = "") -> tuple[builtins.list[dict], str]:  # bare ``list`` is Drive.list here
        """Every change since ``token`` (one changes.list per page of up to 1,000 changes)
        and the token to start from next time (``newStartPageToken`` of the last page)."""
        found: list[dict] = []
        while True:
            params: dict[str, Any] = {
                "pageToken": token,
                "pageSize": self.page_size,
                "fields": CHANGE_FIELDS,
                "includeRemoved": True,
                "supportsAllDrives": True,
                "includeItemsFromAllDrives": True,
            }
            if self.drive_id:
                params["driveId"] = self.drive_id
            page = self.client.execute(self.changes_api.list(**params), what="Drive changes.list", where=where)
            found.extend(page.get("changes", []))
            if page.get("nextPageToken"):
                token = page["nextPageToken"]
                continue
            new_token = page.get("newStartPageToken")
            if not new_token:  # neither token: treated like a refused token (full listing instead)
                raise BadRequest(
                    "Google trả lời danh sách thay đổi (changes.list) thiếu mã trang tiếp theo.",
                    where=where or "Drive changes.list",
                    fix="Lần đồng bộ này đọc lại toàn bộ danh sách tệp; nếu lặp lại, báo cho người quản trị.",
                )
            return found, str(new_token)

    def create(self, metadata: dict, *, media: bytes | None = None, media_mime: str = "", where: str = "") -> dict:
        request = self.files.create(
            body=metadata,
            media_body=_media(media, media_mime) if media is not None else None,
            fields=FILE_FIELDS,
            supportsAllDrives=True,
        )
        return self.client.execute(request, what="Drive files.create", where=where)

    def update(
        self,
        file_id: str,
        metadata: dict | None = None,
        *,
        media: bytes | None = None,
        media_mime: str = "",
        where: str = "",
    ) -> dict:
        request = self.files.update(
            fileId=file_id,
            body=metadata or {},
            media_body=_media(media, media_mime) if media is not None else None,
            fields=FILE_FIELDS,
            supportsAllDrives=True,
        )
        return self.client.execute(request, what="Drive files.update", where=where)

    def export(self, file_id: str, mime: str, *, where: str = "") -> bytes:
        return self.client.execute(self.files.export(fileId=file_id, mimeType=mime), what="Drive files.export", where=where)

    def copy(self, file_id: str, metadata: dict, *, where: str = "") -> dict:
        """files.copy: a Google Sheet copied keeps its tabs, formats, validation and
        protected ranges (a Drive call, not a Sheets write)."""
        request = self.files.copy(fileId=file_id, body=metadata, fields=FILE_FIELDS, supportsAllDrives=True)
        return self.client.execute(request, what="Drive files.copy", where=where)

    def watch_changes(self, token: str, channel: dict, *, where: str = "") -> dict:
        """changes.watch on the changes feed from ``token`` (this Shared Drive's feed)."""
        params: dict[str, Any] = {
            "pageToken": token,
            "body": channel,
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
        }
        if self.drive_id:
            params["driveId"] = self.drive_id
        return self.client.execute(self.changes_api.watch(**params), what="Drive changes.watch", where=where)

    def stop_channel(self, channel_id: str, resource_id: str, *, where: str = "") -> None:
        request = self.client.drive.channels().stop(body={"id": channel_id, "resourceId": resource_id})
        self.client.execute(request, what="Drive channels.stop", where=where)

    def share(self, file_id: str, permission: dict, *, where: str = "") -> dict:
        params: dict[str, Any] = {"fileId": file_id, "body": permission, "supportsAllDrives": True, "fields": "id"}
        if permission.get("type") in ("user", "group"):
            # Only allowed for users and groups; units get their links from the distribution list.
            params["sendNotificationEmail"] = False
        request = self.permissions.create(**params)
        return self.client.execute(request, what="Drive permissions.create", where=where)

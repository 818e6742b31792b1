"""The fake's HTTP layer: a Werkzeug WSGI app on a threaded server.

`FakeGoogle` is the object tests use (endpoint, token, request log, quotas,
fault injection, latency, UI-like helpers). Routing works on the raw request
path so that `%2F`, `%3A`, `%21` inside a range stay part of the range.
"""

from __future__ import annotations

import base64
import copy
import csv
import io
import json
import re
import threading
import time
import urllib.parse
import zipfile
from collections import deque
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import discovery, errors
from . import state as st
from .errors import GoogleError, bad_request, drive_error, not_found, sheets_error
from .export import EXPORT_LIMIT, spreadsheet_xlsx
from .push import Push


@dataclass
class RequestRecord:
    method: str
    path: str  # decoded path, e.g. /v4/spreadsheets/ID/values/'Tab'!A1:B2
    query: dict  # name -> value (list when repeated)
    api: str  # drive | upload | sheets | docs | discovery | unknown
    started: float  # time.monotonic()
    status: int = 0
    ended: float = 0.0
    method_id: str | None = None


@dataclass
class _Fault:
    remaining: int
    status: int
    reason: str | None
    api: str | None
    path_contains: str | None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


# (api, http method, regex on raw path, method id, handler name)
_ROUTES = [
    ("discovery", "GET", r"/discovery/v1/apis/(\w+)/(\w+)/rest", None, "discovery_doc"),
    ("drive", "GET", r"/drive/v3/files", "drive.files.list", "files_list"),
    ("drive", "POST", r"/drive/v3/files", "drive.files.create", "files_create"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)", "drive.files.get", "files_get"),
    ("drive", "PATCH", r"/drive/v3/files/([^/]+)", "drive.files.update", "files_update"),
    ("drive", "DELETE", r"/drive/v3/files/([^/]+)", "drive.files.delete", "files_delete"),
    ("drive", "POST", r"/drive/v3/files/([^/]+)/copy", "drive.files.copy", "files_copy"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)/export", "drive.files.export", "files_export"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)/permissions", "drive.permissions.list", "permissions_list"),
    ("drive", "POST", r"/drive/v3/files/([^/]+)/permissions", "drive.permissions.create", "permissions_create"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)/permissions/([^/]+)", "drive.permissions.get", "permissions_get"),
    ("drive", "DELETE", r"/drive/v3/files/([^/]+)/permissions/([^/]+)", "drive.permissions.delete", "permissions_delete"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)/revisions", "drive.revisions.list", "revisions_list"),
    ("drive", "GET", r"/drive/v3/files/([^/]+)/revisions/([^/]+)", "drive.revisions.get", "revisions_get"),
    ("drive", "GET", r"/drive/v3/changes/startPageToken", "drive.changes.getStartPageToken", "changes_start_page_token"),
    ("drive", "GET", r"/drive/v3/changes", "drive.changes.list", "changes_list"),
    ("drive", "POST", r"/drive/v3/changes/watch", "drive.changes.watch", "changes_watch"),
    ("drive", "POST", r"/drive/v3/channels/stop", "drive.channels.stop", "channels_stop"),
    ("drive", "POST", r"/drive/v3/drives", "drive.drives.create", "drives_create"),
    ("drive", "GET", r"/drive/v3/drives", "drive.drives.list", "drives_list"),
    ("drive", "GET", r"/drive/v3/drives/([^/]+)", "drive.drives.get", "drives_get"),
    ("upload", "POST", r"/upload/drive/v3/files", "drive.files.create", "upload_create"),
    ("upload", "PATCH", r"/upload/drive/v3/files/([^/]+)", "drive.files.update", "upload_update"),
    ("upload", "PUT", r"/upload/drive/v3/files(?:/[^/]+)?", None, "upload_chunk"),
    ("sheets", "POST", r"/v4/spreadsheets", "sheets.spreadsheets.create", "ss_create"),
    ("sheets", "GET", r"/v4/spreadsheets/([^/:]+)", "sheets.spreadsheets.get", "ss_get"),
    ("sheets", "POST", r"/v4/spreadsheets/([^/:]+):batchUpdate", "sheets.spreadsheets.batchUpdate", "ss_batch_update"),
    ("sheets", "GET", r"/v4/spreadsheets/([^/:]+)/values:batchGet", "sheets.spreadsheets.values.batchGet", "values_batch_get"),
    ("sheets", "POST", r"/v4/spreadsheets/([^/:]+)/values:batchUpdate", "sheets.spreadsheets.values.batchUpdate", "values_batch_update"),
    ("sheets", "POST", r"/v4/spreadsheets/([^/:]+)/values:batchClear", "sheets.spreadsheets.values.batchClear", "values_batch_clear"),
    ("sheets", "POST", r"/v4/spreadsheets/([^/:]+)/values/([^/]+):append", "sheets.spreadsheets.values.append", "values_append"),
    ("sheets", "POST", r"/v4/spreadsheets/([^/:]+)/values/([^/]+):clear", "sheets.spreadsheets.values.clear", "values_clear"),
    ("sheets", "GET", r"/v4/spreadsheets/([^/:]+)/values/([^/]+)", "sheets.spreadsheets.values.get", "values_get"),
    ("sheets", "PUT", r"/v4/spreadsheets/([^/:]+)/values/([^/]+)", "sheets.spreadsheets.values.update", "values_update"),
    ("docs", "GET", r"/v1/documents/([^/:]+)", "docs.documents.get", "docs_get"),
]
_ROUTES = [(a, m, re.compile("^" + p + "$"), i, h) for a, m, p, i, h in _ROUTES]

_DEFAULT_FIELDS = {
    "File": "kind,id,name,mimeType",
    "FileList": "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)",
    "Permission": "kind,id,type,role",
    "PermissionList": "kind,nextPageToken,permissions(kind,id,type,role)",
    "Revision": "kind,id,mimeType,modifiedTime",
    "RevisionList": "kind,nextPageToken,revisions(kind,id,mimeType,modifiedTime)",
    "Drive": "kind,id,name",
    "DriveList": "kind,nextPageToken,drives(kind,id,name)",
    "StartPageToken": "kind,startPageToken",
    "ChangeList": "kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,driveId,file(kind,id,name,mimeType))",
}
_CREATE_WRITABLE = {
    "id",
    "name",
    "mimeType",
    "parents",
    "appProperties",
    "properties",
    "description",
    "starred",
    "createdTime",
    "modifiedTime",
    "originalFilename",
    "folderColorRgb",
    "contentHints",
    "writersCanShare",
    "viewedByMeTime",
    "copyRequiresWriterPermission",
    "contentRestrictions",
    "shortcutDetails",
    "trashed",
    "inheritedPermissionsDisabled",
    "driveId",
    "teamDriveId",
}
_UPDATE_WRITABLE = _CREATE_WRITABLE - {"id", "createdTime", "parents", "driveId", "teamDriveId", "shortcutDetails"}
_ROLES = {"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
_TYPES = {"user", "group", "domain", "anyone"}


def _docx(text: str) -> bytes:
    """Minimal valid .docx holding `text` (one paragraph per line)."""
    paras = "".join(f'<w:p><w:r><w:t xml:space="preserve">{_xml(line)}</w:t></w:r></w:p>' for line in text.split("\n"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + paras + "</w:body></w:document>",
        )
    return buf.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError):
        return ""
    lines = []
    for para in re.findall(r"<w:p[ >].*?</w:p>|<w:p/>", xml, re.S):
        parts = re.findall(r"<w:t(?: [^>]*)?>(.*?)</w:t>", para, re.S)
        lines.append("".join(parts).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    return "\n".join(lines)


def _bool(query: dict, name: str) -> bool:
    return str(query.get(name, ["false"])[-1]).lower() == "true"


def _one(query: dict, name: str, default=None):
    values = query.get(name)
    return values[-1] if values else default


class FakeGoogle:
    """In-process fake of Google's Drive v3 / Sheets v4 / (minimal) Docs v1 HTTP APIs."""

    def __init__(
        self,
        token: str = "fake-access-token",
        clock=None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        sheets_reads_per_minute: int | None = None,
        sheets_writes_per_minute: int | None = None,
        drive_per_minute: int | None = None,
        service_account_has_storage: bool = False,
    ):
        self.token = token
        self.clock = clock or time.monotonic
        self.state = st.State(self.clock)
        self.latency = latency
        self.service_account_has_storage = service_account_has_storage
        self.requests: list[RequestRecord] = []
        self._faults: list[_Fault] = []
        self._quota = {}
        self._windows = {"read": deque(), "write": deque(), "drive": deque()}
        self.quota_counted = {"read": 0, "write": 0, "drive": 0}  # calls each quota has counted (let through or refused)
        self.set_quota(sheets_reads_per_minute, sheets_writes_per_minute, drive_per_minute)
        self._host, self._port = host, port
        self._server = None
        self._thread = None
        self._log_lock = threading.Lock()
        self.export_limit = EXPORT_LIMIT  # files.export refuses bigger content (403)
        self.push = Push(self)  # changes.watch channels and their deliveries
        self.state.change_listeners.append(self.push.on_change)

    # ---- lifecycle -------------------------------------------------------------
    def start(self) -> FakeGoogle:
        self._server = make_server(self._host, self._port, self, threaded=True, request_handler=_QuietHandler)
        self._port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-google", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.push.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def endpoint(self) -> str:
        return f"http://{self._host}:{self._port}"

    # ---- knobs -----------------------------------------------------------------
    def set_quota(self, sheets_reads_per_minute=None, sheets_writes_per_minute=None, drive_per_minute=None) -> None:
        """Per-minute (sliding 60 s of `clock`) limits; None = unlimited."""
        self._quota = {"read": sheets_reads_per_minute, "write": sheets_writes_per_minute, "drive": drive_per_minute}
        for window in self._windows.values():
            window.clear()

    def fail_next(self, n: int, status: int, reason: str | None = None, api: str | None = None, path_contains: str | None = None) -> None:
        """The next n requests matching (api, path_contains) answer `status` in Google's shape."""
        with self._log_lock:
            self._faults.append(_Fault(n, status, reason, api, path_contains))

    def count(self, api=None, method=None, path_contains=None, status=None) -> int:
        with self._log_lock:
            return sum(
                1
                for r in self.requests
                if (api is None or r.api == api)
                and (method is None or r.method == method.upper())
                and (path_contains is None or path_contains in r.path)
                and (status is None or r.status == status)
            )

    def reset_log(self) -> None:
        with self._log_lock:
            self.requests.clear()

    # ---- UI-like helpers -----------------------------------------------------------
    def create_shared_drive(self, name: str, drive_id: str | None = None) -> str:
        with self.state.lock:
            drive_id = drive_id or self.state.new_drive_id()
            self.state.drives[drive_id] = {"kind": "drive#drive", "id": drive_id, "name": name, "createdTime": self.state.now(), "hidden": False}
            return drive_id

    def edit_cells(self, spreadsheet_id: str, range_a1: str, values: list, value_input_option: str = "USER_ENTERED") -> None:
        with self.state.lock:
            ss = self.state.spreadsheets[spreadsheet_id]
            st.write_values(ss, range_a1, values, value_input_option)
            self.state.touch(self.state.files[spreadsheet_id])

    def delete_tab(self, spreadsheet_id: str, title: str) -> None:
        with self.state.lock:
            ss = self.state.spreadsheets[spreadsheet_id]
            ss.sheets.remove(ss.by_title(title))
            ss.reindex()
            self.state.touch(self.state.files[spreadsheet_id])

    def rename_tab(self, spreadsheet_id: str, old_title: str, new_title: str) -> None:
        with self.state.lock:
            ss = self.state.spreadsheets[spreadsheet_id]
            ss.by_title(old_title).props["title"] = new_title
            self.state.touch(self.state.files[spreadsheet_id])

    def revoke_access(self, file_id: str) -> None:
        """The caller loses access (shows as `removed` in changes.list)."""
        with self.state.lock:
            self.state.files[file_id].accessible = False
            self.state.log_change(file_id)

    def restore_access(self, file_id: str) -> None:
        with self.state.lock:
            self.state.files[file_id].accessible = True
            self.state.log_change(file_id)

    def trash_file(self, file_id: str) -> None:
        """Like a person moving the file to the trash in the Drive UI."""
        with self.state.lock:
            self.state.files[file_id].trashed = True
            self.state.log_change(file_id)

    def expire_change_tokens(self) -> None:
        """Every changes page token issued so far becomes invalid (400, like an expired
        or foreign token); getStartPageToken hands out valid ones again."""
        with self.state.lock:
            self.state.change_floor = len(self.state.change_log)

    def delete_file(self, file_id: str) -> None:
        with self.state.lock:
            self.state.remove_file(file_id)

    def sheet_values(self, spreadsheet_id: str, title: str) -> list[list]:
        """userEntered values of a tab (formula text for formulas), trimmed."""
        with self.state.lock:
            return self.state.spreadsheets[spreadsheet_id].by_title(title).values()

    # ---- WSGI ----------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        raw = environ_raw_path(request.environ)
        query = urllib.parse.parse_qs(request.query_string.decode("latin-1"), keep_blank_values=True)
        route, params = self._route(request.method, raw)
        api = route[0] if route else _guess_api(raw)
        record = RequestRecord(
            request.method,
            urllib.parse.unquote(raw),
            {k: (v[0] if len(v) == 1 else v) for k, v in query.items()},
            api,
            time.monotonic(),
            method_id=route[3] if route else None,
        )
        with self._log_lock:
            self.requests.append(record)
        try:
            response = self._dispatch(request, route, params, query, api)
        except GoogleError as exc:
            response = _json_response(exc.body, exc.code, exc.headers)
        if self.latency:
            time.sleep(self.latency)
        record.status = response.status_code
        record.ended = time.monotonic()
        return response

    def _route(self, method: str, raw: str):
        for route in _ROUTES:
            if route[1] == method:
                m = route[2].match(raw)
                if m:
                    return route, [urllib.parse.unquote(g) for g in m.groups()]
        return None, []

    def _dispatch(self, request, route, params, query, api) -> Response:
        if route is not None and route[0] == "discovery":
            return self.discovery_doc(request, params, query)
        self._check_auth(request, query, api)
        self._maybe_fault(api, urllib.parse.unquote(request.path))
        if route is None:
            if api == "drive" or api == "upload":
                raise drive_error(404, "Not Found", "notFound")
            raise sheets_error(404, "Method not found.")
        _, _, _, method_id, handler = route
        if method_id and handler != "upload_chunk":
            discovery.check_query(api, method_id, query)
        self._check_quota(api, request.method)
        with self.state.lock:
            result = getattr(self, handler)(request, params, query)
        if isinstance(result, Response):
            return result
        body, schema = result if isinstance(result, tuple) else (result, None)
        return _json_response(self._mask(api, body, schema, query))

    def _mask(self, api, body, schema, query):
        fields = _one(query, "fields")
        if api in ("drive", "upload") and schema:
            mask_text = fields if fields is not None else _DEFAULT_FIELDS.get(schema)
            try:
                mask = discovery.parse_fields(mask_text)
            except ValueError:
                raise drive_error(400, f"Invalid field selection {fields}", "invalidParameter", location="fields") from None
            bad = discovery.unknown_fields("drive", schema, mask)
            if bad:
                raise drive_error(400, f"Invalid field selection {bad}", "invalidParameter", location="fields")
            return discovery.apply_fields(body, mask)
        if fields:
            try:
                return discovery.apply_fields(body, discovery.parse_fields(fields))
            except ValueError:
                raise bad_request(api, f"Invalid field selection {fields}") from None
        return body

    def _check_auth(self, request, query, api) -> None:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else _one(query, "access_token") or _one(query, "oauth_token")
        if token != self.token:
            raise errors.unauthenticated(api)

    def _maybe_fault(self, api, path) -> None:
        with self._log_lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.api is None or fault.api == api) and (fault.path_contains is None or fault.path_contains in path):
                    fault.remaining -= 1
                    self._faults = [f for f in self._faults if f.remaining > 0]
                    raise errors.injected(api, fault.status, fault.reason)

    def _check_quota(self, api, method) -> None:
        if api == "sheets":
            bucket = "read" if method == "GET" else "write"
        elif api in ("drive", "upload"):
            bucket = "drive"
        else:
            return
        with self._log_lock:
            self.quota_counted[bucket] += 1
        limit = self._quota.get(bucket)
        if limit is None:
            return
        with self._log_lock:
            now = self.clock()
            window = self._windows[bucket]
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= limit:
                if bucket == "drive":
                    raise drive_error(403, "User rate limit exceeded.", "userRateLimitExceeded", domain="usageLimits")
                raise errors.sheets_quota("Read" if bucket == "read" else "Write")
            window.append(now)

    # ---- discovery -----------------------------------------------------------------
    def discovery_doc(self, request, params, query):
        api, version = params
        names = {("drive", "v3"): "drive", ("sheets", "v4"): "sheets", ("docs", "v1"): "docs"}
        if (api, version) not in names:
            raise sheets_error(404, "Requested entity was not found.")
        doc = copy.deepcopy(discovery.document(names[(api, version)]))
        doc["rootUrl"] = self.endpoint + "/"
        doc["mtlsRootUrl"] = self.endpoint + "/"
        doc["baseUrl"] = self.endpoint + "/" + doc["servicePath"]
        return _json_response(doc)

    # ---- helpers -----------------------------------------------------------------------
    def _file(self, file_id, query, api="drive", all_drives_param=True) -> st.File:
        """404 unless visible; shared-drive items need supportsAllDrives=true on methods
        that have that parameter (files.export / revisions.* do not)."""
        f = self.state.files.get(file_id)
        if f is None or not f.accessible:
            raise not_found(api, file_id)
        if all_drives_param and api in ("drive", "upload") and f.driveId and not (_bool(query, "supportsAllDrives") or _bool(query, "supportsTeamDrives")):
            raise not_found(api, file_id)
        return f

    def _json_body(self, request, api, method_id):
        data = request.get_data()
        if not data:
            body = {}
        else:
            try:
                body = json.loads(data)
            except ValueError:
                raise bad_request(api, "Invalid JSON payload received. Unexpected token.") from None
        return discovery.check_body(api, method_id, body)

    def _parent_drive(self, parents, query):
        if len(parents) > 1:
            raise drive_error(403, "Increasing the number of parents is not allowed. A file can have at most one parent.", "cannotAddParent")
        if not parents:
            return None
        pid = parents[0]
        if pid in self.state.drives:
            if not (_bool(query, "supportsAllDrives") or _bool(query, "supportsTeamDrives")):
                raise not_found("drive", pid)
            return pid
        parent = self._file(pid, query)
        if parent.mimeType != st.FOLDER:
            raise drive_error(403, "The specified parent is not a folder.", "notAFolder")
        return parent.driveId

    def _check_storage(self, drive_id) -> None:
        if drive_id is None and not self.service_account_has_storage:
            raise errors.storage_quota()

    # ---- Drive: files ------------------------------------------------------------------
    def _writable(self, meta: dict, allowed: set, update: bool) -> None:
        if update and "parents" in meta:
            raise drive_error(
                403,
                "The parents field is not directly writable in update requests. Use the addParents and removeParents parameters instead.",
                "fieldNotWritable",
            )
        bad = [k for k in meta if k not in allowed]
        if bad:
            raise drive_error(403, "The resource body includes fields which are not directly writable.", "fieldNotWritable")

    def _create(self, meta, media, media_mime, query) -> st.File:
        s = self.state
        self._writable(meta, _CREATE_WRITABLE, update=False)
        parents = list(meta.get("parents") or [])
        drive_id = self._parent_drive(parents, query)
        self._check_storage(drive_id)
        target = meta.get("mimeType")
        file_id = meta.get("id") or s.new_id()
        if file_id in s.files:
            raise drive_error(409, "A file already exists with the provided ID.", "duplicate")
        now = s.now()
        f = st.File(
            file_id,
            meta.get("name") or "Untitled",
            target or "application/octet-stream",
            parents=parents,
            driveId=drive_id,
            appProperties=_clean(meta.get("appProperties")),
            properties=_clean(meta.get("properties")),
            description=meta.get("description"),
            starred=bool(meta.get("starred")),
            createdTime=_norm_time(meta.get("createdTime")) or now,
            modifiedTime=_norm_time(meta.get("modifiedTime")) or now,
            originalFilename=meta.get("originalFilename"),
        )
        if f.name == "Untitled" and media is not None and not meta.get("name"):
            f.name = "Untitled"
        if media is not None:
            if target == st.DOC:
                if media_mime == st.DOCX:
                    f.content = media
                elif media_mime in ("text/plain", "text/html"):
                    text = media.decode("utf-8", "replace")
                    f.content = _docx(re.sub(r"<[^>]+>", "", text))
                else:
                    raise bad_request("drive", f"Conversion of {media_mime} to a Google Doc is not supported in fake")
            elif target == st.SHEET:
                if media_mime != "text/csv":
                    raise bad_request("drive", f"Conversion of {media_mime} to a Google Sheet is not supported in fake")
                ss = s.new_spreadsheet(file_id)
                rows = list(csv.reader(io.StringIO(media.decode("utf-8"))))
                if rows:
                    st.write_values(ss, "A1", rows, "USER_ENTERED")
            elif target and target.startswith(st.NATIVE_PREFIX):
                raise bad_request("drive", f"Conversion to {target} is not supported in fake")
            else:
                f.mimeType = target or media_mime or "application/octet-stream"
                f.content = media
        elif target == st.SHEET:
            s.new_spreadsheet(file_id)
        elif target == st.DOC:
            f.content = _docx("")
        elif not f.is_native:
            f.content = b""
        email = s.caller_email
        f.permissions = [
            {
                "kind": "drive#permission",
                "id": st.permission_id(email),
                "type": "user",
                "emailAddress": email,
                "role": "organizer" if drive_id else "owner",
                "displayName": email,
                "deleted": False,
                "pendingOwner": False,
            }
        ]
        s.files[file_id] = f
        if f.mimeType != st.FOLDER:
            s.add_revision(f)
        s.log_change(file_id)
        return f

    def files_create(self, request, params, query):
        meta = self._json_body(request, "drive", "drive.files.create")
        return self._create(meta, None, None, query).resource(), "File"

    def files_get(self, request, params, query):
        f = self._file(params[0], query)
        if _one(query, "alt") == "media":
            if f.is_native:
                raise drive_error(
                    403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.", "fileNotDownloadable", location="alt"
                )
            return Response(f.content or b"", 200, content_type=f.mimeType)
        return f.resource(), "File"

    def _update(self, f, meta, media, media_mime, query):
        s = self.state
        self._writable(meta, _UPDATE_WRITABLE, update=True)
        add = [p for p in (_one(query, "addParents") or "").split(",") if p]
        remove = [p for p in (_one(query, "removeParents") or "").split(",") if p]
        if add or remove:
            parents = [p for p in f.parents if p not in remove] + [p for p in add if p not in f.parents]
            drive_id = self._parent_drive(parents, query)
            if drive_id is None:
                self._check_storage(None)
            moved = [f, *_descendants(s, f)]
            for item in moved:
                if item.driveId != drive_id:  # gone from the old drive's change feed
                    s.log_change(item.id, item.driveId, same_drive=False)
            f.parents, f.driveId = parents, drive_id
            for child in moved[1:]:
                child.driveId = drive_id
                s.log_change(child.id)
        for key in ("name", "description", "starred", "trashed", "originalFilename"):
            if key in meta:
                setattr(f, key, meta[key])
        if "mimeType" in meta and meta["mimeType"] != f.mimeType:
            if f.is_native or meta["mimeType"].startswith(st.NATIVE_PREFIX):
                raise drive_error(403, "The mimeType of a Google Docs Editors file or folder cannot be changed.", "fieldNotWritable")
            f.mimeType = meta["mimeType"]
        for key in ("appProperties", "properties"):
            if meta.get(key) is not None:
                bag = getattr(f, key)
                for k, v in meta[key].items():
                    if v is None:
                        bag.pop(k, None)
                    else:
                        bag[k] = str(v)
        if media is not None:
            if f.mimeType == st.DOC:
                if media_mime != st.DOCX:
                    raise bad_request("drive", f"Updating a Google Doc from {media_mime} is not supported in fake")
                f.content = media
            elif f.is_native:
                raise bad_request("drive", "Media update of this Google file type is not supported in fake")
            else:
                f.content = media
            s.touch(f, _norm_time(meta.get("modifiedTime")))
            s.add_revision(f)
        elif meta.get("modifiedTime"):
            f.modifiedTime = _norm_time(meta["modifiedTime"])
            f.version += 1
        s.log_change(f.id)
        return f

    def files_update(self, request, params, query):
        f = self._file(params[0], query)
        meta = self._json_body(request, "drive", "drive.files.update")
        return self._update(f, meta, None, None, query).resource(), "File"

    def files_delete(self, request, params, query):
        self._file(params[0], query)
        self.state.remove_file(params[0])
        return Response(b"", 204)

    def files_copy(self, request, params, query):
        src = self._file(params[0], query)
        meta = self._json_body(request, "drive", "drive.files.copy")
        if src.mimeType == st.FOLDER:
            raise drive_error(403, "This file cannot be copied by the user.", "cannotCopyFile")
        meta = dict(meta)
        meta.setdefault("name", f"Copy of {src.name}")
        meta.setdefault("parents", list(src.parents))
        meta.setdefault("mimeType", src.mimeType)
        if src.mimeType == st.SHEET:
            f = self._create({**meta, "mimeType": st.SHEET}, None, None, query)
            self.state.spreadsheets[f.id] = st.clone_spreadsheet(self.state.spreadsheets[src.id], f.id)
        else:
            f = self._create({k: v for k, v in meta.items() if k != "mimeType"}, None, None, query)
            f.mimeType, f.content = src.mimeType, src.content
            f.revisions = []
            self.state.add_revision(f)
        return f.resource(), "File"

    def files_export(self, request, params, query):
        f = self._file(params[0], query, all_drives_param=False)
        mime = _one(query, "mimeType")
        if not mime:
            raise drive_error(400, "Required parameter: mimeType", "required", location="mimeType")
        if not f.is_native or f.mimeType == st.FOLDER:
            raise drive_error(403, "Export only supports Docs Editors files.", "fileNotExportable")
        if f.mimeType == st.DOC and mime == st.DOCX:
            return Response(f.content or _docx(""), 200, content_type=mime)
        if f.mimeType == st.DOC and mime == "text/plain":
            return Response(docx_text(f.content or b"").encode("utf-8"), 200, content_type="text/plain")
        if f.mimeType == st.SHEET and mime == st.XLSX:
            data = spreadsheet_xlsx(self.state.spreadsheets[f.id])
            if len(data) > self.export_limit:
                raise drive_error(403, "This file is too large to be exported.", "exportSizeLimitExceeded")
            return Response(data, 200, content_type=mime)
        if f.mimeType == st.SHEET and mime == "text/csv":
            ss = self.state.spreadsheets[f.id]
            sheet = ss.sheets[0]
            out = io.StringIO()
            data = st.read_values(ss, st._a1.quote_title(sheet.title)).get("values", [])
            csv.writer(out, lineterminator="\n").writerows(data)
            return Response(out.getvalue().encode("utf-8"), 200, content_type="text/csv")
        raise drive_error(400, f"Export to {mime} is not supported in fake (or by Google for {f.mimeType}).", "badRequest")

    def files_list(self, request, params, query):
        s = self.state
        corpora = _one(query, "corpora", "user")
        drive_id = _one(query, "driveId")
        all_drives = _bool(query, "includeItemsFromAllDrives") or _bool(query, "includeTeamDriveItems")
        supports = _bool(query, "supportsAllDrives") or _bool(query, "supportsTeamDrives")
        if all_drives and not supports:
            raise drive_error(403, "The includeItemsFromAllDrives parameter can only be set when supportsAllDrives is true.", "teamDrivesParameterRequired")
        if (corpora == "drive") != bool(drive_id):
            raise drive_error(400, "The driveId parameter must be specified if and only if corpora is set to drive.", "invalid", location="driveId")
        if corpora in ("drive", "allDrives") and not all_drives:
            raise drive_error(
                403, "The includeItemsFromAllDrives parameter must be set to true when corpora is drive or allDrives.", "teamDrivesParameterRequired"
            )
        if drive_id and drive_id not in s.drives:
            raise drive_error(404, f"Shared drive not found: {drive_id}", "notFound", location="driveId")
        try:
            node = st.parse_query(_one(query, "q")) if _one(query, "q") else None
            files = [
                f
                for f in s.files.values()
                if f.accessible and (not f.driveId or all_drives) and (corpora != "drive" or f.driveId == drive_id) and (node is None or st.match(node, f))
            ]
        except (st.QueryError, ValueError):
            raise drive_error(400, "Invalid Value", "invalid", location="q") from None
        files = _order(files, _one(query, "orderBy"))
        size = int(_one(query, "pageSize", "100"))
        if size < 1 or size > 1000:
            raise drive_error(400, f"Invalid value '{size}'. Values must be within the range: [1, 1000]", "invalid", location="pageSize")
        start = _decode_token(_one(query, "pageToken"))
        page = files[start : start + size]
        out = {"kind": "drive#fileList", "incompleteSearch": False, "files": [f.resource() for f in page]}
        if start + size < len(files):
            out["nextPageToken"] = _encode_token(start + size)
        return out, "FileList"

    # ---- Drive: uploads ------------------------------------------------------------
    def upload_create(self, request, params, query):
        return self._upload(request, query, "drive.files.create", None)

    def upload_update(self, request, params, query):
        self._file(params[0], query, "upload")
        return self._upload(request, query, "drive.files.update", params[0])

    def _upload(self, request, query, method_id, file_id):
        kind = _one(query, "uploadType")
        if kind == "media":
            return self._finish_upload(method_id, file_id, {}, request.get_data(), request.content_type.split(";")[0], query)
        if kind == "multipart":
            meta, media, media_mime = _parse_multipart(request)
            meta = discovery.check_body("upload", method_id, meta)
            return self._finish_upload(method_id, file_id, meta, media, media_mime, query)
        if kind == "resumable":
            meta = self._json_body(request, "upload", method_id)
            if method_id == "drive.files.create":  # fail early like Google
                self._writable(meta, _CREATE_WRITABLE, update=False)
                self._check_storage(self._parent_drive(list(meta.get("parents") or []), query))
            upload_id = "ABP" + self.state.new_id(60)
            self.state.uploads[upload_id] = {
                "method_id": method_id,
                "file_id": file_id,
                "meta": meta,
                "data": b"",
                "mime": request.headers.get("X-Upload-Content-Type", "application/octet-stream"),
                "query": {k: v for k, v in query.items() if k != "uploadType"},
            }
            keep = [(k, v) for k, vs in query.items() for v in vs if k != "uploadType"]
            location = f"{self.endpoint}{request.path}?" + urllib.parse.urlencode([*keep, ("uploadType", "resumable"), ("upload_id", upload_id)])
            return Response(b"", 200, headers={"Location": location, "X-GUploader-UploadID": upload_id})
        raise bad_request("upload", f"Invalid uploadType: {kind}")

    def upload_chunk(self, request, params, query):
        upload = self.state.uploads.get(_one(query, "upload_id", ""))
        if upload is None:
            raise drive_error(404, "Upload session not found.", "notFound")
        rng = request.headers.get("Content-Range", "")
        data = request.get_data()
        total = None
        m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", rng)
        m_status = re.match(r"bytes \*/(\d+|\*)", rng)
        if m:
            if int(m.group(1)) != len(upload["data"]):
                return self._resume_incomplete(upload)
            upload["data"] += data
            total = None if m.group(3) == "*" else int(m.group(3))
        elif m_status:
            total = None if m_status.group(1) == "*" else int(m_status.group(1))
        else:
            upload["data"] += data
            total = len(upload["data"])
        if total is None or len(upload["data"]) < total:
            return self._resume_incomplete(upload)
        del self.state.uploads[_one(query, "upload_id")]
        return self._finish_upload(upload["method_id"], upload["file_id"], upload["meta"], upload["data"], upload["mime"], upload["query"])

    def _resume_incomplete(self, upload):
        headers = {}
        if upload["data"]:
            headers["Range"] = f"bytes=0-{len(upload['data']) - 1}"
        return Response(b"", 308, headers=headers)

    def _finish_upload(self, method_id, file_id, meta, media, media_mime, query):
        if method_id == "drive.files.create":
            f = self._create(meta, media, media_mime, query)
        else:
            f = self._update(self._file(file_id, query, "upload"), meta, media, media_mime, query)
        return _json_response(self._mask("upload", f.resource(), "File", query))

    # ---- Drive: permissions, revisions, drives ------------------------------------------
    def permissions_list(self, request, params, query):
        f = self._file(params[0], query)
        return {"kind": "drive#permissionList", "permissions": copy.deepcopy(f.permissions)}, "PermissionList"

    def permissions_get(self, request, params, query):
        f = self._file(params[0], query)
        for p in f.permissions:
            if p["id"] == params[1]:
                return copy.deepcopy(p), "Permission"
        raise drive_error(404, f"Permission not found: {params[1]}.", "notFound", location="permissionId")

    def permissions_create(self, request, params, query):
        f = self._file(params[0], query)
        body = self._json_body(request, "drive", "drive.permissions.create")
        ptype, role = body.get("type"), body.get("role")
        if ptype not in _TYPES:
            raise drive_error(400, "The permission type field is required.", "required", location="permission.type")
        if role not in _ROLES:
            raise drive_error(400, "The permission role field is required.", "required", location="permission.role")
        if ptype in ("user", "group") and not body.get("emailAddress"):
            raise drive_error(400, "The permission emailAddress field is required.", "required", location="permission.emailAddress")
        if role == "owner" and not _bool(query, "transferOwnership"):
            raise drive_error(
                403, "The transferOwnership parameter must be enabled when the permission role is 'owner'.", "forbidden", location="transferOwnership"
            )
        if ptype == "anyone":
            perm = {
                "kind": "drive#permission",
                "id": "anyoneWithLink",
                "type": "anyone",
                "role": role,
                "allowFileDiscovery": bool(body.get("allowFileDiscovery")),
            }
        elif ptype == "domain":
            perm = {"kind": "drive#permission", "id": st.permission_id(body.get("domain", "")), "type": "domain", "role": role, "domain": body.get("domain")}
        else:
            email = body["emailAddress"]
            perm = {
                "kind": "drive#permission",
                "id": st.permission_id(email),
                "type": ptype,
                "role": role,
                "emailAddress": email,
                "displayName": email.split("@")[0],
                "deleted": False,
                "pendingOwner": False,
            }
        f.permissions = [p for p in f.permissions if p["id"] != perm["id"]] + [perm]
        self.state.log_change(f.id)
        return copy.deepcopy(perm), "Permission"

    def permissions_delete(self, request, params, query):
        f = self._file(params[0], query)
        before = len(f.permissions)
        f.permissions = [p for p in f.permissions if p["id"] != params[1]]
        if len(f.permissions) == before:
            raise drive_error(404, f"Permission not found: {params[1]}.", "notFound", location="permissionId")
        self.state.log_change(f.id)
        return Response(b"", 204)

    def revisions_list(self, request, params, query):
        f = self._file(params[0], query, all_drives_param=False)
        revs = [{k: v for k, v in r.items() if k != "_content"} for r in f.revisions]
        return {"kind": "drive#revisionList", "revisions": revs}, "RevisionList"

    def revisions_get(self, request, params, query):
        f = self._file(params[0], query, all_drives_param=False)
        for r in f.revisions:
            if r["id"] == params[1]:
                if _one(query, "alt") == "media":
                    return Response(r["_content"], 200, content_type=r["mimeType"])
                return {k: v for k, v in r.items() if k != "_content"}, "Revision"
        raise drive_error(404, f"Revision not found: {params[1]}.", "notFound", location="revisionId")

    # ---- Drive: changes ------------------------------------------------------------------
    def _changes_scope(self, query):
        """(driveId or None, include shared-drive items) after Drive's parameter checks."""
        drive_id = _one(query, "driveId") or _one(query, "teamDriveId")
        supports = _bool(query, "supportsAllDrives") or _bool(query, "supportsTeamDrives")
        all_drives = _bool(query, "includeItemsFromAllDrives") or _bool(query, "includeTeamDriveItems")
        if all_drives and not supports:
            raise drive_error(403, "The includeItemsFromAllDrives parameter can only be set when supportsAllDrives is true.", "teamDrivesParameterRequired")
        if drive_id and not supports:
            raise drive_error(403, "The driveId parameter can only be set when supportsAllDrives is true.", "teamDrivesParameterRequired")
        if drive_id and drive_id not in self.state.drives:
            raise drive_error(404, f"Shared drive not found: {drive_id}", "notFound", location="driveId")
        return drive_id, all_drives

    def changes_start_page_token(self, request, params, query):
        self._changes_scope(query)
        return {"kind": "drive#startPageToken", "startPageToken": self.state.start_page_token()}, "StartPageToken"

    def changes_list(self, request, params, query):
        s = self.state
        drive_id, all_drives = self._changes_scope(query)
        token = _one(query, "pageToken")
        if not token:
            raise drive_error(400, "Required parameter: pageToken", "required", location="pageToken")
        try:
            start = int(token) - 1
        except ValueError:
            start = -1
        if start < s.change_floor or start > len(s.change_log):
            raise drive_error(400, "Invalid Value", "invalid", location="pageToken")
        size = int(_one(query, "pageSize", "100"))
        if size < 1 or size > 1000:
            raise drive_error(400, f"Invalid value '{size}'. Values must be within the range: [1, 1000]", "invalid", location="pageSize")
        spaces = {x.strip() for x in _one(query, "spaces", "drive").split(",")}
        if not spaces <= {"drive", "appDataFolder", "photos"}:
            raise drive_error(400, "Invalid Value", "invalid", location="spaces")
        include_removed = str(_one(query, "includeRemoved", "true")).lower() == "true"
        my_drive_only = _bool(query, "restrictToMyDrive")

        def visible(change) -> bool:
            if "drive" not in spaces:
                return False
            if drive_id:
                return change.driveId == drive_id
            if change.driveId is None:
                return True
            return all_drives and not my_drive_only

        entries = [(i, c) for i, c in enumerate(s.change_log[start:], start) if visible(c)]
        # Google collapses a file's changes: only its latest one after the token is listed.
        last = {c.fileId: i for i, c in entries}
        entries = [(i, c) for i, c in entries if last[c.fileId] == i]
        page = entries[:size]
        out = {"kind": "drive#changeList", "changes": []}
        for _, c in page:
            change = self._change(c, drive_id, all_drives or bool(drive_id))
            if change["removed"] and not include_removed:
                continue
            out["changes"].append(change)
        if len(entries) > size:
            out["nextPageToken"] = str(page[-1][0] + 2)
        else:
            out["newStartPageToken"] = s.start_page_token()
        return out, "ChangeList"

    def _change(self, c, drive_id, shared_ok) -> dict:
        f = self.state.files.get(c.fileId)
        removed = f is None or not f.accessible or (f.driveId is not None and not shared_ok) or (drive_id is not None and f.driveId != drive_id)
        out = {"kind": "drive#change", "changeType": "file", "time": c.time, "fileId": c.fileId, "removed": removed}
        if c.driveId:
            out["driveId"] = c.driveId
        if not removed:
            out["file"] = f.resource()
        return out

    def changes_watch(self, request, params, query):
        drive_id, all_drives = self._changes_scope(query)
        token = _one(query, "pageToken")
        if not token:
            raise drive_error(400, "Required parameter: pageToken", "required", location="pageToken")
        body = self._json_body(request, "drive", "drive.changes.watch")
        return self.push.watch(body, drive_id, all_drives, token)

    def channels_stop(self, request, params, query):
        body = self._json_body(request, "drive", "drive.channels.stop")
        self.push.stop(body)
        return Response(b"", 204)

    def drives_create(self, request, params, query):
        body = self._json_body(request, "drive", "drive.drives.create")
        request_id = _one(query, "requestId")
        if not request_id:
            raise drive_error(400, "Required parameter: requestId", "required", location="requestId")
        for d in self.state.drives.values():
            if d.get("_requestId") == request_id:
                raise drive_error(409, "A shared drive with this requestId already exists.", "duplicate")
        drive_id = self.create_shared_drive(body.get("name") or "Untitled")
        self.state.drives[drive_id]["_requestId"] = request_id
        return _public(self.state.drives[drive_id]), "Drive"

    def drives_get(self, request, params, query):
        d = self.state.drives.get(params[0])
        if d is None:
            raise drive_error(404, f"Shared drive not found: {params[0]}", "notFound", location="driveId")
        return _public(d), "Drive"

    def drives_list(self, request, params, query):
        return {"kind": "drive#driveList", "drives": [_public(d) for d in self.state.drives.values()]}, "DriveList"

    # ---- Sheets ----------------------------------------------------------------------
    def _ss(self, spreadsheet_id) -> st.Spreadsheet:
        f = self.state.files.get(spreadsheet_id)
        if f is None:
            raise sheets_error(404, "Requested entity was not found.")
        if not f.accessible:
            raise sheets_error(403, "The caller does not have permission")
        if f.mimeType != st.SHEET:
            raise sheets_error(400, "This operation is not supported for this document")
        return self.state.spreadsheets[spreadsheet_id]

    def _sheets_op(self, fn, *args):
        try:
            return fn(*args)
        except st.SheetsOpError as exc:
            raise sheets_error(400, str(exc)) from None

    def _touch(self, ss) -> None:
        self.state.touch(self.state.files[ss.id])

    def ss_create(self, request, params, query):
        body = self._json_body(request, "sheets", "sheets.spreadsheets.create")
        if not self.service_account_has_storage:
            raise sheets_error(403, "The caller does not have permission")
        props = body.get("properties") or {}
        titles = [(sh.get("properties") or {}).get("title") or f"Sheet{i + 1}" for i, sh in enumerate(body.get("sheets") or [])] or ["Sheet1"]
        f = self._create({"name": props.get("title") or "Untitled spreadsheet", "mimeType": st.SHEET}, None, None, query)
        ss = self.state.new_spreadsheet(f.id, titles)
        return st.spreadsheet_resource(self.state, ss)

    def ss_get(self, request, params, query):
        ss = self._ss(params[0])
        return self._sheets_op(st.spreadsheet_resource, self.state, ss, query.get("ranges"), _bool(query, "includeGridData"))

    def ss_batch_update(self, request, params, query):
        ss = self._ss(params[0])
        body = self._json_body(request, "sheets", "sheets.spreadsheets.batchUpdate")
        requests = body.get("requests") or []
        if not requests:
            raise sheets_error(400, "Must specify at least one request.")
        replies = self._sheets_op(st.apply_requests, self.state, ss, requests)
        self._touch(ss)
        out = {"spreadsheetId": ss.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self._sheets_op(
                st.spreadsheet_resource, self.state, ss, body.get("responseRanges"), bool(body.get("responseIncludeGridData"))
            )
        return out

    def values_get(self, request, params, query):
        ss = self._ss(params[0])
        return self._sheets_op(st.read_values, ss, params[1], _one(query, "valueRenderOption", "FORMATTED_VALUE"), _one(query, "majorDimension", "ROWS"))

    def values_batch_get(self, request, params, query):
        ss = self._ss(params[0])
        render = _one(query, "valueRenderOption", "FORMATTED_VALUE")
        major = _one(query, "majorDimension", "ROWS")
        out = {"spreadsheetId": ss.id}
        ranges = query.get("ranges") or []
        if ranges:
            out["valueRanges"] = [self._sheets_op(st.read_values, ss, r, render, major) for r in ranges]
        return out

    def _input_option(self, value):
        if value not in ("RAW", "USER_ENTERED"):
            raise sheets_error(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED" if not value else f"Invalid valueInputOption: {value}")
        return value

    def _with_values(self, ss, resp, query_or_body, get):
        if get("includeValuesInResponse") in (True, "true") and "updatedRange" in resp:
            resp["updatedData"] = st.read_values(ss, resp["updatedRange"], get("responseValueRenderOption") or "FORMATTED_VALUE")
        return resp

    def values_update(self, request, params, query):
        ss = self._ss(params[0])
        option = self._input_option(_one(query, "valueInputOption"))
        body = self._json_body(request, "sheets", "sheets.spreadsheets.values.update")
        resp = self._sheets_op(st.write_values, ss, params[1], body.get("values") or [], option, body.get("majorDimension") or "ROWS")
        self._touch(ss)
        return self._with_values(ss, resp, query, lambda k: _one(query, k))

    def values_batch_update(self, request, params, query):
        ss = self._ss(params[0])
        body = self._json_body(request, "sheets", "sheets.spreadsheets.values.batchUpdate")
        option = self._input_option(body.get("valueInputOption"))
        backup = st.deep_copy(ss.sheets)
        responses = []
        try:
            for vr in body.get("data") or []:
                if not vr.get("range"):
                    raise sheets_error(400, "Invalid data[0]: range is required")
                resp = self._sheets_op(st.write_values, ss, vr["range"], vr.get("values") or [], option, vr.get("majorDimension") or "ROWS")
                responses.append(self._with_values(ss, resp, body, body.get))
        except GoogleError:
            ss.sheets = backup
            raise
        self._touch(ss)
        out = {
            "spreadsheetId": ss.id,
            "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
            "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
            "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
            "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses if "updatedCells" in r}),
            "responses": responses,
        }
        for key in ("totalUpdatedRows", "totalUpdatedColumns", "totalUpdatedCells", "totalUpdatedSheets"):
            if not out[key]:
                del out[key]
        return out

    def values_append(self, request, params, query):
        ss = self._ss(params[0])
        option = self._input_option(_one(query, "valueInputOption"))
        body = self._json_body(request, "sheets", "sheets.spreadsheets.values.append")
        resp = self._sheets_op(st.append_values, ss, params[1], body.get("values") or [], option, _one(query, "insertDataOption", "OVERWRITE"))
        self._touch(ss)
        return resp

    def values_clear(self, request, params, query):
        ss = self._ss(params[0])
        self._json_body(request, "sheets", "sheets.spreadsheets.values.clear")
        cleared = self._sheets_op(st.clear_values, ss, params[1])
        self._touch(ss)
        return {"spreadsheetId": ss.id, "clearedRange": cleared}

    def values_batch_clear(self, request, params, query):
        ss = self._ss(params[0])
        body = self._json_body(request, "sheets", "sheets.spreadsheets.values.batchClear")
        backup = st.deep_copy(ss.sheets)
        try:
            cleared = [self._sheets_op(st.clear_values, ss, r) for r in body.get("ranges") or []]
        except GoogleError:
            ss.sheets = backup
            raise
        self._touch(ss)
        return {"spreadsheetId": ss.id, "clearedRanges": cleared}

    # ---- Docs (read-only, minimal) ------------------------------------------------------
    def docs_get(self, request, params, query):
        f = self.state.files.get(params[0])
        if f is None:
            raise sheets_error(404, "Requested entity was not found.")
        if not f.accessible:
            raise sheets_error(403, "The caller does not have permission")
        if f.mimeType != st.DOC:
            raise sheets_error(400, "This operation is not supported for this document")
        content, index = [], 1
        for line in docx_text(f.content or b"").split("\n"):
            text = line + "\n"
            content.append(
                {
                    "startIndex": index,
                    "endIndex": index + len(text),
                    "paragraph": {"elements": [{"startIndex": index, "endIndex": index + len(text), "textRun": {"content": text}}]},
                }
            )
            index += len(text)
        return {"documentId": f.id, "title": f.name, "revisionId": str(f.version), "body": {"content": content}}


# ---- module helpers -----------------------------------------------------------------


def environ_raw_path(environ) -> str:
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        raw = raw.split("?", 1)[0]
        if raw.startswith("http://") or raw.startswith("https://"):
            raw = "/" + raw.split("/", 3)[3]
        return raw
    return urllib.parse.quote(environ.get("PATH_INFO", ""))


def _guess_api(raw: str) -> str:
    if raw.startswith("/upload/"):
        return "upload"
    if raw.startswith("/drive/"):
        return "drive"
    if raw.startswith("/v4/"):
        return "sheets"
    if raw.startswith("/v1/"):
        return "docs"
    return "unknown"


def _json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=2), status, headers=headers or {}, content_type="application/json; charset=UTF-8")


def _parse_multipart(request):
    ctype = request.headers.get("Content-Type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not m or not ctype.startswith("multipart/related"):
        raise bad_request("upload", "Bad multipart body: expected multipart/related")
    delim = b"--" + m.group(1).encode()
    parts = []
    for chunk in request.get_data().split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:] if chunk.startswith(b"\n") else chunk
        sep = b"\r\n\r\n" if b"\r\n\r\n" in chunk else b"\n\n"
        head, _, payload = chunk.partition(sep)
        if payload.endswith(b"\r\n"):
            payload = payload[:-2]
        elif payload.endswith(b"\n"):
            payload = payload[:-1]
        headers = {}
        text = re.sub(r"\r?\n[ \t]+", " ", head.decode("latin-1"))  # unfold headers
        for line in text.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        parts.append((headers, payload))
    if len(parts) != 2:
        raise bad_request("upload", "Bad multipart body: expected metadata and media parts")
    try:
        meta = json.loads(parts[0][1] or b"{}")
    except ValueError:
        raise bad_request("upload", "Invalid JSON payload received.") from None
    media_headers, media = parts[1]
    if media_headers.get("content-transfer-encoding", "").lower() == "base64":
        media = base64.b64decode(media)
    return meta, media, media_headers.get("content-type", "application/octet-stream")


def _clean(bag) -> dict:
    return {k: str(v) for k, v in (bag or {}).items() if v is not None}


def _norm_time(value):
    return st.rfc3339(st.parse_time(value)) if value else None


def _descendants(state, folder):
    out = []
    for child in state.children(folder.id):
        out.append(child)
        out.extend(_descendants(state, child))
    return out


def _order(files, order_by):
    files = list(files)
    if not order_by:
        return files
    for key in reversed([k.strip() for k in order_by.split(",") if k.strip()]):
        name, _, direction = key.partition(" ")
        attr = {
            "name": lambda f: f.name.lower(),
            "name_natural": lambda f: f.name.lower(),
            "modifiedTime": lambda f: f.modifiedTime,
            "createdTime": lambda f: f.createdTime,
            "folder": lambda f: f.mimeType != st.FOLDER,
            "starred": lambda f: not f.starred,
        }.get(name)
        if attr is None:
            raise drive_error(400, "Invalid Value", "invalid", location="orderBy")
        files.sort(key=attr, reverse=direction.strip().lower() == "desc")
    return files


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_token(token) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["o"])
    except (ValueError, KeyError, TypeError):
        raise drive_error(400, "Invalid Value", "invalid", location="pageToken") from None


def _public(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


from .comments import install as _install_comments  # noqa: E402  Drive comments (issue 18): tests/fake_google/comments.py

_install_comments(FakeGoogle, _ROUTES)

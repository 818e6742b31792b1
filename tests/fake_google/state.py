"""In-memory state of the fake: Drive files / shared drives, Sheets grids,
and the Drive `q` query language.

All mutation happens under `State.lock` (the server is threaded).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import pickle
import random
import re
import string
import threading
import time
from dataclasses import dataclass, field

FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NATIVE_PREFIX = "application/vnd.google-apps."
CALLER_EMAIL = "sonket-gsync@fake-project.iam.gserviceaccount.com"


class ManualClock:
    """Injectable clock: `clock()` returns seconds; tests call `advance(s)`."""

    def __init__(self, start: float = 0.0):
        self.now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(text: str) -> dt.datetime:
    text = text.strip().replace("Z", "+00:00")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def permission_id(email: str) -> str:
    return str(int(hashlib.md5(email.lower().encode()).hexdigest()[:15], 16)).rjust(20, "0")


@dataclass
class File:
    id: str
    name: str
    mimeType: str
    parents: list = field(default_factory=list)
    driveId: str | None = None
    appProperties: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)
    description: str | None = None
    starred: bool = False
    trashed: bool = False
    createdTime: str = ""
    modifiedTime: str = ""
    content: bytes | None = None
    originalFilename: str | None = None
    version: int = 1
    revisions: list = field(default_factory=list)
    permissions: list = field(default_factory=list)
    accessible: bool = True

    @property
    def is_native(self) -> bool:
        return self.mimeType.startswith(NATIVE_PREFIX)

    def web_view_link(self) -> str:
        if self.mimeType == SHEET:
            return f"https://docs.google.com/spreadsheets/d/{self.id}/edit?usp=drivesdk"
        if self.mimeType == DOC:
            return f"https://docs.google.com/document/d/{self.id}/edit?usp=drivesdk"
        if self.mimeType == FOLDER:
            return f"https://drive.google.com/drive/folders/{self.id}"
        return f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"

    def resource(self) -> dict:
        """Full Drive v3 File resource (the server applies `fields`)."""
        out = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mimeType,
            "starred": self.starred,
            "trashed": self.trashed,
            "explicitlyTrashed": self.trashed,
            "parents": list(self.parents),
            "spaces": ["drive"],
            "version": str(self.version),
            "webViewLink": self.web_view_link(),
            "createdTime": self.createdTime,
            "modifiedTime": self.modifiedTime,
            "shared": len(self.permissions) > 1,
            "lastModifyingUser": {
                "kind": "drive#user",
                "displayName": CALLER_EMAIL,
                "me": True,
                "emailAddress": CALLER_EMAIL,
                "permissionId": permission_id(CALLER_EMAIL),
            },
            "capabilities": {
                "canEdit": True,
                "canShare": True,
                "canTrash": True,
                "canDelete": True,
                "canDownload": True,
                "canAddChildren": self.mimeType == FOLDER,
            },
        }
        if self.appProperties:
            out["appProperties"] = dict(self.appProperties)
        if self.properties:
            out["properties"] = dict(self.properties)
        if self.description is not None:
            out["description"] = self.description
        if self.driveId:
            out["driveId"] = self.driveId
            out["teamDriveId"] = self.driveId
        else:
            out["owners"] = [
                {"kind": "drive#user", "displayName": CALLER_EMAIL, "me": True, "emailAddress": CALLER_EMAIL, "permissionId": permission_id(CALLER_EMAIL)}
            ]
            out["ownedByMe"] = True
            out["permissionIds"] = [p["id"] for p in self.permissions]
        if not self.is_native:
            data = self.content or b""
            out["size"] = str(len(data))
            out["md5Checksum"] = hashlib.md5(data).hexdigest()
            out["headRevisionId"] = self.revisions[-1]["id"] if self.revisions else "0"
            if self.originalFilename:
                out["originalFilename"] = self.originalFilename
                if "." in self.originalFilename:
                    out["fileExtension"] = self.originalFilename.rsplit(".", 1)[1]
                    out["fullFileExtension"] = out["fileExtension"]
        elif self.mimeType == DOC:
            out["exportLinks"] = {DOCX: f"https://docs.google.com/feeds/download/documents/export/Export?id={self.id}&exportFormat=docx"}
        return out


@dataclass
class Change:
    """One entry of the Drive change log. The file's state is read when listed (like
    Google: a change shows the file as it is now, or `removed` if it is gone)."""

    fileId: str
    driveId: str | None
    time: str


@dataclass
class Sheet:
    props: dict  # SheetProperties JSON (sheetId, title, ...)
    cells: dict = field(default_factory=dict)  # (row, col) -> CellData JSON
    merges: list = field(default_factory=list)  # GridRange JSON
    protected: list = field(default_factory=list)  # ProtectedRange JSON
    rows_meta: dict = field(default_factory=dict)  # row index -> DimensionProperties
    cols_meta: dict = field(default_factory=dict)  # col index -> DimensionProperties
    recorded: list = field(default_factory=list)  # format-only requests, kept verbatim

    @property
    def id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def rows(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def cols(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    @property
    def validations(self) -> dict:
        return {k: c["dataValidation"] for k, c in self.cells.items() if "dataValidation" in c}

    def values(self) -> list[list]:
        """Plain grid of userEntered values (formula text for formulas), trimmed."""
        out: list[list] = []
        for (r, c), cell in self.cells.items():
            uev = cell.get("userEnteredValue")
            if not uev:
                continue
            while len(out) <= r:
                out.append([])
            row = out[r]
            while len(row) <= c:
                row.append("")
            row[c] = next(iter(uev.values()))
        return out


@dataclass
class Spreadsheet:
    id: str
    props: dict  # SpreadsheetProperties minus title
    sheets: list = field(default_factory=list)

    def by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.id == sheet_id), None)

    def titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def reindex(self) -> None:
        for i, s in enumerate(self.sheets):
            s.props["index"] = i


class State:
    def __init__(self, clock=None, seed: int = 1234):
        self.lock = threading.RLock()
        self.clock = clock or time.monotonic
        self._clock0 = self.clock()
        self._wall0 = dt.datetime.now(dt.UTC)
        self._last = None
        self.rng = random.Random(seed)
        self.files: dict[str, File] = {}
        self.drives: dict[str, dict] = {}
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.uploads: dict[str, dict] = {}
        self.caller_email = CALLER_EMAIL
        # Drive change log (changes.list): one entry per file mutation, oldest first.
        # A page token is "position + 1" in this log; positions below `change_floor`
        # are forgotten (expired tokens).
        self.change_log: list[Change] = []
        self.change_floor = 0
        self.change_listeners: list = []  # called with the change's drive id (push.py)

    # ---- ids and time --------------------------------------------------------
    def new_id(self, length: int = 44) -> str:
        alphabet = string.ascii_letters + string.digits + "-_"
        return "1" + "".join(self.rng.choice(alphabet) for _ in range(length - 1))

    def new_drive_id(self) -> str:
        return "0A" + "".join(self.rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(11)) + "Uk9PVA"

    def new_sheet_id(self) -> int:
        return self.rng.randint(1, 2_147_483_647)

    def now_dt(self) -> dt.datetime:
        """Wall time at start + elapsed fake-clock time; strictly increasing by >= 1 ms."""
        value = self._wall0 + dt.timedelta(seconds=self.clock() - self._clock0)
        value = value.replace(microsecond=value.microsecond // 1000 * 1000)
        if self._last is not None and value <= self._last:
            value = self._last + dt.timedelta(milliseconds=1)
        self._last = value
        return value

    def now(self) -> str:
        return rfc3339(self.now_dt())

    def peek_now(self) -> str:
        """Current fake time without consuming a tick (for change timestamps)."""
        value = self._wall0 + dt.timedelta(seconds=self.clock() - self._clock0)
        value = value.replace(microsecond=value.microsecond // 1000 * 1000)
        if self._last is not None and value < self._last:
            value = self._last
        return rfc3339(value)

    # ---- change log ------------------------------------------------------------
    def log_change(self, file_id: str, drive_id: str | None = None, *, same_drive: bool = True) -> None:
        """Record that `file_id` changed (created, updated, trashed, deleted, shared,
        access lost/regained). `drive_id` = the shared drive it was in (None: My Drive);
        by default taken from the file itself."""
        if same_drive:
            f = self.files.get(file_id)
            drive_id = f.driveId if f is not None else drive_id
        self.change_log.append(Change(file_id, drive_id, self.peek_now()))
        for listener in self.change_listeners:
            listener(drive_id)

    def start_page_token(self) -> str:
        return str(len(self.change_log) + 1)

    # ---- snapshots ---------------------------------------------------------------
    # Everything a client can see, and what decides the next ids and times. Not the lock, the
    # clock or the listeners: they belong to the server the state lives in.
    _SNAPSHOT = ("files", "drives", "spreadsheets", "uploads", "change_log", "change_floor", "rng", "caller_email", "_wall0", "_last")

    def snapshot(self) -> bytes:
        """The state as bytes: `restore` makes any State (of any server) an equal, independent
        copy, its fake time going on from here. Tests build a provisioned campaign once and
        restore it for each test instead of provisioning again."""
        with self.lock:
            data = {name: getattr(self, name) for name in self._SNAPSHOT}
            data["_elapsed"] = self.clock() - self._clock0
            return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, snapshot: bytes) -> None:
        data = pickle.loads(snapshot)
        with self.lock:
            self._clock0 = self.clock() - data.pop("_elapsed")
            for name, value in data.items():
                setattr(self, name, value)

    # ---- files ---------------------------------------------------------------
    def drive_of_parent(self, parent_id: str) -> str | None:
        if parent_id in self.drives:
            return parent_id
        parent = self.files.get(parent_id)
        return parent.driveId if parent else None

    def add_revision(self, f: File, mime: str | None = None) -> dict:
        data = f.content or b""
        rev = {
            "kind": "drive#revision",
            "id": str(len(f.revisions) + 1) if f.is_native else "0B" + self.new_id(40),
            "mimeType": mime or f.mimeType,
            "modifiedTime": f.modifiedTime,
            "keepForever": False,
            "published": False,
            "lastModifyingUser": {"kind": "drive#user", "displayName": self.caller_email, "emailAddress": self.caller_email, "me": True},
        }
        if not f.is_native:
            rev.update(size=str(len(data)), md5Checksum=hashlib.md5(data).hexdigest(), originalFilename=f.originalFilename or f.name)
        rev["_content"] = data
        f.revisions.append(rev)
        return rev

    def touch(self, f: File, when: str | None = None) -> None:
        f.modifiedTime = when or self.now()
        f.version += 1
        self.log_change(f.id)

    def children(self, folder_id: str) -> list[File]:
        return [f for f in self.files.values() if folder_id in f.parents]

    def remove_file(self, file_id: str) -> None:
        for child in self.children(file_id):
            self.remove_file(child.id)
        f = self.files.pop(file_id, None)
        self.spreadsheets.pop(file_id, None)
        if f is not None:
            self.log_change(file_id, f.driveId, same_drive=False)

    # ---- spreadsheets --------------------------------------------------------
    def new_spreadsheet(self, file_id: str, titles=("Sheet1",)) -> Spreadsheet:
        ss = Spreadsheet(
            file_id,
            {
                "locale": "en_US",
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Etc/GMT",
                "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1}, "textFormat": {"fontFamily": "arial", "fontSize": 10}},
            },
        )
        for i, title in enumerate(titles):
            ss.sheets.append(new_sheet(0 if i == 0 else self.new_sheet_id(), title, i))
        self.spreadsheets[file_id] = ss
        return ss


def new_sheet(sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> Sheet:
    return Sheet({"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID", "gridProperties": {"rowCount": rows, "columnCount": cols}})


def deep_copy(value):
    """An independent copy of plain state (dicts, lists, the dataclasses here), as
    ``copy.deepcopy`` makes it, through pickle: several times faster on a spreadsheet's
    thousands of cells (copying them was most of the fake's time)."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def clone_spreadsheet(ss: Spreadsheet, new_id: str) -> Spreadsheet:
    out = deep_copy(ss)
    out.id = new_id
    return out


# ---- Drive `q` language ------------------------------------------------------


class QueryError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<punct>[(){}])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<num>-?\d+(?:\.\d+)?)
)""",
    re.X,
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(text)
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
    return out


class _Parser:
    """expr := and ('or' and)* ; and := unary ('and' unary)* ;
    unary := 'not' unary | '(' expr ')' | term"""

    def __init__(self, text: str):
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self, ahead: int = 0):
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and str(tok[1]).lower() != value):
            raise QueryError(f"unexpected {tok}")
        self.i += 1
        return tok[1]

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok[0] == "word" and tok[1].lower() == word

    def parse(self):
        node = self.expr()
        if self.i != len(self.toks):
            raise QueryError("trailing tokens")
        return node

    def expr(self):
        node = self.conj()
        while self.is_word("or"):
            self.i += 1
            node = ("or", node, self.conj())
        return node

    def conj(self):
        node = self.unary()
        while self.is_word("and"):
            self.i += 1
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.is_word("not"):
            self.i += 1
            return ("not", self.unary())
        if self.peek() == ("punct", "("):
            self.i += 1
            node = self.expr()
            self.take("punct")
            return node
        return self.term()

    def term(self):
        kind, value = self.peek()
        if kind == "str":  # 'x' in parents
            self.i += 1
            self.take("word", "in")
            return ("in", value, self.take("word"))
        name = self.take("word")
        if self.is_word("has"):  # appProperties has { key='k' and value='v' }
            self.i += 1
            self.take("punct")
            self.take("word", "key")
            self.take("op")
            key = self.take("str")
            self.take("word", "and")
            self.take("word", "value")
            self.take("op")
            val = self.take("str")
            self.take("punct")
            return ("has", name, key, val)
        if self.is_word("contains"):
            self.i += 1
            return ("contains", name, self.take("str"))
        op = self.take("op")
        kind, value = self.peek()
        self.i += 1
        if kind == "word" and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        elif kind not in ("str", "num"):
            raise QueryError("bad value")
        return ("cmp", name, op, value)


_FIELDS = {
    "name",
    "mimeType",
    "trashed",
    "modifiedTime",
    "createdTime",
    "starred",
    "fullText",
    "viewedByMeTime",
    "sharedWithMe",
    "visibility",
    "properties",
    "appProperties",
    "parents",
    "owners",
    "writers",
    "readers",
    "description",
}


def parse_query(text: str):
    node = _Parser(text).parse()
    _check_names(node)
    return node


def _check_names(node) -> None:
    tag = node[0]
    if tag in ("and", "or"):
        _check_names(node[1])
        _check_names(node[2])
    elif tag == "not":
        _check_names(node[1])
    elif tag == "in":
        if node[2] not in ("parents", "owners", "writers", "readers"):
            raise QueryError(node[2])
    elif node[1] not in _FIELDS:
        raise QueryError(node[1])


def _compare(left, op, right) -> bool:
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def match(node, f: File) -> bool:
    tag = node[0]
    if tag == "and":
        return match(node[1], f) and match(node[2], f)
    if tag == "or":
        return match(node[1], f) or match(node[2], f)
    if tag == "not":
        return not match(node[1], f)
    if tag == "in":
        if node[2] == "parents":
            return node[1] in f.parents
        emails = {p.get("emailAddress") for p in f.permissions}
        return node[1] in emails
    if tag == "has":
        bag = f.appProperties if node[1] == "appProperties" else f.properties
        return bag.get(node[2]) == node[3]
    if tag == "contains":
        text = f.name if node[1] == "name" else (f.description or "")
        if node[1] == "name":
            return any(w.startswith(node[2].lower()) for w in text.lower().split()) or text.lower().startswith(node[2].lower())
        return node[2].lower() in text.lower()
    _, name, op, value = tag, node[1], node[2], node[3]
    if name in ("modifiedTime", "createdTime", "viewedByMeTime"):
        if not isinstance(value, str):
            raise QueryError(name)
        return _compare(parse_time(getattr(f, name, "") or "1970-01-01T00:00:00Z"), op, parse_time(value))
    if name in ("trashed", "starred"):
        if not isinstance(value, bool) or op not in ("=", "!="):
            raise QueryError(name)
        return _compare(getattr(f, name), op, value)
    if name in ("name", "mimeType", "description"):
        if op not in ("=", "!="):
            raise QueryError(name)
        return _compare(getattr(f, name) or "", op, value)
    raise QueryError(name)


# ---- Sheets cells and values -------------------------------------------------
# Formulas are stored as typed (`formulaValue`). FORMATTED_VALUE / UNFORMATTED_VALUE
# of a formula is a naive evaluation: numbers, strings, cell refs (same or other tab),
# + - * / &, parentheses, SUM/MIN/MAX/AVERAGE/COUNT over ranges. Anything else
# evaluates to the formula text itself (documented gap). Dates are not parsed:
# "dd/mm/yyyy" entered with USER_ENTERED stays a string.

from . import a1 as _a1  # noqa: E402

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PERCENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%$")


class SheetsOpError(ValueError):
    """A request Google would reject with 400 INVALID_ARGUMENT (message as Google's)."""


def user_entered(value, option: str):
    """JSON value from values.update -> userEnteredValue dict; None = skip, {} = clear."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    text = str(value)
    if text == "":
        return {}
    if option == "RAW":
        return {"stringValue": text}
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}
    if text.startswith("'"):
        return {"stringValue": text[1:]}
    if _NUMBER.match(text) or _GROUPED.match(text):
        number = float(text.replace(",", ""))
        return {"numberValue": int(number) if number.is_integer() else number}
    if _PERCENT.match(text):
        return {"numberValue": float(text[:-1]) / 100, "_percent": True}
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}
    return {"stringValue": text}


def set_value(sheet: Sheet, r: int, c: int, uev: dict | None) -> None:
    if uev is None:
        return
    cell = sheet.cells.setdefault((r, c), {})
    uev = dict(uev)
    if uev.pop("_percent", False):
        cell.setdefault("userEnteredFormat", {})["numberFormat"] = {"type": "PERCENT", "pattern": "0%"}
    if uev:
        cell["userEnteredValue"] = uev
    else:
        cell.pop("userEnteredValue", None)
        if not cell:
            del sheet.cells[(r, c)]


def format_number(value, cell: dict | None = None) -> str:
    fmt = ((cell or {}).get("userEnteredFormat") or {}).get("numberFormat") or {}
    if fmt.get("type") == "PERCENT":
        return f"{value * 100:g}%"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return str(value)
    return format(value, ".10g").replace("e+", "E+").replace("e-", "E-")


def effective(ss: Spreadsheet, sheet: Sheet, cell: dict | None, depth: int = 0):
    """Python value of a cell (None if empty)."""
    uev = (cell or {}).get("userEnteredValue") or {}
    if "formulaValue" in uev:
        if depth > 20:
            return "#REF!"
        return _Formula(ss, sheet, uev["formulaValue"], depth).value()
    return next(iter(uev.values()), None)


def render(ss: Spreadsheet, sheet: Sheet, cell: dict | None, option: str):
    uev = (cell or {}).get("userEnteredValue") or {}
    if option == "FORMULA" and "formulaValue" in uev:
        return uev["formulaValue"]
    value = effective(ss, sheet, cell)
    if value is None:
        return ""
    if option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return format_number(value, cell)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Formula:
    _TOK = re.compile(
        r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"]|"")*")
        |(?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][A-Za-z0-9_]*!)?\$?[A-Za-z]{1,3}\$?\d+
                 (?::\$?[A-Za-z]{1,3}\$?\d+)?)
        |(?P<fn>[A-Za-z]+)\(|(?P<op>[-+*/&(),]))""",
        re.X,
    )

    class Fail(Exception):
        pass

    def __init__(self, ss, sheet, text, depth):
        self.ss, self.sheet, self.text, self.depth = ss, sheet, text, depth
        self.toks, pos, body = [], 0, text[1:]
        while pos < len(body.rstrip()):
            m = self._TOK.match(body, pos)
            if not m or m.end() == pos:
                self.toks = None
                return
            self.toks.append((m.lastgroup, m.group(m.lastgroup)))
            pos = m.end()
        self.i = 0

    def value(self):
        if self.toks is None:
            return self.text
        try:
            out = self.expr()
            if self.i != len(self.toks):
                raise self.Fail()
        except (self.Fail, ZeroDivisionError, TypeError, ValueError, IndexError):
            return self.text
        return out[0] if isinstance(out, list) and len(out) == 1 else out

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def expr(self):
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-"), ("op", "&")):
            op = self.toks[self.i][1]
            self.i += 1
            right = self.term()
            left = f"{self.text_of(left)}{self.text_of(right)}" if op == "&" else self.num(left) + (self.num(right) if op == "+" else -self.num(right))
        return left

    def term(self):
        left = self.atom()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.toks[self.i][1]
            self.i += 1
            right = self.atom()
            left = self.num(left) * self.num(right) if op == "*" else self.num(left) / self.num(right)
        return left

    def atom(self):
        kind, tok = self.peek()
        self.i += 1
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if kind == "str":
            return tok[1:-1].replace('""', '"')
        if kind == "op" and tok == "-":
            return -self.num(self.atom())
        if kind == "op" and tok == "(":
            value = self.expr()
            if self.peek() != ("op", ")"):
                raise self.Fail()
            self.i += 1
            return value
        if kind == "ref":
            values = self.ref(tok)
            return values[0] if len(values) == 1 else values
        if kind == "fn":
            args = []
            while self.peek() != ("op", ")"):
                value = self.expr()
                args.extend(value if isinstance(value, list) else [value])
                if self.peek() == ("op", ","):
                    self.i += 1
            self.i += 1
            nums = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
            name = tok.upper()
            if name == "SUM":
                return sum(nums)
            if name == "MIN":
                return min(nums) if nums else 0
            if name == "MAX":
                return max(nums) if nums else 0
            if name == "COUNT":
                return len(nums)
            if name == "AVERAGE":
                return sum(nums) / len(nums)
            if name == "CONCATENATE":
                return "".join(self.text_of(a) for a in args)
        raise self.Fail()

    def ref(self, tok):
        title, cells = _a1.split_title(tok.replace("$", ""))
        sheet = self.ss.by_title(title) if title else self.sheet
        if sheet is None:
            raise self.Fail()
        r0, c0, r1, c1 = _a1.parse_cells(cells)
        out = []
        for r in range(r0, r1):
            for c in range(c0, c1):
                value = effective(self.ss, sheet, sheet.cells.get((r, c)), self.depth + 1)
                out.append(value)
        return out

    def num(self, value):
        if value is None or value == "":
            return 0
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value
        return float(value)

    @staticmethod
    def text_of(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        return format_number(value) if isinstance(value, (int, float)) else str(value)


def resolve(ss: Spreadsheet, text: str, clip: bool = True):
    """Range text -> (sheet, r0, c0, r1, c1), bounds filled from the grid size.
    Raises SheetsOpError with Google's messages."""
    try:
        ref = _a1.parse(text, ss.titles())
    except _a1.A1Error:
        raise SheetsOpError(f"Unable to parse range: {text}") from None
    sheet = ss.by_title(ref.title) if ref.title else ss.sheets[0]
    r0 = ref.r0 or 0
    c0 = ref.c0 or 0
    r1 = ref.r1 if ref.r1 is not None else sheet.rows
    c1 = ref.c1 if ref.c1 is not None else sheet.cols
    if r0 >= sheet.rows or c0 >= sheet.cols:
        raise SheetsOpError(grid_limit_message(sheet, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1)))
    if clip:
        r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)
    return sheet, r0, c0, r1, c1


def grid_limit_message(sheet: Sheet, r0, c0, r1, c1) -> str:
    return f"Range ({_a1.format_range(sheet.title, r0, c0, r1, c1)}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"


def read_values(ss: Spreadsheet, text: str, render_option: str = "FORMATTED_VALUE", major: str = "ROWS") -> dict:
    sheet, r0, c0, r1, c1 = resolve(ss, text)
    grid = []
    for r in range(r0, r1):
        row = [render(ss, sheet, sheet.cells.get((r, c)), render_option) for c in range(c0, c1)]
        grid.append(row)
    if major == "COLUMNS":
        grid = [list(col) for col in zip(*grid, strict=False)] if grid else []
    grid = _trim(grid)
    out = {"range": _a1.format_range(sheet.title, r0, c0, r1, c1), "majorDimension": major}
    if grid:
        out["values"] = grid
    return out


def _trim(grid: list[list]) -> list[list]:
    rows = []
    for row in grid:
        while row and row[-1] == "":
            row = row[:-1]
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def write_values(ss: Spreadsheet, text: str, values: list, option: str, major: str = "ROWS") -> dict:
    sheet, r0, c0, r1, c1 = resolve(ss, text, clip=False)
    if major == "COLUMNS":
        width = max((len(v) for v in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    height = len(values)
    width = max((len(row) for row in values), default=0)
    if r1 - r0 == 1 and c1 - c0 == 1:  # a single cell is only the anchor
        r1, c1 = r0 + max(height, 1), c0 + max(width, 1)
    if height and r0 + height > r1:
        raise SheetsOpError(f"Requested writing within range [{text}], but tried writing to row [{r0 + height}]")
    if width and c0 + width > c1:
        raise SheetsOpError(f"Requested writing within range [{text}], but tried writing to column [{_a1.index_to_col(c0 + width - 1)}]")
    if r0 + height > sheet.rows or c0 + width > sheet.cols:
        raise SheetsOpError(grid_limit_message(sheet, r0, c0, r0 + max(height, 1), c0 + max(width, 1)))
    cells = 0
    for i, row in enumerate(values):
        if not isinstance(row, list):
            raise SheetsOpError(f"Invalid values[{i}]: {row!r}")
        for j, value in enumerate(row):
            uev = user_entered(value, option)
            if uev is not None:
                cells += 1
            set_value(sheet, r0 + i, c0 + j, uev)
    out = {"spreadsheetId": ss.id}
    if height and width:
        out.update(updatedRange=_a1.format_range(sheet.title, r0, c0, r0 + height, c0 + width), updatedRows=height, updatedColumns=width, updatedCells=cells)
    else:
        out["updatedRange"] = _a1.format_range(sheet.title, r0, c0, r0 + 1, c0 + 1)
    return out


def append_values(ss: Spreadsheet, text: str, values: list, option: str, insert: str = "OVERWRITE") -> dict:
    """values.append: write after the last non-empty row of the table in the range
    (the table is looked up in the range's columns). Grows the grid if needed."""
    sheet, r0, c0, r1, c1 = resolve(ss, text)
    last = r0 - 1
    for (r, c), cell in sheet.cells.items():
        if r0 <= r < r1 and c0 <= c < c1 and cell.get("userEnteredValue"):
            last = max(last, r)
    start = last + 1
    height = len(values)
    width = max((len(row) for row in values), default=0)
    grid = sheet.props["gridProperties"]
    if insert == "INSERT_ROWS" or start + height > sheet.rows:
        grid["rowCount"] = max(sheet.rows, start + height) + (height if insert == "INSERT_ROWS" and start < sheet.rows else 0)
        if insert == "INSERT_ROWS":
            shifted = {}
            for (r, c), cell in sheet.cells.items():
                shifted[(r + height if r >= start else r, c)] = cell
            sheet.cells = shifted
    grid["columnCount"] = max(sheet.cols, c0 + width)
    table = _a1.format_range(sheet.title, r0, c0, max(start, r0 + 1), c0 + max(width, 1)) if last >= r0 else None
    target = _a1.format_range(sheet.title, start, c0, start + max(height, 1), c0 + max(width, 1))
    updates = write_values(ss, target, values, option)
    out = {"spreadsheetId": ss.id, "updates": updates}
    if table:
        out["tableRange"] = table
    return out


def clear_values(ss: Spreadsheet, text: str) -> str:
    sheet, r0, c0, r1, c1 = resolve(ss, text)
    for r, c in list(sheet.cells):
        if r0 <= r < r1 and c0 <= c < c1:
            set_value(sheet, r, c, {})
    return _a1.format_range(sheet.title, r0, c0, r1, c1)


def grid_data(ss: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> dict:
    """GridData for includeGridData (userEnteredValue/effectiveValue/formattedValue/...)."""
    rows = []
    for r in range(r0, r1):
        values = []
        for c in range(c0, c1):
            cell = sheet.cells.get((r, c))
            if not cell:
                values.append({})
                continue
            out = {k: copy.deepcopy(v) for k, v in cell.items()}
            value = effective(ss, sheet, cell)
            if value is not None:
                key = "boolValue" if isinstance(value, bool) else "numberValue" if isinstance(value, (int, float)) else "stringValue"
                out["effectiveValue"] = {key: value}
                out["formattedValue"] = render(ss, sheet, cell, "FORMATTED_VALUE")
            values.append(out)
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    data = {
        "rowMetadata": [{"pixelSize": sheet.rows_meta.get(r, {}).get("pixelSize", 21)} for r in range(r0, r1)],
        "columnMetadata": [{"pixelSize": sheet.cols_meta.get(c, {}).get("pixelSize", 100)} for c in range(c0, c1)],
    }
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    if rows:
        data["rowData"] = rows
    return data


# ---- spreadsheets.batchUpdate ------------------------------------------------

# Valid Google request kinds that only change formatting: accepted, recorded in
# `Sheet.recorded` (or the spreadsheet's first sheet), reply {}.
RECORDED_KINDS = {
    "updateBorders",
    "addConditionalFormatRule",
    "updateConditionalFormatRule",
    "deleteConditionalFormatRule",
    "setBasicFilter",
    "clearBasicFilter",
    "addBanding",
    "updateBanding",
    "deleteBanding",
    "addFilterView",
    "deleteFilterView",
    "updateFilterView",
    "sortRange",
    "addNamedRange",
    "deleteNamedRange",
    "updateNamedRange",
}


def _path_get(obj: dict, path: list[str]):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def _path_set(obj: dict, path: list[str], value) -> None:
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    if value is None:
        obj.pop(path[-1], None)
    else:
        obj[path[-1]] = copy.deepcopy(value)


def apply_mask(target: dict, source: dict, fields: str, everything: list[str]) -> None:
    """FieldMask update: each listed path is copied from source (absent -> cleared)."""
    if not fields:
        raise SheetsOpError("At least one field must be updated, but the 'fields' parameter was empty.")
    for path in [p.strip() for p in fields.split(",") if p.strip()]:
        if path == "*":
            for key in everything:
                _path_set(target, [key], (source or {}).get(key))
            continue
        parts = path.split(".")
        _path_set(target, parts, _path_get(source or {}, parts))


_CELL_FIELDS = ["userEnteredValue", "userEnteredFormat", "note", "dataValidation", "textFormatRuns", "hyperlink", "pivotTable"]


def grid_bounds(ss: Spreadsheet, grid_range: dict):
    sheet_id = grid_range.get("sheetId", 0)
    sheet = ss.by_id(sheet_id)
    if sheet is None:
        raise SheetsOpError(f"No grid with id: {sheet_id}")
    r0 = grid_range.get("startRowIndex", 0)
    c0 = grid_range.get("startColumnIndex", 0)
    r1 = grid_range.get("endRowIndex", sheet.rows)
    c1 = grid_range.get("endColumnIndex", sheet.cols)
    if r1 > sheet.rows or c1 > sheet.cols or r0 < 0 or c0 < 0:
        raise SheetsOpError(grid_limit_message(sheet, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1)))
    return sheet, r0, c0, r1, c1


def _set_cell(sheet: Sheet, r: int, c: int, data: dict | None, fields: str) -> None:
    cell = sheet.cells.get((r, c), {})
    apply_mask(cell, data or {}, fields, _CELL_FIELDS)
    if cell:
        sheet.cells[(r, c)] = cell
    else:
        sheet.cells.pop((r, c), None)


def apply_requests(state: State, ss: Spreadsheet, requests: list) -> list:
    """Apply all requests atomically (all or nothing, like Google). Returns replies."""
    backup = deep_copy(ss)
    replies = []
    try:
        for i, req in enumerate(requests):
            kinds = [k for k, v in req.items() if v is not None]
            if len(kinds) != 1:
                raise SheetsOpError(f"Invalid requests[{i}]: exactly one kind of request must be set, got {kinds or 'none'}.")
            kind = kinds[0]
            handler = _HANDLERS.get(kind)
            try:
                if handler is None and kind in RECORDED_KINDS:
                    sheet_id = _find_sheet_id(req[kind])
                    target = ss.by_id(sheet_id) if sheet_id is not None else ss.sheets[0]
                    (target or ss.sheets[0]).recorded.append({kind: copy.deepcopy(req[kind])})
                    replies.append({})
                    continue
                if handler is None:
                    raise SheetsOpError(f"request kind '{kind}' is valid for Google but is not implemented by the fake")
                replies.append(handler(state, ss, req[kind]) or {})
            except SheetsOpError as exc:
                if str(exc).startswith("Invalid requests["):
                    raise
                raise SheetsOpError(f"Invalid requests[{i}].{kind}: {exc}") from None
    except Exception:
        ss.sheets, ss.props = backup.sheets, backup.props
        raise
    return replies


def _find_sheet_id(obj):
    if isinstance(obj, dict):
        if "sheetId" in obj:
            return obj["sheetId"]
        for v in obj.values():
            found = _find_sheet_id(v)
            if found is not None:
                return found
    if isinstance(obj, list):
        for v in obj:
            found = _find_sheet_id(v)
            if found is not None:
                return found
    return None


def _unique_title(ss: Spreadsheet, title: str, sheet: Sheet | None = None) -> None:
    other = ss.by_title(title)
    if other is not None and other is not sheet:
        raise SheetsOpError(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _add_sheet(state, ss, req):
    props = copy.deepcopy(req.get("properties") or {})
    title = props.get("title")
    if not title:
        n = len(ss.sheets) + 1
        while ss.by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    _unique_title(ss, title)
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = state.new_sheet_id()
    elif ss.by_id(sheet_id):
        raise SheetsOpError(f"Sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = new_sheet(sheet_id, title, 0, grid.get("rowCount", 1000), grid.get("columnCount", 26))
    for key, value in grid.items():
        if key not in ("rowCount", "columnCount") and value:
            sheet.props["gridProperties"][key] = value
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            sheet.props[key] = props[key]
    index = min(props.get("index", len(ss.sheets)), len(ss.sheets))
    ss.sheets.insert(index, sheet)
    ss.reindex()
    return {"addSheet": {"properties": copy.deepcopy(sheet.props)}}


def _sheet(ss, sheet_id) -> Sheet:
    sheet = ss.by_id(sheet_id if sheet_id is not None else 0)
    if sheet is None:
        raise SheetsOpError(f"No grid with id: {sheet_id or 0}")
    return sheet


def _delete_sheet(state, ss, req):
    sheet = _sheet(ss, req.get("sheetId"))
    if len(ss.sheets) == 1:
        raise SheetsOpError("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()


def _duplicate_sheet(state, ss, req):
    src = _sheet(ss, req.get("sourceSheetId"))
    sheet = copy.deepcopy(src)
    sheet.props["sheetId"] = req.get("newSheetId") or state.new_sheet_id()
    sheet.props["title"] = req.get("newSheetName") or f"Copy of {src.title}"
    _unique_title(ss, sheet.title)
    for pr in sheet.protected:
        pr["protectedRangeId"] = state.new_sheet_id()
        pr["range"]["sheetId"] = sheet.id
    for m in sheet.merges:
        m["sheetId"] = sheet.id
    ss.sheets.insert(min(req.get("insertSheetIndex", len(ss.sheets)), len(ss.sheets)), sheet)
    ss.reindex()
    return {"duplicateSheet": {"properties": copy.deepcopy(sheet.props)}}


def _update_sheet_properties(state, ss, req):
    props = req.get("properties") or {}
    sheet = _sheet(ss, props.get("sheetId"))
    before_index = sheet.props["index"]
    apply_mask(sheet.props, props, req.get("fields", ""), ["title", "index", "gridProperties", "hidden", "tabColor", "tabColorStyle", "rightToLeft"])
    sheet.props["sheetId"] = _sheet(ss, props.get("sheetId")).id
    sheet.props.setdefault("sheetType", "GRID")
    grid = sheet.props.setdefault("gridProperties", {})
    grid.setdefault("rowCount", 1000)
    grid.setdefault("columnCount", 26)
    for key in [k for k, v in grid.items() if v in (0, False, None)]:
        del grid[key]
    if not sheet.props.get("title"):
        raise SheetsOpError("Sheet title cannot be empty.")
    _unique_title(ss, sheet.title, sheet)
    if grid.get("frozenRowCount", 0) >= sheet.rows or grid.get("frozenColumnCount", 0) >= sheet.cols:
        raise SheetsOpError("You can't freeze all visible rows on the sheet.")
    sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] < sheet.rows and k[1] < sheet.cols}
    new_index = sheet.props.get("index", before_index)
    if new_index != before_index:
        ss.sheets.remove(sheet)
        ss.sheets.insert(min(new_index, len(ss.sheets)), sheet)
    ss.reindex()


def _update_spreadsheet_properties(state, ss, req):
    props = dict(ss.props)
    f = state.files[ss.id]
    props["title"] = f.name
    apply_mask(
        props,
        req.get("properties") or {},
        req.get("fields", ""),
        ["title", "locale", "autoRecalc", "timeZone", "defaultFormat", "iterativeCalculationSettings"],
    )
    if props.get("title"):
        f.name = props.pop("title")
    ss.props = props


def _update_cells(state, ss, req):
    rows = req.get("rows") or []
    fields = req.get("fields", "")
    if "range" in req and "start" in req:
        raise SheetsOpError("Only one of start or range may be set.")
    if "range" in req:
        sheet, r0, c0, r1, c1 = grid_bounds(ss, req["range"])
    else:
        start = req.get("start") or {}
        sheet = _sheet(ss, start.get("sheetId"))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        r1 = r0 + len(rows)
        c1 = c0 + max((len(r.get("values") or []) for r in rows), default=0)
        if r1 > sheet.rows or c1 > sheet.cols:
            raise SheetsOpError(grid_limit_message(sheet, r0, c0, r1, c1))
    for i in range(r1 - r0):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j in range(c1 - c0):
            _set_cell(sheet, r0 + i, c0 + j, values[j] if j < len(values) else None, fields)


def _repeat_cell(state, ss, req):
    sheet, r0, c0, r1, c1 = grid_bounds(ss, req.get("range") or {})
    for r in range(r0, r1):
        for c in range(c0, c1):
            _set_cell(sheet, r, c, req.get("cell"), req.get("fields", ""))


def _merge_cells(state, ss, req):
    sheet, r0, c0, r1, c1 = grid_bounds(ss, req.get("range") or {})
    kind = req.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ALL":
        boxes = [(r0, c0, r1, c1)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(r0, c, r1, c + 1) for c in range(c0, c1)]
    else:
        boxes = [(r, c0, r + 1, c1) for r in range(r0, r1)]
    kept = []
    for m in sheet.merges:
        mb = (m["startRowIndex"], m["startColumnIndex"], m["endRowIndex"], m["endColumnIndex"])
        inside = r0 <= mb[0] and c0 <= mb[1] and mb[2] <= r1 and mb[3] <= c1
        overlap = mb[0] < r1 and r0 < mb[2] and mb[1] < c1 and c0 < mb[3]
        if overlap and not inside:
            raise SheetsOpError("You must select all cells in a merged range to merge or unmerge them.")
        if not inside:
            kept.append(m)
    for b in boxes:
        if (b[2] - b[0]) * (b[3] - b[1]) > 1:
            kept.append({"sheetId": sheet.id, "startRowIndex": b[0], "endRowIndex": b[2], "startColumnIndex": b[1], "endColumnIndex": b[3]})
    sheet.merges = kept


def _unmerge_cells(state, ss, req):
    sheet, r0, c0, r1, c1 = grid_bounds(ss, req.get("range") or {})
    sheet.merges = [
        m for m in sheet.merges if not (m["startRowIndex"] < r1 and r0 < m["endRowIndex"] and m["startColumnIndex"] < c1 and c0 < m["endColumnIndex"])
    ]


def _add_protected_range(state, ss, req):
    pr = copy.deepcopy(req.get("protectedRange") or {})
    rng = pr.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"))
    if "range" in pr:
        grid_bounds(ss, rng)
    else:
        raise SheetsOpError("A protected range must have a range or a named range.")
    for other in sheet.protected:
        if (
            "startRowIndex" not in other["range"]
            and "startColumnIndex" not in other["range"]
            and "endRowIndex" not in other["range"]
            and "endColumnIndex" not in other["range"]
            and not set(rng) - {"sheetId"}
        ):
            raise SheetsOpError(f"Sheet {sheet.title} is already protected.")
    pr.setdefault("protectedRangeId", state.new_sheet_id())
    pr["range"].setdefault("sheetId", sheet.id)
    pr.setdefault("requestingUserCanEdit", True)
    if not pr.get("warningOnly"):
        editors = pr.setdefault("editors", {})
        users = editors.setdefault("users", [])
        if state.caller_email not in users:
            users.insert(0, state.caller_email)
    sheet.protected.append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


def _find_protected(ss, pr_id):
    for sheet in ss.sheets:
        for pr in sheet.protected:
            if pr["protectedRangeId"] == pr_id:
                return sheet, pr
    raise SheetsOpError(f"No protected range with id: {pr_id}")


def _update_protected_range(state, ss, req):
    new = req.get("protectedRange") or {}
    _sheet, pr = _find_protected(ss, new.get("protectedRangeId"))
    apply_mask(pr, new, req.get("fields", ""), ["range", "description", "warningOnly", "editors", "unprotectedRanges", "namedRangeId"])


def _delete_protected_range(state, ss, req):
    sheet, pr = _find_protected(ss, req.get("protectedRangeId"))
    sheet.protected.remove(pr)


def _set_data_validation(state, ss, req):
    sheet, r0, c0, r1, c1 = grid_bounds(ss, req.get("range") or {})
    rule = req.get("rule")
    for r in range(r0, r1):
        for c in range(c0, c1):
            _set_cell(sheet, r, c, {"dataValidation": rule} if rule else {}, "dataValidation")


def _dimension(ss, rng):
    sheet = _sheet(ss, rng.get("sheetId"))
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise SheetsOpError("dimension must be ROWS or COLUMNS")
    size = sheet.rows if dim == "ROWS" else sheet.cols
    start, end = rng.get("startIndex", 0), rng.get("endIndex", size)
    if end > size or start < 0 or start >= end:
        raise SheetsOpError(f"Invalid dimension range: [{start}, {end}) on {dim} of size {size}")
    meta = sheet.rows_meta if dim == "ROWS" else sheet.cols_meta
    return sheet, dim, start, end, meta


def _update_dimension_properties(state, ss, req):
    _sheet, _dim, start, end, meta = _dimension(ss, req.get("range") or {})
    for i in range(start, end):
        entry = meta.setdefault(i, {})
        apply_mask(entry, req.get("properties") or {}, req.get("fields", ""), ["pixelSize", "hiddenByUser", "hiddenByFilter", "developerMetadata"])


def _auto_resize_dimensions(state, ss, req):
    sheet, dim, start, end, meta = _dimension(ss, req.get("dimensions") or {})
    for i in range(start, end):
        if dim == "ROWS":
            meta.setdefault(i, {})["pixelSize"] = 21
            continue
        longest = max((len(str(render(ss, sheet, cell, "FORMATTED_VALUE"))) for (r, c), cell in sheet.cells.items() if c == i), default=0)
        meta.setdefault(i, {})["pixelSize"] = max(21, longest * 7 + 10) if longest else 100


def _append_dimension(state, ss, req):
    sheet = _sheet(ss, req.get("sheetId"))
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    sheet.props["gridProperties"][key] += req.get("length", 0)


_HANDLERS = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "duplicateSheet": _duplicate_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "updateCells": _update_cells,
    "repeatCell": _repeat_cell,
    "mergeCells": _merge_cells,
    "unmergeCells": _unmerge_cells,
    "addProtectedRange": _add_protected_range,
    "updateProtectedRange": _update_protected_range,
    "deleteProtectedRange": _delete_protected_range,
    "setDataValidation": _set_data_validation,
    "updateDimensionProperties": _update_dimension_properties,
    "autoResizeDimensions": _auto_resize_dimensions,
    "appendDimension": _append_dimension,
}


def spreadsheet_resource(state: State, ss: Spreadsheet, ranges=None, grid=False) -> dict:
    f = state.files[ss.id]
    props = {"title": f.name, **copy.deepcopy(ss.props)}
    sheets = []
    wanted = None
    if ranges:
        wanted = {}
        for text in ranges:
            sheet, r0, c0, r1, c1 = resolve(ss, text)
            wanted.setdefault(sheet.id, []).append((r0, c0, r1, c1))
    for sheet in ss.sheets:
        if wanted is not None and sheet.id not in wanted:
            continue
        out = {"properties": copy.deepcopy(sheet.props)}
        if sheet.merges:
            out["merges"] = copy.deepcopy(sheet.merges)
        if sheet.protected:
            out["protectedRanges"] = copy.deepcopy(sheet.protected)
        if grid:
            boxes = wanted[sheet.id] if wanted else [(0, 0, sheet.rows, sheet.cols)]
            out["data"] = [grid_data(ss, sheet, *b) for b in boxes]
        sheets.append(out)
    return {"spreadsheetId": ss.id, "properties": props, "sheets": sheets, "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{ss.id}/edit"}

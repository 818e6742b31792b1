"""The workspace interface every backend implements (local folder, Google Drive).

A workspace holds, per unit, one spreadsheet (one tab per form) and, when the unit's group
writes a narrative, one document with the outline headings. The engine provisions units,
asks what changed since a cursor, reads a unit as raw cell grids plus the narrative as a
.docx, and writes outputs. Parsing, validation and storage happen above, identically for
every backend.

Errors: backends raise only ``sonket_gsync.core.errors`` types — ``UnitFileError`` /
``NotFound`` / ``AccessDenied`` (permanent, for that unit), ``RateLimited`` /
``WorkspaceUnavailable`` (retryable), ``StorageQuotaExceeded``, ``AuthError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import now
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits
from sonket_gsync.forms.reading import Grid

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class UnitFiles:
    """Where a unit's files are: ids for the backend, links for people."""

    unit_code: str
    sheet_id: str
    sheet_url: str
    doc_id: str = ""
    doc_url: str = ""
    created: bool = False  # True when this provision call created at least one file


@dataclass(frozen=True)
class UnitChange:
    unit_code: str
    modified_at: datetime  # when the unit last changed its files (tz-aware)


@dataclass(frozen=True)
class ChangeSet:
    changed: tuple[UnitChange, ...]
    cursor: str  # opaque; the engine stores it with the data and hands it back next time
    missing: tuple[str, ...] = ()  # unit codes with no files in the workspace


@dataclass(frozen=True)
class UnitSnapshot:
    """A unit's files as read: every tab's cells, and the narrative as .docx bytes."""

    unit_code: str
    sheets: dict[str, Grid]  # tab title as found in the file -> cell grid from A1
    narrative: bytes | None
    modified_at: datetime
    read_started: datetime | None = None  # when read_units began reading it (reads may run ahead)


@dataclass(frozen=True)
class CellBlock:
    """Values to write into a tab, top-left at (row, column), both 1-based."""

    sheet: str
    row: int
    column: int
    values: Grid = field(default_factory=list)


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do. Everything above ``backends/`` asks these, never the kind.

    - ``pushes_changes``: it can notify the service of edits (``watch_changes`` / ``stop_channel``).
    - ``accepts_uploads``: a unit may upload its files through its page (``replace_unit_files``)
      and download them (``unit_file``).
    - ``online_files``: units edit their files online (links open the editors); otherwise the
      links are local paths and staff download outputs through the service.
    - ``keeps_output_revisions``: a rewritten output keeps its earlier revisions as files of
      their own (listed and served by the service); online stores keep them in their own history.
    - ``comments``: staff comments can be put on a unit's files (``add_comments``: Drive comments).
    """

    pushes_changes: bool = False
    accepts_uploads: bool = False
    online_files: bool = False
    keeps_output_revisions: bool = False
    comments: bool = False


@dataclass(frozen=True)
class OutputRef:
    name: str
    url: str
    file_id: str = ""


class Workspace(ABC):
    """One campaign's files in one place."""

    kind: str = ""  # a key for what the store keeps per backend (cursor, file ids); never compared above backends/
    capabilities: Capabilities = Capabilities()
    # What a unit may send (file size, unpacked size, ratio, rows): set from the settings
    # by ``open_workspace``; backends check it before parsing, parse_snapshot after reading.
    limits: Limits = DEFAULT_LIMITS

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def prepare(self) -> None:  # noqa: B027  (optional hook: most backends need nothing)
        """Create the campaign's top-level folders (idempotent). Called before provisioning."""

    @abstractmethod
    def provision(self, unit: Unit) -> UnitFiles:
        """Create whatever of the unit's files is missing; never overwrite a filled file."""

    @abstractmethod
    def links(self, unit: Unit) -> UnitFiles | None:
        """The unit's files if provisioned, else None."""

    @abstractmethod
    def changes(self, cursor: str | None) -> ChangeSet:
        """Units whose files changed since ``cursor`` (all provisioned units when None)."""

    @abstractmethod
    def read_unit(self, unit: Unit) -> UnitSnapshot:
        """Read a unit's spreadsheet (all tabs, raw values) and narrative document."""

    def read_units(self, units: Iterable[Unit]) -> Generator[tuple[Unit, UnitSnapshot | Exception], None, None]:
        """Read units, yielding ``(unit, snapshot)`` or ``(unit, the exception its read raised)``
        in the order given. This default reads one after the other; a backend may read several
        at once (Google: a pool of workers), but results still come back in order, so the
        caller (the lease holder) records them in the store in order. A generator: the caller
        closes it when it stops early (a backend then stops its reads in flight)."""
        for unit in units:
            started = now()
            try:
                snapshot = self.read_unit(unit)
            except Exception as exc:  # handed to the caller, which decides per error type
                yield unit, exc
            else:
                yield unit, replace(snapshot, read_started=started)

    def provision_units(self, units: Iterable[Unit]) -> Iterator[tuple[Unit, UnitFiles | Exception]]:
        """``provision`` for many units, yielding ``(unit, files)`` or ``(unit, exception)`` in
        order (Google: several units at once, within the write quota)."""
        for unit in units:
            try:
                files = self.provision(unit)
            except Exception as exc:
                yield unit, exc
            else:
                yield unit, files

    def refresh(self) -> None:  # noqa: B027  (optional hook: a backend that caches nothing needs nothing)
        """Forget anything cached about the workspace's files (listings, ids). Called when
        this process takes the writer lease: another process may have created files since.
        The local backend caches nothing: no-op."""

    def watch_changes(self, address: str, token: str, channel_id: str, expiration: datetime | None = None) -> dict:
        """Register a push-notification channel for the workspace's changes:
        ``{"channel_id", "resource_id", "expiration": datetime | None}``. Google only."""
        raise no_push()

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """Stop a push-notification channel registered by ``watch_changes``. Google only."""
        raise no_push()

    def unit_file(self, unit: Unit, which: str) -> tuple[str, bytes] | None:
        """The unit's current file as (file name, bytes), ``which`` = "workbook" or
        "narrative"; None when it has none. Backends with ``accepts_uploads`` only."""
        raise no_uploads()

    def replace_unit_files(self, unit: Unit, workbook: bytes, narrative: bytes | None = None) -> None:
        """Replace the unit's files with uploaded ones (already checked and validated), each
        atomically. Backends with ``accepts_uploads`` only."""
        raise no_uploads()

    def add_comments(self, files: UnitFiles, comments: Sequence[tuple[str, str, bool]]) -> int:
        """Put staff's comments on a unit's files, each (where, text, on_narrative): on the
        narrative Doc when ``on_narrative``, else on the Sheet. Returns how many were put.
        Backends with ``comments`` only; others put none."""
        return 0

    def output_file(self, name: str) -> tuple[str, bytes] | None:
        """A compiled output's current bytes, as (download name, bytes), for backends whose
        links open in no browser (not ``online_files``); None when there is none."""
        return None

    def output_revisions(self, name: str) -> list[str]:
        """Ids of an output's earlier revisions, oldest first (``keeps_output_revisions``)."""
        return []

    def output_revision(self, revision: str) -> tuple[str, bytes] | None:
        """An earlier revision of an output by its id, as (download name, bytes), or None."""
        return None

    @abstractmethod
    def write_unit(
        self,
        unit: Unit,
        blocks: Sequence[CellBlock],
        narrative: bytes | None = None,
        modified_at: datetime | None = None,
    ) -> None:
        """Write values into a unit's files as the unit would type them (demo, tests).

        ``narrative`` replaces the document's content with the given .docx. ``modified_at``
        sets the files' modification time where the backend allows it (to simulate a unit
        that answered on a given day).
        """

    @abstractmethod
    def write_output(self, name: str, data: bytes, mime: str) -> OutputRef:
        """Store a compiled output under ``name``; a second write is a new revision of it."""

    @abstractmethod
    def write_summary(self, tabs: dict[str, Grid]) -> OutputRef:
        """Publish the aggregated tables and the unit status as the campaign's "Tổng hợp"
        spreadsheet (one tab per entry, replaced whole each time). Text is written as text:
        a value starting with '=' is never evaluated as a formula."""


def no_uploads() -> ConfigError:
    """The one error for asking uploads of a backend without ``accepts_uploads``."""
    return ConfigError(
        "Nơi lưu biểu mẫu này không nhận tệp tải lên: đơn vị sửa trực tiếp trên tệp trực tuyến của mình.",
        where="SONKET_BACKEND / --backend",
        fix="Mở đường dẫn Google Sheets/Docs của đơn vị để sửa; tải tệp lên chỉ dùng với thư mục cục bộ.",
    )


def no_push() -> ConfigError:
    """The one error for asking push notifications of a backend without ``pushes_changes``."""
    return ConfigError(
        "Thông báo thay đổi tức thời (push notification) chỉ có với Google Drive; thư mục cục bộ không gửi thông báo.",
        where="SONKET_BACKEND / --backend",
        fix="Dùng SONKET_BACKEND=google để nhận thông báo từ Google Drive; với thư mục cục bộ, "
        "hãy đồng bộ theo lịch (cron hoặc lịch chạy sẵn trong dịch vụ) hoặc bấm 'Đồng bộ ngay'.",
    )

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
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Iterable, Iterator, Sequence

from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits
from sonket_gsync.core.text import now

Grid = list[list[object]]  # rows of cell values; None (or "") is an empty cell

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def trim_grid(rows) -> Grid:
    """Cell rows as a backend reads them (ragged, "" or None for empty) as one rectangle:
    trailing empty rows and columns dropped, empty cells None."""
    grid: Grid = []
    width = 0
    last = 0
    for row in rows:
        cells = [None if v == "" else v for v in row]
        end = len(cells)
        while end and cells[end - 1] is None:
            end -= 1
        grid.append(cells[:end])
        if end:
            width = max(width, end)
            last = len(grid)
    del grid[last:]
    for row in grid:
        row.extend([None] * (width - len(row)))
    return grid


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
class OutputRef:
    name: str
    url: str
    file_id: str = ""


class Workspace(ABC):
    """One campaign's files in one place."""

    kind: str = ""
    # What a unit may send (file size, unpacked size, ratio, rows): set from the settings
    # by ``open_workspace``; backends check it before parsing, parse_snapshot after reading.
    limits: Limits = DEFAULT_LIMITS

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def prepare(self) -> None:
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

    def read_units(self, units: Iterable[Unit]) -> Iterator[tuple[Unit, UnitSnapshot | Exception]]:
        """Read units, yielding ``(unit, snapshot)`` or ``(unit, the exception its read raised)``
        in the order given. This default reads one after the other; a backend may read several
        at once (Google: a pool of workers), but results still come back in order, so the
        caller (the lease holder) records them in the store in order."""
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

    def refresh(self) -> None:
        """Forget anything cached about the workspace's files (listings, ids). Called when
        this process takes the writer lease: another process may have created files since.
        The local backend caches nothing: no-op."""

    def watch_changes(
        self, address: str, token: str, channel_id: str, expiration: datetime | None = None
    ) -> dict:
        """Register a push-notification channel for the workspace's changes:
        ``{"channel_id", "resource_id", "expiration": datetime | None}``. Google only."""
        raise _no_push()

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """Stop a push-notification channel registered by ``watch_changes``. Google only."""
        raise _no_push()

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


def _no_push() -> ConfigError:
    return ConfigError(
        "Thông báo thay đổi tức thời (push notification) chỉ có với Google Drive; "
        "thư mục cục bộ không gửi thông báo.",
        where="SONKET_BACKEND / --backend",
        fix="Dùng SONKET_BACKEND=google để nhận thông báo từ Google Drive; với thư mục cục bộ, "
        "hãy đồng bộ theo lịch (cron hoặc lịch chạy sẵn trong dịch vụ) hoặc bấm 'Đồng bộ ngay'.",
    )

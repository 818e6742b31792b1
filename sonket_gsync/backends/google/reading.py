"""Reading units' files from Google: a Sheet exported as .xlsx through Drive (parsed by the
same reader as a local file, ``forms.reading``), ``values.batchGet`` as the fallback, the Doc
exported as .docx, and a pool of workers reading several units at once.

Why export: ``files.export`` is a Drive call, outside the Sheets read quota (60 a minute per
user), which bound a full sync to one unit a second. Google caps an export at 10 MB and answers
403 ``exportSizeLimitExceeded`` beyond; that, any other failed export, an .xlsx the reader
fails to export for any other reason, or a Sheet holding formulas (the .xlsx carries the
formula text; Sheets gives the computed value, as units expect) is read with
``values.batchGet`` instead, as before. An export over the workspace's limits on what a unit
may send (``ws.limits``: rows per form, unpacked size) flags the unit, as a local file would.
Which quota Google really counts ``files.export`` against is not documented: see
``bench/verify_google.py``.

Threads: every worker uses the client's per-thread transport; the limiters are shared. The
caller resolves each unit's file ids (the cached index) in its own thread before handing the
read to a worker, so workers never touch the workspace's caches.
"""

from __future__ import annotations

import logging
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Executor, Future, wait
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

from sonket_gsync.backends.base import DOCX_MIME, XLSX_MIME, Grid, UnitSnapshot
from sonket_gsync.backends.google import sheets as sheet_requests
from sonket_gsync.backends.google.context import ReadContext
from sonket_gsync.campaign.model import Unit
from sonket_gsync.core.errors import AuthError, BadRequest, SonketError, StorageQuotaExceeded, UnitFileError
from sonket_gsync.forms.reading import read_workbook, trim_grid

log = logging.getLogger(__name__)

EXPORT_LIMIT = 10 * 1024 * 1024  # Google refuses to export more (exportSizeLimitExceeded)
T = TypeVar("T")  # an item (a unit)
R = TypeVar("R")  # what prepare gives for it
S = TypeVar("S")  # what work gives for it
S_co = TypeVar("S_co", covariant=True)


def parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.fromtimestamp(0).astimezone()
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_files(ws: ReadContext, unit: Unit, files: dict[str, dict]) -> UnitSnapshot:
    """A unit's snapshot from its (already resolved) Sheet and Doc. Safe in a worker thread."""
    sheet, doc = files["sheet"], files.get("doc")
    where = f"đơn vị {unit.code} ({unit.name})"
    tabs = read_sheet(ws, unit, sheet["id"], f"{where}, bảng tính '{sheet.get('name', '')}'")
    narrative = None
    if doc is not None and ws.campaign.has_narrative(unit):
        narrative = ws.drive.export(doc["id"], DOCX_MIME, where=f"{where}, báo cáo thuyết minh '{doc.get('name', '')}'")
    times = [parse_time(f.get("modifiedTime")) for f in (sheet, doc) if f is not None]
    return UnitSnapshot(unit_code=unit.code, sheets=tabs, narrative=narrative, modified_at=max(times))


def read_sheet(ws: ReadContext, unit: Unit, spreadsheet_id: str, where: str) -> dict[str, Grid]:
    if ws.export_sheets:
        tabs = _exported(ws, unit, spreadsheet_id, where)
        if tabs is not None:
            return tabs
    return read_values(ws, unit, spreadsheet_id, where)


def _exported(ws: ReadContext, unit: Unit, spreadsheet_id: str, where: str) -> dict[str, Grid] | None:
    """Every tab from the .xlsx export, or None when the Sheets API must read it instead."""
    try:
        data = ws.drive.export(spreadsheet_id, XLSX_MIME, where=where)
    except (AuthError, StorageQuotaExceeded):
        raise
    except SonketError as exc:  # too big (403 exportSizeLimitExceeded), refused, gone...
        ws.stats.note("export_failed")
        log.info("Không xuất được bảng tính %s ra .xlsx (%s); đọc bằng Sheets API.", where, exc.message)
        return None
    if not isinstance(data, (bytes, bytearray)) or len(data) > EXPORT_LIMIT:
        ws.stats.note("export_failed")
        return None
    with tempfile.TemporaryDirectory(prefix="sonket-export-") as folder:
        path = Path(folder) / f"{unit.code}.xlsx"
        path.write_bytes(bytes(data))
        try:
            tabs = read_workbook(path, unit.code, ws.limits)
        except UnitFileError as exc:
            # Over the limits on what a unit may send (rows, unpacked size): reading the same
            # content through the Sheets API would defeat them, so the unit is flagged.
            ws.stats.note("export_refused")
            exc.where = exc.where.replace(str(path), where) if exc.where else where
            exc.args = (exc.explain(),)
            raise
    if _has_formula(tabs):
        ws.stats.note("export_formula")
        return None  # Sheets computes formulas; the .xlsx would give their text
    ws.stats.note("export_read")
    return tabs


def _has_formula(tabs: dict[str, Grid]) -> bool:
    return any(isinstance(v, str) and v.startswith("=") for grid in tabs.values() for row in grid for v in row)


def read_values(ws: ReadContext, unit: Unit, spreadsheet_id: str, where: str) -> dict[str, Grid]:
    """The form tabs with ONE values.batchGet (Sheets read quota)."""
    titles = [form.sheet for form in ws.campaign.forms_for(unit)]
    ws.stats.note("values_read")
    try:
        return batch_get(ws, spreadsheet_id, titles, where)
    except BadRequest:
        # A form tab was renamed or deleted ("Unable to parse range"): read every tab that
        # exists; the parser finds renamed forms by their headers.
        existing = [t.get("title", "") for t in ws.tab_properties(spreadsheet_id, where)]
        return batch_get(ws, spreadsheet_id, [t for t in existing if t], where)


def batch_get(ws: ReadContext, spreadsheet_id: str, titles: list[str], where: str) -> dict[str, Grid]:
    if not titles:
        return {}
    call = (
        ws.client.sheets.spreadsheets()
        .values()
        .batchGet(
            spreadsheetId=spreadsheet_id,
            ranges=[sheet_requests.quote_tab(t) for t in titles],
            valueRenderOption="UNFORMATTED_VALUE",
            dateTimeRenderOption="FORMATTED_STRING",
            majorDimension="ROWS",
        )
    )
    answer = ws.client.execute(call, what="Sheets values.batchGet", where=where, sheets="read")
    ranges = answer.get("valueRanges", [])
    return {title: trim_grid(vr.get("values", [])) for title, vr in zip(titles, ranges, strict=False)}


# --- a pool of workers, results in order ---------------------------------------------------


def in_order(
    items: Iterable[T],
    prepare: Callable[[T], R],
    work: Callable[[T, R], S],
    pool: Executor | None,
    window: int,
) -> Generator[tuple[T, S | Exception], None, None]:
    """``work(item, prepare(item))`` for each item on ``pool`` (or in this thread when None),
    yielding ``(item, result or exception)`` in the order of ``items``. ``prepare`` runs in
    the calling thread (it may use caches that are not thread-safe). At most ``window`` items
    are in flight, so memory stays bounded whatever the number of units. Closing the
    iterator early cancels what has not started and waits for what has, so no call to
    Google outlives the caller's run."""
    if pool is None:
        for item in items:
            result: S | Exception
            try:
                result = work(item, prepare(item))
            except Exception as exc:
                result = exc
            yield item, result
        return
    pending: deque[tuple[T, Future[S] | Exception]] = deque()
    try:
        for item in items:
            try:
                prepared = prepare(item)
            except Exception as exc:
                pending.append((item, exc))
            else:
                pending.append((item, pool.submit(work, item, prepared)))
            while len(pending) > window:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        futures = [f for _, f in pending if isinstance(f, Future)]
        for f in futures:
            f.cancel()
        wait(futures)


class _Outcome(Protocol[S_co]):
    """What ``_result`` needs of a Future. Covariant, unlike Future: a caller's Future[S]
    then types the result as S | Exception whatever the context expects."""

    def result(self) -> S_co: ...


def _result(entry: tuple[T, _Outcome[S] | Exception]) -> tuple[T, S | Exception]:
    item, outcome = entry
    if isinstance(outcome, BaseException):
        return item, outcome
    try:
        return item, outcome.result()
    except Exception as exc:
        return item, exc

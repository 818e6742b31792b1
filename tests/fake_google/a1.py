"""A1 notation: parse and format ranges the way the Sheets API reads them.

A parsed range is a `GridRef(title, r0, c0, r1, c1)` with 0-based, half-open
row/column bounds; any bound may be None (unbounded, e.g. `A:C` or `A2:Z`).
`title` is None when the range names no tab (Google then uses the first tab).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$")


class A1Error(ValueError):
    pass


@dataclass(frozen=True)
class GridRef:
    title: str | None
    r0: int | None = None
    c0: int | None = None
    r1: int | None = None
    c1: int | None = None


def col_to_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def index_to_col(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_title(text: str) -> tuple[str | None, str | None]:
    """Split `'Tab'!A1:B2` into (title, cells). Returns (None, text) without '!'."""
    text = text.strip()
    if text.startswith("'"):
        i, buf = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    buf.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(buf), None
                if rest.startswith("!"):
                    return "".join(buf), rest[1:]
                raise A1Error(text)
            buf.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, cells = text.rsplit("!", 1)
        return title, cells
    return None, text


def _parse_cell(part: str) -> tuple[int | None, int | None]:
    m = _CELL.match(part)
    if not m or (not m.group(1) and not m.group(2)):
        raise A1Error(part)
    col = col_to_index(m.group(1)) if m.group(1) else None
    if m.group(2):
        row = int(m.group(2)) - 1
        if row < 0:
            raise A1Error(part)
    else:
        row = None
    return row, col


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None]:
    """`A1:C3` -> (0, 0, 3, 3); `A:C` -> (None, 0, None, 3); `B2` -> (1, 1, 2, 2)."""
    if ":" in cells:
        a, b = cells.split(":", 1)
        ra, ca = _parse_cell(a)
        rb, cb = _parse_cell(b)
        r0 = ra if ra is not None else (0 if ca is not None and rb is not None else None)
        c0 = ca if ca is not None else (0 if ra is not None and cb is not None else None)
        if ra is None and rb is not None and ca is not None:
            r0 = 0
        r1 = rb + 1 if rb is not None else None
        c1 = cb + 1 if cb is not None else None
        if ra is None and rb is None and (ca is None or cb is None):
            raise A1Error(cells)
        if ca is None and cb is None and (ra is None or rb is None):
            raise A1Error(cells)
        if r0 is not None and r1 is not None and r1 <= r0:
            r0, r1 = r1 - 1, r0 + 1
        if c0 is not None and c1 is not None and c1 <= c0:
            c0, c1 = c1 - 1, c0 + 1
        return r0, c0, r1, c1
    row, col = _parse_cell(cells)
    if row is None or col is None:
        raise A1Error(cells)
    return row, col, row + 1, col + 1


def parse(text: str, titles: list[str]) -> GridRef:
    """Parse a range against the spreadsheet's tab titles.

    A bare string that equals a tab title means the whole tab (Google's rule);
    otherwise a bare string is cells on the first tab. Raises A1Error when the
    range cannot be parsed or names a missing tab.
    """
    title, cells = split_title(text)
    if title is None:
        if cells in titles:
            return GridRef(cells)
        try:
            r0, c0, r1, c1 = parse_cells(cells or "")
        except A1Error:
            raise A1Error(text) from None
        return GridRef(None, r0, c0, r1, c1)
    if title not in titles:
        raise A1Error(text)
    if cells is None:
        return GridRef(title)
    try:
        r0, c0, r1, c1 = parse_cells(cells)
    except A1Error:
        raise A1Error(text) from None
    return GridRef(title, r0, c0, r1, c1)


def quote_title(title: str) -> str:
    """Quote a tab title when Google would (anything beyond plain ASCII words)."""
    if _SIMPLE_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """Bounded, 0-based half-open -> `'Tab'!A1:C3` (single cell -> `Tab!B2`)."""
    start = f"{index_to_col(c0)}{r0 + 1}"
    end = f"{index_to_col(c1 - 1)}{r1}"
    cells = start if (r1 - r0 == 1 and c1 - c0 == 1) else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"

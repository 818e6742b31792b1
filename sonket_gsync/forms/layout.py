"""How a form is laid out in a unit's spreadsheet — shared by every backend.

Rows (1-based): 1 title, 2 the unit and the deadline, 3 the instruction note, 4 the header
row, 5 the column numbers [1] [2] ... (only when the form numbers its columns), then the
data rows. Fixed cells (row labels, indicator wording) are written here and locked; the
reader finds the header row by its text, so none of these positions is relied on when
reading back.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from sonket_gsync.campaign.model import Campaign, Form, Indicator, Unit
from sonket_gsync.core.text import clean, format_date, format_number, header_key

TITLE_ROW = 1
UNIT_ROW = 2
# Row 2 of every tab (and a line near the top of the narrative) names the unit the file was
# made for: "Đơn vị: <name> — ...". A file whose line names another unit is refused.
UNIT_LABEL = "Đơn vị:"
_UNIT_SEPARATOR = " — "
_UNIT_LINE = re.compile(re.escape(UNIT_LABEL.rstrip(":").casefold()) + r" ?:")
NOTE_ROW = 3
HEADER_ROW = 4
SAMPLE_MARK = " (chỉ tiêu mẫu – cần thay bằng chỉ tiêu chính thức)"
# The province-wide 2030 target beside a unit's own figures says what it is: the header gets
# this suffix (the reader accepts a header followed by a bracketed remark) and the note a line.
TARGET_KEY = "target_2030"
TARGET_LABEL = " (mục tiêu chung toàn tỉnh)"
TARGET_NOTE = (
    "Cột “Mục tiêu đến năm 2030” là mục tiêu chung của toàn tỉnh theo Kế hoạch, không phải chỉ tiêu giao riêng "
    "cho đơn vị. Các dòng tô xám là chỉ tiêu đơn vị không báo cáo: đã khóa, không cần nhập."
)


@dataclass(frozen=True)
class SheetLayout:
    form: Form
    title: str
    unit_line: str
    note: str
    headers: tuple[str, ...]
    numbering: tuple[str, ...] | None  # "[1]", "[2]", ... or None
    data: tuple[tuple[object, ...], ...]  # prefilled data rows (None where the unit types)
    # Per data row (indicator forms only; empty tuples elsewhere): the indicator's value
    # type, which decides the validation of the row's year cells, and why the row is
    # locked ("" = the unit reports it).
    row_types: tuple[str | None, ...] = ()
    row_locks: tuple[str, ...] = ()

    def row_type(self, index: int) -> str | None:
        return self.row_types[index] if index < len(self.row_types) else None

    def row_lock(self, index: int) -> str:
        return self.row_locks[index] if index < len(self.row_locks) else ""

    @property
    def header_row(self) -> int:
        return HEADER_ROW

    @property
    def first_data_row(self) -> int:
        return HEADER_ROW + (2 if self.numbering else 1)

    @property
    def last_data_row(self) -> int:
        return self.first_data_row + len(self.data) - 1

    @property
    def locked_columns(self) -> tuple[int, ...]:
        """0-based indexes of the columns the service fills."""
        return tuple(i for i, c in enumerate(self.form.columns) if c.fixed)

    def grid(self) -> list[list[object]]:
        """The whole tab from A1, as written at provisioning."""
        width = len(self.headers)
        pad = [None] * (width - 1)
        rows: list[list[object]] = [[self.title, *pad], [self.unit_line, *pad], [self.note, *pad], list(self.headers)]
        if self.numbering:
            rows.append(list(self.numbering))
        rows.extend(list(r) for r in self.data)
        return rows


def workbook_layout(campaign: Campaign, unit: Unit) -> list[SheetLayout]:
    return [sheet_layout(campaign, unit, form) for form in campaign.forms_for(unit)]


def sheet_layout(campaign: Campaign, unit: Unit, form: Form) -> SheetLayout:
    indicators = form.rows == "indicators"
    headers = tuple(c.header + (TARGET_LABEL if indicators and c.key == TARGET_KEY else "") for c in form.columns)
    numbering = tuple(f"[{c.number}]" if c.number else "" for c in form.columns)
    note = form.note
    if indicators and any(c.key == TARGET_KEY for c in form.columns):
        note = f"{note} {TARGET_NOTE}".strip()
    return SheetLayout(
        form=form,
        title=f"{form.appendix.upper()} — {form.title}" if form.appendix else form.title,
        unit_line=f"{UNIT_LABEL} {unit.name} — {campaign.short_name} — Hạn gửi: {format_date(campaign.deadline)}",
        note=note,
        headers=headers,
        numbering=numbering if any(numbering) else None,
        data=tuple(_data_rows(campaign, unit, form)),
        row_types=tuple(i.value_type for i in campaign.indicators) if indicators else (),
        row_locks=tuple(not_reported_reason(campaign, unit, i) for i in campaign.indicators) if indicators else (),
    )


def named_unit(text: object, campaign: Campaign) -> Unit | None:
    """The campaign unit a line "Đơn vị: <name> — ..." names (by name or code, NFC,
    case- and spacing-insensitive), or None when the line is not one or names no unit."""
    line = " ".join(clean(text).split()).casefold()
    found = _UNIT_LINE.match(line)  # with its colon: "Đơn vị tính", a header, is no unit line
    if found is None:
        return None
    name = header_key(line[found.end() :].split(_UNIT_SEPARATOR.strip(), 1)[0]).strip(" -–—")
    if not name:
        return None
    return _unit_keys(campaign).get(name)


_UNIT_KEYS: dict[int, tuple[weakref.ref[Campaign], dict[str, Unit]]] = {}


def _unit_keys(campaign: Campaign) -> dict[str, Unit]:
    """Each unit's name and code as a header key -> the unit (the first unit in campaign order
    when two share a key), built once per campaign object: a sync asks it for every tab."""
    entry = _UNIT_KEYS.get(id(campaign))
    if entry is not None and entry[0]() is campaign:
        return entry[1]
    keys: dict[str, Unit] = {}
    for unit in campaign.units:
        keys.setdefault(header_key(unit.name), unit)
        keys.setdefault(header_key(unit.code), unit)
    key = id(campaign)
    _UNIT_KEYS[key] = (weakref.ref(campaign, lambda _: _UNIT_KEYS.pop(key, None)), keys)
    return keys


def not_reported_reason(campaign: Campaign, unit: Unit, indicator: Indicator) -> str:
    """Why ``unit`` does not report ``indicator`` ("" when it does)."""
    if not indicator.reported_by or unit.code in indicator.reported_by:
        return ""
    known = {u.code: u.name for u in campaign.units}
    names = [known.get(code, code) for code in indicator.reported_by]
    return f"Chỉ tiêu này do {', '.join(names)} báo cáo; đơn vị không nhập số liệu."


def _data_rows(campaign: Campaign, unit: Unit, form: Form) -> list[tuple[object, ...]]:
    width = len(form.columns)
    if form.rows == "open":
        return [(None,) * width for _ in range(form.blank_rows)]
    if form.rows == "fixed":
        return [(label, *([None] * (width - 1))) for label in form.fixed_rows]
    if form.rows == "unit":
        values = {"stt": 1, "unit_name": unit.name}
        return [tuple(values.get(c.key) if c.fixed else None for c in form.columns)]
    # indicators: one row per indicator, its description in the fixed columns
    rows: list[tuple[object, ...]] = []
    for ind in campaign.indicators:
        reason = not_reported_reason(campaign, unit, ind)
        described = {
            "code": ind.code,
            "name": ind.name + (SAMPLE_MARK if ind.sample else "") + (f" — {reason}" if reason else ""),
            "unit_of_measure": ind.unit_of_measure,
            "target_2030": format_number(ind.target_2030) if ind.target_2030 is not None else "",
        }
        rows.append(tuple(described.get(c.key) if c.fixed else None for c in form.columns))
    return rows

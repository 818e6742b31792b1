"""How a form is laid out in a unit's spreadsheet — shared by every backend.

Rows (1-based): 1 title, 2 the unit and the deadline, 3 the instruction note, 4 the header
row, 5 the column numbers [1] [2] ... (only when the form numbers its columns), then the
data rows. Fixed cells (row labels, indicator wording) are written here and locked; the
reader finds the header row by its text, so none of these positions is relied on when
reading back.
"""

from __future__ import annotations

from dataclasses import dataclass

from .campaign import Campaign, Form, Unit
from .text import format_date, format_number

TITLE_ROW = 1
UNIT_ROW = 2
NOTE_ROW = 3
HEADER_ROW = 4
SAMPLE_MARK = " (chỉ tiêu mẫu – cần thay bằng chỉ tiêu chính thức)"


@dataclass(frozen=True)
class SheetLayout:
    form: Form
    title: str
    unit_line: str
    note: str
    headers: tuple[str, ...]
    numbering: tuple[str, ...] | None  # "[1]", "[2]", ... or None
    data: tuple[tuple[object, ...], ...]  # prefilled data rows (None where the unit types)

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
    headers = tuple(c.header for c in form.columns)
    numbering = tuple(f"[{c.number}]" if c.number else "" for c in form.columns)
    return SheetLayout(
        form=form,
        title=f"{form.appendix.upper()} — {form.title}" if form.appendix else form.title,
        unit_line=f"Đơn vị: {unit.name} — {campaign.short_name} — Hạn gửi: {format_date(campaign.deadline)}",
        note=form.note,
        headers=headers,
        numbering=numbering if any(numbering) else None,
        data=tuple(_data_rows(campaign, unit, form)),
    )


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
    rows = []
    for ind in campaign.indicators:
        described = {
            "code": ind.code,
            "name": ind.name + (SAMPLE_MARK if ind.sample else ""),
            "unit_of_measure": ind.unit_of_measure,
            "target_2030": format_number(ind.target_2030) if ind.target_2030 is not None else "",
        }
        rows.append(tuple(described.get(c.key) if c.fixed else None for c in form.columns))
    return rows

"""Role "none": a form the report does not read (any number of them per campaign).

Aggregates: ``other_tables``, form code -> every row of the form with its unit. Workbook: one
tab per form, named by its sheet, listing the rows unit by unit as typed. Nothing in the
draft; the demo answers its columns by type.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sonket_gsync.analysis.roles.base import Grid, Role, date_cell, number_cell
from sonket_gsync.analysis.rows import form_rows
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import clean


class Free(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        return {"other_tables": {f.code: form_rows(f, units, submissions) for f in campaign.forms if f.role == self.name}}

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        return {f.sheet: _tab(f, aggregates.other_tables.get(f.code)) for f in campaign.forms if f.role == self.name}


ROLE = Free("none")


def _tab(form: Form, frame: pd.DataFrame | None) -> Grid:
    rows: Grid = [["Đơn vị", *(c.header for c in form.columns)]]
    if frame is None or frame.empty:
        return rows
    for record in frame.sort_values("unit_order", kind="stable").to_dict("records"):
        cells: list[object] = []
        for col in form.columns:
            value = record.get(col.key)
            if col.type in ("integer", "number", "percent", "year"):
                cells.append(number_cell(value))
            elif col.type == "date":
                cells.append(date_cell(clean(value)) if value is not None and not pd.isna(value) else None)
            else:
                cells.append("" if value is None or (isinstance(value, float) and pd.isna(value)) else clean(value))
        rows.append([record["unit_name"], *cells])
    return rows

"""Rows of one form across the units' submissions, as a pandas frame (shared by the form
roles' aggregation, analysis/roles/)."""

from __future__ import annotations

import pandas as pd

from sonket_gsync.campaign.model import Form
from sonket_gsync.core.text import clean


def form_rows(form: Form | None, units: pd.DataFrame, submissions: dict, *, by_role: bool = False) -> pd.DataFrame:
    """Every row of one form across submissions, with the unit's code, name and order;
    by_role: only the columns that have a role, named by their role."""
    if form is None:
        return pd.DataFrame(columns=["unit_code", "unit_name", "unit_order"])
    roles = form.role_keys
    rows = [
        {**({roles[k]: v for k, v in row.items() if k in roles} if by_role else row), "unit_code": code}
        for code, submission in submissions.items()
        for row in submission.tables.get(form.code) or ()
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["unit_code", "unit_name", "unit_order"])
    frame["unit_name"] = frame["unit_code"].map(units["name"])
    frame["unit_order"] = frame["unit_code"].map(units["order"])
    return frame


def clean_cell(value: object) -> str:
    """clean() for a table cell: None and NaN (a key a row lacked) become ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return clean(value)


def text_column(series: pd.Series) -> pd.Series:
    return series.map(clean_cell)

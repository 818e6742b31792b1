"""Aggregate the units' submissions into the province's tables, with pandas.

Input is one ``UnitRecord`` per unit; only ``record.submission`` (the last accepted version)
is read, so a unit that is invalid now still counts with what it sent before. Units of the
campaign without a record count as missing. Every table lists units in units.csv order.

Tables (pandas DataFrames, one row per line of the report's table):

- ``completeness`` (per unit) and ``group_completeness`` (per group, with a total row).
- ``narrative``: outline item key -> [(unit code, unit name, text)], empty texts skipped;
  texts from form columns that ``feeds`` an outline item join it (after the narratives).
- ``indicator_verdicts``: each indicator judged against its straight line to the target
  (analysis/indicators.py); ``data_problems``: what staff must check (analysis/checks.py).
- what each form role adds (analysis/roles/): ``documents`` and ``document_counts``,
  ``inspection``, ``party`` and ``party_totals``, ``indicators``, ``indicator_years`` and
  ``sample_indicators``, ``other_tables``; read as attributes (``aggregates.party``).

Forms are found by role (forms.toml ``role``) and columns by column role, never by code or
key: a campaign without, say, a documents form gets empty tables, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sonket_gsync.analysis.checks import DataProblem, find_problems
from sonket_gsync.analysis.indicators import IndicatorVerdict, indicator_verdicts
from sonket_gsync.analysis.roles import roles
from sonket_gsync.analysis.rows import clean_cell as _clean_cell
from sonket_gsync.analysis.splitting import split_recipients
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import clean
from sonket_gsync.forms.submission import STATUS_LABELS, UnitRecord, is_sent

STATUSES = ("on_time", "late", "invalid", "missing")


@dataclass
class Aggregates:
    completeness: pd.DataFrame
    group_completeness: pd.DataFrame
    totals: dict[str, int]  # on_time, late, invalid, missing, total, sent
    narrative: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)  # what the form roles' aggregate() returned, by name
    indicator_verdicts: list[IndicatorVerdict] = field(default_factory=list)  # per indicator, against its line (analysis/indicators.py)
    data_problems: list[DataProblem] = field(default_factory=list)  # what staff must check (analysis/checks.py)

    def __getattr__(self, name: str) -> Any:
        """A role's result as an attribute: ``aggregates.documents``, ``aggregates.party_totals``."""
        try:
            return self.__dict__["results"][name]
        except KeyError:
            raise AttributeError(name) from None


def aggregate(campaign: Campaign, records: list[UnitRecord]) -> Aggregates:
    units = _units_frame(campaign, records)
    submissions = {r.unit.code: r.submission for r in records if r.submission is not None and r.unit.code in units.index}
    completeness, group_completeness, totals = _completeness(campaign, units)
    results: dict[str, Any] = {}
    for role in roles():
        mine = role.aggregate(campaign, units, submissions)
        assert not set(mine) & (set(results) | set(Aggregates.__dataclass_fields__)), f"role {role.name} reuses a result name"
        results.update(mine)
    out = Aggregates(
        completeness=completeness,
        group_completeness=group_completeness,
        totals=totals,
        narrative=_narrative(campaign, units, submissions),
        results=results,
    )
    if "indicators" in results:
        out.indicator_verdicts = indicator_verdicts(
            campaign, results["indicators"], results.get("indicator_values", pd.DataFrame()), results["indicator_years"]
        )
    out.data_problems = find_problems(campaign, records, out)
    return out


# --- units and completeness ------------------------------------------------------------------


def _units_frame(campaign: Campaign, records: list[UnitRecord]) -> pd.DataFrame:
    """Every campaign unit, in units.csv order, with its record's status fields."""
    by_code = {r.unit.code: r for r in records}
    group_names = {g.code: g.name for g in campaign.groups}
    group_numbers = {g.code: g.number for g in campaign.groups}
    rows = []
    for unit in campaign.units:
        record = by_code.get(unit.code)
        rows.append(
            {
                "code": unit.code,
                "order": unit.order,
                "name": unit.name,
                "group": unit.group,
                "group_name": group_names[unit.group],
                "group_number": group_numbers[unit.group],
                "status": record.status if record else "missing",
                "submitted_at": record.submitted_at if record else None,
                "last_modified": record.last_modified if record else None,
                "error_count": record.error_count if record else 0,
                "warning_count": record.warning_count if record else 0,
                "flagged": record.flagged if record else False,
                "has_data": bool(record and record.submission is not None),
            }
        )
    frame = pd.DataFrame(rows).set_index("code", drop=False)
    frame.index.name = None
    return frame


def _completeness(campaign: Campaign, units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    per_unit = units.reset_index(drop=True)
    per_unit["status_label"] = per_unit["status"].map(STATUS_LABELS)
    counts = pd.crosstab(units["group"], units["status"]).reindex(index=[g.code for g in campaign.groups], columns=list(STATUSES), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    groups = pd.DataFrame(
        {
            "group": [g.code for g in campaign.groups],
            "number": [g.number for g in campaign.groups],
            "group_name": [g.name for g in campaign.groups],
        }
    )
    groups = groups.join(counts, on="group").fillna(0)
    for column in (*STATUSES, "total"):
        groups[column] = groups[column].astype(int)
    totals = {column: int(groups[column].sum()) for column in (*STATUSES, "total")}
    totals["sent"] = sum(is_sent(s, None if pd.isna(t) else t) for s, t in zip(units["status"], units["submitted_at"], strict=True))
    return per_unit, groups, totals


# --- narrative ------------------------------------------------------------------------------


def _narrative(campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, list[tuple[str, str, str]]]:
    """Per outline item, (unit code, unit name, text): the units' narratives in units.csv
    order, then the answers of form columns that feed the item (split by recipient)."""
    out: dict[str, list[tuple[str, str, str]]] = {item.key: [] for item in campaign.outline_items}
    names = units["name"].to_dict()
    order = units["order"].to_dict()
    ordered = sorted(submissions, key=order.__getitem__)
    for code in ordered:
        for key, text in submissions[code].narrative.items():
            text = clean(text)
            if text and key in out:
                out[key].append((code, names[code], text))
    feeding = [(f, c) for f in campaign.forms for c in f.columns if c.feeds]
    for code in ordered:
        for form, column in feeding:
            for row in submissions[code].tables.get(form.code) or ():
                for key, text in _fed_parts(column, _clean_cell(row.get(column.key))):
                    if text and key in out:
                        out[key].append((code, names[code], text))
    return out


def _fed_parts(column, text: str) -> list[tuple[str, str]]:
    """(outline key, text) for one answer of a column that feeds the outline."""
    if not text:
        return []
    targets = dict(column.feeds)
    if "" in targets:
        return [(targets[""], text)]
    parts = split_recipients(text)
    out = []
    for part in ("trung_uong", "tinh_uy", "other"):
        value = clean(parts.get(part) or "")
        if value:
            key = targets.get(part) or targets.get("other") or targets.get("tinh_uy")
            if key:
                out.append((key, value))
    return out

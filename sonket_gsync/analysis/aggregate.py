"""Aggregate the units' submissions into the province's tables, with pandas.

Input is one ``UnitRecord`` per unit; only ``record.submission`` (the last accepted version)
is read, so a unit that is invalid now still counts with what it sent before. Units of the
campaign without a record count as missing. Every table lists units in units.csv order.

Tables (all pandas DataFrames, one row per line of the report's table):

- ``documents``: Phụ lục 01/1, every document row with its unit, sorted by issuer heading
  (config order I–VI, then anything unrecognised), date, unit order;
  ``document_counts``: documents per issuer heading (every heading, zeros included).
- ``inspection``: Phụ lục 01/2, per body row how many units answered Có/Không for
  inspection and for review, and the inspection forms named.
- ``party``: Phụ lục 02, one row per unit of the groups filling PL02, missing ones marked
  "Chưa báo cáo"; ``party_totals``: members counted and the province rate.
- ``indicators``: per indicator, each year's province figure by its rule, the number of
  units reporting it, the 2030 target and the progress toward it.
- ``completeness`` (per unit) and ``group_completeness`` (per group, with a total row).
- ``narrative``: outline item key -> [(unit code, unit name, text)], empty texts skipped;
  texts from form columns that ``feeds`` an outline item join it (after the narratives).

Forms are found by role (forms.toml ``role``) and columns by column role, never by code or
key: a campaign without, say, a documents form gets empty tables, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.forms.submission import STATUS_LABELS, UnitRecord
from sonket_gsync.core.text import clean, fold_accents, header_key

from sonket_gsync.analysis.indicators import indicator_table as _indicators, indicator_years as _years
from sonket_gsync.analysis.rows import clean_cell as _clean_cell, form_rows as _rows, text_column as _text

STATUSES = ("on_time", "late", "invalid", "missing")
NOT_REPORTED = "Chưa báo cáo"
OTHER_ISSUER = "Khác (chưa xác định cơ quan ban hành)"


@dataclass
class Aggregates:
    documents: pd.DataFrame
    document_counts: pd.DataFrame
    inspection: pd.DataFrame
    party: pd.DataFrame
    party_totals: dict[str, float | int | None]
    indicators: pd.DataFrame
    indicator_years: tuple[int, ...]
    completeness: pd.DataFrame
    group_completeness: pd.DataFrame
    totals: dict[str, int]  # on_time, late, invalid, missing, total, sent
    narrative: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    other_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # role "none" forms by code

    @property
    def sample_indicators(self) -> list[str]:
        return list(self.indicators.loc[self.indicators["sample"], "code"])


def aggregate(campaign: Campaign, records: list[UnitRecord]) -> Aggregates:
    units = _units_frame(campaign, records)
    submissions = {r.unit.code: r.submission for r in records if r.submission is not None and r.unit.code in units.index}
    documents = _documents(campaign, units, submissions)
    party, party_totals = _party(campaign, units, submissions)
    completeness, group_completeness, totals = _completeness(campaign, units)
    return Aggregates(
        documents=documents,
        document_counts=_document_counts(campaign, documents),
        inspection=_inspection(campaign, units, submissions),
        party=party,
        party_totals=party_totals,
        indicators=_indicators(campaign, units, submissions),
        indicator_years=_years(campaign),
        completeness=completeness,
        group_completeness=group_completeness,
        totals=totals,
        narrative=_narrative(campaign, units, submissions),
        other_tables={f.code: _rows(f, units, submissions) for f in campaign.forms if f.role == "none"},
    )


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
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
    counts = pd.crosstab(units["group"], units["status"]).reindex(
        index=[g.code for g in campaign.groups], columns=list(STATUSES), fill_value=0
    )
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
    totals["sent"] = totals["total"] - totals["missing"]
    return per_unit, groups, totals


# --- Phụ lục 01/1: documents -------------------------------------------------------------

def _documents(campaign: Campaign, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    form = campaign.form_with_role("documents")
    headings = _issuer_headings(form)
    columns = ["issuer_index", "issuer_numeral", "issuer", "unit_code", "unit_name", "unit_order", "doc_number", "doc_date", "summary"]
    frame = _rows(form, units, submissions, by_role=True)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    for key in ("issuer", "doc_number", "doc_date", "summary"):
        frame[key] = _text(frame[key]) if key in frame else ""
    by_key = {header_key(h): i for i, h in enumerate(headings)}
    frame["issuer_index"] = frame["issuer"].map(header_key).map(by_key).fillna(len(headings)).astype(int)
    frame["issuer"] = frame["issuer_index"].map(dict(enumerate(headings))).fillna(OTHER_ISSUER)
    frame["issuer_numeral"] = (frame["issuer_index"] + 1).map(roman)
    frame = frame.sort_values(["issuer_index", "doc_date", "unit_order"], kind="stable", key=_dates_last)
    return frame[columns].reset_index(drop=True)


def _issuer_headings(form: Form | None) -> list[str]:
    return list(form.column_for("issuer").choices) if form else []


def _dates_last(series: pd.Series) -> pd.Series:
    """Sort key: empty dates after every real one (ISO dates sort as text)."""
    if series.name == "doc_date":
        return series.replace("", "9999")
    return series


def _document_counts(campaign: Campaign, documents: pd.DataFrame) -> pd.DataFrame:
    headings = _issuer_headings(campaign.form_with_role("documents"))
    counts = documents.groupby("issuer_index").size()
    indexes = list(range(len(headings)))
    if len(headings) in counts.index:
        indexes.append(len(headings))
    return pd.DataFrame(
        {
            "issuer_index": indexes,
            "issuer_numeral": [roman(i + 1) for i in indexes],
            "issuer": [headings[i] if i < len(headings) else OTHER_ISSUER for i in indexes],
            "count": [int(counts.get(i, 0)) for i in indexes],
        }
    )


# --- Phụ lục 01/2: inspection and review -------------------------------------------------

def _inspection(campaign: Campaign, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    form = campaign.form_with_role("inspection")
    bodies = list(form.fixed_rows) if form else []
    out = pd.DataFrame({"body": bodies})
    frame = _rows(form, units, submissions, by_role=True)
    if frame.empty or "body" not in frame:
        for column in ("inspected_yes", "inspected_no", "reviewed_yes", "reviewed_no"):
            out[column] = 0
        out["forms"] = [[] for _ in bodies]
        return out
    by_key = {header_key(b): b for b in bodies}
    frame["body"] = frame["body"].map(header_key).map(by_key)
    frame = frame.dropna(subset=["body"])
    for key in ("inspected", "reviewed"):
        answers = frame[key].map(fold_accents) if key in frame else pd.Series("", index=frame.index)
        frame[f"{key}_yes"] = answers.eq("co")
        frame[f"{key}_no"] = answers.eq("khong")
    counts = frame.groupby("body")[["inspected_yes", "inspected_no", "reviewed_yes", "reviewed_no"]].sum()
    out = out.join(counts, on="body").fillna(0)
    for column in ("inspected_yes", "inspected_no", "reviewed_yes", "reviewed_no"):
        out[column] = out[column].astype(int)
    named = frame.assign(form_text=_text(frame.get("inspection_form", pd.Series("", index=frame.index))))
    named = named[named["inspected_yes"] & named["form_text"].ne("")].sort_values("unit_order", kind="stable")
    named = named.assign(entry=named["unit_name"] + ": " + named["form_text"])
    forms = named.groupby("body")["entry"].agg(list)
    out["forms"] = out["body"].map(forms).map(lambda v: v if isinstance(v, list) else [])
    return out


# --- Phụ lục 02: party committees -------------------------------------------------------

PARTY_TEXT = ("documents", "inspection", "good_practices", "difficulties", "recommendations")


def _party(campaign: Campaign, units: pd.DataFrame, submissions: dict) -> tuple[pd.DataFrame, dict]:
    form = campaign.form_with_role("party_committees")
    groups = [g.code for g in campaign.groups_filling(form)]
    members = units[units["group"].isin(groups)][["code", "order", "name", "status", "has_data"]].rename(
        columns={"code": "unit_code", "name": "unit_name"}
    )
    frame = _rows(form, units, submissions, by_role=True)
    if not frame.empty:
        frame = frame.drop_duplicates("unit_code")  # one row per unit
        keep = ["unit_code", *(k for k in (*PARTY_TEXT, "members_count", "members_rate") if k in frame)]
        members = members.merge(frame[keep], on="unit_code", how="left")
    members = members.reset_index(drop=True)
    members["reported"] = members["unit_code"].isin(frame["unit_code"] if not frame.empty else [])
    for key in PARTY_TEXT:
        values = members[key] if key in members else pd.Series(None, index=members.index, dtype=object)
        members[key] = values.map(_clean_cell).where(members["reported"], NOT_REPORTED)
    for key in ("members_count", "members_rate"):
        values = members[key] if key in members else pd.Series(np.nan, index=members.index)
        members[key] = pd.to_numeric(values, errors="coerce")
    members["stt"] = np.arange(1, len(members) + 1)
    return members, _party_totals(members)


def _party_totals(party: pd.DataFrame) -> dict:
    counted = party["members_count"].sum(min_count=1)
    usable = party[(party["members_rate"] > 0) & party["members_count"].notna()]
    implied = (usable["members_count"] / (usable["members_rate"] / 100)).sum()
    rate = float(usable["members_count"].sum() / implied * 100) if implied > 0 else None
    return {
        "members_count": None if pd.isna(counted) else float(counted),
        "members_rate": rate,
        "units_reported": int(party["reported"].sum()),
        "units_total": int(len(party)),
    }


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
    from sonket_gsync.analysis.synthesis import split_recipients

    parts = split_recipients(text)
    out = []
    for part in ("trung_uong", "tinh_uy", "other"):
        value = clean(parts.get(part) or "")
        if value:
            key = targets.get(part) or targets.get("other") or targets.get("tinh_uy")
            if key:
                out.append((key, value))
    return out

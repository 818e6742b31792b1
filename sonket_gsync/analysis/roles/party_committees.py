"""Role "party_committees" (Phụ lục 02): one row per party committee of the groups filling the
form — documents issued, party members who studied (count and rate), inspection, good
practices, difficulties, recommendations.

Aggregates: ``party``, one row per unit of those groups (units that have not reported marked
"Chưa báo cáo"); ``party_totals``, members counted and the province rate. Report: the
members sentence under the outline item with ``figures = "party_members"`` and the appendix
table with columns [1]–[8] as titled; workbook: a tab titled as the form's sheet.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from sonket_gsync.analysis.roles.base import Cell, Grid, Note, Role, Table, number_cell
from sonket_gsync.analysis.rows import clean_cell, form_rows
from sonket_gsync.campaign.model import Campaign, Column, Form
from sonket_gsync.core.text import format_number
from sonket_gsync.forms.submission import STATUS_LABELS

NOT_REPORTED = "Chưa báo cáo"
TEXT = ("documents", "inspection", "good_practices", "difficulties", "recommendations")
NUMBERS = ("members_count", "members_rate")
LANDSCAPE_WIDTH = 25.5  # cm of table width on a landscape A4 page
# The workbook tab's columns after STT, name and status (those the form has), by column role.
TAB_COLUMNS = ("documents", "members_count", "members_rate", "inspection", "good_practices", "difficulties", "recommendations")


def is_number_text(text: str) -> bool:
    """A cell printed as a number (1.234,5 / 98,5% / 12): right-aligned."""
    return bool(re.fullmatch(r"-?[\d.]+(,\d+)?%?", text.strip())) and any(ch.isdigit() for ch in text)


class PartyCommittees(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        party = _party(campaign, campaign.form_with_role(self.name), units, submissions)
        return {"party": party, "party_totals": _party_totals(party)}

    def facts(self, campaign: Campaign, aggregates: Any, names: dict[str, str]) -> list[str]:
        totals = aggregates.party_totals
        if not totals["units_reported"] or totals["members_count"] is None:
            return []
        rate = totals["members_rate"]
        rate_text = f", đạt {format_number(rate)}% tổng số đảng viên của các đảng bộ đã báo cáo" if rate is not None else ""
        where = f" (chi tiết tại {names['party_committees']})" if "party_committees" in names else ""
        form = campaign.form_with_role(self.name)
        return [
            f"Theo báo cáo của {totals['units_reported']}/{totals['units_total']} {units_noun(campaign, form)}, "
            f"có {format_number(totals['members_count'])} {members_phrase(form)}{rate_text}{where}."
        ]

    def appendix(self, campaign: Campaign, form: Form, aggregates: Any, names: dict[str, str]) -> list[Table | Note]:
        groups = _column_groups(form)
        fixed = {"stt": 1.1, "unit_name": 3.6}
        raw = [0 if cols[0].role in fixed else sum(c.width for c in cols) for _, _, cols in groups]
        room = LANDSCAPE_WIDTH - sum(fixed.get(cols[0].role, 0) for _, _, cols in groups)
        widths = [fixed.get(cols[0].role) or round(w * room / max(1, sum(raw)), 2) for w, (_, _, cols) in zip(raw, groups, strict=True)]
        header = [[Cell(h) for _, h, _ in groups]]
        if any(n for n, _, _ in groups):
            header.append([Cell(f"[{n}]" if n else "", italic=True) for n, _, _ in groups])
        rows = []
        first_text = next((i for i, (_, _, cols) in enumerate(groups) if cols[0].role not in ("stt", "unit_name")), len(groups))
        for r in aggregates.party.to_dict("records"):
            cells = []
            for i, (_, _, cols) in enumerate(groups):
                role = cols[0].role
                if role == "stt":
                    cells.append(Cell(str(r["stt"]), align="center"))
                elif role == "unit_name":
                    cells.append(Cell(r["unit_name"]))
                elif not r["reported"]:
                    if i == first_text:
                        cells.append(Cell(NOT_REPORTED, italic=True, span=len(groups) - first_text))
                else:
                    value = _value(r, cols)
                    cells.append(Cell(value, align="right" if is_number_text(value.split(" (")[0]) else "left"))
            rows.append(cells)
        rows.append(_total_row(groups, aggregates.party_totals))
        return [Table(widths, header, rows, cant_split=False)]

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        form = campaign.form_with_role(self.name)
        if not form:
            return {}
        present = [(role, column.header) for role in TAB_COLUMNS if (column := form.column_for(role))]
        own = {role: column.header for role in ("stt", "unit_name") if (column := form.column_for(role))}
        rows: Grid = [[own.get("stt", "STT"), own.get("unit_name", "Tên đơn vị"), "Trạng thái", *(h for _, h in present)]]
        for r in aggregates.party.to_dict("records"):
            values = [number_cell(r[k]) if k in NUMBERS else r[k] for k, _ in present]
            rows.append([int(r["stt"]), r["unit_name"], STATUS_LABELS[r["status"]], *values])
        t = aggregates.party_totals
        total = {"members_count": number_cell(t["members_count"]), "members_rate": number_cell(t["members_rate"])}
        rows.append(["", f"Tổng cộng ({t['units_reported']}/{t['units_total']} đơn vị đã báo cáo)", "", *(total.get(k) for k, _ in present)])
        return {form.sheet or form.title: rows}  # the form's own sheet title: no campaign's words in the code


def units_noun(campaign: Campaign, form: Form | None) -> str:
    """The units filling the form as the configuration names them ("Các đảng ủy trực thuộc
    tỉnh" -> "đảng ủy trực thuộc tỉnh"); "đơn vị" when several groups fill it."""
    groups = campaign.groups_filling(form)
    if len(groups) != 1:
        return "đơn vị"
    name = re.sub(r"^(các|những)\s+", "", groups[0].name.strip(), flags=re.IGNORECASE)
    return name[:1].lower() + name[1:]


def members_phrase(form: Form | None) -> str:
    """What the members column counts, from its header ("Số lượng đảng viên tham gia học tập,
    quán triệt" -> "đảng viên tham gia học tập, quán triệt")."""
    column = form.column_for("members_count") if form else None
    header = column.header if column else ""
    phrase = re.sub(r"^(số lượng|số)\s+", "", header.strip(), flags=re.IGNORECASE)
    phrase = re.sub(r"\s*\([^)]*\)\s*$", "", phrase)
    return phrase[:1].lower() + phrase[1:] if phrase else "đảng viên"


ROLE = PartyCommittees("party_committees", figures="party_members", has_appendix=True)


# --- aggregation -------------------------------------------------------------------------------


def _party(campaign: Campaign, form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    groups = [g.code for g in campaign.groups_filling(form)]
    members = units[units["group"].isin(groups)][["code", "order", "name", "status", "has_data"]].rename(columns={"code": "unit_code", "name": "unit_name"})
    frame = form_rows(form, units, submissions, by_role=True)
    if not frame.empty:
        frame = frame.drop_duplicates("unit_code")  # one row per unit
        keep = ["unit_code", *(k for k in (*TEXT, *NUMBERS) if k in frame)]
        members = members.merge(frame[keep], on="unit_code", how="left")
    members = members.reset_index(drop=True)
    members["reported"] = members["unit_code"].isin(frame["unit_code"] if not frame.empty else [])
    for key in TEXT:
        values = members[key] if key in members else pd.Series(None, index=members.index, dtype=object)
        members[key] = values.map(clean_cell).where(members["reported"], NOT_REPORTED)
    for key in NUMBERS:
        values = members[key] if key in members else pd.Series(np.nan, index=members.index)
        members[key] = pd.to_numeric(values, errors="coerce")
    members["stt"] = np.arange(1, len(members) + 1)
    return members


def _party_totals(party: pd.DataFrame) -> dict:
    counted = party["members_count"].sum(min_count=1)
    usable = party[(party["members_rate"] > 0) & party["members_count"].notna()]
    implied = (usable["members_count"] / (usable["members_rate"] / 100)).sum()
    rate = float(usable["members_count"].sum() / implied * 100) if implied > 0 else None
    return {
        "members_count": None if pd.isna(counted) else float(counted),
        "members_rate": rate,
        "units_reported": int(party["reported"].sum()),
        "units_total": len(party),
    }


# --- the appendix table ------------------------------------------------------------------------


def _column_groups(form: Form) -> list[tuple[str, str, list[Column]]]:
    """(number, header, columns) for the table: columns sharing a number merged."""
    groups: list[tuple[str, str, list[Column]]] = []
    for col in form.columns:
        if not col.role:
            continue
        if col.number and groups and groups[-1][0] == col.number:
            groups[-1][2].append(col)
            continue
        groups.append((col.number, col.group_header or col.header, [col]))
    return groups


def _value(row: dict, columns: list[Column]) -> str:
    values = []
    for col in columns:
        value = row.get(col.role)
        if col.type in ("integer", "number", "percent"):
            if value is None or pd.isna(value):
                continue
            values.append(format_number(value) + ("%" if col.type == "percent" else ""))
        elif value:
            values.append(str(value))
    if len(values) == 2 and all(is_number_text(v) for v in values):
        return f"{values[0]} ({values[1]})"
    return " – ".join(values)


def _total_row(groups: list[tuple[str, str, list[Column]]], totals: dict) -> list[Cell]:
    cells = []
    for _, _, cols in groups:
        roles = {c.role for c in cols}
        if "unit_name" in roles:
            cells.append(Cell(f"Tổng cộng ({totals['units_reported']}/{totals['units_total']} đảng ủy đã báo cáo)", bold=True))
        elif "members_count" in roles and totals["members_count"] is not None:
            rate = f" ({format_number(totals['members_rate'])}%)" if totals["members_rate"] is not None else ""
            cells.append(Cell(f"{format_number(totals['members_count'])}{rate}", bold=True, align="right"))
        else:
            cells.append(Cell(""))
    return cells

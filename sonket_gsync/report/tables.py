"""The aggregated tables: one tab per table (the "Tổng hợp" spreadsheet on Google, the one
tong-hop.xlsx locally), found by form role, with typed values (numbers as numbers, dates as
dates); the .xlsx is formatted by forms/workbook.py (``summary_workbook_bytes``). Rule names
are Vietnamese.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles import Grid, roles
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import to_local
from sonket_gsync.forms.workbook import summary_workbook_bytes as tables_workbook_bytes  # the tabs as a formatted .xlsx
from sonket_gsync.report.appendix import status_note

__all__ = ["summary_tabs", "tables_workbook_bytes"]


def summary_tabs(campaign: Campaign, aggregates: Aggregates) -> dict[str, Grid]:
    """Header row + rows per table, for Workspace.write_summary (Google tabs or the .xlsx):
    the form roles' tabs (analysis/roles/, in FORM_ROLES order), then progress and status."""
    tabs: dict[str, Grid] = {}
    for role in roles():
        tabs.update(role.workbook_tabs(campaign, aggregates))
    tabs["Tiến độ theo nhóm"] = _groups_tab(aggregates)
    tabs["Trạng thái"] = _status_tab(aggregates)
    return tabs


def _moment(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return to_local(value).replace(tzinfo=None)


def _groups_tab(aggregates: Aggregates) -> Grid:
    rows: Grid = [["Nhóm", "Đúng hạn", "Trễ hạn", "Có lỗi", "Chưa gửi", "Tổng số"]]
    for g in aggregates.group_completeness.to_dict("records"):
        rows.append([f"{g['number']}. {g['group_name']}", *(int(g[k]) for k in ("on_time", "late", "invalid", "missing", "total"))])
    t = aggregates.totals
    rows.append(["Toàn tỉnh", t["on_time"], t["late"], t["invalid"], t["missing"], t["total"]])
    return rows


def _status_tab(aggregates: Aggregates) -> Grid:
    rows: Grid = [["Đơn vị", "Nhóm", "Trạng thái", "Gửi lần đầu", "Thay đổi gần nhất", "Số lỗi", "Ghi chú"]]
    for u in aggregates.completeness.to_dict("records"):
        rows.append(
            [u["name"], u["group_name"], u["status_label"], _moment(u["submitted_at"]), _moment(u["last_modified"]), int(u["error_count"]), status_note(u)]
        )
    return rows

"""The aggregated tables: one tab per table (the "Tổng hợp" spreadsheet on Google, the one
tong-hop.xlsx locally), found by form role, with typed values (numbers as numbers, dates as
dates); the .xlsx is formatted by forms/workbook.py (``summary_workbook_bytes``). Rule names
are Vietnamese.

Besides the form roles' tabs: the units' figures per indicator with how the province figure
is made ("Chỉ tiêu theo đơn vị"), the units' narratives by outline item ("Ý kiến theo đề
cương"), the data problems found ("Vấn đề về số liệu"), progress by group and the submission
status. A tab's total ("Tổng cộng") follows an empty row: the workbook keeps it outside the
filter (sorting never moves it) and writes it as a formula (``Formula``: SUM, or COUNTA for a
count of rows) over the data rows.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from openpyxl.utils import get_column_letter

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.problem_kinds import kind_label
from sonket_gsync.analysis.roles import Grid, roles
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import to_local
from sonket_gsync.forms.workbook import Formula
from sonket_gsync.forms.workbook import summary_workbook_bytes as tables_workbook_bytes  # the tabs as a formatted .xlsx
from sonket_gsync.report.appendix import status_note
from sonket_gsync.report.language import heading_title
from sonket_gsync.report.notes import data_problems

__all__ = ["Formula", "summary_tabs", "tables_workbook_bytes", "with_total"]

TOTAL = "Tổng cộng"
NO_TOTAL = ("indicators",)  # roles whose tabs have no total that makes sense (one row per indicator)
_TOTAL_LABELS = ("Tổng cộng", "Toàn tỉnh")


def summary_tabs(campaign: Campaign, aggregates: Aggregates) -> dict[str, Grid]:
    """Header row + rows per table, for Workspace.write_summary (Google tabs or the .xlsx):
    the form roles' tabs (analysis/roles/, in FORM_ROLES order), then the units' figures, the
    narratives, the data problems, progress and status."""
    tabs: dict[str, Grid] = {}
    for role in roles():
        for title, grid in role.workbook_tabs(campaign, aggregates).items():
            tabs[title] = grid if role.name in NO_TOTAL else _role_total(grid)
    figures = _unit_figures_tab(campaign, aggregates)
    if figures:
        tabs["Chỉ tiêu theo đơn vị"] = figures
    tabs["Ý kiến theo đề cương"] = _narratives_tab(campaign, aggregates)
    tabs["Vấn đề về số liệu"] = _problems_tab(aggregates)
    tabs["Tiến độ theo nhóm"] = _groups_tab(aggregates)
    tabs["Trạng thái"] = _status_tab(aggregates)
    return {title: _blanks(grid) for title, grid in tabs.items()}


def _blanks(grid: Grid) -> Grid:
    """Empty texts as empty cells (None): a sheet of 1,500 units writes no cell for nothing."""
    return [grid[0], *([None if v == "" else v for v in row] for row in grid[1:])] if grid else grid


# --- totals --------------------------------------------------------------------------------


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def with_total(grid: Grid, *, label: str = TOTAL, label_column: int = 0, sums: tuple[int, ...] = (), counts: tuple[int, ...] = ()) -> Grid:
    """The grid with, after an empty row, a total row: SUM over ``sums`` columns and COUNTA
    (non-empty cells) over ``counts`` columns (0-based), each a Formula over the data rows."""
    rows = len(grid) - 1
    if rows < 1:
        return grid
    width = max(len(r) for r in grid)
    total: list[object] = [None] * width
    total[label_column] = label
    first, last = 2, rows + 1
    for c in sums:
        column = get_column_letter(c + 1)
        values = _numbers(grid[1:], c)
        value: float | int = sum(values) if values else 0
        total[c] = Formula(f"=SUM({column}{first}:{column}{last})", round(value, 4) if isinstance(value, float) else value)
    for c in counts:
        column = get_column_letter(c + 1)
        value = sum(1 for r in grid[1:] if c < len(r) and r[c] not in (None, ""))
        total[c] = Formula(f"=COUNTA({column}{first}:{column}{last})", value)
    return [*grid, [], total]


def _numbers(rows: Grid, c: int) -> list[float | int]:
    return [v for r in rows if c < len(r) and isinstance(v := r[c], (int, float)) and _number(v)]


def _role_total(grid: Grid) -> Grid:
    """A role's tab whose last row is its total: that row moved after an empty row, its
    figures that are the column's sum written as SUM formulas (a rate stays the value the
    role computed: it is not a sum); a tab of counts without a total gets one."""
    if len(grid) < 2:
        return grid
    last = grid[-1]
    is_total = any(isinstance(v, str) and v.startswith(_TOTAL_LABELS) for v in last)
    if not is_total:
        numeric = [c for c in range(len(grid[0])) if _all_counts(grid, c)]
        if not numeric:  # a list (documents, a free form's rows): how many rows it has
            return with_total(grid, label_column=0, counts=(1,)) if len(grid[0]) > 1 else grid
        label_column = next((c for c in range(len(grid[0])) if c not in numeric), 0)
        return with_total(grid, label_column=label_column, sums=tuple(numeric))
    data = grid[:-1]
    total: list[object] = list(last)
    for c, value in enumerate(last):
        if not isinstance(value, (int, float)) or not _number(value):
            continue
        values = _numbers(data[1:], c)
        if values and abs(sum(values) - float(value)) < 1e-6 * max(1.0, abs(float(value))):
            column = get_column_letter(c + 1)
            total[c] = Formula(f"=SUM({column}2:{column}{len(data)})", value)
    return [*data, [], total]


def _all_counts(grid: Grid, c: int) -> bool:
    """Every data cell of column ``c`` a whole number and the header names a count."""
    header = str(grid[0][c]).lower() if c < len(grid[0]) else ""
    cells = [r[c] for r in grid[1:] if c < len(r)]
    return bool(cells) and all(isinstance(v, int) and not isinstance(v, bool) for v in cells) and ("số" in header or "(số đơn vị)" in header)


# --- the units' figures per indicator --------------------------------------------------------


def _unit_figures(aggregates: Aggregates) -> pd.DataFrame | None:
    """The analysis's frame of every unit's figure per indicator and year, when it keeps one."""
    for value in aggregates.results.values():
        if isinstance(value, pd.DataFrame) and {"unit_code", "code", "year", "value"} <= set(value.columns):
            return value
    return None


def _verdict_labels(campaign: Campaign, aggregates: Aggregates) -> dict[str, str]:
    """Indicator code -> its verdict as printed in the draft's table."""
    try:
        from sonket_gsync.analysis.roles.indicators import indicator_rows
    except ImportError:  # pragma: no cover - the role always exists
        return {}
    rows = indicator_rows(campaign, aggregates)
    codes = list(aggregates.indicators["code"])
    return {code: str(r.get("status", "")) for code, r in zip(codes, rows, strict=False)}


def _unit_figures_tab(campaign: Campaign, aggregates: Aggregates) -> Grid:
    if "indicators" not in aggregates.results or aggregates.indicators.empty:
        return []
    figures = _unit_figures(aggregates)
    if figures is None or figures.empty:
        return []
    form = campaign.form_with_role("indicators")
    years = list(aggregates.indicator_years)
    year_headers = {c.year: c.header for c in form.year_columns} if form else {}
    labels = {y: year_headers.get(y, str(y)) for y in years}
    from sonket_gsync.analysis.roles.indicators import AGGREGATE_NAMES

    header_of = {c.key: c.header for c in form.columns} if form else {}
    names = dict(zip(aggregates.completeness["code"], aggregates.completeness["name"], strict=True))
    verdicts = _verdict_labels(campaign, aggregates)
    table = aggregates.indicators.set_index("code")
    header: list[object] = [
        header_of.get("code", "Mã"),
        header_of.get("name", "Chỉ tiêu"),
        header_of.get("unit_of_measure", "Đơn vị tính"),
        "Cách tổng hợp",
        "Đơn vị chịu trách nhiệm",
        "Đơn vị báo cáo",
        *(labels[y] for y in years),
        "Tính vào số liệu của tỉnh",
        "Cần kiểm tra",
        *(f"Số liệu của tỉnh – {labels[y]}" for y in years),
        "Đánh giá",
    ]
    rows: Grid = [header]
    problem_names = {"impossible": "Giá trị không thể có", "outlier": "Khác xa các đơn vị khác"}
    keys = ["code", "unit_code"]
    figures = figures.drop_duplicates([*keys, "year"])
    wide = figures.pivot(index=keys, columns="year", values="value").reindex(columns=years)
    counted = figures.groupby(keys)["counted"].any() if "counted" in figures else pd.Series(True, index=wide.index)
    flagged = figures[figures["problem"].ne("")] if "problem" in figures else figures.iloc[0:0]
    problems = flagged.groupby(keys)["problem"].agg(lambda s: ", ".join(sorted({problem_names.get(p, p) for p in s})))
    frame = wide.reset_index()
    frame["counted"] = counted.reindex(wide.index).fillna(False).to_numpy()
    frame["problem"] = problems.reindex(wide.index).fillna("").to_numpy()
    unit_order = {code: i for i, code in enumerate(aggregates.completeness["code"])}
    indicator_order = {code: i for i, code in enumerate(table.index)}
    frame = frame[frame["code"].isin(indicator_order)]
    frame = frame.assign(_i=frame["code"].map(indicator_order), _u=frame["unit_code"].map(unit_order).fillna(len(unit_order)))
    frame = frame.sort_values(["_i", "_u"], kind="stable")
    fixed = {}
    province: Grid = []  # per indicator, after the total: how the province figure is made, and its verdict
    for code, ind in table.iterrows():
        rule = str(ind.get("aggregate", ""))
        responsible = str(ind.get("responsible", "") or "")
        fixed[code] = [code, ind["name"], ind["unit_of_measure"], AGGREGATE_NAMES.get(rule, _rule_name(rule)), names.get(responsible, responsible) or None]
        label = f"Số liệu của tỉnh ({AGGREGATE_NAMES.get(rule, _rule_name(rule)).lower()})"
        province.append([*fixed[code], label, *([None] * (len(years) + 2)), *(_cell(ind.get(f"value_{y}")) for y in years), verdicts.get(code) or None])
    columns = [frame[y].to_numpy() for y in years]
    # A unit's row holds what is the unit's (the province's figures and the verdict are the
    # rows after the total: one per indicator, not repeated on every unit's row).
    for index, (code, unit, counted_, problem) in enumerate(zip(frame["code"], frame["unit_code"], frame["counted"], frame["problem"], strict=True)):
        rows.append([*fixed[code], names.get(unit, unit), *(_cell(c[index]) for c in columns), "Có" if counted_ else "Không", problem or None])
    return [*with_total(rows, label_column=4, counts=(5,)), *province]


def _rule_name(rule: str) -> str:
    return {"unit": "Số liệu của đơn vị chịu trách nhiệm"}.get(rule, rule)


def _cell(value) -> float | int | None:
    if value is None or (isinstance(value, float) and value != value) or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)


# --- narratives, problems, progress, status --------------------------------------------------


def _narratives_tab(campaign: Campaign, aggregates: Aggregates) -> Grid:
    """Every unit's text under every outline item, in full (nothing a unit sent is lost)."""
    groups = dict(zip(aggregates.completeness["code"], aggregates.completeness["group_name"], strict=True))
    rows: Grid = [["Mục", "Nội dung đề cương", "Đơn vị", "Nhóm", "Ý kiến của đơn vị"]]
    for section in campaign.outline:
        for item in section.answerable:
            number = f"{section.number}.{item.number}" if section.items else section.number
            title = heading_title(item.title if section.items else section.title)
            for code, name, text in aggregates.narrative.get(item.key, []):
                rows.append([number, title, name, groups.get(code, ""), text])
    return with_total(rows, label_column=1, counts=(2,))


def _problems_tab(aggregates: Aggregates) -> Grid:
    rows: Grid = [["STT", "Đơn vị", "Loại vấn đề", "Vị trí", "Nội dung"]]
    for i, p in enumerate(data_problems(aggregates), start=1):
        rows.append([i, p.unit_name, kind_label(p.kind), p.where, p.message])
    return with_total(rows, label_column=1, counts=(4,))


def _moment(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return to_local(value).replace(tzinfo=None)


def _groups_tab(aggregates: Aggregates) -> Grid:
    rows: Grid = [["Nhóm", "Đúng hạn", "Trễ hạn", "Có lỗi", "Chưa gửi", "Tổng số"]]
    for g in aggregates.group_completeness.to_dict("records"):
        rows.append([f"{g['number']}. {g['group_name']}", *(int(g[k]) for k in ("on_time", "late", "invalid", "missing", "total"))])
    return with_total(rows, sums=(1, 2, 3, 4, 5))


def _status_tab(aggregates: Aggregates) -> Grid:
    rows: Grid = [["Đơn vị", "Nhóm", "Trạng thái", "Gửi lần đầu", "Thay đổi gần nhất", "Số lỗi", "Ghi chú"]]
    for u in aggregates.completeness.to_dict("records"):
        rows.append(
            [u["name"], u["group_name"], u["status_label"], _moment(u["submitted_at"]), _moment(u["last_modified"]), int(u["error_count"]), status_note(u)]
        )
    return with_total(rows, label_column=1, counts=(0,), sums=(5,))

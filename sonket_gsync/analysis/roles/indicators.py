"""Role "indicators": each unit's figures per indicator (indicators.toml) and year.

Aggregates: ``indicators``, per indicator each year's province figure by its rule, the units
reporting it, the 2030 target and the progress (analysis/indicators.py); ``indicator_years``;
``sample_indicators``, the codes of sample indicators. Report: the template's indicator
table under the outline item with ``figures = "indicators"`` (report/indicators.py draws it
from ``indicator_rows`` here) and its note; workbook: "Chỉ tiêu". The demo reports every
indicator near its target, rising a little year on year.

Status rule (printed under the table by ``indicator_note``): "Đã đạt" when the latest figure
reaches the target; "Đúng tiến độ" when progress (latest figure / target) is at least the
share of the period elapsed (baseline = the year before the first indicator year, up to
2030); "Chậm tiến độ" below that; "Chưa đánh giá" without a target or a figure.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sonket_gsync.analysis.indicators import indicator_table, indicator_years
from sonket_gsync.analysis.roles.base import DemoAsk, Grid, Role, number_cell
from sonket_gsync.campaign.model import Campaign, Form, Indicator, Unit
from sonket_gsync.core.text import format_number

TARGET_YEAR = 2030
AGGREGATE_NAMES = {
    "sum": "Tổng",
    "mean": "Bình quân",
    "weighted_mean": "Bình quân gia quyền",
    "max": "Lớn nhất",
    "min": "Nhỏ nhất",
}
STATUSES = ("Đã đạt", "Đúng tiến độ", "Chậm tiến độ", "Chưa đánh giá")
SAMPLE_MARK = "*"


class Indicators(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        form = campaign.form_with_role(self.name)
        table = indicator_table(campaign, form, units, submissions)
        return {
            "indicators": table,
            "indicator_years": indicator_years(campaign, form),
            "sample_indicators": list(table.loc[table["sample"], "code"]),
        }

    def table_in_body(self, aggregates: Any) -> bool:
        return not aggregates.indicators.empty  # facts are printed with the table (report/indicators.py)

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        if aggregates.indicators.empty:
            return {}
        years = aggregates.indicator_years
        header: list[object] = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Mục tiêu đến năm 2030"]
        for y in years:
            header += [year_label(campaign, y), f"Số đơn vị có số liệu năm {y}"]
        header += ["Năm gần nhất có số liệu", "Tiến độ so với mục tiêu 2030 (%)", "Đánh giá", "Ghi chú"]
        rows: Grid = [header]
        views = indicator_rows(campaign, aggregates)
        for number, (ind, view) in enumerate(zip(aggregates.indicators.to_dict("records"), views, strict=True), start=1):
            row = [number, ind["code"], ind["name"], ind["unit_of_measure"], AGGREGATE_NAMES[ind["aggregate"]], number_cell(ind["target_2030"])]
            for y in years:
                row += [number_cell(ind[f"value_{y}"]), int(ind[f"units_{y}"])]
            latest = None if pd.isna(ind["latest_year"]) else int(ind["latest_year"])
            row += [latest, number_cell(ind["progress"]), view["status"], "Chỉ tiêu mẫu – chưa phải chỉ tiêu chính thức" if ind["sample"] else ""]
            rows.append(row)
        return {"Chỉ tiêu": rows}

    def demo_rows(self, form: Form, ask: DemoAsk) -> list[dict[str, object]]:
        rows = _demo_figures(ask.campaign, ask.unit, form, ask.rng)
        notes = [c for c in form.input_columns if c.type == "text"]
        for row in rows:  # a few notes beside the figures
            for col in notes:
                row[col.key] = ask.writer.choice("indicator_notes")[: col.max_length] if ask.rng.random() < 0.15 else None
        return rows


ROLE = Indicators("indicators", figures="indicators")


# --- progress toward the 2030 targets ----------------------------------------------------------


def year_label(campaign: Campaign, year: int) -> str:
    return f"Ước thực hiện năm {year}" if year in campaign.estimated_years else f"Năm {year}"


def baseline_year(aggregates: Any) -> int:
    return (aggregates.indicator_years[0] - 1) if aggregates.indicator_years else TARGET_YEAR - 1


def elapsed_share(aggregates: Any, year: int) -> float:
    baseline = baseline_year(aggregates)
    return max(0.0, min(1.0, (year - baseline) / (TARGET_YEAR - baseline))) if baseline < TARGET_YEAR else 1.0


def status(ind: dict, aggregates: Any) -> str:
    target, latest, year = ind["target_2030"], ind["latest_value"], ind["latest_year"]
    if pd.isna(target) or not target or pd.isna(latest) or pd.isna(year):
        return STATUSES[3]
    if latest >= target:
        return STATUSES[0]
    return STATUSES[1] if latest / target >= elapsed_share(aggregates, int(year)) else STATUSES[2]


def indicator_rows(campaign: Campaign, aggregates: Any) -> list[dict]:
    """Per indicator, the texts printed in the draft's table: number (sample marked), name,
    unit, target, figures per year, progress and status."""
    rows = []
    for number, ind in enumerate(aggregates.indicators.to_dict("records"), start=1):
        rows.append(
            {
                "number": f"{number}{SAMPLE_MARK if ind['sample'] else ''}",
                "name": ind["name"],
                "unit_of_measure": ind["unit_of_measure"],
                "target": format_number(ind["target_2030"]) if pd.notna(ind["target_2030"]) else "",
                "figures": [format_number(ind[f"value_{y}"]) for y in aggregates.indicator_years],
                "progress": format_number(ind["progress"]) if pd.notna(ind["progress"]) else "",
                "status": status(ind, aggregates),
                "sample": bool(ind["sample"]),
            }
        )
    return rows


def indicator_facts(campaign: Campaign, aggregates: Any) -> list[str]:
    rows = indicator_rows(campaign, aggregates)
    if not rows:
        return []
    by_status = {s: [r["number"].rstrip(SAMPLE_MARK) for r in rows if r["status"] == s] for s in STATUSES}
    parts = []
    for label in STATUSES:
        numbers = by_status[label]
        if numbers:
            parts.append(f"{len(numbers)} chỉ tiêu {label.lower()} (chỉ tiêu số {', '.join(numbers)})")
    return [
        f"Kết quả thực hiện {len(rows)} chỉ tiêu đề ra đến năm {TARGET_YEAR} (số liệu toàn tỉnh tổng hợp từ báo cáo của các đơn vị): " + "; ".join(parts) + "."
    ]


def indicator_note(campaign: Campaign, aggregates: Any) -> str:
    rules = sorted({AGGREGATE_NAMES[i.aggregate].lower() for i in campaign.indicators}, key=list(n.lower() for n in AGGREGATE_NAMES.values()).index)
    latest = aggregates.indicator_years[-1] if aggregates.indicator_years else TARGET_YEAR
    share = elapsed_share(aggregates, latest) * 100
    baseline = baseline_year(aggregates)
    note = (
        f"Ghi chú: Số liệu toàn tỉnh của mỗi chỉ tiêu tổng hợp từ số liệu các đơn vị báo cáo theo cách tính của chỉ tiêu ({', '.join(rules)}). "
        f"Tiến độ (%) = số liệu năm gần nhất có số liệu so với mục tiêu năm {TARGET_YEAR}. "
        f"Đánh giá: “Đã đạt” khi số liệu năm gần nhất đạt hoặc vượt mục tiêu; “Đúng tiến độ” khi tiến độ không thấp hơn tỷ lệ thời gian "
        f"đã qua của giai đoạn {baseline + 1}–{TARGET_YEAR} (năm {latest}: {format_number(share)}%); “Chậm tiến độ” khi thấp hơn; "
        "“Chưa đánh giá” khi chưa có mục tiêu hoặc số liệu."
    )
    if aggregates.sample_indicators:
        note += f" ({SAMPLE_MARK}) Chỉ tiêu mẫu, chưa phải chỉ tiêu chính thức: mục tiêu và số liệu chỉ để thử nghiệm."
    return note


# --- the demo ----------------------------------------------------------------------------------


def _demo_figures(campaign: Campaign, unit: Unit, form: Form, rng) -> list[dict[str, object]]:
    """Each indicator the unit reports, near its 2030 target, rising a little year on year."""
    weights = {i.weight for i in campaign.indicators if i.aggregate == "weighted_mean"}
    rows = []
    for ind in campaign.indicators:
        if ind.reported_by and unit.code not in ind.reported_by:
            continue
        row: dict[str, object] = {form.label_column.key: ind.code}
        base = _demo_base(campaign, ind, weights, rng)
        for step, col in enumerate(form.year_columns):
            value = base * (1 + 0.08 * step)
            row[col.key] = round(min(value, 100.0), 1) if ind.value_type == "percent" else round(value)
        rows.append(row)
    return rows


def _demo_base(campaign: Campaign, ind: Indicator, weights: set[str], rng) -> float:
    if ind.code in weights:  # a headcount other indicators are weighted by
        return rng.randint(40, 1500)
    if ind.aggregate == "sum":  # a unit's share of a province-wide target
        reporting = len(ind.reported_by) or len(campaign.units)
        return (ind.target_2030 / reporting) * rng.uniform(0.3, 1.2) if ind.target_2030 else rng.randint(0, 25)
    if ind.target_2030:  # a rate or a level: somewhat short of the target
        return ind.target_2030 * rng.uniform(0.55, 0.95)
    return rng.uniform(45, 85) if ind.value_type == "percent" else rng.randint(0, 25)

"""The indicators in the draft: one table on one page (full wording once, numbered, never by
code), progress toward the 2030 target and a status by a documented rule, and the facts
sentence above it. Sample indicators show their configured target and progress, with an
asterisk explained once in the note under the table.

Status rule (STATUS_RULE, printed under the table): "Đã đạt" when the latest figure reaches
the target; "Đúng tiến độ" when progress (latest figure / target) is at least the share of
the period elapsed (baseline = the year before the first indicator year, up to 2030);
"Chậm tiến độ" below that; "Chưa đánh giá" without a target or a figure.
"""

from __future__ import annotations

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.report.wordml import Cell, RawXml, table, text_paragraph
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


def year_label(campaign: Campaign, year: int) -> str:
    return f"Ước thực hiện năm {year}" if year in campaign.estimated_years else f"Năm {year}"


def baseline_year(aggregates: Aggregates) -> int:
    return (aggregates.indicator_years[0] - 1) if aggregates.indicator_years else TARGET_YEAR - 1


def elapsed_share(aggregates: Aggregates, year: int) -> float:
    baseline = baseline_year(aggregates)
    return max(0.0, min(1.0, (year - baseline) / (TARGET_YEAR - baseline))) if TARGET_YEAR > baseline else 1.0


def status(ind: dict, aggregates: Aggregates) -> str:
    target, latest, year = ind["target_2030"], ind["latest_value"], ind["latest_year"]
    if pd.isna(target) or not target or pd.isna(latest) or pd.isna(year):
        return STATUSES[3]
    if latest >= target:
        return STATUSES[0]
    return STATUSES[1] if latest / target >= elapsed_share(aggregates, int(year)) else STATUSES[2]


def indicator_rows(campaign: Campaign, aggregates: Aggregates) -> list[dict]:
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


def indicator_facts(campaign: Campaign, aggregates: Aggregates) -> list[str]:
    rows = indicator_rows(campaign, aggregates)
    if not rows:
        return []
    by_status = {s: [r["number"].rstrip(SAMPLE_MARK) for r in rows if r["status"] == s] for s in STATUSES}
    parts = []
    for label in STATUSES:
        numbers = by_status[label]
        if numbers:
            parts.append(f"{len(numbers)} chỉ tiêu {label.lower()} (chỉ tiêu số {', '.join(numbers)})")
    return [f"Kết quả thực hiện {len(rows)} chỉ tiêu đề ra đến năm {TARGET_YEAR} (số liệu toàn tỉnh tổng hợp từ báo cáo của các đơn vị): "
            + "; ".join(parts) + "."]


def indicator_note(campaign: Campaign, aggregates: Aggregates) -> str:
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


def indicator_table_xml(campaign: Campaign, aggregates: Aggregates, *, width_cm: float = 16.5) -> RawXml:
    """The facts sentence and the table, kept together on one page."""
    years = aggregates.indicator_years
    year_w = 1.6 if len(years) <= 3 else 1.35
    fixed = [1.1, 1.4, 1.6, *([year_w] * len(years)), 1.4, 1.6]
    name_w = max(3.0, width_cm - sum(fixed))
    widths = [1.1, name_w, 1.4, 1.6, *([year_w] * len(years)), 1.4, 1.6]
    header = [[
        Cell("STT"), Cell("Chỉ tiêu"), Cell("Đơn vị tính"), Cell(f"Mục tiêu đến năm {TARGET_YEAR}"),
        *[Cell(year_label(campaign, y)) for y in years], Cell("Tiến độ (%)"), Cell("Đánh giá"),
    ]]
    rows = [
        [
            Cell(r["number"], align="center"), Cell(r["name"]), Cell(r["unit_of_measure"], align="center"),
            Cell(r["target"], align="right"), *[Cell(v, align="right") for v in r["figures"]],
            Cell(r["progress"], align="right"), Cell(r["status"], align="center"),
        ]
        for r in indicator_rows(campaign, aggregates)
    ]
    facts = "".join(text_paragraph(f, keep_next=True) for f in indicator_facts(campaign, aggregates))
    return RawXml(facts + table(widths, header, rows, size=10.5, keep_together=True))

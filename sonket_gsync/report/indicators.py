"""The indicators in the draft: one table on one page (full wording once, numbered, never by
code), progress toward the 2030 target and a status by the rule of analysis/roles/indicators.py
(printed under the table by ``indicator_note``), and the facts sentence above it. Sample
indicators show their configured target and progress, with an asterisk explained once in the
note under the table.
"""

from __future__ import annotations

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles.indicators import TARGET_YEAR, indicator_facts, indicator_note, indicator_rows, year_label
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.report.wordml import Cell, RawXml, table, text_paragraph

__all__ = ["indicator_note", "indicator_table_xml"]


def indicator_table_xml(campaign: Campaign, aggregates: Aggregates, *, width_cm: float = 16.5) -> RawXml:
    """The facts sentence and the table, kept together on one page."""
    years = aggregates.indicator_years
    year_w = 1.6 if len(years) <= 3 else 1.35
    fixed = [1.1, 1.4, 1.6, *([year_w] * len(years)), 1.4, 1.6]
    name_w = max(3.0, width_cm - sum(fixed))
    widths = [1.1, name_w, 1.4, 1.6, *([year_w] * len(years)), 1.4, 1.6]
    header = [
        [
            Cell("STT"),
            Cell("Chỉ tiêu"),
            Cell("Đơn vị tính"),
            Cell(f"Mục tiêu đến năm {TARGET_YEAR}"),
            *[Cell(year_label(campaign, y)) for y in years],
            Cell("Tiến độ (%)"),
            Cell("Đánh giá"),
        ]
    ]
    rows = [
        [
            Cell(r["number"], align="center"),
            Cell(r["name"]),
            Cell(r["unit_of_measure"], align="center"),
            Cell(r["target"], align="right"),
            *[Cell(v, align="right") for v in r["figures"]],
            Cell(r["progress"], align="right"),
            Cell(r["status"], align="center"),
        ]
        for r in indicator_rows(campaign, aggregates)
    ]
    facts = "".join(text_paragraph(f, keep_next=True) for f in indicator_facts(campaign, aggregates))
    return RawXml(facts + table(widths, header, rows, size=10.5, keep_together=True))

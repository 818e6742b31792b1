"""The indicators in the draft: one table on one page (full wording once, numbered, never by
code): the target, the figures per year, the value of the straight line to the target in the
latest year and the verdict (analysis/indicators.py), the rule printed under the table in
words (``indicator_note``). The sentences about the indicators are the body's
(``indicator_paragraphs``, analysis/roles/indicators.py). Sample indicators carry no mark in
the text: notes to staff are the companion's and the draft's comments.
"""

from __future__ import annotations

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles.indicators import TARGET_YEAR, indicator_note, indicator_rows, verdicts_of, year_label
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.report.wordml import Cell, RawXml, table

__all__ = ["indicator_note", "indicator_table_xml"]


def indicator_table_xml(campaign: Campaign, aggregates: Aggregates, *, width_cm: float = 16.5) -> RawXml:
    """The table, kept together on one page."""
    years = aggregates.indicator_years
    latest = max((v.latest_year for v in verdicts_of(campaign, aggregates) if v.latest_year is not None), default=years[-1] if years else TARGET_YEAR)
    year_w = 1.6 if len(years) <= 3 else 1.35
    fixed = [1.1, 1.4, 1.6, *([year_w] * len(years)), 1.6, 2.0]
    name_w = max(3.0, width_cm - sum(fixed))
    widths = [1.1, name_w, 1.4, 1.6, *([year_w] * len(years)), 1.6, 2.0]
    header = [
        [
            Cell("STT"),
            Cell("Chỉ tiêu"),
            Cell("Đơn vị tính"),
            Cell(f"Mục tiêu đến năm {TARGET_YEAR}"),
            *[Cell(year_label(campaign, y)) for y in years],
            Cell(f"Mức theo lộ trình năm {latest}"),
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
            Cell(r["expected"], align="right"),
            Cell(r["status"], align="center"),
        ]
        for r in indicator_rows(campaign, aggregates)
    ]
    return RawXml(table(widths, header, rows, size=10.5, keep_together=True))

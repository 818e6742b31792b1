"""Charts for the draft report, as PNG bytes (matplotlib, Agg backend, DejaVu Sans)."""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from .aggregate import STATUSES, Aggregates  # noqa: E402
from .campaign import Campaign  # noqa: E402
from .submission import STATUS_LABELS  # noqa: E402
from .text import format_number  # noqa: E402

STATUS_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "invalid": "#c62828", "missing": "#9e9e9e"}
SAMPLE_COLOUR = "#bdbdbd"
REAL_COLOUR = "#1565c0"
DPI = 150

plt.rcParams["font.family"] = "DejaVu Sans"


def completeness_chart(campaign: Campaign, aggregates: Aggregates) -> bytes:
    """Stacked horizontal bars: per group, units on time / late / with errors / missing."""
    groups = aggregates.group_completeness
    labels = [textwrap.fill(f"{n}. {name}", 38) for n, name in zip(groups["number"], groups["group_name"])]
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.75 * len(groups)))
    left = [0] * len(groups)
    for status in STATUSES:
        counts = groups[status].tolist()
        bars = ax.barh(labels, counts, left=left, color=STATUS_COLOURS[status], label=STATUS_LABELS[status])
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center", fontsize=8, color="white")
        left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()
    ax.set_xlabel("Số đơn vị")
    ax.set_title("Tình hình gửi báo cáo theo nhóm đơn vị", fontsize=11)
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.02 * len(groups)), fontsize=8, frameon=False)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def indicator_chart(campaign: Campaign, aggregates: Aggregates) -> bytes | None:
    """One small bar chart per indicator with data (province figure per year); sample
    indicators drawn grey and titled as samples. None when no indicator has data."""
    years = aggregates.indicator_years
    table = aggregates.indicators
    has_data = table[[f"value_{y}" for y in years]].notna().any(axis=1)
    shown = table[has_data]
    if shown.empty:
        return None
    columns = min(3, len(shown))
    rows = math.ceil(len(shown) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.7 * rows), squeeze=False)
    labels = [_year_label(campaign, y) for y in years]
    for ax, (_, ind) in zip(axes.flat, shown.iterrows()):
        values = [ind[f"value_{y}"] for y in years]
        heights = [0 if v != v else v for v in values]
        colour = SAMPLE_COLOUR if ind["sample"] else REAL_COLOUR
        bars = ax.bar(labels, heights, color=colour, hatch="//" if ind["sample"] else None, edgecolor="#616161")
        ax.bar_label(bars, labels=[format_number(v) for v in values], fontsize=7)
        title = f"{ind['code']} ({ind['unit_of_measure']})"
        if ind["sample"]:
            title += "\nCHỈ TIÊU MẪU"
        ax.set_title(title, fontsize=8, color="#c62828" if ind["sample"] else "black")
        target = ind["target_2030"]
        if target == target and target is not None and not ind["sample"]:
            ax.axhline(target, color="#c62828", linestyle="--", linewidth=1)
            ax.annotate(f"Mục tiêu 2030: {format_number(target)}", (0, target), fontsize=7, color="#c62828", va="bottom")
        ax.tick_params(labelsize=7)
        ax.margins(y=0.2)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    fig.suptitle("Số liệu toàn tỉnh theo năm", fontsize=10)
    return _png(fig)


def _year_label(campaign: Campaign, year: int) -> str:
    return f"Ước {year}" if year in campaign.estimated_years else str(year)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()

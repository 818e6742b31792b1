"""Charts for the draft report, as PNG bytes (matplotlib, Agg backend, DejaVu Sans).

Each figure is drawn at the physical width it is printed at (``*_WIDTH_MM``, the width the
report inserts it with), so a font size here is its size on A4 paper: nothing below
MIN_FONT_PT. Numbers are written the Vietnamese way (1.234,5); panels are titled by the
indicator's number and name (never a code); texts sit where they cannot overlap (targets in
the panel title, values above their bars with head-room).
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure  # no pyplot: a figure needs no GUI state (and pyplot costs start-up)
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sonket_gsync.analysis.aggregate import STATUSES, Aggregates
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import format_number
from sonket_gsync.forms.submission import STATUS_LABELS

STATUS_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "invalid": "#c62828", "missing": "#9e9e9e"}
SAMPLE_COLOUR = "#bdbdbd"
REAL_COLOUR = "#1565c0"
DPI = 150  # at the printed size: 975 px across the A4 text width
MIN_FONT_PT = 8
INDICATOR_WIDTH_MM = 165
COMPLETENESS_WIDTH_MM = 230
MM_PER_INCH = 25.4

matplotlib.rcParams["font.family"] = "DejaVu Sans"
matplotlib.rcParams["font.size"] = MIN_FONT_PT


def _vn(value, _pos=None) -> str:
    return format_number(value)


def completeness_figure(campaign: Campaign, aggregates: Aggregates):
    """Stacked horizontal bars: per group, units on time / late / with errors / missing."""
    groups = aggregates.group_completeness
    labels = [textwrap.fill(f"{n}. {name}", 48) for n, name in zip(groups["number"], groups["group_name"], strict=False)]
    width = COMPLETENESS_WIDTH_MM / MM_PER_INCH
    fig = Figure(figsize=(width, 1.4 + 0.55 * len(groups)))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    left = [0] * len(groups)
    total = max(1, int(groups["total"].max()) if len(groups) else 1)
    for status in STATUSES:
        counts = groups[status].tolist()
        bars = ax.barh(labels, counts, left=left, color=STATUS_COLOURS[status], label=STATUS_LABELS[status])
        # a count is printed inside its bar only when the bar is wide enough for it
        shown = [str(c) if c and c / total > 0.03 else "" for c in counts]
        ax.bar_label(bars, labels=shown, label_type="center", fontsize=MIN_FONT_PT, color="white")
        left = [a + b for a, b in zip(left, counts, strict=False)]
    ax.invert_yaxis()
    ax.set_xlabel("Số đơn vị", fontsize=MIN_FONT_PT + 1)
    ax.xaxis.set_major_formatter(FuncFormatter(_vn))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Tình hình gửi báo cáo theo nhóm đơn vị", fontsize=MIN_FONT_PT + 2)
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.32), fontsize=MIN_FONT_PT + 1, frameon=False)
    ax.tick_params(labelsize=MIN_FONT_PT + 1)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def completeness_chart(campaign: Campaign, aggregates: Aggregates) -> bytes:
    return _png(completeness_figure(campaign, aggregates))


def indicator_figure(campaign: Campaign, aggregates: Aggregates):
    """One small bar chart per indicator with data (province figure per year), titled by
    its number and name, the 2030 target in the title and as a dashed line; sample
    indicators grey, hatched and starred. None when no indicator has data."""
    years = aggregates.indicator_years
    table = aggregates.indicators.reset_index(drop=True)
    has_data = table[[f"value_{y}" for y in years]].notna().any(axis=1)
    shown = [(i + 1, row) for i, row in table.iterrows() if has_data[i]]
    if not shown:
        return None
    columns = min(3 if len(years) <= 3 else 2, len(shown))
    rows = math.ceil(len(shown) / columns)
    width = INDICATOR_WIDTH_MM / MM_PER_INCH
    wrap = {3: 31, 2: 48}.get(columns, 70)
    titles = [_panel_title(number, ind, wrap) for number, ind in shown]  # whole: never cut
    title_lines = max(t.count("\n") + 1 for t in titles)
    extra = max(0, title_lines - 3) * 0.17  # inches for title lines beyond three
    fig = Figure(figsize=(width, (1.8 + extra) * rows))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False)
    labels = [_year_label(campaign, y) for y in years]
    for ax, (_number, ind), title in zip(axes.flat, shown, titles, strict=False):
        values = [ind[f"value_{y}"] for y in years]
        heights = [0 if v != v else v for v in values]
        sample = bool(ind["sample"])
        colour = SAMPLE_COLOUR if sample else REAL_COLOUR
        bars = ax.bar(labels, heights, color=colour, hatch="//" if sample else None, edgecolor="#616161", width=0.6)
        ax.bar_label(
            bars, labels=[format_number(v) for v in values], fontsize=MIN_FONT_PT, padding=2, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3}
        )
        target = ind["target_2030"]
        has_target = target == target and target is not None
        ax.set_title(title, fontsize=MIN_FONT_PT, loc="center", color="#424242" if sample else "black")
        top = max([h for h in heights] + ([target] if has_target else [0]) + [1])
        if has_target:
            ax.axhline(target, color="#c62828", linestyle="--", linewidth=1)
        ax.set_ylim(0, top * 1.3)
        # ticks only up to the data: the top of the panel stays free for the value labels
        ax.set_yticks([t for t in MaxNLocator(nbins=3).tick_values(0, top) if 0 <= t <= top * 1.05])
        ax.yaxis.set_major_formatter(FuncFormatter(_vn))
        ax.tick_params(labelsize=MIN_FONT_PT)
        ax.tick_params(axis="x", length=0)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    # fixed margins (inches) instead of tight_layout, which draws the figure once more
    height = fig.get_figheight()
    title_room, tick_room = 0.55 + extra, 0.3
    fig.subplots_adjust(
        left=0.1,
        right=0.97,
        top=1 - title_room / height,
        bottom=tick_room / height,
        wspace=0.38,
        hspace=(title_room + tick_room) / (height / rows - title_room - tick_room),
    )
    return fig


def _panel_title(number: int, ind, wrap: int) -> str:
    target = ind["target_2030"]
    has_target = target == target and target is not None
    title = textwrap.fill(f"{number}{'*' if ind['sample'] else ''}. {ind['name']}", wrap)
    return title + f"\n({ind['unit_of_measure']}" + (f"; mục tiêu: {format_number(target)})" if has_target else ")")


def indicator_chart(campaign: Campaign, aggregates: Aggregates) -> bytes | None:
    fig = indicator_figure(campaign, aggregates)
    return _png(fig) if fig is not None else None


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of visible texts of a figure whose boxes overlap, and texts reaching past the
    figure's edge (paired with "<edge>"): tests require none."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = list(fig.texts)
    for ax in fig.axes:
        if not ax.axison:
            continue
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        low, high = sorted(ax.get_ylim())
        texts += [t for t, v in zip(ax.get_yticklabels(), ax.get_yticks(), strict=False) if low <= v <= high]
        low, high = sorted(ax.get_xlim())
        texts += [t for t, v in zip(ax.get_xticklabels(), ax.get_xticks(), strict=False) if low <= v <= high]
        legend = ax.get_legend()
        if legend is not None:
            texts += list(legend.get_texts())
    texts = [t for t in texts if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    frame = fig.bbox
    pairs = [
        (text, "<edge>") for text, box in boxes if box.x0 < frame.x0 - 0.5 or box.x1 > frame.x1 + 0.5 or box.y0 < frame.y0 - 0.5 or box.y1 > frame.y1 + 0.5
    ]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if box_a.overlaps(box_b) and box_a.intersection(box_a, box_b).width > 1 and box_a.intersection(box_a, box_b).height > 1:
                pairs.append((a, b))
    return pairs


def _year_label(campaign: Campaign, year: int) -> str:
    return f"Ước {year}" if year in campaign.estimated_years else str(year)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()

"""Role "indicators": each unit's figures per indicator (indicators.csv) and year.

Aggregates: ``indicators``, per indicator each year's province figure by its rule, the units
whose figures make it, the 2030 target and the progress (analysis/indicators.py);
``indicator_values``, every unit's figure with whether it counts and whether it cannot be
right; ``indicator_notes``, the units' remarks beside their figures; ``indicator_years``;
``sample_indicators``. ``Aggregates.indicator_verdicts`` (filled by aggregate()) judges each
indicator against its straight line to the target (analysis/indicators.py says the rule;
``verdict_rule_text`` prints it in words under the table).

Report: the template's indicator table under the outline item with ``figures = "indicators"``
(report/indicators.py draws it from ``indicator_rows``), the rule under it, and
``indicator_paragraphs`` for the body: the indicators behind their line, actual against the
line and the target, and the causes units gave. Workbook: "Chỉ tiêu".

Causes (``indicator_paragraphs``): a unit's remark beside an indicator's figure, or a
sentence of the narrative under the indicators' outline item that names the indicator (a
pair of words of its name no other indicator's name has) or indicators in general, when it
says the figure falls short ("khó đạt", "chưa đạt", "còn thấp", "chậm" …) and gives a cause
("do …", "vì …", "bởi …", "nguyên nhân …"); the clause after that word, up to a comma, is the
cause; the three most often given are printed, with how many units gave each.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

import pandas as pd

from sonket_gsync.analysis.indicators import (
    TARGET_YEAR,
    VERDICTS,
    IndicatorVerdict,
    decimals,
    indicator_table,
    indicator_verdicts,
    indicator_years,
    unit_figures,
)
from sonket_gsync.analysis.roles.base import Grid, Role, number_cell
from sonket_gsync.analysis.rows import clean_cell, form_rows
from sonket_gsync.analysis.splitting import split_statements
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import format_number

__all__ = [
    "AGGREGATE_NAMES",
    "TARGET_YEAR",
    "VERDICTS",
    "VERDICT_LABELS",
    "IndicatorVerdict",
    "indicator_paragraphs",
    "indicator_rows",
    "indicator_verdicts",
    "verdict_rule_text",
]

AGGREGATE_NAMES = {
    "sum": "Tổng",
    "mean": "Bình quân",
    "weighted_mean": "Bình quân gia quyền",
    "max": "Lớn nhất",
    "min": "Nhỏ nhất",
    "unit": "Số liệu của đơn vị chịu trách nhiệm",
}
VERDICT_LABELS = {
    "behind": "Chậm so với lộ trình",
    "on_line": "Đúng lộ trình",
    "ahead": "Vượt lộ trình",
    "reached": "Đã đạt",
    "flagged": "Cần kiểm tra số liệu",
    "unrated": "Chưa đánh giá",
}
STATUSES = tuple(VERDICT_LABELS.values())
_CAUSE = re.compile(r"(?:^|[\s,;(])(?:nguyên nhân(?: chủ yếu| chính)?(?: là| do)?|do|vì|bởi vì|bởi)\s+(?P<cause>[^.;:!?]{6,})", re.IGNORECASE)
_GENERAL = re.compile(r"\bchỉ tiêu\b", re.IGNORECASE)
# A sentence about falling short of a target (its cause then explains an indicator behind).
_SHORT = re.compile(r"khó\s+đạt|chưa\s+đạt|không\s+đạt|còn\s+thấp|thấp\s+hơn|chậm|chưa\s+hoàn\s+thành|giảm", re.IGNORECASE)


class Indicators(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        form = campaign.form_with_role(self.name)
        table = indicator_table(campaign, form, units, submissions)
        return {
            "indicators": table,
            "indicator_values": unit_figures(campaign, form, units, submissions),
            "indicator_notes": _notes(form, units, submissions),
            "indicator_years": indicator_years(campaign, form),
            "sample_indicators": list(table.loc[table["sample"], "code"]),
        }

    def table_in_body(self, aggregates: Any) -> bool:
        return not aggregates.indicators.empty  # facts are printed with the table (report/indicators.py)

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        if aggregates.indicators.empty:
            return {}
        years = aggregates.indicator_years
        header: list[object] = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", f"Mục tiêu đến năm {TARGET_YEAR}"]
        for y in years:
            header += [year_label(campaign, y), f"Số đơn vị có số liệu năm {y}"]
        header += ["Năm đầu có số liệu", "Năm gần nhất có số liệu", "Mức theo lộ trình năm gần nhất", "Đánh giá", "Cần kiểm tra", "Ghi chú"]
        rows: Grid = [header]
        verdicts = verdicts_of(campaign, aggregates)
        names = {u.code: u.name for u in campaign.units}
        for number, (ind, v) in enumerate(zip(aggregates.indicators.to_dict("records"), verdicts, strict=True), start=1):
            how = AGGREGATE_NAMES[ind["aggregate"]] + (f" ({names.get(ind['responsible'], ind['responsible'])})" if ind["responsible"] else "")
            row = [number, ind["code"], ind["name"], ind["unit_of_measure"], how, number_cell(ind["target_2030"])]
            for y in years:
                row += [number_cell(ind[f"value_{y}"]), int(ind[f"units_{y}"])]
            row += [
                v.baseline_year,
                v.latest_year,
                number_cell(None if v.expected_value is None else round(v.expected_value, 1)),
                VERDICT_LABELS[v.verdict],
                v.flag,
            ]
            row.append("Chỉ tiêu mẫu – chưa phải chỉ tiêu chính thức" if ind["sample"] else "")
            rows.append(row)
        return {"Chỉ tiêu": rows}


ROLE = Indicators("indicators", figures="indicators")


def _notes(form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    """unit_code, unit_name, code, header, text: the units' remarks beside their figures
    (the indicator form's text columns a unit fills)."""
    columns = ["unit_code", "unit_name", "code", "header", "text"]
    if form is None:
        return pd.DataFrame(columns=columns)
    remarks = [c for c in form.input_columns if c.type == "text"]
    code_key = form.role_column("code").key
    frame = form_rows(form, units, submissions)
    rows = []
    for record in frame.to_dict("records") if not frame.empty else ():
        for col in remarks:
            text = clean_cell(record.get(col.key))
            if text:
                rows.append(
                    {
                        "unit_code": record["unit_code"],
                        "unit_name": record["unit_name"],
                        "code": clean_cell(record.get(code_key)),
                        "header": col.header,
                        "text": text,
                    }
                )
    return pd.DataFrame(rows, columns=columns)


# --- verdicts in words -----------------------------------------------------------------------


def year_label(campaign: Campaign, year: int) -> str:
    return f"Ước thực hiện năm {year}" if year in campaign.estimated_years else f"Năm {year}"


def verdicts_of(campaign: Campaign, aggregates: Any) -> list[IndicatorVerdict]:
    """``aggregates.indicator_verdicts``, or computed here for Aggregates built without them."""
    verdicts = getattr(aggregates, "indicator_verdicts", None)
    if verdicts:
        return list(verdicts)
    values = aggregates.results.get("indicator_values", pd.DataFrame())
    return indicator_verdicts(campaign, aggregates.indicators, values, aggregates.indicator_years)


def _figure(value: float | None, unit_label: str, places: int = 1) -> str:
    if value is None:
        return ""
    text = format_number(round(value, places))
    return f"{text}%" if unit_label.strip() == "%" else f"{text} {unit_label}".rstrip()


def indicator_rows(campaign: Campaign, aggregates: Any) -> list[dict]:
    """Per indicator, the texts printed in the draft's table: number, name, unit, target,
    figures per year, the line's value in the latest year, the verdict (and its flag)."""
    rows = []
    verdicts = verdicts_of(campaign, aggregates)
    for number, (ind, v) in enumerate(zip(aggregates.indicators.to_dict("records"), verdicts, strict=True), start=1):
        places = decimals(campaign.indicator(v.code))
        expected = "" if v.expected_value is None or v.verdict in ("unrated", "flagged") else format_number(round(v.expected_value, places))
        rows.append(
            {
                "number": str(number),
                "name": ind["name"],
                "unit_of_measure": ind["unit_of_measure"],
                "target": format_number(ind["target_2030"]) if pd.notna(ind["target_2030"]) else "",
                "figures": [format_number(ind[f"value_{y}"]) for y in aggregates.indicator_years],
                "expected": expected,
                "progress": format_number(ind["progress"]) if pd.notna(ind["progress"]) else "",
                "verdict": v.verdict,
                "status": VERDICT_LABELS[v.verdict],
                "flag": v.flag,
                "sample": bool(ind["sample"]),
            }
        )
    return rows


def verdict_rule_text(campaign: Campaign, aggregates: Any = None) -> str:
    """The rule printed under the indicator table, in words (with an example from the figures
    when ``aggregates`` is given)."""
    used = [n for key, n in AGGREGATE_NAMES.items() if any(i.aggregate == key for i in campaign.indicators)]
    text = (
        f"Ghi chú: Số liệu toàn tỉnh của mỗi chỉ tiêu được tổng hợp từ số liệu các đơn vị theo cách tính của chỉ tiêu ({', '.join(n.lower() for n in used)}). "
        f"Mỗi chỉ tiêu được đánh giá theo lộ trình: đường thẳng nối số liệu năm đầu tiên có số liệu với mục tiêu năm {TARGET_YEAR}; "
        "mức theo lộ trình của một năm là mức chỉ tiêu cần đạt năm đó nếu mỗi năm tiến đều tới mục tiêu. "
        "“Đã đạt” khi số liệu năm gần nhất đã đạt mục tiêu; “Chậm so với lộ trình” khi chưa đạt mức theo lộ trình của năm đó, "
        "dù đã đạt bao nhiêu phần trăm mục tiêu; “Đúng lộ trình” khi đạt mức theo lộ trình và vượt không quá một phần hai mươi "
        "khoảng cách từ số liệu năm đầu đến mục tiêu; “Vượt lộ trình” khi vượt nhiều hơn; "
        "“Cần kiểm tra số liệu” khi số liệu có dấu hiệu chưa đúng (tỷ lệ vượt 100%, số liệu của một đơn vị khác xa các đơn vị khác, "
        "hoặc thiếu số liệu của đơn vị chịu trách nhiệm), chưa đánh giá cho đến khi được xác minh; "
        "“Chưa đánh giá” khi chưa có mục tiêu hoặc mới có số liệu một năm."
    )
    if aggregates is not None:
        example = next((v for v in verdicts_of(campaign, aggregates) if v.verdict in ("behind", "on_line", "ahead")), None)
        if example is not None:
            number = [v.code for v in verdicts_of(campaign, aggregates)].index(example.code) + 1
            text += (
                f" Ví dụ: chỉ tiêu số {number} có số liệu năm {example.baseline_year} là {_figure(example.baseline_value, example.unit_label)}, "
                f"mục tiêu năm {TARGET_YEAR} là {_figure(example.target, example.unit_label)}, "
                f"nên mức theo lộ trình năm {example.latest_year} là {_figure(example.expected_value, example.unit_label)}."
            )
    return text


def indicator_facts(campaign: Campaign, aggregates: Any) -> list[str]:
    """The count of indicators per verdict, one sentence (the start of indicator_paragraphs)."""
    verdicts = verdicts_of(campaign, aggregates)
    if not verdicts:
        return []
    parts = []
    for key in ("reached", "ahead", "on_line", "behind", "flagged", "unrated"):
        numbers = [str(i) for i, v in enumerate(verdicts, start=1) if v.verdict == key]
        if numbers:
            label = {"flagged": "đang kiểm tra lại số liệu", "unrated": "chưa đánh giá"}.get(key, VERDICT_LABELS[key].lower())
            parts.append(f"{len(numbers)} chỉ tiêu {label} (chỉ tiêu số {', '.join(numbers)})")
    latest = max((v.latest_year for v in verdicts if v.latest_year is not None), default=None)
    when = f", đến năm {latest}" if latest else ""
    return [f"Trong {len(verdicts)} chỉ tiêu{when} có " + "; ".join(parts) + "."]


def indicator_paragraphs(campaign: Campaign, aggregates: Any) -> list[str]:
    """The body's paragraphs on the indicators, in the province's voice: the count per
    verdict; the indicators behind their line, each with its latest figure against the line
    and the target; the causes units gave, if any. Words and figures are the table's."""
    verdicts = verdicts_of(campaign, aggregates)
    out = indicator_facts(campaign, aggregates)
    behind = [(i, v) for i, v in enumerate(verdicts, start=1) if v.verdict == "behind"]
    if not behind:
        return out
    parts = []
    for number, v in behind:
        places = decimals(campaign.indicator(v.code))
        when = "ước thực hiện năm" if v.latest_year in campaign.estimated_years else "năm"
        parts.append(
            f"chỉ tiêu số {number} “{v.name}” {when} {v.latest_year} đạt {_figure(v.latest_value, v.unit_label, places)} "
            f"(mức theo lộ trình {_figure(v.expected_value, v.unit_label, places)}; mục tiêu năm {v.target_year} là {_figure(v.target, v.unit_label, places)})"
        )
    out.append(("Các chỉ tiêu chậm so với lộ trình: " if len(parts) > 1 else "Chỉ tiêu chậm so với lộ trình: ") + "; ".join(parts) + ".")
    causes = _causes(campaign, aggregates, [v for _, v in behind])
    if causes:
        said = "; ".join(f"{c} ({n} đơn vị nêu)" if n > 1 else c for c, n in causes)
        out.append(f"Theo báo cáo của các đơn vị, nguyên nhân chủ yếu do {said}.")
    return out


def _distinctive(campaign: Campaign) -> dict[str, set[str]]:
    """Per indicator, the pairs of consecutive words of its name no other indicator's name has."""
    pairs = {}
    for ind in campaign.indicators:
        words = re.findall(r"\w+", ind.name.casefold())
        pairs[ind.code] = {f"{a} {b}" for a, b in itertools.pairwise(words) if not a.isdigit() and not b.isdigit()}
    counts = Counter(p for ps in pairs.values() for p in ps)
    return {code: {p for p in ps if counts[p] == 1} for code, ps in pairs.items()}


def _causes(campaign: Campaign, aggregates: Any, behind: list[IndicatorVerdict], top: int = 3) -> list[tuple[str, int]]:
    """(cause, units giving it) for the indicators behind, most given first."""
    wanted = {v.code for v in behind}
    distinctive = _distinctive(campaign)
    found: dict[str, set[str]] = {}
    first: dict[str, str] = {}

    def add(text: str, unit: str) -> None:
        m = _CAUSE.search(text)
        if not m or not _SHORT.search(text[: m.start()]):
            return
        cause = m.group("cause").split(",")[0].strip(" ,").rstrip(".")
        key = cause.casefold()
        first.setdefault(key, cause[:1].lower() + cause[1:])
        found.setdefault(key, set()).add(unit)

    notes = aggregates.results.get("indicator_notes")
    if notes is not None and not notes.empty:
        for r in notes[notes["code"].isin(wanted)].to_dict("records"):
            add(r["text"], r["unit_code"])
    items = [i.key for i in campaign.outline_items if i.figures == "indicators"]
    for key in items:
        for unit_code, _name, text in aggregates.narrative.get(key, []):
            for sentence in split_statements(text):
                folded = sentence.casefold()
                names_one = any(any(p in folded for p in distinctive.get(code, ())) for code in wanted)
                names_other = any(any(p in folded for p in ps) for code, ps in distinctive.items() if code not in wanted)
                if names_one or (_GENERAL.search(sentence) and not names_other):
                    add(sentence, unit_code)
    ranked = sorted(found, key=lambda k: (-len(found[k]), k))
    return [(first[k], len(found[k])) for k in ranked[:top]]


def indicator_note(campaign: Campaign, aggregates: Any) -> str:
    """The rule under the table (kept under its old name for the draft)."""
    return verdict_rule_text(campaign, aggregates)

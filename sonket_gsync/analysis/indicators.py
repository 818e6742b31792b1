"""Indicators: per indicator, each year's province figure by its rule (sum, mean, weighted
mean, max, min, or the figure of the unit responsible for it), the number of units whose
figures make it, the 2030 target and the progress; the units' figures that cannot be right
(impossible or far outside the other units' figures); and each indicator's verdict against
its straight line to the target. The indicator form (role "indicators",
analysis/roles/indicators.py) is given, or None; ``reported_by`` keeps other units' figures out.

The verdict (``IndicatorVerdict``): the line runs from the first year with a province
figure (its value) to the target in ``TARGET_YEAR``; the expected value of a year is the
point of that line. Figures are compared as printed (counts whole, others to one decimal):

- "reached": the latest figure reaches the target (is at or past it in the target's direction);
- "behind": the latest figure is short of the line's value for its year, whatever its share
  of the target;
- "on_line": at the line or past it by at most ``ON_LINE_TOLERANCE`` of the planned change
  (target − first value);
- "ahead": further past the line;
- "flagged": a figure staff must check first — a province share over 100 %, a unit figure
  that is impossible or an outlier (``outliers``) inside the province figure, or no figure
  from the unit responsible for a province-level indicator; ``flag`` says which, in Vietnamese;
- "unrated": no target, no figure, or a single year of figures (no line to judge against).

Outliers (``outliers``): among the units' figures of one indicator and year (at least
``OUTLIER_MIN_UNITS`` of them), a figure whose modified z-score |0,6745·(x − median) / MAD|
exceeds ``OUTLIER_Z`` (Iglewicz and Hoaglin's rule; when MAD is 0, the mean absolute
deviation × 1,2533 stands in for it) and, when the median is positive, that is at least
``OUTLIER_RATIO`` times the median or at most a third of it (a digit or a unit slipped, not
merely a small or a large unit among similar ones). Impossible: a share over 100 % or any negative figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sonket_gsync.analysis.rows import form_rows as _rows
from sonket_gsync.analysis.rows import text_column as _text
from sonket_gsync.campaign.model import Campaign, Form, Indicator
from sonket_gsync.core.text import format_number

TARGET_YEAR = 2030
ON_LINE_TOLERANCE = 0.05  # of the planned change, above the line, still "on the line"
OUTLIER_Z = 3.5
OUTLIER_MIN_UNITS = 5
OUTLIER_RATIO = 3.0
VERDICTS = ("behind", "on_line", "ahead", "reached", "flagged", "unrated")


def indicator_years(campaign: Campaign, form: Form | None) -> tuple[int, ...]:
    return tuple(c.year for c in form.year_columns if c.year is not None) if form else tuple(campaign.indicator_years)


def _indicator_values(campaign: Campaign, form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    """Long table: unit_code, code, year, value (numbers only; reported_by applied)."""
    year_columns = {c.key: c.year for c in form.year_columns} if form else {}
    frame = _rows(form, units, submissions)
    code_key = form.role_column("code").key if form else "code"
    if not frame.empty and code_key in frame:
        frame = frame.rename(columns={code_key: "code"})
    if frame.empty or "code" not in frame:
        return pd.DataFrame({"unit_code": [], "code": [], "year": [], "value": []})
    present = [k for k in year_columns if k in frame]
    if not present:
        return pd.DataFrame({"unit_code": [], "code": [], "year": [], "value": []})
    frame["code"] = _text(frame["code"])
    long = frame.melt(id_vars=["unit_code", "code"], value_vars=present, var_name="column", value_name="value")
    long["year"] = long["column"].map(year_columns)
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"]).drop_duplicates(["unit_code", "code", "year"])
    allowed = pd.Series(True, index=long.index)
    for ind in campaign.indicators:
        if ind.reported_by:
            mine = long["code"].eq(ind.code)
            allowed &= ~mine | long["unit_code"].isin(ind.reported_by)
    return long.loc[allowed, ["unit_code", "code", "year", "value"]]


def indicator_table(campaign: Campaign, form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    years = indicator_years(campaign, form)
    values = _indicator_values(campaign, form, units, submissions)
    responsible = {i.code: i.responsible for i in campaign.indicators if i.aggregate == "unit"}
    if responsible:  # a province-level figure: only the responsible unit's counts
        theirs = values["code"].map(responsible)
        values = values[theirs.isna() | values["unit_code"].eq(theirs)]
    stats = values.groupby(["code", "year"])["value"].agg(["sum", "mean", "max", "min", "count"])
    stats["unit"] = stats["sum"]
    weighted = _weighted_means(campaign, values)
    out = pd.DataFrame(
        {
            "code": [i.code for i in campaign.indicators],
            "name": [i.name for i in campaign.indicators],
            "unit_of_measure": [i.unit_of_measure for i in campaign.indicators],
            "value_type": [i.value_type for i in campaign.indicators],
            "aggregate": [i.aggregate for i in campaign.indicators],
            "target_2030": [i.target_2030 for i in campaign.indicators],
            "sample": [i.sample for i in campaign.indicators],
            "responsible": [i.responsible for i in campaign.indicators],
        }
    )
    out["target_2030"] = out["target_2030"].astype(float)
    for year in years:
        index = pd.MultiIndex.from_arrays([out["code"], [year] * len(out)])
        year_stats = stats.reindex(index)
        plain = [year_stats[agg].iloc[i] if agg in year_stats else np.nan for i, agg in enumerate(out["aggregate"])]
        figure = pd.Series(plain, dtype=float)
        is_weighted = out["aggregate"].eq("weighted_mean")
        if is_weighted.any():  # (an empty assignment fails on pandas 3)
            figure[is_weighted] = [weighted.get(key, np.nan) for key in index[is_weighted.to_numpy()]]
        out[f"value_{year}"] = figure.to_numpy()
        out[f"units_{year}"] = year_stats["count"].fillna(0).astype(int).to_numpy()
    latest_year = pd.Series(np.nan, index=out.index)
    latest_value = pd.Series(np.nan, index=out.index)
    for year in years:  # later years overwrite earlier ones
        has = out[f"value_{year}"].notna()
        latest_year[has] = year
        latest_value[has] = out.loc[has, f"value_{year}"]
    out["latest_year"] = latest_year.astype("Int64")
    out["latest_value"] = latest_value
    target = out["target_2030"].where(out["target_2030"] > 0)
    out["progress"] = latest_value / target * 100
    return out


def _weighted_means(campaign: Campaign, values: pd.DataFrame) -> dict[tuple[str, int], float]:
    """(code, year) -> sum(value * weight) / sum(weight), the weight being the weight
    indicator's value of the same unit and year; units without a positive weight skipped."""
    out: dict[tuple[str, int], float] = {}
    for ind in campaign.indicators:
        if ind.aggregate != "weighted_mean":
            continue
        mine = values[values["code"].eq(ind.code)]
        weights = values[values["code"].eq(ind.weight)][["unit_code", "year", "value"]].rename(columns={"value": "weight"})
        joined = mine.merge(weights, on=["unit_code", "year"], how="inner")
        joined = joined[joined["weight"] > 0]
        joined = joined.assign(product=joined["value"] * joined["weight"])
        sums = joined.groupby("year")[["product", "weight"]].sum()
        for year, row in sums.iterrows():
            out[(ind.code, int(year))] = float(row["product"] / row["weight"])
    return out


# --- the units' figures: which count, which cannot be right -----------------------------------


def unit_figures(campaign: Campaign, form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    """Every unit's figure per indicator and year (reported_by applied), in units.csv order:
    unit_code, unit_name, code, year, value; ``counted``: the figure makes the province's
    (for max / min the extreme one, for "unit" the responsible unit's); ``problem``:
    "impossible" | "outlier" | ""; ``median``: of that indicator and year's figures."""
    values = _indicator_values(campaign, form, units, submissions)
    if values.empty:
        return pd.DataFrame(columns=["unit_code", "unit_name", "code", "year", "value", "counted", "problem", "median"])
    values = values.assign(unit_name=values["unit_code"].map(units["name"]), order=values["unit_code"].map(units["order"]))
    values = values.sort_values(["code", "year", "order"], kind="stable").reset_index(drop=True)
    by_code = {i.code: i for i in campaign.indicators}
    rule = values["code"].map(lambda c: by_code[c].aggregate if c in by_code else "")
    responsible = values["code"].map(lambda c: by_code[c].responsible if c in by_code else "")
    grouped = values.groupby(["code", "year"])["value"]
    counted = rule.isin(["sum", "mean", "weighted_mean"]) | (rule.eq("unit") & values["unit_code"].eq(responsible))
    counted |= rule.eq("max") & values["value"].eq(grouped.transform("max"))
    counted |= rule.eq("min") & values["value"].eq(grouped.transform("min"))
    percent = values["code"].map(lambda c: c in by_code and by_code[c].value_type == "percent")
    impossible = (values["value"] < 0) | (percent & (values["value"] > 100))
    outlier = grouped.transform(lambda v: pd.Series(outliers(v.to_numpy()), index=v.index)).astype(bool)
    values["counted"] = counted.astype(bool)
    values["problem"] = np.where(impossible, "impossible", np.where(outlier, "outlier", ""))
    values["median"] = grouped.transform("median")
    return values[["unit_code", "unit_name", "code", "year", "value", "counted", "problem", "median"]]


def outliers(values: np.ndarray, z: float = OUTLIER_Z, min_units: int = OUTLIER_MIN_UNITS) -> np.ndarray:
    """Which values lie far outside the others (modified z-score over ``z``; see the module)."""
    values = np.asarray(values, dtype=float)
    out = np.zeros(len(values), dtype=bool)
    if len(values) < min_units:
        return out
    median = np.median(values)
    deviation = np.abs(values - median)
    mad = np.median(deviation)
    scale = mad / 0.6745 if mad > 0 else 1.2533 * deviation.mean()
    if scale <= 0:
        return out
    far = deviation / scale > z
    if median > 0:  # and a different order of size: a slip of a digit or a unit, not a small unit
        far &= (values >= OUTLIER_RATIO * median) | (values <= median / OUTLIER_RATIO)
    return far


# --- verdicts against the straight line to the target ---------------------------------------


@dataclass(frozen=True)
class IndicatorVerdict:
    code: str
    name: str
    unit_label: str  # the unit of measure ("%", "người")
    baseline_year: int | None  # the first year with a province figure
    baseline_value: float | None
    latest_year: int | None
    latest_value: float | None
    target: float | None
    target_year: int
    expected_value: float | None  # the line's value in latest_year
    verdict: str  # one of VERDICTS
    flag: str  # why staff must check the figures (verdict "flagged"), else ""
    sample: bool = False


def indicator_verdicts(campaign: Campaign, table: pd.DataFrame, values: pd.DataFrame, years: tuple[int, ...]) -> list[IndicatorVerdict]:
    """One verdict per indicator, in indicators.csv order (``table`` from indicator_table,
    ``values`` from unit_figures)."""
    names = {u.code: u.name for u in campaign.units}
    out = []
    for ind, row in zip(campaign.indicators, table.to_dict("records"), strict=True):
        series = [(y, float(row[f"value_{y}"])) for y in years if pd.notna(row.get(f"value_{y}"))]
        target = ind.target_2030
        first = series[0] if series else (None, None)
        last = series[-1] if series else (None, None)
        expected = _expected(first, target, last[0])
        flag = _flag(ind, series, values[values["code"].eq(ind.code)] if not values.empty else values, names)
        verdict = "flagged" if flag else _verdict(first, last, target, expected, decimals(ind))
        out.append(
            IndicatorVerdict(
                code=ind.code,
                name=ind.name,
                unit_label=ind.unit_of_measure,
                baseline_year=first[0],
                baseline_value=first[1],
                latest_year=last[0],
                latest_value=last[1],
                target=target,
                target_year=TARGET_YEAR,
                expected_value=expected,
                verdict=verdict,
                flag=flag,
                sample=ind.sample,
            )
        )
    return out


def _expected(first: tuple, target: float | None, year: int | None) -> float | None:
    start_year, start = first
    if target is None or start is None or year is None:
        return None
    if start_year >= TARGET_YEAR:
        return target
    return start + (target - start) * (year - start_year) / (TARGET_YEAR - start_year)


def decimals(ind: Indicator) -> int:
    """Decimals a figure of this indicator is printed (and compared) with: 0 for counts."""
    return 0 if ind.value_type == "integer" else 1


def _verdict(first: tuple, last: tuple, target: float | None, expected: float | None, places: int = 1) -> str:
    (start_year, start), (year, latest) = first, last
    if target is None or latest is None or expected is None:
        return "unrated"
    direction = 1 if target >= start else -1
    if direction * (round(latest, places) - round(target, places)) >= 0:
        return "reached"
    if year == start_year:
        return "unrated"
    gap = direction * (round(latest, places) - round(expected, places))
    if gap < 0:
        return "behind"
    return "on_line" if gap <= ON_LINE_TOLERANCE * abs(target - start) else "ahead"


def _flag(ind: Indicator, series: list[tuple[int, float]], mine: pd.DataFrame, names: dict[str, str]) -> str:
    """Why this indicator's figures must be checked before it is judged ("" = nothing)."""
    if ind.aggregate == "unit" and not series:
        return f"Chưa có số liệu của {names.get(ind.responsible, ind.responsible)}, đơn vị chịu trách nhiệm về số liệu toàn tỉnh của chỉ tiêu."
    if ind.value_type == "percent":
        over = [(y, v) for y, v in series if v > 100]
        if over:
            y, v = over[-1]
            return f"Tỷ lệ toàn tỉnh năm {y} là {format_number(v)}%, vượt quá 100%: không thể là số liệu đúng."
    if mine.empty:
        return ""
    bad = mine[mine["counted"] & mine["problem"].ne("")]
    if bad.empty:
        return ""
    first = bad.iloc[-1]
    what = (
        "không thể đúng (tỷ lệ vượt 100% hoặc số âm)"
        if first["problem"] == "impossible"
        else f"khác xa số liệu của các đơn vị khác (trung vị {format_number(first['median'])})"
    )
    more = f"; {len(bad) - 1} số liệu khác cũng cần kiểm tra" if len(bad) > 1 else ""
    return f"Số liệu năm {int(first['year'])} của {first['unit_name']} ({format_number(first['value'])} {ind.unit_of_measure}) {what}{more}."

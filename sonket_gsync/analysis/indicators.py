"""Indicators: per indicator, each year's province figure by its rule (sum, mean, weighted
mean, max, min), the number of units reporting it, the 2030 target and the progress. The
indicator form (role "indicators", analysis/roles/indicators.py) is given, or None;
``reported_by`` keeps other units' figures out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sonket_gsync.analysis.rows import form_rows as _rows
from sonket_gsync.analysis.rows import text_column as _text
from sonket_gsync.campaign.model import Campaign, Form


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
    stats = values.groupby(["code", "year"])["value"].agg(["sum", "mean", "max", "min", "count"])
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

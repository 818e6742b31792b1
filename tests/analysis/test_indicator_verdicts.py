"""Indicators judged against the straight line from the first reported year's value to the
2030 target; a province-level figure from its responsible unit; impossible and outlying
figures flagged, never called achieved."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.analysis.roles.indicators import VERDICT_LABELS, indicator_paragraphs, indicator_rows, verdict_rule_text
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.submission import Submission, UnitRecord

SENT = datetime(2026, 4, 15, 9, 0, tzinfo=TZ)


def record(campaign, code, rows) -> UnitRecord:
    return UnitRecord(
        unit=campaign.unit(code), status="on_time", submission=Submission(unit_code=code, tables={"CHI_TIEU": rows}), submitted_at=SENT, last_modified=SENT
    )


def rows(campaign, values: dict[str, tuple], note: str = "") -> list[dict]:
    form = campaign.form("CHI_TIEU")
    keys = [c.key for c in form.year_columns]
    return [{"code": code, **dict(zip(keys, figures, strict=False)), **({"note": note} if note else {})} for code, figures in values.items()]


def verdict(agg, code):
    return next(v for v in agg.indicator_verdicts if v.code == code)


@pytest.mark.parametrize(
    ("figures", "expected_verdict", "expected_line"),
    [
        ((55, 55.5, 56), "behind", 56.7),  # 93 % of the target, yet below its line
        ((10, 20, 30), "ahead", 26.7),  # half the target, well above its line
        ((30, 35, 40), "on_line", 40.0),  # on the line exactly
        ((30, 35, 41), "on_line", 40.0),  # above by less than 1/20 of the planned change (30)
        ((50, 55, 60), "reached", 53.3),
    ],
)
def test_a_rate_is_judged_against_its_line(campaign, figures, expected_verdict, expected_line):
    agg = aggregate(campaign, [record(campaign, "LHH_KHKT", rows(campaign, {"CT01": figures}))])
    v = verdict(agg, "CT01")
    assert (v.verdict, round(v.expected_value, 1)) == (expected_verdict, expected_line)
    assert (v.baseline_year, v.baseline_value, v.latest_year, v.latest_value, v.target, v.target_year) == (2024, figures[0], 2026, figures[2], 60.0, 2030)
    assert v.flag == ""
    row = indicator_rows(campaign, agg)[0]
    assert row["status"] == VERDICT_LABELS[expected_verdict]


def test_the_line_starts_at_the_first_year_with_a_figure(campaign):
    agg = aggregate(campaign, [record(campaign, "LHH_KHKT", rows(campaign, {"CT01": (None, 40, 44)}))])
    v = verdict(agg, "CT01")
    assert (v.baseline_year, v.baseline_value) == (2025, 40)
    assert round(v.expected_value, 2) == 44.0 and v.verdict == "on_line"


def test_a_share_over_100_percent_is_flagged_not_reached(campaign):
    agg = aggregate(campaign, [record(campaign, "SO_NV", rows(campaign, {"CT07": (60, 90, 130)}))])
    v = verdict(agg, "CT07")
    assert v.verdict == "flagged" and "130%" in v.flag and "100%" in v.flag
    assert indicator_rows(campaign, agg)[6]["status"] == "Cần kiểm tra số liệu"
    assert any(p.unit_code == "SO_NV" and p.kind == "impossible_value" for p in agg.data_problems)


def test_a_figure_far_outside_the_units_is_flagged_with_its_unit(campaign):
    units = ["SO_NV", "SO_TC", "SO_YT", "SO_KHCN", "LHH_KHKT", "DU_CA"]
    records = [record(campaign, code, rows(campaign, {"CT02": (10 + i, 12 + i, 14 + i)})) for i, code in enumerate(units)]
    records.append(record(campaign, "MTTQ", rows(campaign, {"CT02": (11, 13, 9000)})))
    agg = aggregate(campaign, records)
    v = verdict(agg, "CT02")
    assert v.verdict == "flagged"
    assert campaign.unit("MTTQ").name in v.flag and "9.000" in v.flag
    outliers = [p for p in agg.data_problems if p.kind == "outlier"]
    assert [(p.unit_code, "Năm 2026" in p.where or "2026" in p.where) for p in outliers] == [("MTTQ", True)]


def test_the_province_level_figure_is_the_responsible_units_not_the_largest(campaign):
    assert campaign.indicator("CT11").aggregate == "unit" and campaign.indicator("CT11").responsible == "SO_TC"
    records = [
        record(campaign, "SO_TC", rows(campaign, {"CT11": (1.9, 2.0, 2.0)})),
        record(campaign, "SO_NV", rows(campaign, {"CT11": (2.4, 2.8, 3.3)})),
        record(campaign, "SO_YT", rows(campaign, {"CT11": (2.2, 2.4, 2.5)})),
    ]
    agg = aggregate(campaign, records)
    ct11 = agg.indicators.set_index("code").loc["CT11"]
    assert (ct11["value_2024"], ct11["value_2026"], ct11["units_2026"]) == (1.9, 2.0, 1)
    v = verdict(agg, "CT11")
    assert v.verdict == "behind" and round(v.expected_value, 2) == 2.27


def test_a_province_level_figure_missing_from_its_unit_is_flagged(campaign):
    agg = aggregate(campaign, [record(campaign, "SO_NV", rows(campaign, {"CT11": (2.4, 2.8, 3.3)}))])
    v = verdict(agg, "CT11")
    assert v.verdict == "flagged" and campaign.unit("SO_TC").name in v.flag and "chịu trách nhiệm" in v.flag


def test_no_target_is_not_judged(campaign):
    agg = aggregate(campaign, [record(campaign, "SO_NV", rows(campaign, {"CT04": (100, 110, 120)}))])
    assert verdict(agg, "CT04").verdict == "unrated"


def test_an_unknown_responsible_unit_is_a_located_config_error(tmp_path):
    folder = tmp_path / "campaign"
    shutil.copytree(DEFAULT_CAMPAIGN, folder)
    path = folder / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",SO_TC", ",SO_KHONG_CO"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_campaign(folder)
    assert "SO_KHONG_CO" in str(caught.value) and "CT11" in caught.value.where and "responsible" in caught.value.where


def test_the_rule_is_in_words_and_the_body_names_what_is_behind_with_the_causes(campaign):
    records = [
        record(campaign, "LHH_KHKT", rows(campaign, {"CT01": (37.8, 40.8, 43.9)}, note="Chỉ tiêu còn thấp do nguồn tuyển dụng hạn chế")),
        record(campaign, "SO_TC", rows(campaign, {"CT11": (2.0, 2.4, 2.9)})),
    ]
    agg = aggregate(campaign, records)
    rule = verdict_rule_text(campaign, agg)
    assert "=" not in rule and "Tiến độ (%)" not in rule and "lộ trình" in rule
    assert "mức theo lộ trình năm 2026 là 45,2%" in rule
    body = "\n".join(indicator_paragraphs(campaign, agg))
    assert "chỉ tiêu số 1 “" in body and "đạt 43,9% (mức theo lộ trình 45,2%; mục tiêu năm 2030 là 60%)" in body
    assert "nguồn tuyển dụng hạn chế" in body
    assert "chỉ tiêu số 11 “" not in body.split("Các chỉ tiêu chậm")[-1].split("Chỉ tiêu chậm")[-1]  # ahead: not listed as behind
    assert verdict(agg, "CT11").verdict == "ahead"

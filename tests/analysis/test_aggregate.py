"""aggregate(): each table of the province's report, from hand-written submissions."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import datetime

import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.analysis.roles.party_committees import NOT_REPORTED
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.submission import Submission, UnitRecord

SENT = datetime(2026, 4, 15, 9, 0, tzinfo=TZ)


def record(campaign, code, *, status="on_time", tables=None, narrative=None, **extra) -> UnitRecord:
    submission = Submission(unit_code=code, tables=tables or {}, narrative=narrative or {})
    return UnitRecord(
        unit=campaign.unit(code),
        status=status,
        submission=submission,
        submitted_at=SENT,
        last_modified=SENT,
        **extra,
    )


def indicator_rows(campaign, values: dict[str, tuple]) -> list[dict]:
    """CHI_TIEU rows: indicator code -> one value per year column (None for blank)."""
    year_keys = [c.key for c in campaign.form("CHI_TIEU").year_columns]
    return [{"code": code, **dict(zip(year_keys, figures, strict=False))} for code, figures in values.items()]


def figures(agg, code: str) -> dict:
    return agg.indicators.set_index("code").loc[code].to_dict()


@pytest.fixture
def years(campaign):
    return tuple(c.year for c in campaign.form("CHI_TIEU").year_columns)


# --- indicators ---------------------------------------------------------------------------


def test_year_columns_come_from_the_form(campaign, years):
    agg = aggregate(campaign, [])
    assert agg.indicator_years == years == campaign.indicator_years


def test_sum_adds_every_reporting_unit_and_counts_them(campaign, years):
    y1, y2, y3 = years
    records = [
        record(campaign, "SO_NV", tables={"CHI_TIEU": indicator_rows(campaign, {"CT02": (10, 20, None)})}),
        record(campaign, "SO_YT", tables={"CHI_TIEU": indicator_rows(campaign, {"CT02": (5, "7", None)})}),
        record(campaign, "DU_CA", tables={"CHI_TIEU": indicator_rows(campaign, {"CT02": (1, None, None)})}),
    ]
    ct02 = figures(aggregate(campaign, records), "CT02")
    assert ct02[f"value_{y1}"] == 16 and ct02[f"units_{y1}"] == 3
    assert ct02[f"value_{y2}"] == 27 and ct02[f"units_{y2}"] == 2
    assert ct02[f"value_{y3}"] != ct02[f"value_{y3}"]  # NaN: nobody reported
    assert ct02[f"units_{y3}"] == 0


def test_mean_averages_reporting_units_only(campaign, years):
    y1 = years[0]
    records = [
        record(campaign, "SO_NV", tables={"CHI_TIEU": indicator_rows(campaign, {"CT07": (60, None, None)})}),
        record(campaign, "SO_YT", tables={"CHI_TIEU": indicator_rows(campaign, {"CT07": (90, None, None)})}),
        record(campaign, "SO_TC", tables={"CHI_TIEU": indicator_rows(campaign, {"CT07": (None, None, None)})}),
    ]
    ct07 = figures(aggregate(campaign, records), "CT07")
    assert ct07[f"value_{y1}"] == 75
    assert ct07[f"units_{y1}"] == 2


def test_weighted_mean_uses_the_weight_indicator_of_the_same_unit_and_year(campaign, years):
    y1, y2, _ = years
    records = [
        record(campaign, "SO_NV", tables={"CHI_TIEU": indicator_rows(campaign, {"CT03": (90, 50, None), "CT04": (100, 100, None)})}),
        record(campaign, "SO_YT", tables={"CHI_TIEU": indicator_rows(campaign, {"CT03": (80, 100, None), "CT04": (300, None, None)})}),
    ]
    ct03 = figures(aggregate(campaign, records), "CT03")
    assert ct03[f"value_{y1}"] == pytest.approx((90 * 100 + 80 * 300) / 400)
    # In the second year SO_YT gives no weight: only SO_NV's figure counts.
    assert ct03[f"value_{y2}"] == pytest.approx(50)
    assert ct03[f"units_{y2}"] == 2


def test_max_takes_the_largest_figure(campaign, years):
    y1 = years[0]
    as_max = dataclasses.replace(campaign.indicator("CT11"), aggregate="max", responsible="")
    campaign = dataclasses.replace(campaign, indicators=tuple(as_max if i.code == "CT11" else i for i in campaign.indicators))
    records = [
        record(campaign, "SO_NV", tables={"CHI_TIEU": indicator_rows(campaign, {"CT11": (1.5, None, None)})}),
        record(campaign, "SO_KHCN", tables={"CHI_TIEU": indicator_rows(campaign, {"CT11": (2.75, None, None)})}),
    ]
    assert figures(aggregate(campaign, records), "CT11")[f"value_{y1}"] == 2.75


def test_reported_by_ignores_other_units_figures(campaign, years):
    y1, y2, y3 = years
    records = [
        record(campaign, "LHH_KHKT", tables={"CHI_TIEU": indicator_rows(campaign, {"CT01": (40, 45, 50)})}),
        record(campaign, "SO_NV", tables={"CHI_TIEU": indicator_rows(campaign, {"CT01": (100, 100, 100)})}),
    ]
    ct01 = figures(aggregate(campaign, records), "CT01")
    assert (ct01[f"value_{y1}"], ct01[f"value_{y2}"], ct01[f"value_{y3}"]) == (40, 45, 50)
    assert ct01[f"units_{y1}"] == 1


def test_progress_is_the_latest_year_with_data_against_the_2030_target(campaign, years):
    _y1, y2, _ = years
    records = [record(campaign, "LHH_KHKT", tables={"CHI_TIEU": indicator_rows(campaign, {"CT01": (30, 45, None)})})]
    ct01 = figures(aggregate(campaign, records), "CT01")
    assert ct01["latest_year"] == y2
    assert ct01["progress"] == pytest.approx(45 / 60 * 100)
    assert not ct01["sample"]


def test_sample_flag_follows_indicators_csv(campaign):
    agg = aggregate(campaign, [])
    assert agg.sample_indicators == [i.code for i in campaign.indicators if i.sample]


# --- Phụ lục 01 -----------------------------------------------------------------------------


def _doc(issuer, number, day, summary="Kế hoạch"):
    return {"stt": 1, "issuer": issuer, "doc_number": number, "doc_date": day, "summary": summary}


def test_documents_grouped_by_issuer_in_config_order_then_date(campaign):
    issuers = campaign.form("PL01_VB").column("issuer").choices
    records = [
        record(campaign, "SO_NV", tables={"PL01_VB": [_doc(issuers[3], "5/KH-SNV", "2024-06-01"), _doc(issuers[0], "3/CV-TU", "2024-09-01")]}),
        record(campaign, "SO_YT", tables={"PL01_VB": [_doc(issuers[0], "1/KH-TU", "2024-03-01"), _doc(issuers[5], "9/KH-DU", "2025-01-02")]}),
    ]
    agg = aggregate(campaign, records)
    docs = agg.documents
    assert list(docs["doc_number"]) == ["1/KH-TU", "3/CV-TU", "5/KH-SNV", "9/KH-DU"]
    assert list(docs["issuer_numeral"]) == ["I", "I", "IV", "VI"]
    assert list(docs["unit_name"]) == ["Sở Y tế", "Sở Nội vụ", "Sở Nội vụ", "Sở Y tế"]
    counts = agg.document_counts
    assert list(counts["issuer"]) == list(issuers)
    assert list(counts["issuer_numeral"]) == ["I", "II", "III", "IV", "V", "VI"]
    assert list(counts["count"]) == [2, 0, 0, 1, 0, 1]


def test_inspection_counts_answers_per_body_and_lists_forms(campaign):
    bodies = campaign.form("PL01_KT").fixed_rows

    def answers(inspected, form, reviewed):
        return [{"body": b, "inspected": inspected, "inspection_form": form, "reviewed": reviewed} for b in bodies]

    records = [
        record(campaign, "SO_NV", tables={"PL01_KT": answers("Có", "Kiểm tra chuyên đề", "Có")}),
        record(campaign, "SO_YT", tables={"PL01_KT": answers("Không", None, "Có")}),
        record(campaign, "SO_TC", tables={"PL01_KT": answers("Có", "Giám sát định kỳ", "Không")}),
    ]
    table = aggregate(campaign, records).inspection
    assert list(table["body"]) == list(bodies)
    first = table.iloc[0]
    assert (first.inspected_yes, first.inspected_no, first.reviewed_yes, first.reviewed_no) == (2, 1, 2, 1)
    assert first.forms == ["Sở Nội vụ: Kiểm tra chuyên đề", "Sở Tài chính: Giám sát định kỳ"]


# --- Phụ lục 02 -----------------------------------------------------------------------------


def _party_row(count, rate, documents="Kế hoạch số 1"):
    return {
        "stt": 1,
        "unit_name": "x",
        "documents": documents,
        "members_count": count,
        "members_rate": rate,
        "inspection": "Kiểm tra quý I",
        "good_practices": None,
        "difficulties": "",
        "recommendations": None,
    }


def test_party_table_lists_every_party_committee_in_units_csv_order(campaign):
    party_units = [u for u in campaign.units if any(g.code == u.group and "PL02" in g.forms for g in campaign.groups)]
    second, fifth = party_units[1], party_units[4]
    records = [
        record(campaign, fifth.code, tables={"PL02": [_party_row(300, 75)]}),
        record(campaign, second.code, tables={"PL02": [_party_row(100, 50)]}),
        record(campaign, party_units[6].code, tables={"PL02": [_party_row(50, 0)]}),
    ]
    agg = aggregate(campaign, records)
    party = agg.party
    assert list(party["unit_code"]) == [u.code for u in party_units]
    assert list(party["stt"]) == list(range(1, len(party_units) + 1))
    assert party.iloc[1]["members_count"] == 100 and party.iloc[1]["documents"] == "Kế hoạch số 1"
    assert party.iloc[0]["documents"] == NOT_REPORTED and not party.iloc[0]["reported"]
    assert party.iloc[1]["good_practices"] == ""
    totals = agg.party_totals
    assert totals["members_count"] == 450
    # Rate 0 is skipped: 400 members out of 100/0.5 + 300/0.75 = 600.
    assert totals["members_rate"] == pytest.approx(400 / 600 * 100)
    assert (totals["units_reported"], totals["units_total"]) == (3, len(party_units))


# --- completeness and narrative ---------------------------------------------------------------


def test_completeness_counts_statuses_per_group_and_missing_units(campaign):
    records = [
        record(campaign, "SO_NV", status="on_time"),
        record(campaign, "SO_YT", status="late"),
        record(campaign, "HDND", status="invalid", error_count=3, flagged=True),
        UnitRecord(unit=campaign.unit("DU_CA"), status="missing", submission=None, submitted_at=None, last_modified=None),
    ]
    agg = aggregate(campaign, records)
    groups = agg.group_completeness.set_index("group")
    du_ubnd = groups.loc["DU_UBND"]
    assert (du_ubnd.on_time, du_ubnd.late, du_ubnd.invalid) == (1, 1, 0)
    assert du_ubnd.missing == len(campaign.units_in("DU_UBND")) - 2
    assert du_ubnd.total == len(campaign.units_in("DU_UBND"))
    assert groups.loc["CAP_TINH"].invalid == 1
    assert groups.loc["DANG_UY"].missing == len(campaign.units_in("DANG_UY"))
    assert agg.totals == {"on_time": 1, "late": 1, "invalid": 1, "missing": len(campaign.units) - 3, "total": len(campaign.units), "sent": 3}
    units = agg.completeness.set_index("code")
    assert list(agg.completeness["code"]) == [u.code for u in campaign.units]
    assert units.loc["HDND", "error_count"] == 3 and units.loc["HDND", "flagged"]
    assert units.loc["HDND", "status_label"] == "Có lỗi"


def test_invalid_unit_still_counts_with_its_last_accepted_version(campaign, years):
    records = [record(campaign, "SO_NV", status="invalid", tables={"CHI_TIEU": indicator_rows(campaign, {"CT02": (7, None, None)})})]
    assert figures(aggregate(campaign, records), "CT02")[f"value_{years[0]}"] == 7


def test_narrative_collects_texts_in_units_order_skipping_empty(campaign):
    nfd = unicodedata.normalize("NFD", "Đã quán triệt đầy đủ")
    records = [
        record(campaign, "SO_YT", narrative={"I.1": "Y tế đã triển khai", "II.2": "   "}),
        record(campaign, "SO_NV", narrative={"I.1": nfd, "IV": "Nhiệm vụ tới"}),
    ]
    narrative = aggregate(campaign, records).narrative
    assert list(narrative) == [item.key for item in campaign.outline_items]
    assert narrative["I.1"] == [("SO_NV", "Sở Nội vụ", "Đã quán triệt đầy đủ"), ("SO_YT", "Sở Y tế", "Y tế đã triển khai")]
    assert narrative["I.1"][0][2] == unicodedata.normalize("NFC", nfd)
    assert narrative["II.2"] == []
    assert narrative["IV"] == [("SO_NV", "Sở Nội vụ", "Nhiệm vụ tới")]


def test_party_committee_answers_feed_the_outline_split_by_recipient(campaign):
    unit = campaign.units_in("DANG_UY")[0]
    row = {
        **_party_row(10, 50),
        "good_practices": "Mô hình cà phê trí thức",
        "difficulties": "Thiếu kinh phí",
        "recommendations": "Với Trung ương: sửa Luật Khoa học. Với Tỉnh ủy: tăng kinh phí cho cơ sở.",
    }
    narrative = aggregate(campaign, [record(campaign, unit.code, tables={"PL02": [row]})]).narrative
    assert narrative["III.2"] == [(unit.code, unit.name, "Mô hình cà phê trí thức")]
    assert narrative["III.3"] == [(unit.code, unit.name, "Thiếu kinh phí")]
    assert narrative["I.3"] == [(unit.code, unit.name, "Kiểm tra quý I")]
    assert [t for _, _, t in narrative["V.1"]] and "Luật Khoa học" in narrative["V.1"][0][2]
    assert "kinh phí cho cơ sở" in narrative["V.2"][0][2] and "Luật" not in narrative["V.2"][0][2]


def test_a_campaign_without_documents_inspection_or_party_forms_aggregates_to_empty_tables(campaign):
    import dataclasses

    only = dataclasses.replace(campaign, forms=tuple(f for f in campaign.forms if f.role == "indicators"))
    agg = aggregate(only, [record(only, "SO_NV", tables={"PL01_VB": [_doc("Tỉnh ủy", "1/KH", "2024-01-01")]})])
    assert agg.documents.empty and agg.document_counts.empty and agg.inspection.empty and agg.party.empty
    assert agg.party_totals["units_total"] == 0

"""The body in the province's voice (report/body.py, report/voice.py, analysis/themes.py):
collective subjects and share words by the documented thresholds, no unit sentence pasted
with its name in brackets, boilerplate and repeats dropped, limitations apart from
achievements, causes split khách quan / chủ quan, a centre-only matter never under the
province, tasks as the province's, a trace behind every paragraph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.analysis.cues import cause_kind, is_boilerplate, is_centre_only, is_negative, share_word
from sonket_gsync.analysis.splitting import route_recommendation
from sonket_gsync.analysis.synthesis import Statement
from sonket_gsync.analysis.themes import build_themes, province_clause
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.report.appendix import appendix_plan
from sonket_gsync.report.body import paragraph_texts, sections
from sonket_gsync.report.voice import Voice, share
from tests.analysis.test_aggregate import record

ROOT = Path(__file__).resolve().parents[2]
OTHER = ROOT / "tests" / "campaigns" / "tong-ket-chi-thi-05"

STUDY = "Đã tổ chức quán triệt Nghị quyết số 45-NQ/TW đến toàn thể cán bộ, đảng viên."
STUDY_UNIT = "{name} tổ chức hội nghị quán triệt Nghị quyết số 45-NQ/TW cho {n} đảng viên."
LATE = "Việc quán triệt ở một số chi bộ còn chậm, tỷ lệ đảng viên tham gia chưa cao."
ONLINE = "Biên soạn và phát hành tài liệu hỏi - đáp về Nghị quyết, phục vụ đảng viên tự nghiên cứu."
BOILER = "Danh mục văn bản được thống kê tại phụ lục kèm theo."
ESTIMATE = "Số liệu năm 2026 là số ước thực hiện."
OBJECTIVE = "Do sắp xếp đơn vị hành chính, một số nhiệm vụ chưa được triển khai đúng tiến độ."
SUBJECTIVE = "Nhận thức của một số cấp ủy, người đứng đầu về vai trò của đội ngũ trí thức chưa đầy đủ."
LAW = "Đề nghị nghiên cứu, xây dựng luật riêng về chính sách đối với trí thức."
FUNDS = "Đề nghị bố trí kinh phí hằng năm cho hoạt động của các hội trí thức."
COMMIT = "Ban Thường vụ Đảng ủy tiếp tục quán triệt Nghị quyết số 45-NQ/TW đến cán bộ, đảng viên."


def _units(campaign, count):
    return [u for u in campaign.units if u.group == "DANG_UY"][:count]


@pytest.fixture(scope="module")
def built(campaign):
    """Ten party committees: all ten studied (one repeats itself, some add boilerplate), six
    with figures, three online; four say it was late; causes; recommendations where a law
    is addressed to no one (it belongs to the centre)."""
    records = []
    for n, unit in enumerate(_units(campaign, 10)):
        i1 = [STUDY if n % 2 else STUDY_UNIT.format(name=unit.name, n=100 + 10 * n), STUDY]  # the repeat counts once
        if n < 3:
            i1.append(ONLINE)
        if n < 4:
            i1.append(LATE)
        if n < 5:
            i1.append(BOILER)
        narrative = {
            "I.1": "\n".join(i1),
            "II.1": ESTIMATE,
            "III.3": OBJECTIVE if n < 6 else SUBJECTIVE,
            "IV": COMMIT,
            "V.2": LAW if n < 3 else FUNDS,
        }
        records.append(record(campaign, unit.code, narrative=narrative))
    agg = aggregate(campaign, records)
    _, names = appendix_plan(campaign)
    return sections(campaign, agg, names, names["annex"])


def _part(built, key):
    section, number = ([*key.split("."), ""])[:2]
    for s in built:
        if s["heading"].startswith(f"{section}. "):
            parts = s["parts"]
            if not number:
                return parts[0]
            return next(p for p in parts if p["heading"].startswith(f"{number}. "))
    raise KeyError(key)


def _texts(built, key):
    return [p.text for p in _part(built, key)["paragraphs"]]


# --- the cue words ---------------------------------------------------------------------------------


def test_share_words_follow_the_documented_thresholds():
    assert [share_word(k, 100) for k in (100, 80, 79, 50, 49, 25, 24, 1)] == ["hầu hết", "hầu hết", "đa số", "đa số", "nhiều", "nhiều", "một số", "một số"]
    assert share_word(0, 0) == "một số"


def test_share_words_on_hand_made_groups(campaign):
    units = _units(campaign, 10)
    voice = Voice(campaign)
    for count, word in ((9, "hầu hết"), (6, "đa số"), (3, "nhiều"), (2, "một số")):
        statements = [Statement(u.code, u.name, STUDY) for u in units[:count]]
        statements += [Statement(u.code, u.name, f"Duy trì mô hình số {k} riêng của đơn vị, gắn với phong trào thi đua.") for k, u in enumerate(units[count:])]
        themes = build_themes(statements)
        study = next(t for t in themes.themes if t.unit_count == count)
        assert share(study, themes.unit_count, voice) == f"{word} đảng ủy trực thuộc tỉnh ({count}/10)"


def test_boilerplate_negation_causes_and_centre_only_are_recognised():
    for text in (BOILER, ESTIMATE, "(có phụ lục kèm theo)", "Số liệu chi tiết thể hiện tại biểu chỉ tiêu kèm theo."):
        assert is_boilerplate(text), text
    assert not is_boilerplate(STUDY)
    assert is_negative(LATE) and not is_negative(STUDY)
    assert not is_negative("Thanh tra việc thực hiện chính sách, kịp thời phát hiện, tháo gỡ vướng mắc.")  # overcome
    assert not is_negative("Ban hành kế hoạch bổ sung, bảo đảm việc thực hiện không bị gián đoạn.")
    assert cause_kind(OBJECTIVE) == "khach_quan" and cause_kind(SUBJECTIVE) == "chu_quan" and cause_kind(STUDY) == ""
    assert is_centre_only(LAW) and not is_centre_only(FUNDS) and not is_centre_only("Tăng cường kỷ luật, kỷ cương hành chính.")
    assert route_recommendation(LAW, "tinh_uy") == "trung_uong" and route_recommendation(FUNDS, "tinh_uy") == "tinh_uy"


def test_a_clause_loses_the_units_subject_name_and_figures():
    assert province_clause(COMMIT, "Đảng ủy xã A", ("45-NQ/TW",)) == "tiếp tục quán triệt Nghị quyết số 45-NQ/TW đến cán bộ, đảng viên"
    clause = province_clause("Bên cạnh đó, Đảng ủy xã A ban hành Kế hoạch số 57-KH/ĐU ngày 12/3/2024 cho 120 đảng viên.", "Đảng ủy xã A")
    assert clause == "ban hành kế hoạch cho đảng viên"
    assert province_clause("Số cán bộ tăng từ 14 người năm 2024 lên 67 người năm 2025.") == ""  # nothing readable without figures


def test_negation_splits_achievements_from_limitations(campaign):
    units = _units(campaign, 4)
    statements = [Statement(u.code, u.name, "Đã quán triệt Nghị quyết đến các chi bộ trực thuộc.") for u in units[:2]]
    statements += [Statement(u.code, u.name, "Chưa quán triệt Nghị quyết đến các chi bộ trực thuộc.") for u in units[2:]]
    themes = build_themes(statements)
    assert sorted((t.negative, t.unit_count) for t in themes.themes) == [(False, 2), (True, 2)]


def test_duplicates_and_boilerplate_are_dropped_not_printed(campaign):
    units = _units(campaign, 3)
    statements = [Statement(u.code, u.name, t) for u in units for t in (STUDY, STUDY, BOILER)]
    themes = build_themes(statements)
    assert [(t.unit_count, len(t.members)) for t in themes.themes] == [(3, 3)]
    assert len(themes.dropped) == 6


# --- the body -----------------------------------------------------------------------------------------


def test_no_unit_sentence_in_brackets_and_no_lists_of_units(campaign, built):
    names = [u.name for u in campaign.units]
    for text in paragraph_texts(built):
        assert "đơn vị cùng nêu" not in text and "Qua tổng hợp báo cáo của" not in text
        for name in names:
            assert f"({name})" not in text, text
        assert not re.match(r"^(?:Đảng ủy|Cấp ủy|Đơn vị|Ban Thường vụ)\b", text), text


def test_an_item_opens_with_a_collective_subject_figures_shares_then_limitations(built):
    texts = _texts(built, "I.1")
    assert texts[0] == "Các đảng ủy trực thuộc tỉnh đã nghiên cứu, quán triệt, triển khai thực hiện Nghị quyết 45-NQ/TW, Kế hoạch số 329-KH/TU."
    said = next(t for t in texts if t.startswith("Kết quả cụ thể: "))
    assert "hầu hết đảng ủy trực thuộc tỉnh (10/10)" in said and "nhiều đảng ủy trực thuộc tỉnh (3/10)" in said
    assert "tiêu biểu như: " in said
    assert texts[-1].startswith("Tuy nhiên, ") and "(4/10 đơn vị nêu)" in texts[-1]
    assert texts.index(said) < len(texts) - 1
    assert not any("phụ lục kèm theo" in t.lower() for t in paragraph_texts(built))
    assert not any("ước thực hiện" in t and "Số liệu" in t for t in _texts(built, "II.1"))


def test_examples_are_at_most_three_and_the_largest_figures(campaign, built):
    said = next(t for t in _texts(built, "I.1") if t.startswith("Kết quả cụ thể: "))
    listed = re.search(r"tiêu biểu như: ([^;]+)", said).group(1).rstrip(".").split(", ")
    units = _units(campaign, 10)
    assert listed == [units[8].name, units[6].name, units[4].name]  # 180, 160, 140 đảng viên: the largest


def test_limitations_split_causes_into_objective_and_subjective(built):
    texts = _texts(built, "III.3")
    assert any(t.startswith("Bên cạnh những kết quả đạt được") for t in texts)
    objective = next(t for t in texts if t.startswith("Nguyên nhân khách quan: "))
    subjective = next(t for t in texts if t.startswith("Nguyên nhân chủ quan: "))
    assert "sắp xếp đơn vị hành chính" in objective and "nhận thức" in subjective


def test_tasks_are_the_provinces_never_a_units_commitment(built):
    texts = _texts(built, "IV")
    assert texts[0] == "1. Tiếp tục quán triệt Nghị quyết số 45-NQ/TW đến cán bộ, đảng viên."
    assert not any("Ban Thường vụ Đảng ủy" in t for t in texts)
    assert texts[-1].startswith(f"{len(texts)}. Tập trung khắc phục những hạn chế đã nêu")


def test_a_centre_only_matter_never_sits_under_the_province(built):
    centre = " ".join(_texts(built, "V.1"))
    province = " ".join(_texts(built, "V.2"))
    assert "luật riêng" in centre and "luật" not in province
    assert "kinh phí hằng năm" in province and "(7 đơn vị đề xuất)" in province


def test_every_paragraph_keeps_its_trace_and_the_indicator_item_marks_the_table(built):
    for section in built:
        for part in section["parts"]:
            for p in part["paragraphs"]:
                assert p.text and p.trace, p
    ii1 = _part(built, "II.1")
    assert ii1["indicators"] and sum(p.table for p in ii1["paragraphs"]) == 1
    said = next(p for p in _part(built, "I.1")["paragraphs"] if p.text.startswith("Kết quả cụ thể: "))
    assert any("câu gốc" in v for v in said.trace.values())


def test_curly_quotes_and_no_doubled_words(built):
    for text in paragraph_texts(built):
        assert '"' not in text and not re.search(r"\b(\w+ \w+) \1\b", text), text


def test_another_campaign_gets_a_body_in_its_own_words():
    campaign = load_campaign(OTHER)
    units = [u for u in campaign.units if u.group == "DANG_BO"][:3]
    records = [
        record(
            campaign,
            u.code,
            narrative={
                "I.1": "Tổ chức học tập chuyên đề cho cán bộ, đảng viên.",
                "III": "Tiếp tục nêu gương học tập và làm theo.",
                "IV.2": "Đề nghị nghiên cứu, xây dựng luật riêng về công tác thi đua.",
            },
        )
        for u in units
    ]
    agg = aggregate(campaign, records)
    _, names = appendix_plan(campaign)
    built = sections(campaign, agg, names, names.get("annex", ""))
    text = "\n".join(paragraph_texts(built))
    for phrase in ("45-NQ/TW", "329-KH/TU", "trí thức", "đảng ủy trực thuộc tỉnh", "Liên hiệp các Hội"):
        assert phrase not in text, phrase
    assert "đảng bộ trực thuộc (3/3)" in text
    kien_nghi = next(s for s in built if s["heading"].startswith("IV. "))
    assert "luật riêng" in " ".join(p.text for p in kien_nghi["parts"][0]["paragraphs"])


def test_a_counted_indicator_is_printed_under_the_item_it_speaks_of(campaign):
    """II.6 (party members among intellectuals): the province total of the indicator counted in
    units whose name matches the item's outline line, figures from the counts (summed), in the
    item, never in another; the matching comes from the configuration, not a code."""
    from tests.analysis.test_aggregate import indicator_rows

    ind = next(i for i in campaign.indicators if i.name == "Số trí thức được kết nạp vào Đảng")
    units = _units(campaign, 4)
    records = [
        record(
            campaign,
            u.code,
            tables={"CHI_TIEU": indicator_rows(campaign, {ind.code: (10 + n, 20 + n, 30 + n)})},
            narrative={"II.6": "Phát huy vai trò của trí thức."},
        )
        for n, u in enumerate(units)
    ]
    agg = aggregate(campaign, records)
    _, names = appendix_plan(campaign)
    built = sections(campaign, agg, names, names["annex"])
    said = " ".join(_texts(built, "II.6"))
    assert "số trí thức được kết nạp vào Đảng năm 2024 là 46 người, năm 2025 là 86 người, ước thực hiện năm 2026 là 126 người" in said
    assert "Theo số liệu toàn tỉnh tổng hợp từ báo cáo của 4 đơn vị" in said
    others = [t for s in built for part in s["parts"] if not part["heading"].startswith("6. ") for p in part["paragraphs"] for t in [p.text]]
    assert not any("được kết nạp vào Đảng năm" in t for t in others)
    trace = next(p.trace for p in _part(built, "II.6")["paragraphs"] if "kết nạp" in p.text)
    assert ind.code in trace["Số liệu"] and "đề cương" in trace["Quy tắc"]

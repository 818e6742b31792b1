"""Reading a unit's cells by header text, and every way a unit can break its sheet."""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime

import pytest

from sonket_gsync.backends.base import Capabilities, UnitSnapshot
from sonket_gsync.core.text import TZ
from sonket_gsync.demo.synthetic import answers_for, to_blocks, to_submission
from sonket_gsync.forms import narrative
from sonket_gsync.forms.layout import workbook_layout
from sonket_gsync.ingest.parse import parse_snapshot

WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=TZ)


def typed_grids(campaign, unit, answers):
    """The unit's tabs as provisioned, with the answers typed in."""
    grids = {layout.form.sheet: layout.grid() for layout in workbook_layout(campaign, unit)}
    for block in to_blocks(campaign, unit, answers):
        grid = grids[block.sheet]
        for r, values in enumerate(block.values):
            row = block.row - 1 + r
            while len(grid) <= row:
                grid.append([None] * len(grid[0]))
            for c, value in enumerate(values):
                col = block.column - 1 + c
                grid[row].extend([None] * (col + 1 - len(grid[row])))
                grid[row][col] = value
    return grids


def snapshot(campaign, unit, grids, answers=None):
    doc = narrative.docx_from_sections(campaign, unit, answers.narrative if answers else {})
    return UnitSnapshot(unit.code, grids, doc, WHEN)


@pytest.fixture
def agency(campaign):
    return campaign.unit("LHH_KHKT")


@pytest.fixture
def commune(campaign):
    return campaign.unit("X_XUAN_LOC")


@pytest.mark.parametrize("code", ["LHH_KHKT", "X_XUAN_LOC", "SO_NV", "MTTQ"])
def test_typed_answers_read_back_exactly(campaign, code):
    unit = campaign.unit(code)
    answers = answers_for(campaign, unit, random.Random(code))
    parsed = parse_snapshot(campaign, unit, snapshot(campaign, unit, typed_grids(campaign, unit, answers), answers))
    assert parsed.errors == []
    assert parsed.submission.tables == to_submission(campaign, unit, answers).tables
    assert parsed.submission.narrative == {k: v for k, v in answers.narrative.items() if v}


def test_untouched_forms_are_an_empty_submission_not_errors(campaign, commune):
    grids = {layout.form.sheet: layout.grid() for layout in workbook_layout(campaign, commune)}
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, grids))
    assert parsed.submission.is_empty and parsed.errors == []


def test_columns_are_found_by_header_text_not_position(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(1))
    grids = typed_grids(campaign, agency, answers)
    tab = grids["PL01-1 Văn bản"]
    for row in tab[3:]:
        row.reverse()  # the unit reordered every column
    tab[3] = [unicodedata.normalize("NFD", str(h)).upper().replace(" ", "  ") if h else h for h in tab[3]]
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, grids, answers))
    assert parsed.errors == []
    assert parsed.submission.tables["PL01_VB"] == to_submission(campaign, agency, answers).tables["PL01_VB"]


def test_renamed_tab_is_found_by_its_headers_with_a_warning(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(2))
    grids = typed_grids(campaign, agency, answers)
    grids["Trang tính 1"] = grids.pop("PL01-2 Kiểm tra")
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, grids, answers))
    assert parsed.errors == []
    assert [p.code for p in parsed.warnings] == ["renamed_sheet"]
    assert len(parsed.submission.tables["PL01_KT"]) == 5


def test_deleted_tab_is_an_error_naming_the_form(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(3))
    grids = typed_grids(campaign, agency, answers)
    del grids["PL01-2 Kiểm tra"]
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, grids, answers))
    [problem] = parsed.errors
    assert problem.code == "missing_sheet" and problem.sheet == "PL01-2 Kiểm tra"
    # the local backend has no version history: the way out is the fresh pre-filled form
    assert "tải về biểu mẫu mới" in problem.message and "Lịch sử phiên bản" not in problem.message


def test_overwritten_header_row_is_an_error_not_a_crash(campaign, commune):
    answers = answers_for(campaign, commune, random.Random(4))
    grids = typed_grids(campaign, commune, answers)
    grids["PL02 Đảng ủy"][3] = ["abc"] * len(grids["PL02 Đảng ủy"][3])
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, grids, answers))
    [problem] = parsed.errors
    # the tab is there: the message says its header row was changed, not that it is missing
    assert problem.code == "broken_header" and problem.sheet == "PL02 Đảng ủy" and problem.row == 4
    assert "vẫn còn" in problem.message and "Không tìm thấy" not in problem.message


def test_blank_rows_trailing_rows_and_extra_columns(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(5))
    grids = typed_grids(campaign, agency, answers)
    tab = grids["PL01-1 Văn bản"]
    tab.insert(6, [None, "  ", None, None, None])  # a blank row between answers
    tab.extend([[None] * 5 for _ in range(500)])  # trailing empties
    tab[3] = tab[3] + ["Ghi chú riêng"]
    tab[4] = tab[4] + ["không đọc cột này"]
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, grids, answers))
    assert parsed.errors == []
    [extra] = parsed.warnings
    assert extra.code == "extra_column" and extra.column == "Ghi chú riêng" and extra.row == 4
    assert len(parsed.submission.tables["PL01_VB"]) == len(answers.tables["PL01_VB"])


def test_each_bad_cell_is_located_by_sheet_row_and_column(campaign, commune):
    answers = answers_for(campaign, commune, random.Random(6))
    answers.tables["PL02"][0].update(members_rate=130, members_count="khoảng 200", documents=None)
    grids = typed_grids(campaign, commune, answers)
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, grids, answers))
    found = {(p.code, p.sheet, p.row, p.column) for p in parsed.errors}
    assert found == {
        ("percent_range", "PL02 Đảng ủy", 6, "Tỷ lệ đảng viên tham gia học tập, quán triệt (%)"),
        ("not_a_number", "PL02 Đảng ủy", 6, "Số lượng đảng viên tham gia học tập, quán triệt"),
        ("required", "PL02 Đảng ủy", 6, "Các văn bản đã ban hành để triển khai thực hiện"),
    }


def test_required_when_inspection_is_yes(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(7))
    answers.tables["PL01_KT"][0].update(inspected="Có", inspection_form=None)
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, typed_grids(campaign, agency, answers), answers))
    [problem] = parsed.errors
    assert problem.code == "required" and "Có" in problem.message and problem.row == 5


def test_started_submission_with_an_empty_fixed_form_is_incomplete(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(8))
    answers.tables["PL01_KT"] = []
    parsed = parse_snapshot(campaign, agency, snapshot(campaign, agency, typed_grids(campaign, agency, answers), answers))
    assert [p.code for p in parsed.errors] == ["form_empty"]


def test_hostile_text_is_kept_as_inert_text(campaign, commune):
    hostile = {
        "documents": '=HYPERLINK("http://evil","bấm")',
        "inspection": "+cmd|' /C calc'!A0",
        "good_practices": "-2+3 {{ 7*7 }} {% for x in y %} & < > 🎉",
        "difficulties": "@SUM(1+1)",
        "recommendations": unicodedata.normalize("NFD", "Kiến nghị với Trung ương"),
    }
    answers = answers_for(campaign, commune, random.Random(9))
    answers.tables["PL02"][0].update(hostile)
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, typed_grids(campaign, commune, answers), answers))
    assert parsed.errors == []
    row = parsed.submission.tables["PL02"][0]
    assert row["documents"].startswith("=HYPERLINK")
    assert row["good_practices"] == "-2+3 {{ 7*7 }} {% for x in y %} & < > 🎉"
    assert row["recommendations"] == "Kiến nghị với Trung ương"  # NFC
    # text that a spreadsheet would evaluate is kept as text and flagged to staff, located
    flagged = {p.column: p for p in parsed.warnings if p.code == "formula_text"}
    form = campaign.form("PL02")
    assert set(flagged) == {form.column(k).header for k in ("documents", "inspection", "difficulties")}
    assert all(p.sheet == "PL02 Đảng ủy" and p.row == 6 and p.severity == "warning" for p in flagged.values())
    assert "không tính" in flagged[form.column("documents").header].message


def test_a_formula_in_a_number_column_is_still_refused(campaign, commune):
    answers = answers_for(campaign, commune, random.Random(11))
    answers.tables["PL02"][0]["members_count"] = "=SUM(A1:A3)"
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, typed_grids(campaign, commune, answers), answers))
    assert [p.code for p in parsed.errors] == ["formula"]


def test_another_units_workbook_is_refused_naming_both_units(campaign):
    own, other = campaign.unit("SO_NV"), campaign.unit("SO_TC")
    answers = answers_for(campaign, other, random.Random(12))
    parsed = parse_snapshot(campaign, own, snapshot(campaign, other, typed_grids(campaign, other, answers), answers))
    [problem] = parsed.problems  # refused: the one error keeps the other unit's figures out of the store
    assert problem.code == "foreign_file" and problem.severity == "error" and problem.row == 2
    assert "Tệp này là của Sở Tài chính (mã SO_TC), không phải của Sở Nội vụ (mã SO_NV)" in problem.message


def test_another_units_narrative_is_refused_the_workbook_is_read(campaign):
    own, other = campaign.unit("X_XUAN_LOC"), campaign.unit("P_BIEN_HOA")
    answers = answers_for(campaign, own, random.Random(13))
    theirs = narrative.docx_from_sections(campaign, other, answers.narrative)
    snap = UnitSnapshot(own.code, typed_grids(campaign, own, answers), theirs, WHEN)
    parsed = parse_snapshot(campaign, own, snap)
    [problem] = parsed.errors
    assert problem.code == "foreign_file" and problem.sheet == "Báo cáo thuyết minh"
    assert other.name in problem.message and own.name in problem.message
    assert parsed.submission.narrative == {} and parsed.submission.tables["PL02"]


def test_a_unit_line_typed_in_another_form_or_case_is_still_recognised(campaign):
    own = campaign.unit("SO_NV")
    answers = answers_for(campaign, own, random.Random(14))
    grids = typed_grids(campaign, own, answers)
    grids["PL01-1 Văn bản"][1][0] = unicodedata.normalize("NFD", "ĐƠN VỊ:   sở tài chính  — x")
    parsed = parse_snapshot(campaign, own, snapshot(campaign, own, grids, answers))
    assert [p.code for p in parsed.errors] == ["foreign_file"] and "(mã SO_TC)" in parsed.errors[0].message
    grids["PL01-1 Văn bản"][1][0] = "Đơn vị: một đơn vị không có trong danh sách"
    assert parse_snapshot(campaign, own, snapshot(campaign, own, grids, answers)).errors == []


def test_recovery_advice_follows_the_backend(campaign, agency):
    answers = answers_for(campaign, agency, random.Random(15))
    grids = typed_grids(campaign, agency, answers)
    del grids["PL01-2 Kiểm tra"]
    online = Capabilities(pushes_changes=True, online_files=True)
    [problem] = parse_snapshot(campaign, agency, snapshot(campaign, agency, grids, answers), capabilities=online).errors
    assert "Lịch sử phiên bản" in problem.message and "tải về" not in problem.message


def test_thirty_thousand_character_cell_is_refused_with_its_place(campaign, commune):
    answers = answers_for(campaign, commune, random.Random(10))
    answers.tables["PL02"][0]["difficulties"] = "khó khăn " * 3400
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, typed_grids(campaign, commune, answers), answers))
    [problem] = parsed.errors
    assert problem.code == "too_long" and problem.column == "Khó khăn, hạn chế và nguyên nhân"


def test_indicator_percent_rows_are_bounded(campaign):
    unit = campaign.unit("LHH_KHKT")
    answers = answers_for(campaign, unit, random.Random(11))
    ct01 = next(r for r in answers.tables["CHI_TIEU"] if r["code"] == "CT01")
    ct01["y2025"] = 160
    parsed = parse_snapshot(campaign, unit, snapshot(campaign, unit, typed_grids(campaign, unit, answers), answers))
    [problem] = parsed.errors
    assert problem.code == "percent_range" and problem.sheet == "Chỉ tiêu" and problem.column == "Năm 2025"


def test_a_tab_title_typed_in_another_form_is_the_same_tab(campaign, commune):
    """ "PL02 Đảng ủy" decomposed (NFD), in other capitals or with extra spaces is the form's tab:
    never reported missing, nor renamed."""
    answers = answers_for(campaign, commune, random.Random(16))
    grids = typed_grids(campaign, commune, answers)
    grids["  pl02   " + unicodedata.normalize("NFD", "ĐẢNG ỦY") + " "] = grids.pop("PL02 Đảng ủy")
    parsed = parse_snapshot(campaign, commune, snapshot(campaign, commune, grids, answers))
    assert parsed.problems == [] and parsed.submission.tables["PL02"]

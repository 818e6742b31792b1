"""The cue words (sonket_gsync.analysis.cues): causes split into khách quan / chủ quan on
labelled sentences, and spreadsheet formulas typed as text recognised (never quoted)."""

from __future__ import annotations

import pytest

from sonket_gsync.analysis.cues import cause_kind, is_formula
from sonket_gsync.analysis.synthesis import split_statements

# (sentence as units write it, the cause a reader of a province's report would file it under)
LABELLED_CAUSES = [
    # objective: resources, the reorganisation, pay and the private sector, geography, the centre
    ("Kinh phí dành cho nghiên cứu khoa học và thu hút trí thức còn hạn chế.", "khach_quan"),
    ("Nguồn kinh phí bố trí cho hoạt động khoa học, công nghệ ở cơ sở còn ít.", "khach_quan"),
    ("Ngân sách đầu tư cho các hoạt động của đội ngũ trí thức còn hạn hẹp.", "khach_quan"),
    ("Nguồn lực tài chính cho khoa học và công nghệ tại đơn vị chưa đáp ứng yêu cầu.", "khach_quan"),
    ("Thu nhập của trí thức trong khu vực công còn thấp, chưa tạo động lực gắn bó lâu dài.", "khach_quan"),
    ("Tình trạng chảy máu chất xám vẫn còn, nhiều bác sĩ, giáo viên giỏi xin nghỉ việc.", "khach_quan"),
    ("Sau sáp nhập, bộ máy mới đi vào hoạt động nên việc triển khai Nghị quyết có lúc bị gián đoạn.", "khach_quan"),
    ("Việc thống kê số lượng trí thức gặp khó khăn do thiếu tiêu chí thống nhất.", "khach_quan"),
    ("Các xã biên giới, vùng đồng bào dân tộc thiểu số rất khó thu hút người có trình độ cao về làm việc.", "khach_quan"),
    ("Trí thức trẻ ít muốn về công tác ở cơ sở do điều kiện làm việc, sinh hoạt còn nhiều khó khăn.", "khach_quan"),
    ("Một số cấp ủy chưa quan tâm đúng mức do kinh phí hạn hẹp.", "khach_quan"),  # the cause part decides
    # subjective: awareness, leadership, coordination, the province's own data
    ("Nhận thức của một số cấp ủy, người đứng đầu về vai trò của đội ngũ trí thức chưa đầy đủ.", "chu_quan"),
    ("Một bộ phận cán bộ, đảng viên chưa quan tâm đúng mức đến công tác trí thức.", "chu_quan"),
    ("Chưa có cơ sở dữ liệu về đội ngũ trí thức nên việc thống kê, đánh giá còn khó khăn.", "chu_quan"),
    ("Công tác phối hợp giữa các sở, ngành chưa chặt chẽ.", "chu_quan"),
    ("Kinh phí còn hạn chế do cấp ủy chưa quan tâm bố trí.", "chu_quan"),  # the cause part decides
    ("Việc triển khai ở một số nơi còn hình thức, lúng túng.", "chu_quan"),
    # no cause to file: an achievement, "tự do" is no "do"
    ("Phát huy tự do sáng tạo trong hoạt động khoa học.", ""),
    ("Kinh phí hỗ trợ ít nhất 5 triệu đồng mỗi đề tài.", ""),
]


@pytest.mark.parametrize(("text", "kind"), LABELLED_CAUSES)
def test_causes_are_filed_objective_or_subjective_as_labelled(text, kind):
    assert cause_kind(text) == kind


def test_the_labelled_causes_cover_both_kinds():
    kinds = [k for _, k in LABELLED_CAUSES]
    assert kinds.count("khach_quan") >= 8 and kinds.count("chu_quan") >= 5


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example/x","Bấm vào đây")', "= HYPERLINK(A1)", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-IMPORTXML(x)", "  =WEBSERVICE(x)"],
)
def test_a_formula_typed_as_text_is_recognised(text):
    assert is_formula(text)


@pytest.mark.parametrize("text", ["- Zalo (nhóm) được sử dụng", "+84 912 345 678", "Tổ chức 3 lớp (120 học viên)", "-5% so với năm 2024", "= 5 đơn vị"])
def test_plain_text_is_not_a_formula(text):
    assert not is_formula(text)


def test_a_formula_is_never_a_statement():
    text = '=HYPERLINK("http://evil.example/x","Bấm vào đây")\n- =SUM(A1:A3)\n- Tổ chức 3 lớp bồi dưỡng.\n+cmd|\' /C calc\'!A0'
    assert split_statements(text) == ["Tổ chức 3 lớp bồi dưỡng."]

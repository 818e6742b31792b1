"""Build templates/bao-cao-so-ket.docx, the docxtpl template of the draft report.

Run:  python templates/make_report_template.py  [output path]

The template holds layout and wording only; every value (campaign texts, unit texts,
figures) comes from the context built by sonket_gsync.report and is escaped there
(autoescape). Tags used: {{ }} values, {%p %} paragraph blocks, {%tr %} table-row loops,
{%tc %} column loops (the indicator years).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Times New Roman"
RED = RGBColor(0xC6, 0x28, 0x28)
OUT = Path(__file__).with_name("bao-cao-so-ket.docx")


def build(path: Path = OUT) -> Path:
    doc = Document()
    _styles(doc)
    _page(doc.sections[0], landscape=False)
    _heading_block(doc)
    _title(doc)
    _sample_warning(doc)
    _opening(doc)
    _outline(doc)
    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(appendix, landscape=True)
    _appendix_01(doc)
    _appendix_02(doc)
    _appendix_indicators(doc)
    _appendix_status(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- page and styles ----------------------------------------------------------------------

def _styles(doc) -> None:
    for name, size in (("Normal", 13), ("Heading 1", 13), ("Heading 2", 13), ("Heading 3", 13), ("Title", 14)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme_attr), None)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.bold = True
        style.font.italic = False
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(3)
    doc.styles["Normal"].paragraph_format.space_after = Pt(4)
    table_style = doc.styles["Table Grid"]
    table_style.font.size = Pt(10)


def _page(section, *, landscape: bool) -> None:
    short, long = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin = Cm(3) if not landscape else Cm(2)
    section.right_margin = Cm(1.5)


# --- small builders -----------------------------------------------------------------------

def _para(doc_or_cell, text: str = "", *, bold=False, italic=False, align=None, colour=None, size=None, style=None):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if colour is not None:
            run.font.color.rgb = colour
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def _tag(doc, tag: str) -> None:
    """A paragraph holding only a {%p %} tag (docxtpl removes the paragraph)."""
    doc.add_paragraph(tag)


def _cell_text(cell, text: str, *, bold=False, italic=False, align=None) -> None:
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    run.italic = italic
    if align is not None:
        p.alignment = align


def _table(doc, headers: list[str], widths_cm: list[float]):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers):
        _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(table.rows[0])
    _widths(table, widths_cm)
    return table


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))


def _loop_row(table, tag: str) -> None:
    """A row whose first cell holds a {%tr %} tag (docxtpl removes the row)."""
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(tag)


def _value_row(table, values: list[str], *, bold=False, align_first_center=True, widths_cm=None):
    row = table.add_row()
    for i, (cell, value) in enumerate(zip(row.cells, values)):
        align = WD_ALIGN_PARAGRAPH.CENTER if (i == 0 and align_first_center) else None
        _cell_text(cell, value, bold=bold, align=align)
    return row


# --- report parts ---------------------------------------------------------------------------

def _heading_block(doc) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _cell_text(left, "{{ party_committee }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(left, "{{ compiled_by }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(left, "*", align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, "{{ place_date }}", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _widths(table, [7.5, 9.0])
    _para(doc, "DỰ THẢO", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, colour=RED)


def _title(doc) -> None:
    _para(doc, "{{ title_head }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    _para(doc, "{{ title_rest }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "-----", align=WD_ALIGN_PARAGRAPH.CENTER)


def _sample_warning(doc) -> None:
    _tag(doc, "{%p if sample_warning %}")
    _para(doc, "{{ sample_warning }}", bold=True, colour=RED)
    _tag(doc, "{%p endif %}")


def _opening(doc) -> None:
    _para(doc, "{{ opening }}")
    _tag(doc, "{%p if completeness_chart %}")
    _para(doc, "{{ completeness_chart }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")


def _outline(doc) -> None:
    _tag(doc, "{%p for s in sections %}")
    _para(doc, "{{ s.heading }}", style="Heading 1")
    _tag(doc, "{%p for it in s.parts %}")
    _tag(doc, "{%p if it.heading %}")
    _para(doc, "{{ it.heading }}", style="Heading 2")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for f in it.facts %}")
    _para(doc, "{{ f }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if it.show_indicators %}")
    _indicator_table(doc)
    _tag(doc, "{%p if indicator_chart %}")
    _para(doc, "{{ indicator_chart }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for e in it.entries %}")
    p = doc.add_paragraph()
    p.add_run("– {{ e.unit }}: ").bold = True
    p.add_run("{{ e.text }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if not it.entries %}")
    _para(doc, "(Chưa có đơn vị báo cáo nội dung này.)", italic=True)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")


def _indicator_table(doc) -> None:
    """Indicator, unit of measure, 2030 target, one column per year (a {%tc %} loop), progress."""
    headers = ["Mã", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu đến năm 2030", "{%tc for y in year_labels %}", "{{ y }}", "{%tc endfor %}", "Tiến độ so với mục tiêu 2030"]
    table = _table(doc, headers, [1.3, 6.0, 1.8, 2.2, 0.1, 2.0, 0.1, 3.0])
    _loop_row(table, "{%tr for r in indicator_rows %}")
    _value_row(table, ["{{ r.code }}", "{{ r.name }}", "{{ r.unit_of_measure }}", "{{ r.target }}", "{%tc for v in r.figures %}", "{{ v }}", "{%tc endfor %}", "{{ r.progress }}"])
    _loop_row(table, "{%tr endfor %}")
    _para(doc, "{{ indicator_note }}", italic=True, size=10)


def _appendix_01(doc) -> None:
    _para(doc, "PHỤ LỤC 01", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "TỔNG HỢP TỪ CÁC CƠ QUAN, ĐƠN VỊ CẤP TỈNH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "1. Các văn bản đã ban hành để triển khai thực hiện", bold=True)
    table = _table(doc, ["Stt", "Văn bản (số, ngày)", "Trích yếu", "Đơn vị báo cáo"], [1.5, 6.0, 12.0, 6.0])
    _loop_row(table, "{%tr for g in doc_groups %}")
    _value_row(table, ["{{ g.numeral }}", "{{ g.title }}", "{{ g.count_text }}", ""], bold=True)
    _loop_row(table, "{%tr for d in g.docs %}")
    _value_row(table, ["{{ d.stt }}", "{{ d.ref }}", "{{ d.summary }}", "{{ d.unit }}"])
    _loop_row(table, "{%tr endfor %}")
    _loop_row(table, "{%tr if not g.docs %}")
    _value_row(table, ["", "(Chưa có văn bản được báo cáo)", "", ""])
    _loop_row(table, "{%tr endif %}")
    _loop_row(table, "{%tr endfor %}")
    _para(doc)
    _para(doc, "2. Hoạt động kiểm tra, giám sát, sơ kết, đánh giá việc thực hiện", bold=True)
    _para(doc, "(số đơn vị trả lời Có / Không ở từng dòng)", italic=True, size=10)
    headers = ["Đơn vị", "Kiểm tra/ giám sát: Không", "Kiểm tra/ giám sát: Có", "Hình thức kiểm tra/ giám sát", "Sơ kết, đánh giá: Không", "Sơ kết, đánh giá: Có"]
    table = _table(doc, headers, [6.5, 2.3, 2.3, 9.0, 2.3, 2.3])
    _loop_row(table, "{%tr for r in inspection_rows %}")
    _value_row(table, ["{{ r.body }}", "{{ r.inspected_no }}", "{{ r.inspected_yes }}", "{{ r.forms }}", "{{ r.reviewed_no }}", "{{ r.reviewed_yes }}"], align_first_center=False)
    _loop_row(table, "{%tr endfor %}")


def _appendix_02(doc) -> None:
    doc.add_page_break()
    _para(doc, "PHỤ LỤC 02", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "TỔNG HỢP TỪ CÁC ĐẢNG ỦY TRỰC THUỘC TỈNH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    headers = [
        "STT",
        "Tên đơn vị",
        "Các văn bản đã ban hành để triển khai thực hiện",
        "Số lượng và tỷ lệ đảng viên tham gia học tập, quán triệt (%)",
        "Công tác kiểm tra, giám sát; sơ kết, tổng kết (ghi rõ thời gian và nội dung thực hiện)",
        "Những cách làm hay, hiệu quả của đơn vị",
        "Khó khăn, hạn chế và nguyên nhân",
        "Những kiến nghị, đề xuất với Trung ương, với tỉnh",
    ]
    widths = [1.2, 3.2, 4.0, 2.6, 4.0, 3.4, 3.4, 3.4]
    table = _table(doc, headers, widths)
    numbers = table.add_row()
    for i, cell in enumerate(numbers.cells):
        _cell_text(cell, f"[{i + 1}]", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _loop_row(table, "{%tr for r in party_rows %}")
    _value_row(table, ["{{ r.stt }}", "{{ r.unit }}", "{{ r.documents }}", "{{ r.members }}", "{{ r.inspection }}", "{{ r.good_practices }}", "{{ r.difficulties }}", "{{ r.recommendations }}"])
    _loop_row(table, "{%tr endfor %}")
    _value_row(table, ["", "Tổng cộng", "{{ party_total.units }}", "{{ party_total.members }}", "", "", "", ""], bold=True)
    _widths(table, widths)


def _appendix_indicators(doc) -> None:
    doc.add_page_break()
    _para(doc, "BIỂU SỐ LIỆU", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ indicator_title }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p if sample_warning %}")
    _para(doc, "{{ sample_warning }}", bold=True, colour=RED)
    _tag(doc, "{%p endif %}")
    headers = ["Mã", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu đến năm 2030", "{%tc for y in year_labels %}", "{{ y }}", "{%tc endfor %}", "Tiến độ so với mục tiêu 2030"]
    table = _table(doc, headers, [1.3, 9.0, 2.0, 3.0, 0.1, 2.6, 0.1, 4.0])
    _loop_row(table, "{%tr for r in indicator_rows %}")
    _value_row(table, ["{{ r.code }}", "{{ r.name }}", "{{ r.unit_of_measure }}", "{{ r.target }}", "{%tc for v in r.detail %}", "{{ v }}", "{%tc endfor %}", "{{ r.progress }}"])
    _loop_row(table, "{%tr endfor %}")
    _para(doc, "{{ indicator_note }}", italic=True, size=10)


def _appendix_status(doc) -> None:
    doc.add_page_break()
    _para(doc, "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ status_caption }}", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    headers = ["Nhóm", "Đúng hạn", "Trễ hạn", "Có lỗi", "Chưa gửi", "Tổng số"]
    table = _table(doc, headers, [11.0, 2.5, 2.5, 2.5, 2.5, 2.5])
    _loop_row(table, "{%tr for g in group_rows %}")
    _value_row(table, ["{{ g.name }}", "{{ g.on_time }}", "{{ g.late }}", "{{ g.invalid }}", "{{ g.missing }}", "{{ g.total }}"], align_first_center=False)
    _loop_row(table, "{%tr endfor %}")
    _value_row(table, ["Toàn tỉnh", "{{ totals.on_time }}", "{{ totals.late }}", "{{ totals.invalid }}", "{{ totals.missing }}", "{{ totals.total }}"], bold=True, align_first_center=False)
    _para(doc)
    headers = ["Stt", "Đơn vị", "Nhóm", "Trạng thái", "Gửi lần đầu", "Thay đổi gần nhất", "Số lỗi", "Ghi chú"]
    table = _table(doc, headers, [1.2, 7.0, 1.5, 2.5, 3.4, 3.4, 1.5, 5.0])
    _loop_row(table, "{%tr for u in status_rows %}")
    _value_row(table, ["{{ u.stt }}", "{{ u.unit }}", "{{ u.group }}", "{{ u.status }}", "{{ u.submitted }}", "{{ u.modified }}", "{{ u.errors }}", "{{ u.note }}"])
    _loop_row(table, "{%tr endfor %}")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

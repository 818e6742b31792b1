"""Issue 16: the draft carries only what the Ban Thường vụ signs; the office's material (notes
to staff, data problems, the submission status, every unit's full text, the trace of the body)
is in the companion document "Tổng hợp ý kiến các đơn vị" and in tong-hop.xlsx, whose totals
are formulas outside the filter. Nothing a unit sent is lost between the draft and the
companion."""

from __future__ import annotations

import random
import re
from datetime import datetime

import docx
import openpyxl
import pytest

from sonket_gsync.app.compile import COMPANION_NAME, compile_report
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.text import TZ
from sonket_gsync.demo.synthetic import answers_for
from sonket_gsync.forms.submission import UnitRecord
from sonket_gsync.report.appendix import CONDENSED, condense
from sonket_gsync.report.language import heading_title, language_problems, typeset
from tests.analysis.test_aggregate import record

COMPILED_AT = datetime(2026, 4, 25, 8, 30, tzinfo=TZ)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def synthetic_records(campaign, every: int = 3, seed: int = 16) -> list[UnitRecord]:
    """Every ``every``-th unit with the demo's answers (the others have not sent)."""
    rng = random.Random(seed)
    out = []
    for index, unit in enumerate(campaign.units):
        if index % every:
            continue
        answers = answers_for(campaign, unit, rng)
        out.append(record(campaign, unit.code, tables=answers.tables, narrative=answers.narrative))
    return out


@pytest.fixture(scope="module")
def compiled(campaign, tmp_path_factory):
    root = tmp_path_factory.mktemp("compile16")
    records = synthetic_records(campaign)
    workspace = LocalWorkspace(root / "ws", campaign)
    result = compile_report(campaign, records, workspace, compiled_at=COMPILED_AT)
    outputs = root / "ws" / "ket-qua"
    draft = docx.Document(str(outputs / result.report.name))
    companion = docx.Document(str(outputs / COMPANION_NAME))
    book = openpyxl.load_workbook(outputs / "tong-hop.xlsx")
    return result, records, draft, companion, book


def document_text(document) -> str:
    """Every paragraph and table cell of the document's body, in order."""
    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p"))


# --- the draft: nothing office-internal -----------------------------------------------------


def test_the_draft_has_no_status_table_annex_red_box_or_data_as_of_line(compiled):
    _, _, draft, _, _ = compiled
    text = document_text(draft)
    assert "Số liệu tổng hợp đến" not in text
    assert "LƯU Ý" not in text and "chỉ tiêu mẫu" not in text
    assert "Tình hình gửi báo cáo" not in text and "Trạng thái" not in text
    assert "Tổng hợp ý kiến của các đơn vị" not in text.replace("“", "").replace("”", "")
    headings = [p.text for p in draft.paragraphs if re.fullmatch(r"PHỤ LỤC \d+", p.text)]
    assert headings == ["PHỤ LỤC 01", "PHỤ LỤC 02"]  # the plan's two appendices; no status, no annex
    red = [r for p in draft.paragraphs for r in p.runs if r.font.color is not None and r.font.color.rgb is not None and str(r.font.color.rgb) == "C00000"]
    assert all(r.text.startswith("DỰ THẢO") for r in red), "only the draft mark is red"


def test_notes_to_staff_are_word_comments_on_the_title(compiled):
    result, _, draft, _, _ = compiled
    comments = [c.text for c in draft.comments]
    assert any(c.startswith("Số liệu tổng hợp đến 08 giờ 30 ngày 25/04/2026") for c in comments)
    if result.aggregates.sample_indicators:
        assert any("chỉ tiêu mẫu" in c for c in comments)
    anchored = draft.element.body.find(f".//{W}commentRangeStart/..")
    assert anchored is not None and "BÁO CÁO" in "".join(t.text or "" for t in anchored.iter(f"{W}t"))


def test_appendix_02_keeps_its_columns_and_condenses_the_texts(compiled, campaign):
    _, _, draft, _, _ = compiled
    form = campaign.form_with_role("party_committees")
    table = next(t for t in draft.tables if [c.text for c in t.rows[0].cells][:2] == [form.column_for("stt").header, form.column_for("unit_name").header])
    numbers = [c.text for c in table.rows[1].cells]
    assert numbers == [f"[{n}]" for n in range(1, 9)]
    longest = max(len(c.text) for row in table.rows[2:] for c in row.cells)
    assert longest <= CONDENSED + 2


def test_condense_keeps_the_first_point_whole_where_it_fits():
    text = "- Ban hành kế hoạch thực hiện. Tổ chức 3 hội nghị quán triệt.\n- Ý thứ hai rất dài"
    assert condense(text) == "Ban hành kế hoạch thực hiện."
    long = "Tổ chức quán triệt " + "sâu rộng " * 30 + "đến cán bộ"
    short = condense(long)
    assert len(short) <= CONDENSED + 2 and short.endswith(" …") and long.startswith(short[:-2])


# --- the companion: nothing lost ------------------------------------------------------------


def test_the_companion_holds_every_units_full_text(compiled, campaign):
    result, records, _, companion, _ = compiled
    text = document_text(companion)
    flat = re.sub(r"\s+", " ", text)
    missing = []
    for key, entries in result.aggregates.narrative.items():
        for _, name, answer in entries:
            for line in (line.strip() for line in answer.split("\n")):
                if line and re.sub(r"\s+", " ", line) not in flat:
                    missing.append((key, name, line[:60]))
    assert not missing, missing[:5]
    form = campaign.form_with_role("party_committees")
    texts = [c for c in form.columns if c.type == "text" and c.role not in ("unit_name", "")]
    sent = [r for r in records if form.code in r.submission.tables]
    assert sent
    for r in sent:
        for column in texts:
            answer = str(r.submission.tables[form.code][0].get(column.key) or "")
            for line in (line.strip() for line in answer.split("\n")):
                assert not line or re.sub(r"\s+", " ", line) in flat, (r.unit.name, column.header, line[:60])


def test_the_companion_lists_status_notes_and_problems(compiled, campaign):
    result, _, _, companion, _ = compiled
    text = document_text(companion)
    assert text.index("TỔNG HỢP Ý KIẾN CÁC ĐƠN VỊ") < text.index("LƯU Ý CHO CÁN BỘ TỔNG HỢP")
    assert "Số liệu tổng hợp đến 08 giờ 30 ngày 25/04/2026" in text
    assert "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ" in text
    status_table = next(t for t in companion.tables if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[1].text == "Đơn vị" and len(t.columns) == 8)
    assert len(status_table.rows) == 1 + len(campaign.units)
    assert "VẤN ĐỀ VỀ SỐ LIỆU CẦN KIỂM TRA LẠI VỚI ĐƠN VỊ" in text
    for problem in result.data_problems:
        assert problem.message in text and problem.unit_name in text


def test_the_compile_result_names_the_companion_and_the_problems(compiled):
    result, _, _, _, _ = compiled
    assert result.companion is not None and result.companion.name == COMPANION_NAME
    for p in result.data_problems:
        assert set(p.to_dict()) == {"unit_code", "unit_name", "kind", "where", "message"}


# --- the workbook -----------------------------------------------------------------------------


def test_workbook_totals_are_formulas_outside_the_filter(compiled):
    _, _, _, _, book = compiled
    checked = 0
    for ws in book.worksheets:
        totals = [row for row in ws.iter_rows() if any(isinstance(c.value, str) and c.value.startswith("Tổng cộng") for c in row)]
        if not totals:
            continue
        filtered_to = int(re.search(r"(\d+)$", ws.auto_filter.ref).group(1))
        for row in totals:
            assert row[0].row > filtered_to + 1, f"{ws.title}: the total is inside the filter"
            assert any(isinstance(c.value, str) and re.match(r"=(SUM|COUNTA)\(", c.value) for c in row), f"{ws.title}: no formula in the total"
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("=SUM("):
                    first, last = (int(n) for n in re.findall(r"(\d+)", c.value))
                    assert first == 2 and last == filtered_to
        checked += 1
    assert checked >= 6
    assert {"Chỉ tiêu theo đơn vị", "Ý kiến theo đề cương", "Vấn đề về số liệu", "Trạng thái", "Văn bản"} <= set(book.sheetnames)
    documents = book["Văn bản"]
    assert any(isinstance(c.value, str) and c.value.startswith("=COUNTA(") for c in documents[documents.max_row]) or any(
        isinstance(c.value, str) and c.value.startswith("=") for row in documents.iter_rows(min_row=documents.max_row) for c in row
    )


def test_a_units_formula_text_stays_text_in_the_workbook(campaign, tmp_path):
    hostile = '=HYPERLINK("http://x")'
    records = [record(campaign, campaign.units[0].code, narrative={"I.1": hostile})]
    compile_report(campaign, records, LocalWorkspace(tmp_path / "ws", campaign), compiled_at=COMPILED_AT)
    book = openpyxl.load_workbook(tmp_path / "ws" / "ket-qua" / "tong-hop.xlsx")
    cells = [c for row in book["Ý kiến theo đề cương"].iter_rows() for c in row if c.value == hostile]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_unit_figures_sheet_shows_how_the_province_figure_is_made(compiled, campaign):
    _, _, _, _, book = compiled
    ws = book["Chỉ tiêu theo đơn vị"]
    header = [c.value for c in ws[1]]
    form = campaign.form_with_role("indicators")
    for column in form.year_columns:
        assert column.header in header
    assert {"Cách tổng hợp", "Đơn vị chịu trách nhiệm", "Đơn vị báo cáo", "Đánh giá"} <= set(header)
    assert ws.max_row > 10


# --- language ---------------------------------------------------------------------------------


def test_headings_lose_the_units_instructions():
    assert heading_title("Các văn bản đã ban hành (ghi rõ số văn bản, ngày văn bản, trích yếu)") == "Các văn bản đã ban hành"
    assert heading_title("Kết quả (nêu cụ thể số liệu)") == "Kết quả"
    assert heading_title("Khó khăn (đề nghị ghi rõ nguyên nhân):") == "Khó khăn"
    assert heading_title("Kinh tế tư nhân (KTTN)") == "Kinh tế tư nhân (KTTN)"


def test_typeset_curls_quotes_and_drops_doubled_words():
    assert typeset("Phong trào \"Dân vận khéo\" và 'x'") == "Phong trào “Dân vận khéo” và ‘x’"
    assert typeset("đẩy mạnh ứng dụng ứng dụng công nghệ") == "đẩy mạnh ứng dụng công nghệ"
    assert typeset("dần dần nâng cao") == "dần dần nâng cao"  # reduplication stays


def test_the_drafts_whole_text_passes_the_language_scan(compiled):
    _, _, draft, _, _ = compiled
    body = document_text(draft)
    outline = [p.text for p in draft.paragraphs if p.style.name.startswith("Heading")]
    problems = language_problems(body, headings=outline)
    assert not problems, problems[:10]
    assert "Tiến độ (%) =" not in body
    assert len(outline) >= 10


# --- the compile job's result ------------------------------------------------------------------


def test_the_compile_job_returns_the_companion_link_and_the_problems(settings):
    from sonket_gsync.app.jobs import HANDLERS, JobProgress
    from sonket_gsync.app.service import CampaignService

    service = CampaignService.open(settings)
    try:
        service.provision()
        result = HANDLERS["compile"](service, {}, JobProgress(service.store, None))
        outputs = {o.kind for o in service.store.outputs()}
    finally:
        service.close()
    assert result["companion"]["name"] == COMPANION_NAME and result["companion"]["url"].startswith("file://")
    assert isinstance(result["data_problems"], list)
    assert all(set(p) == {"unit_code", "unit_name", "kind", "where", "message"} for p in result["data_problems"])
    assert "companion" in outputs


def test_a_units_formula_is_never_quoted_in_the_draft_or_the_companion_nor_counted(campaign, tmp_path):
    """A text cell like =HYPERLINK(…) (intake flags it): no part of it is printed in the draft
    (body, appendices) or the companion, and its quoted words are no model or good practice."""
    evil = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
    party = campaign.units_in("DANG_UY")[:3]
    row = {"stt": 1, "documents": "Nghị quyết chuyên đề", "members_count": 10, "members_rate": 90.0, "good_practices": evil, "difficulties": evil}
    records = [
        record(
            campaign,
            u.code,
            tables={"PL02": [{**row, "unit_name": u.name}]},
            narrative={"I.1": f"{evil}\nĐã tổ chức quán triệt Nghị quyết cho cán bộ, đảng viên.", "III.2": evil},
        )
        for u in party
    ]
    result = compile_report(campaign, records, LocalWorkspace(tmp_path / "ws", campaign), compiled_at=COMPILED_AT)
    outputs = tmp_path / "ws" / "ket-qua"
    draft = document_text(docx.Document(str(outputs / result.report.name)))
    companion = document_text(docx.Document(str(outputs / COMPANION_NAME)))
    for text in (draft, companion):
        assert "evil.example" not in text and "Bấm vào đây" not in text and "HYPERLINK" not in text
    assert "quán triệt Nghị quyết" in draft  # the unit's real statement is still said
    assert "không trích dẫn" in companion  # the companion says a line was left out, not silently

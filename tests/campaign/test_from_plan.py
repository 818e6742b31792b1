"""A campaign folder drafted from the plan document (issue 19): the seed's plan, built as a
.docx with its appendices as real Word tables, gives the hand-written campaign's outline
headings and form column headers verbatim; a second plan of another shape gives its own forms;
what is guessed is listed for review; a plan without tables is refused in Vietnamese."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.campaign.plan import read_plan, write_campaign_folder
from sonket_gsync.campaign.plan.write import HEADING_COLUMN
from sonket_gsync.cli import cli
from sonket_gsync.core.errors import ConfigError
from tests.campaign.plan_docx import build_other_plan, build_plan_with_table, build_plan_without_tables, build_seed_plan


@pytest.fixture(scope="session")
def seed_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seed_plan(tmp_path_factory.mktemp("plans") / "ke-hoach-so-ket.docx")


@pytest.fixture(scope="session")
def other_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_other_plan(tmp_path_factory.mktemp("plans") / "ke-hoach-tong-ket-chi-thi.docx")


def _with_units(folder: Path, *rows: str) -> Path:
    with (folder / "units.csv").open("a", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in rows))
    return folder


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory: pytest.TempPathFactory, seed_plan: Path) -> Path:
    out = tmp_path_factory.mktemp("from-plan") / "so-ket"
    write_campaign_folder(read_plan(seed_plan), out)
    return out


@pytest.fixture(scope="session")
def drafted(tmp_path_factory: pytest.TempPathFactory, seed_folder: Path) -> Campaign:
    """The drafted seed folder, loaded by campaign/load.py once two units are added."""
    copy = tmp_path_factory.mktemp("from-plan-loaded") / "so-ket"
    copy.mkdir()
    for f in seed_folder.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    _with_units(copy, "SO_A,Sở A,NHOM_2,so-a@tinh.example", "DU_B,Đảng ủy B,NHOM_4,du-b@tinh.example")
    return load_campaign(copy)


def _plan_header_cells(path: Path) -> list[list[str]]:
    """Every table's header cells as python-docx reads them (merged cells once), independent
    of the reader under test: the first row, and the second when the first has merged cells."""
    out = []
    for table in Document(str(path)).tables:
        cells: list[str] = []
        for r, row in enumerate(table.rows[:2]):
            seen: list[int] = []
            for cell in row.cells:
                if id(cell._tc) not in seen and cell.text.strip() and not cell.text.startswith("["):
                    seen.append(id(cell._tc))
                    if cell.text.strip() not in cells:
                        cells.append(cell.text.strip())
            if r == 0 and len(seen) == len(row.cells):
                break  # a one-level header: the second row is data
        out.append(cells)
    return out


def _matching(hand: Campaign, form: Form) -> Form:
    return next(f for f in hand.forms if f.appendix == form.appendix and f.title.casefold() == form.title.casefold())


def test_the_outline_headings_match_the_hand_written_campaign_verbatim(drafted: Campaign, campaign: Campaign) -> None:
    assert [(s.number, s.title) for s in drafted.outline] == [(s.number, s.title) for s in campaign.outline]
    assert [[(i.number, i.title) for i in s.items] for s in drafted.outline] == [[(i.number, i.title) for i in s.items] for s in campaign.outline]
    # The prompts too; the hand-written folder added one full stop the plan does not have (II.3, last prompt).
    assert [[g.rstrip(".") for g in i.guidance] for s in drafted.outline for i in (s, *s.items)] == [
        [g.rstrip(".") for g in i.guidance] for s in campaign.outline for i in (s, *s.items)
    ]
    assert drafted.outline_title.startswith(campaign.outline_title)


def test_every_form_column_header_matches_the_hand_written_forms_verbatim(drafted: Campaign, campaign: Campaign) -> None:
    from_plan = [f for f in campaign.forms if f.appendix.startswith("Phụ lục")]
    assert len(drafted.forms) == len(from_plan) == 3
    for form in drafted.forms:
        hand = _matching(campaign, form)
        hand_names = {n: c for c in hand.columns for n in (c.header, *c.aliases)}
        for col in form.columns:
            if col.header == HEADING_COLUMN:  # the table's row headings I–VI: the hand-written issuer choices
                assert col.choices == hand.role_column("issuer").choices
                continue
            assert col.header in hand_names, (form.code, col.header)
            assert col.type == hand_names[col.header].type, (form.code, col.header)
            if col.group_header and hand_names[col.header].group_header:
                assert col.group_header == hand_names[col.header].group_header
        # and the other way: every hand-written column is one of the drafted form's columns
        drafted_headers = {c.header for c in form.columns}
        for col in hand.columns:
            if hand.role == "documents" and col.role == "issuer":
                continue
            assert drafted_headers & {col.header, *col.aliases}, (hand.code, col.header)


def test_every_header_cell_of_the_plans_tables_is_kept_verbatim(seed_plan: Path, drafted: Campaign) -> None:
    for cells, form in zip(_plan_header_cells(seed_plan), drafted.forms, strict=True):
        kept = {c.header for c in form.columns} | {c.group_header for c in form.columns} | {x for c in form.columns for x in c.choices}
        assert [c for c in cells if c not in kept] == []


def test_rows_fixed_rows_and_conditions_follow_the_plans_tables(drafted: Campaign, campaign: Campaign) -> None:
    documents, inspection, party = drafted.forms
    assert (documents.rows, inspection.rows, party.rows) == ("open", "fixed", "unit")
    assert inspection.fixed_rows == next(f for f in campaign.forms if f.role == "inspection").fixed_rows
    detail = next(c for c in inspection.columns if c.header == "Có, nêu rõ hình thức")
    tick = next(c for c in inspection.columns if c.key == detail.required_when[0])
    assert (tick.header, detail.required_when[1]) == ("Kiểm tra/ giám sát", "Có")
    assert [c.number for c in party.columns] == ["1", "2", "3", "4", "4", "5", "6", "7", "8"]


def test_the_header_facts_are_read_from_the_plan(drafted: Campaign, campaign: Campaign) -> None:
    for field in ("code", "name", "resolution", "plan", "subject", "province", "issuing_body", "compiled_by", "reports_to", "deadline"):
        assert getattr(drafted, field) == getattr(campaign, field), field
    assert (drafted.indicator_years, drafted.estimated_years) == (campaign.indicator_years, campaign.estimated_years)
    assert (drafted.document.signing_authority, drafted.document.signer_title) == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")


def test_the_unit_groups_of_to_chuc_thuc_hien_get_the_forms_dành_cho_them(drafted: Campaign) -> None:
    names = [g.name for g in drafted.groups]
    assert names[0] == "Đảng ủy Ủy ban nhân dân tỉnh"
    assert names[3] == "Các đảng ủy trực thuộc tỉnh"
    assert names[1].startswith("Các cơ quan, đơn vị cấp tỉnh (")
    assert [g.forms for g in drafted.groups] == [(), ("PL01_1", "PL01_2"), (), ("PL02",)]


def test_the_review_list_names_what_it_is_unsure_of(seed_folder: Path) -> None:
    review = (seed_folder / "REVIEW.md").read_text(encoding="utf-8")
    assert "cột 'Văn bản đã ban hành (số văn bản, ngày văn bản)' tách thành cột 'Ngày văn bản' (date)" in review
    assert "thành lựa chọn của cột 'Mục'" in review and "bảng 1 (Phụ lục 01)" in review
    assert 'rows = "unit"' in review
    assert "Nhóm đơn vị 1** — đã suy ra: không có biểu mẫu nào" in review
    assert "Đề cương, mục II.1" in review  # its prompt asks for a statistics table the appendices do not have
    assert "đoạn 25 «1. Đảng ủy Ủy ban nhân dân tỉnh" in review  # the paragraph a group was read from
    forms = tomllib.loads((seed_folder / "forms.toml").read_text(encoding="utf-8"))["forms"]
    marked = {(f["code"], c["header"]) for f in forms for c in f["columns"] if c.get("review")}
    assert marked == {("PL01_1", "Mục"), ("PL01_1", "Số văn bản"), ("PL01_1", "Ngày văn bản")}
    assert [f["code"] for f in forms if f.get("review")] == ["PL01_1", "PL02"]
    groups = tomllib.loads((seed_folder / "campaign.toml").read_text(encoding="utf-8"))["groups"]
    assert all(g["review"] for g in groups)


def test_a_second_plan_of_another_shape_gives_its_own_forms_and_types(other_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "tong-ket"
    result = CliRunner().invoke(cli, ["campaign", "from-plan", str(other_plan), "--out", str(out), "--province", "Bình Phước"])
    assert result.exit_code == 0, result.output
    assert "Biểu mẫu PL1 (Phụ lục): Kết quả thực hiện các nội dung tổng kết — 6 cột, dòng cố định" in result.output
    assert "REVIEW.md" in result.output
    loaded = load_campaign(_with_units(out, "X_AN_BINH,Đảng ủy xã An Bình,NHOM_1,"))
    (form,) = loaded.forms
    assert [(c.header, c.type) for c in form.columns] == [
        ("Nội dung", "text"),
        ("Đã thực hiện", "choice"),
        ("Ngày thực hiện", "date"),
        ("Tỷ lệ đảng viên tham gia (%)", "percent"),
        ("Số lượng mô hình được biểu dương", "integer"),
        ("Ghi chú", "text"),
    ]
    assert form.columns[1].choices == ("Có", "Không") and form.columns[0].fixed  # the caption row is no header
    assert form.fixed_rows == ("Ban hành kế hoạch tổng kết", "Tổ chức hội nghị tổng kết", "Biểu dương tập thể, cá nhân điển hình")
    numbered = [(i.number, i.title, i.guidance) for i in loaded.outline[0].items]  # Word's auto-numbering and bullets
    assert numbered == [
        ("1", "Công tác quán triệt, triển khai Chỉ thị.", ()),
        ("2", "Việc xây dựng và nhân rộng mô hình, điển hình.", ("Số mô hình được biểu dương, khen thưởng.",)),
    ]
    assert [(s.number, s.title, len(s.items), s.guidance) for s in loaded.outline] == [
        ("I", "KẾT QUẢ HỌC TẬP VÀ LÀM THEO", 2, ()),
        ("II", "HẠN CHẾ, NGUYÊN NHÂN", 0, ("Nêu rõ hạn chế, nguyên nhân chủ quan và khách quan.",)),
        ("III", "PHƯƠNG HƯỚNG, NHIỆM VỤ", 0, ()),
    ]
    assert (loaded.code, loaded.deadline.strftime("%d/%m/%Y"), loaded.resolution) == (
        "tong-ket-05-ct-tw",
        "15/10/2026",
        "Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị",
    )
    assert [(g.name, g.forms) for g in loaded.groups] == [("Đảng ủy các xã, phường", ("PL1",))]
    written = "".join(f.read_text(encoding="utf-8") for f in out.iterdir())
    for seed_word in ("45-NQ/TW", "trí thức", "Đồng Nai"):
        assert seed_word not in written


def test_a_plan_without_tables_is_refused_in_vietnamese(tmp_path: Path) -> None:
    plan = build_plan_without_tables(tmp_path / "khong-bang.docx")
    with pytest.raises(ConfigError) as err:
        read_plan(plan)
    assert "không có bảng phụ lục nào" in err.value.message and err.value.where == str(plan)
    result = CliRunner().invoke(cli, ["campaign", "from-plan", str(plan), "--out", str(tmp_path / "out")])
    assert result.exit_code == ConfigError("x").exit_code and "không có bảng phụ lục nào" in result.output
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_docx_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "ke-hoach.docx"
    bad.write_bytes(b"%PDF-1.7 not a Word file")
    with pytest.raises(ConfigError, match="Không đọc được tệp kế hoạch"):
        read_plan(bad)


def test_an_existing_campaign_folder_is_not_overwritten_without_force(seed_plan: Path, seed_folder: Path) -> None:
    with pytest.raises(ConfigError, match="đã có một chiến dịch"):
        write_campaign_folder(read_plan(seed_plan), seed_folder)


def test_each_unit_of_the_drafted_campaign_gets_a_workbook_with_the_plans_headers(drafted: Campaign) -> None:
    import io

    import openpyxl

    from sonket_gsync.forms.workbook import unit_workbook_bytes

    party_unit = next(u for u in drafted.units if u.group == "NHOM_4")
    wb = openpyxl.load_workbook(io.BytesIO(unit_workbook_bytes(drafted, party_unit)))
    assert wb.sheetnames == ["PL02"]
    headers = [c.value for row in wb["PL02"].iter_rows(min_row=1, max_row=8) for c in row]
    assert "Tỷ lệ đảng viên tham gia học tập, quán triệt (%)" in headers
    assert "Những kiến nghị, đề xuất với Trung ương, với tỉnh" in headers


def test_the_suggested_roles_once_confirmed_are_the_hand_written_roles(drafted: Campaign, campaign: Campaign) -> None:
    forms = drafted.folder / "forms.toml"
    text = forms.read_text(encoding="utf-8")
    assert "\nrole = " not in text.replace('role = "none"', "")  # suggested only, never set
    confirmed = drafted.folder.parent / "confirmed"
    confirmed.mkdir()
    for f in drafted.folder.iterdir():
        (confirmed / f.name).write_bytes(f.read_bytes())
    (confirmed / "forms.toml").write_text(text.replace("# role = ", "role = ").replace("# documents_heading = ", "documents_heading = "), encoding="utf-8")
    loaded = load_campaign(confirmed)
    for form in loaded.forms:
        hand = _matching(campaign, form)
        assert form.role == hand.role
        assert form.documents_heading == hand.documents_heading
        for col in form.columns:
            expected = next((c.role for c in hand.columns if col.header in (c.header, *c.aliases)), "issuer")
            assert col.role == expected, (form.code, col.header)


def test_layout_tables_of_a_party_document_are_read_as_text_not_as_forms(seed_plan: Path, tmp_path: Path) -> None:
    laid_out = read_plan(build_seed_plan(tmp_path / "ke-hoach-the-thuc.docx", layout_tables=True))
    plain = read_plan(seed_plan)
    assert [t.title for t in laid_out.tables] == [t.title for t in plain.tables]
    assert laid_out.outline == plain.outline and laid_out.groups[0].name == plain.groups[0].name
    assert (laid_out.province, laid_out.document_issuer) == ("Đồng Nai", "Tỉnh ủy Đồng Nai")
    assert (laid_out.signing_authority, laid_out.signer_title) == ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")
    for field in ("deadline", "compiled_by", "resolution", "plan", "subject", "issuing_body", "reports_to", "name", "code"):
        assert getattr(laid_out, field) == getattr(plain, field), field
    layout = [r for r in laid_out.reviews if r.subject in ("Bảng 1", "Bảng 2")]
    assert [r.source.text for r in layout] == ["TỈNH ỦY ĐỒNG NAI *", "Nơi nhận: - Các đ/c UVTV,"]


def test_sub_headers_repeated_under_several_headers_are_named_with_their_header(tmp_path: Path) -> None:
    path = build_plan_with_table(
        tmp_path / "nam.docx",
        [("Tên đơn vị", 1), ("Năm 2024", 2), ("Năm 2025", 2), ("", 1)],
        ["Số lượng", "Tỷ lệ (%)", "Số lượng", "Tỷ lệ (%)"],
        [("1", "", "", "", "", "")],
    )
    (table,) = read_plan(path).tables
    assert [(c.header, c.kind) for c in table.columns] == [
        ("Tên đơn vị", "text"),
        ("Số lượng (Năm 2024)", "integer"),
        ("Tỷ lệ (%) (Năm 2024)", "percent"),
        ("Số lượng (Năm 2025)", "integer"),
        ("Tỷ lệ (%) (Năm 2025)", "percent"),
    ]
    out = tmp_path / "out"
    write_campaign_folder(read_plan(path), out, province="Bình Phước")
    assert len(load_campaign(_with_units(out, "X_A,Xã A,NHOM_1,")).forms[0].columns) == 5
    assert "bỏ một cột không có tiêu đề" in (out / "REVIEW.md").read_text(encoding="utf-8")

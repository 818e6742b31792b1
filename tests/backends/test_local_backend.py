"""The local-folder workspace, on real files in a temporary folder."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sonket_gsync.backends.base import XLSX_MIME, CellBlock
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.narrative import docx_from_sections, parse_docx
from sonket_gsync.forms.workbook import LISTS_SHEET


@pytest.fixture
def ws(tmp_path: Path, campaign) -> LocalWorkspace:
    workspace = LocalWorkspace(tmp_path / "ws", campaign)
    workspace.prepare()
    return workspace


@pytest.fixture
def unit(campaign):
    return next(u for u in campaign.units if u.group == "DU_UBND")


def test_provision_creates_files_where_documented(ws, unit, tmp_path):
    files = ws.provision(unit)
    folder = tmp_path / "ws" / "don-vi" / unit.code
    xlsx, docx = folder / f"{unit.code}_bieu-mau.xlsx", folder / f"{unit.code}_bao-cao.docx"
    assert xlsx.is_file() and docx.is_file()
    assert files.created
    assert (files.sheet_id, files.sheet_url) == (str(xlsx), xlsx.as_uri())
    assert (files.doc_id, files.doc_url) == (str(docx), docx.as_uri())
    assert ws.links(unit) == dataclasses.replace(files, created=False)
    wb = load_workbook(xlsx)
    assert wb.sheetnames[:3] == ["PL01-1 Văn bản", "PL01-2 Kiểm tra", "Chỉ tiêu"]


def test_links_is_none_before_provisioning(ws, unit):
    assert ws.links(unit) is None


def test_provision_is_idempotent_and_never_overwrites(ws, unit):
    ws.provision(unit)
    ws.write_unit(unit, [CellBlock("PL01-1 Văn bản", 5, 1, [[1, "Ủy ban nhân dân tỉnh", "12-KH/UBND"]])])
    xlsx, docx = ws.xlsx_path(unit), ws.docx_path(unit)
    filled = xlsx.read_bytes()
    docx_before = docx.read_bytes()

    again = ws.provision(unit)
    assert not again.created
    assert xlsx.read_bytes() == filled and docx.read_bytes() == docx_before

    docx.unlink()  # only the missing file is made again
    third = ws.provision(unit)
    assert third.created and docx.is_file()
    assert xlsx.read_bytes() == filled


def test_group_without_narrative_gets_no_document(tmp_path, campaign, unit):
    groups = tuple(dataclasses.replace(g, narrative=False) if g.code == unit.group else g for g in campaign.groups)
    quiet = dataclasses.replace(campaign, groups=groups)
    ws = LocalWorkspace(tmp_path / "ws", quiet)
    files = ws.provision(unit)
    assert files.doc_id == "" and ws.docx_path(unit) is None
    assert list(ws.xlsx_path(unit).parent.iterdir()) == [ws.xlsx_path(unit)]
    assert ws.read_unit(unit).narrative is None


def test_changes_without_cursor_lists_provisioned_and_missing(ws, campaign):
    provisioned = campaign.units[:3]
    for u in provisioned:
        ws.provision(u)
    result = ws.changes(None)
    assert [c.unit_code for c in result.changed] == [u.code for u in provisioned]
    assert set(result.missing) == {u.code for u in campaign.units[3:]}
    for change in result.changed:
        assert change.modified_at.tzinfo is not None
        newest = max(os.stat(ws.xlsx_path(campaign.unit(change.unit_code))).st_mtime_ns, os.stat(ws.docx_path(campaign.unit(change.unit_code))).st_mtime_ns)
        assert change.modified_at == datetime.fromtimestamp(newest / 1e9, TZ)
    cursor = json.loads(result.cursor)
    code = provisioned[0].code
    st = os.stat(ws.xlsx_path(provisioned[0]))
    assert cursor[code][0] == [st.st_mtime_ns, st.st_size]
    assert set(cursor) == {u.code for u in provisioned}


def test_changes_with_cursor_after_edit_and_delete(ws, campaign):
    a, b, c = campaign.units[:3]
    for u in (a, b, c):
        ws.provision(u)
    cursor = ws.changes(None).cursor
    assert ws.changes(cursor).changed == ()

    answered = datetime(2026, 4, 10, 9, 30, tzinfo=TZ)
    ws.write_unit(b, [CellBlock("PL01-1 Văn bản", 5, 5, [["Kế hoạch triển khai"]])], modified_at=answered)
    after_edit = ws.changes(cursor)
    assert [(ch.unit_code, ch.modified_at) for ch in after_edit.changed] == [(b.code, answered)]

    narrative = docx_from_sections(campaign, a, {"IV": "Giải pháp."})
    ws.write_unit(a, [], narrative=narrative)  # the document alone changed
    after_doc = ws.changes(after_edit.cursor)
    assert [ch.unit_code for ch in after_doc.changed] == [a.code]

    ws.xlsx_path(c).unlink()
    after_delete = ws.changes(after_doc.cursor)
    assert after_delete.changed == ()
    assert c.code in after_delete.missing and c.code not in json.loads(after_delete.cursor)

    ws.provision(c)  # made again: it counts as changed
    assert [ch.unit_code for ch in ws.changes(after_delete.cursor).changed] == [c.code]


def test_changes_with_a_foreign_cursor_reports_everything(ws, campaign):
    ws.provision(campaign.units[0])
    assert len(ws.changes("not json").changed) == 1


def test_read_unit_returns_raw_trimmed_grids_and_the_narrative(ws, campaign, unit):
    ws.provision(unit)
    day = datetime(2025, 3, 15)
    answers = {"I.1": "Đã quán triệt đến 100% cán bộ."}
    ws.write_unit(
        unit,
        [
            CellBlock("PL01-1 Văn bản", 5, 1, [[1, "Các sở, ban, ngành", "12-KH/UBND", day, "=1+1"]]),
            CellBlock("Chỉ tiêu", 5, 5, [[55.5, 60]]),
        ],
        narrative=docx_from_sections(campaign, unit, answers),
    )
    snap = ws.read_unit(unit)
    assert snap.unit_code == unit.code
    assert list(snap.sheets) == ["PL01-1 Văn bản", "PL01-2 Kiểm tra", "Chỉ tiêu", LISTS_SHEET]
    vb = snap.sheets["PL01-1 Văn bản"]
    assert vb[3] == ["Stt", "Cơ quan ban hành", "Số văn bản", "Ngày văn bản (dd/mm/yyyy)", "Trích yếu nội dung văn bản"]
    assert vb[4] == [1, "Các sở, ban, ngành", "12-KH/UBND", day, "=1+1"]
    assert len(vb) == 5  # the 39 blank rows below are trimmed
    indicators = snap.sheets["Chỉ tiêu"]
    assert indicators[4][:6] == ["CT01", indicators[4][1], indicators[4][2], indicators[4][3], 55.5, 60]
    assert all(len(row) == len(indicators[3]) for row in indicators)  # rectangular
    sections, _ = parse_docx(snap.narrative, campaign, unit.code)
    assert sections["I.1"] == answers["I.1"]
    assert snap.modified_at.tzinfo is not None


def test_write_unit_keeps_validation_and_protection(ws, unit):
    ws.provision(unit)
    ws.write_unit(unit, [CellBlock("PL01-2 Kiểm tra", 5, 2, [["Có", "Kiểm tra trực tiếp", "Không"]])])
    sheet = load_workbook(ws.xlsx_path(unit))["PL01-2 Kiểm tra"]
    assert sheet.protection.sheet
    assert any("B5" in dv.sqref for dv in sheet.data_validations.dataValidation)
    assert sheet["B5"].value == "Có"


def test_read_unit_of_a_missing_file(ws, unit):
    with pytest.raises(UnitFileError) as info:
        ws.read_unit(unit)
    assert info.value.unit_code == unit.code
    assert "chưa có tệp" in info.value.message and "sonket-gsync provision" in info.value.fix


@pytest.mark.parametrize("damage", ["truncated", "text", "zip-without-workbook", "empty"])
def test_read_unit_of_a_broken_file(ws, unit, damage):
    ws.provision(unit)
    xlsx = ws.xlsx_path(unit)
    if damage == "truncated":
        xlsx.write_bytes(xlsx.read_bytes()[:2000])
    elif damage == "text":
        xlsx.write_text("Báo cáo viết tay, đổi đuôi thành .xlsx\n", encoding="utf-8")
    elif damage == "zip-without-workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("readme.txt", "không phải sổ tính")
        xlsx.write_bytes(buffer.getvalue())
    else:
        xlsx.write_bytes(b"")
    with pytest.raises(UnitFileError) as info:
        ws.read_unit(unit)
    err = info.value
    assert err.unit_code == unit.code and xlsx.name in err.message and err.where == str(xlsx)
    assert "lưu dạng .xlsx" in err.fix and "khôi phục bản trước" in err.fix


def test_write_output_keeps_the_previous_version(ws, tmp_path):
    first = ws.write_output("bao-cao.docx", b"ban 1", "application/octet-stream")
    second = ws.write_output("bao-cao.docx", b"ban 2", "application/octet-stream")
    target = tmp_path / "ws" / "ket-qua" / "bao-cao.docx"
    assert first.url == second.url == target.as_uri() and first.name == "bao-cao.docx"
    assert target.read_bytes() == b"ban 2"
    revisions = list((tmp_path / "ws" / "ket-qua" / ".phien-ban").iterdir())
    assert len(revisions) == 1
    assert revisions[0].name.endswith("-bao-cao.docx") and revisions[0].read_bytes() == b"ban 1"
    stamp = revisions[0].name[: -len("-bao-cao.docx")]
    assert datetime.strptime(stamp, "%Y%m%d-%H%M%S-%f")
    ws.write_output("bao-cao.docx", b"ban 3", XLSX_MIME)
    assert len(list((tmp_path / "ws" / "ket-qua" / ".phien-ban").iterdir())) == 2


def test_write_summary_publishes_text_as_text(ws, tmp_path):
    ref = ws.write_summary({"Tình trạng": [["Đơn vị", "Ghi chú"], ["Sở Y tế", '=HYPERLINK("x")']], "Chỉ tiêu": [["CT01", 55]]})
    path = tmp_path / "ws" / "ket-qua" / "tong-hop.xlsx"
    assert ref.url == path.as_uri() and ref.name == "tong-hop.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tình trạng", "Chỉ tiêu"]
    cell = wb["Tình trạng"]["B2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


# --- uploads: a unit's files as bytes, replaced whole ------------------------------------


def test_local_workspace_declares_uploads_and_revisions(ws):
    caps = ws.capabilities
    assert caps.accepts_uploads and caps.keeps_output_revisions
    assert not caps.pushes_changes and not caps.online_files


def test_unit_file_gives_the_download_name_and_bytes(ws, unit):
    assert ws.unit_file(unit, "workbook") is None  # not provisioned yet
    ws.provision(unit)
    name, data = ws.unit_file(unit, "workbook")
    assert name == f"{unit.code}_bieu-mau.xlsx" and data == ws.xlsx_path(unit).read_bytes()
    name, data = ws.unit_file(unit, "narrative")
    assert name == f"{unit.code}_bao-cao.docx" and data == ws.docx_path(unit).read_bytes()


def test_unit_file_of_a_group_without_narrative_is_none(tmp_path, campaign, unit):
    groups = tuple(dataclasses.replace(g, narrative=False) if g.code == unit.group else g for g in campaign.groups)
    ws = LocalWorkspace(tmp_path / "ws", dataclasses.replace(campaign, groups=groups))
    ws.provision(unit)
    assert ws.unit_file(unit, "narrative") is None
    assert ws.unit_file(unit, "workbook")[0] == f"{unit.code}_bieu-mau.xlsx"


def test_unit_file_refuses_a_link_out_of_the_workspace(ws, unit, tmp_path):
    ws.provision(unit)
    secret = tmp_path / "bi-mat.xlsx"
    secret.write_bytes(b"PK\x03\x04 secret")
    ws.xlsx_path(unit).unlink()
    ws.xlsx_path(unit).symlink_to(secret)
    with pytest.raises(UnitFileError) as info:
        ws.unit_file(unit, "workbook")
    assert info.value.unit_code == unit.code and "symlink" in info.value.message


def test_replace_unit_files_replaces_both_and_leaves_no_temporary_file(ws, unit):
    ws.provision(unit)
    ws.write_unit(unit, [CellBlock("PL01-1 Văn bản", 5, 1, [[1, "Ủy ban nhân dân tỉnh", "12-KH/UBND"]])])
    workbook = ws.xlsx_path(unit).read_bytes()
    key = ws.campaign.outline_items[0].key
    narrative = docx_from_sections(ws.campaign, unit, {key: "Phần đã tải lên."})
    other = LocalWorkspace(ws.root.parent / "khac", ws.campaign)
    other.provision(unit)
    other.replace_unit_files(unit, workbook, narrative)
    assert other.unit_file(unit, "workbook") == (f"{unit.code}_bieu-mau.xlsx", workbook)
    assert other.unit_file(unit, "narrative") == (f"{unit.code}_bao-cao.docx", narrative)
    assert sorted(p.name for p in other.xlsx_path(unit).parent.iterdir()) == sorted([other.xlsx_path(unit).name, other.docx_path(unit).name])


def test_replace_unit_files_without_a_narrative_keeps_the_document(ws, unit):
    ws.provision(unit)
    before = ws.docx_path(unit).read_bytes()
    ws.replace_unit_files(unit, b"PK\x03\x04 new workbook")
    assert ws.xlsx_path(unit).read_bytes() == b"PK\x03\x04 new workbook"
    assert ws.docx_path(unit).read_bytes() == before


def test_replace_unit_files_creates_the_unit_folder(ws, unit):
    ws.replace_unit_files(unit, b"PK\x03\x04 uploaded")
    assert ws.xlsx_path(unit).read_bytes() == b"PK\x03\x04 uploaded"

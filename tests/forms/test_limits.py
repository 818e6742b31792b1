"""Hostile unit files: small generated zip bombs (.xlsx and .docx), a lying zip header, a
million-row-style workbook (scaled down with a low limit), symbolic links out of the
workspace. Each is refused before parsing, for that unit only, with a located message."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl.xml
import pytest
from openpyxl import load_workbook

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends import open_workspace
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.forms import narrative
from sonket_gsync.forms.limits import Limits, MemberTooLarge, check_package, read_member
from sonket_gsync.forms.reading import read_workbook
from sonket_gsync.store import Store
from tests.units import only, type_answers

answer = type_answers

CODES = ("SO_NV", "MTTQ", "X_XUAN_LOC", "DU_CA")


@pytest.fixture
def small(campaign):
    return only(campaign, CODES)


@pytest.fixture
def service(small, settings):
    workspace = LocalWorkspace(settings.workspace_dir, small)
    service = CampaignService(settings, small, workspace, Store(settings.db_path))
    service.provision()
    yield service
    service.close()


def record(service, code):
    return next(r for r in service.records() if r.unit.code == code)


def bomb(package: bytes, part: str, size: int) -> bytes:
    """``package`` with ``part`` replaced by ``size`` bytes of the same few characters
    (compresses about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == part:
                member = zipfile.ZipInfo(part)
                member.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(member, "w", force_zip64=True) as stream:
                    chunk = b"<row><c><v>1</v></c></row>" * 40000
                    written = 0
                    while written < size:
                        stream.write(chunk[: size - written])
                        written += len(chunk)
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def lying(package: bytes, part: str, real_size: int, declared: int) -> bytes:
    """A package whose ``part`` inflates to ``real_size`` bytes while both of its zip headers
    declare only ``declared`` (a forged header)."""
    data = bytearray(bomb(package, part, real_size))
    name = part.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            name_len_at = 26 if signature == b"PK\x03\x04" else 28
            name_len = struct.unpack_from("<H", data, at + name_len_at)[0]
            header_len = 30 if signature == b"PK\x03\x04" else 46
            if bytes(data[at + header_len : at + header_len + name_len]) == name:
                struct.pack_into("<I", data, at + size_at, declared)
    return bytes(data)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_xlsx_zip_bomb_is_refused_from_the_central_directory(service, small):
    unit = small.unit("SO_NV")
    path = service.workspace.xlsx_path(unit)
    path.write_bytes(bomb(path.read_bytes(), "xl/worksheets/sheet1.xml", 30 * 1024 * 1024))
    assert path.stat().st_size < 200_000  # small on disk, 30 MB unpacked
    with pytest.raises(UnitFileError) as err:
        service.workspace.read_unit(unit)
    assert "tỷ lệ" in err.value.message and "bom nén" in err.value.message
    assert "xl/worksheets/sheet1.xml" in err.value.where and str(path) in err.value.where
    assert err.value.unit_code == "SO_NV"


def test_unpacked_total_over_the_limit_is_refused(small, tmp_path: Path):
    ws = LocalWorkspace(tmp_path / "ws", small, Limits(max_unpacked_mb=0.05))
    unit = small.unit("MTTQ")
    ws.prepare()
    ws.provision(unit)
    with pytest.raises(UnitFileError) as err:
        ws.read_unit(unit)
    assert "giải nén" in err.value.message and "vượt giới hạn" in err.value.message


def test_file_size_limit(small, tmp_path: Path):
    ws = LocalWorkspace(tmp_path / "ws", small, Limits(max_file_mb=0.001))
    unit = small.unit("MTTQ")
    ws.prepare()
    ws.provision(unit)
    with pytest.raises(UnitFileError) as err:
        ws.read_unit(unit)
    assert "vượt giới hạn" in err.value.message and "MB" in err.value.message and "MTTQ_bieu-mau.xlsx" in err.value.where


def test_docx_zip_bomb_is_refused(service, small):
    unit = small.unit("X_XUAN_LOC")
    path = service.workspace.docx_path(unit)
    path.write_bytes(bomb(path.read_bytes(), "word/document.xml", 30 * 1024 * 1024))
    with pytest.raises(UnitFileError) as err:
        service.workspace.read_unit(unit)
    assert "báo cáo thuyết minh" in err.value.message and "word/document.xml" in err.value.where
    # the same bytes handed to the parser by another backend (a Google export) are refused too
    with pytest.raises(UnitFileError):
        narrative.parse_docx(path.read_bytes(), small, unit.code)


def test_a_lying_header_cannot_inflate_past_what_it_declares(small, tmp_path: Path):
    unit = small.unit("SO_NV")
    ws = LocalWorkspace(tmp_path / "ws", small)
    ws.prepare()
    ws.provision(unit)
    path = ws.xlsx_path(unit)
    # 40 MB of XML whose headers claim 2 KB: the central directory passes every check
    path.write_bytes(lying(path.read_bytes(), "xl/worksheets/sheet1.xml", 40 * 1024 * 1024, 2048))
    check_package(path, unit_code=unit.code, where=str(path), kind="xlsx", limits=ws.limits)
    with pytest.raises(UnitFileError) as err:
        read_workbook(path, unit.code, ws.limits)  # zipfile inflates the declared 2 KB, then the CRC fails
    assert "hỏng" in err.value.message

    docx = ws.docx_path(unit) if ws.docx_path(unit) else None
    data = lying(narrative.build_docx(small, unit), "word/document.xml", 40 * 1024 * 1024, 4096)
    with zipfile.ZipFile(io.BytesIO(data)) as package, pytest.raises((zipfile.BadZipFile, MemberTooLarge)):
        read_member(package, "word/document.xml", 10 * 1024 * 1024)
    with pytest.raises(UnitFileError):
        narrative.parse_docx(data, small, unit.code)
    assert docx is None or docx.exists()


def test_bounded_reader_stops_at_its_limit():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.xml", b"x" * 3_000_000)
    with zipfile.ZipFile(out) as z:
        with pytest.raises(MemberTooLarge):
            read_member(z, "big.xml", 1_000_000)
        assert len(read_member(z, "big.xml", 3_000_000)) == 3_000_000


@pytest.mark.parametrize("rows", [100, 400], ids=["counted-while-reading", "caught-by-the-prescan"])
def test_too_many_rows_stops_reading_the_tab(small, tmp_path: Path, rows):
    # 50 allowed (+20 header rows): 100 rows pass the generous prescan (2 x 70 rows with
    # cells) and are stopped while openpyxl reads; 400 never reach openpyxl
    limits = Limits(max_rows_per_form=50)
    ws = LocalWorkspace(tmp_path / "ws", small, limits)
    unit = small.unit("SO_NV")
    ws.prepare()
    ws.provision(unit)
    path = ws.xlsx_path(unit)
    wb = load_workbook(path)
    sheet = wb["PL01-1 Văn bản"]
    for r in range(5, 5 + rows):
        sheet.cell(row=r, column=3, value=f"{r}/QĐ-UBND")
    wb.save(path)
    with pytest.raises(UnitFileError) as err:
        ws.read_unit(unit)
    assert "50" in err.value.message and "PL01-1 Văn bản" in err.value.where
    counted = int(re.search(r"đã đếm đến ([\d.]+)\)", err.value.message).group(1).replace(".", ""))
    assert counted == 71 if rows == 100 else counted > 140  # which check stopped it
    assert "SONKET_" not in err.value.fix and "50 dòng" in err.value.fix  # the limit in words, no setting name
    # within the limit: read as usual
    assert "PL01-1 Văn bản" in LocalWorkspace(tmp_path / "ws", small, Limits(max_rows_per_form=500)).read_unit(unit).sheets


def test_row_limit_applies_to_any_backend_through_parse(small, tmp_path: Path):
    from sonket_gsync.backends.base import UnitSnapshot
    from sonket_gsync.core.text import now
    from sonket_gsync.ingest.parse import parse_snapshot

    unit = small.unit("SO_NV")
    grid = [[f"{i}/QĐ"] for i in range(200)]
    snap = UnitSnapshot(unit.code, {"PL01-1 Văn bản": grid}, None, now())
    with pytest.raises(UnitFileError):
        parse_snapshot(small, unit, snap, Limits(max_rows_per_form=50))


def test_symlinked_file_out_of_the_workspace_is_refused(service, small, tmp_path: Path):
    unit = small.unit("MTTQ")
    outside = tmp_path / "outside.xlsx"
    path = service.workspace.xlsx_path(unit)
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(UnitFileError) as err:
        service.workspace.read_unit(unit)
    assert "symlink" in err.value.message and str(outside) in err.value.message
    with pytest.raises(UnitFileError):
        service.workspace.write_unit(unit, [], narrative.build_docx(small, unit))


def test_symlinked_folder_out_of_the_workspace_is_refused(service, small, tmp_path: Path):
    unit = small.unit("DU_CA")
    folder = service.workspace.xlsx_path(unit).parent
    elsewhere = tmp_path / "elsewhere"
    os.rename(folder, elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UnitFileError) as err:
        service.workspace.read_unit(unit)
    assert "Thư mục" in err.value.message


def test_symlink_inside_the_workspace_is_fine(service, small):
    unit = small.unit("MTTQ")
    path = service.workspace.xlsx_path(unit)
    copy = path.with_name("copy.xlsx")
    copy.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(copy)
    assert service.workspace.read_unit(unit).sheets


def test_a_bomb_flags_only_its_unit_keeps_its_last_version_and_compile_goes_on(service, small):
    for code in ("SO_NV", "MTTQ", "X_XUAN_LOC"):
        answer(service, code)
    service.sync()
    good = record(service, "SO_NV").submission
    answer(service, "MTTQ", seed=1)
    unit = small.unit("SO_NV")
    path = service.workspace.xlsx_path(unit)
    path.write_bytes(bomb(path.read_bytes(), "xl/worksheets/sheet1.xml", 60 * 1024 * 1024))
    x = small.unit("X_XUAN_LOC")
    docx = service.workspace.docx_path(x)
    docx.write_bytes(bomb(docx.read_bytes(), "word/document.xml", 60 * 1024 * 1024))
    report = service.sync()
    assert sorted(report.failed) == ["SO_NV", "X_XUAN_LOC"] and report.accepted == ["MTTQ"]
    rec = record(service, "SO_NV")
    assert rec.flagged and rec.submission == good
    [problem] = service.store.problems("SO_NV")
    assert "bom nén" in problem.message and "SO_NV_bieu-mau.xlsx" in problem.message
    assert record(service, "X_XUAN_LOC").submission is not None
    service.compile()


def test_workspace_from_settings_carries_the_limits(settings, small):
    ws = open_workspace(settings.with_(max_rows_per_form=7, max_file_mb=3.5), small)
    assert ws.limits == Limits(max_file_mb=3.5, max_unpacked_mb=60.0, max_compression_ratio=100.0, max_rows_per_form=7)


def test_narrative_with_a_doctype_is_refused(small):
    unit = small.unit("X_XUAN_LOC")
    data = narrative.build_docx(small, unit)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = body.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>', 1)
            dst.writestr(info, body)
    with pytest.raises(UnitFileError):
        narrative.parse_docx(out.getvalue(), small, unit.code)


def test_workbook_with_an_entity_bomb_is_refused(small, tmp_path: Path):
    ws = LocalWorkspace(tmp_path / "ws", small)
    unit = small.unit("SO_NV")
    ws.prepare()
    ws.provision(unit)
    path = ws.xlsx_path(unit)
    out = io.BytesIO()
    # "billion laughs": each entity ten of the one before, j = 10^9 "lol"
    entities = [b'<!ENTITY a "lol">'] + [b'<!ENTITY %c "%s">' % (c, (b"&%c;" % (c - 1)) * 10) for c in range(ord("b"), ord("k"))]
    laughs = b"<!DOCTYPE worksheet [" + b"".join(entities) + b"]>"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"</t>" in body
                body = laughs + body.replace(b"</t>", b"&j;</t>", 1)
            dst.writestr(info, body)
    path.write_bytes(out.getvalue())
    with pytest.raises(UnitFileError) as err:
        ws.read_unit(unit)
    assert "SO_NV_bieu-mau.xlsx" in err.value.message


def test_a_pipe_in_place_of_a_unit_file_is_refused_without_blocking(service, small):
    unit = small.unit("MTTQ")
    path = service.workspace.xlsx_path(unit)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(UnitFileError) as err:
        service.workspace.read_unit(unit)
    assert "không phải là một tệp bình thường" in err.value.message

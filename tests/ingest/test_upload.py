"""A unit's upload checked before anything is stored: only its own files, messages in plain
Vietnamese naming the file by its own name, sizes as people read them, no setting names."""

from __future__ import annotations

import io
import random
import zipfile

from sonket_gsync.demo.synthetic import answers_for, to_submission
from sonket_gsync.forms import narrative
from sonket_gsync.forms.workbook import prefilled_workbook_bytes, unit_workbook_bytes
from sonket_gsync.ingest.upload import check_file, preview

LIMIT = 10_000_000  # settings.upload_max_bytes' default


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def test_a_file_over_the_limit_gives_its_real_size_and_the_limit_in_vietnamese(campaign):
    data = b"PK\x03\x04" + b"\0" * 100
    reason = check_file(data, "C:\\Users\\vt\\Bieu mau SNV.xlsx", "xlsx", LIMIT, "SO_NV", size=12_600_000)
    assert reason is not None
    assert "nặng 12,6 MB" in reason and "giới hạn 10 MB" in reason and "'Bieu mau SNV.xlsx'" in reason
    assert "SONKET_" not in reason and "10.0" not in reason


def test_a_cut_read_without_the_size_still_says_over_the_limit(campaign):
    reason = check_file(b"PK\x03\x04" + b"\0" * (LIMIT + 1), "a.xlsx", "xlsx", LIMIT, "SO_NV")
    assert reason is not None and "vượt giới hạn 10 MB" in reason


def test_a_corrupt_workbook_is_named_by_its_own_name_not_the_servers(campaign):
    unit = campaign.unit("SO_NV")
    broken = _zip({"xl/workbook.xml": b"<not-a-workbook", "[Content_Types].xml": b"<x/>"})
    assert check_file(broken, "so-nv.xlsx", "xlsx", LIMIT, unit.code) is None  # a package: left to the reader
    result = preview(campaign, unit, broken, None, None, workbook_name="Báo cáo Sở Nội vụ (1).xlsx")
    [reason] = result.refused
    assert "Báo cáo Sở Nội vụ (1).xlsx" in reason
    assert "upload.xlsx" not in reason and "/tmp" not in reason and "sonket-upload" not in reason


def test_another_units_workbook_is_refused_naming_both_units(campaign):
    own, other = campaign.unit("SO_NV"), campaign.unit("SO_TC")
    theirs = prefilled_workbook_bytes(campaign, other, to_submission(campaign, other, answers_for(campaign, other, random.Random(1))))
    result = preview(campaign, own, theirs, None, narrative.build_docx(campaign, own), workbook_name="so-tc.xlsx")
    assert not result.acceptable and result.problems == []
    [reason] = result.refused
    assert reason.startswith("Tệp 'so-tc.xlsx': Tệp này là của Sở Tài chính (mã SO_TC), không phải của Sở Nội vụ (mã SO_NV)")
    assert "tải về biểu mẫu mới trên trang của đơn vị" in reason


def test_another_units_narrative_is_refused(campaign):
    own, other = campaign.unit("X_XUAN_LOC"), campaign.unit("P_BIEN_HOA")
    result = preview(
        campaign,
        own,
        unit_workbook_bytes(campaign, own),
        narrative.build_docx(campaign, other),
        None,
        workbook_name="xl.xlsx",
        narrative_name="bao-cao-bien-hoa.docx",
    )
    [reason] = result.refused
    assert reason.startswith("Tệp 'bao-cao-bien-hoa.docx': Tệp này là của") and other.name in reason and own.name in reason


def test_own_files_pass(campaign):
    unit = campaign.unit("SO_NV")
    answers = answers_for(campaign, unit, random.Random(2))
    mine = prefilled_workbook_bytes(campaign, unit, to_submission(campaign, unit, answers))
    result = preview(campaign, unit, mine, narrative.docx_from_sections(campaign, unit, answers.narrative), None, workbook_name="x.xlsx")
    assert result.refused == [] and result.errors == []

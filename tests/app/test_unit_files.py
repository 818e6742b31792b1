"""What a unit downloads from its page: its current files while they read, a fresh form
pre-filled with its last valid answers once they break, and its own report as a document."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.app.unit_files import unit_download, unit_report
from sonket_gsync.backends.base import CellBlock
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.store import Store
from tests.units import only, type_answers


@pytest.fixture
def service(campaign, settings):
    small = only(campaign, ("SO_NV", "X_XUAN_LOC"))
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), Store(settings.db_path))
    service.provision()
    yield service
    service.close()


def _break_header(service, code):
    unit = service.campaign.unit(code)
    form = service.campaign.forms_for(unit)[0]
    service.workspace.write_unit(unit, [CellBlock(sheet=form.sheet, row=4, column=1, values=[["xoá nhầm"] * len(form.columns)])])


def test_a_valid_unit_downloads_its_current_files(service):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    unit = service.campaign.unit("X_XUAN_LOC")
    for which in ("workbook", "narrative"):
        assert unit_download(service, "X_XUAN_LOC", which) == service.workspace.unit_file(unit, which)


def test_after_a_broken_file_the_download_is_a_fresh_form_with_the_last_valid_answers(service):
    answers = type_answers(service, "X_XUAN_LOC")
    service.sync()
    good = next(r for r in service.records() if r.unit.code == "X_XUAN_LOC").submission
    _break_header(service, "X_XUAN_LOC")
    assert service.sync().invalid == ["X_XUAN_LOC"]
    unit = service.campaign.unit("X_XUAN_LOC")
    broken = service.workspace.unit_file(unit, "workbook")
    name, data = unit_download(service, "X_XUAN_LOC", "workbook")
    assert name.endswith(".xlsx") and data != broken[1]
    name, narrative = unit_download(service, "X_XUAN_LOC", "narrative")
    assert name.endswith(".docx")
    # the clerk uploads the fresh files as they are: they read, with the last valid answers
    service.workspace.replace_unit_files(unit, data, narrative)
    report = service.sync(only=["X_XUAN_LOC"])
    assert report.accepted == ["X_XUAN_LOC"]
    again = next(r for r in service.records() if r.unit.code == "X_XUAN_LOC")
    assert not again.flagged and again.submission.tables == good.tables
    assert again.submission.narrative == {k: v for k, v in answers.narrative.items() if v}


def test_a_unit_that_never_sent_anything_downloads_its_blank_form(service):
    unit = service.campaign.unit("SO_NV")
    assert unit_download(service, "SO_NV", "workbook") == service.workspace.unit_file(unit, "workbook")


def test_the_units_report_carries_its_answers(service):
    answers = type_answers(service, "SO_NV")
    service.sync()
    name, data = unit_report(service, "SO_NV")
    assert name.endswith(".docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    some = next(v for v in answers.narrative.values() if v).split("\n")[0].strip()
    assert "BÁO CÁO" in text and some in text
    assert "ĐẢNG ỦY SỞ NỘI VỤ" in document.tables[0].rows[0].cells[0].text


def test_once_confirmed_the_report_carries_the_confirmed_answers_number_date_and_signer(service):
    confirmed = type_answers(service, "SO_NV")
    service.sync()
    service.confirm_submission("SO_NV", name="Trần Thị Bình", position="Bí thư", doc_number="07-BC/ĐU", doc_date=date(2026, 4, 10))
    later = type_answers(service, "SO_NV", seed=1, typed_at=5)  # a later edit, not confirmed
    service.sync()
    _, data = unit_report(service, "SO_NV")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    key = next(k for k, v in confirmed.narrative.items() if v and v != later.narrative.get(k))
    assert confirmed.narrative[key].split("\n")[0].strip() in text
    assert later.narrative[key].split("\n")[0].strip() not in text
    left, right = (c.text for c in document.tables[0].rows[0].cells)
    assert left.endswith("Số 07-BC/ĐU") and "ngày 10 tháng 04 năm 2026" in right
    assert document.tables[1].rows[0].cells[1].text.rstrip().endswith("Trần Thị Bình") and "DỰ THẢO" not in text

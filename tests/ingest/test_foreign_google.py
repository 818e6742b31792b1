"""On Google, a unit's sheet carrying another unit's form (its unit line names another unit:
pasted over, or the other unit's copy shared into its folder) is a located problem for that
unit; its last valid version stays counted. Against the in-repo fake Google."""

from __future__ import annotations

import pytest

from sonket_gsync.backends.base import CellBlock
from sonket_gsync.forms.layout import UNIT_ROW, sheet_layout
from tests.fake_google.fixtures import restore
from tests.test_google_campaign import open_service, provisioned, small  # noqa: F401  (fixtures)
from tests.units import type_answers


@pytest.fixture
def service(fake_google, settings, small, provisioned):  # noqa: F811
    drive, files = provisioned
    fake_google.set_quota()
    restore(fake_google, files)
    service = open_service(fake_google, settings, small, drive)
    yield service
    service.close()


def test_another_units_form_on_a_units_sheet_is_refused_and_the_last_valid_version_stays(service):
    type_answers(service, "SO_NV")
    service.sync()
    before = service.record("SO_NV").submission
    campaign = service.campaign
    unit, other = campaign.unit("SO_NV"), campaign.unit("LHH_KHKT")
    form = campaign.forms_for(unit)[0]
    foreign_line = sheet_layout(campaign, other, form).unit_line
    service.workspace.write_unit(unit, [CellBlock(sheet=form.sheet, row=UNIT_ROW, column=1, values=[[foreign_line]])])
    report = service.sync()
    assert report.invalid == ["SO_NV"]
    record = service.record("SO_NV")
    assert record.flagged and record.submission == before  # still counted as it was
    [problem] = service.store.problems("SO_NV")  # the refusal only
    assert problem.code == "foreign_file" and problem.sheet == form.sheet and problem.row == UNIT_ROW
    assert f"của {other.name} (mã {other.code}), không phải của {unit.name} (mã {unit.code})" in problem.message
    assert "Lịch sử phiên bản" in problem.message and "trang của đơn vị" not in problem.message  # Google's way back

"""Data problems: each kind planted in one unit's answers (typed into its files, synced by the
real service) is listed with its unit and where it is; a duplicate document counts once; the
share over 100 % typed into a file is refused when the file is read (forms/validation.py), so
impossible figures are planted in hand-made records (test_indicator_verdicts.py)."""

from __future__ import annotations

import dataclasses

import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.analysis.checks import KIND_LABELS, KINDS, DataProblem
from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.campaign.model import Checks, Contradiction
from sonket_gsync.store import Store
from tests.units import only, type_answers

CODES = ("SO_NV", "SO_TC", "LHH_KHKT", "MTTQ", "DU_CA", "P_BIEN_HOA", "X_XUAN_LOC")


@pytest.fixture
def service(campaign, settings):
    small = only(campaign, CODES)
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), Store(settings.db_path))
    service.provision()
    yield service
    service.close()


def problems(service, kind: str) -> list[DataProblem]:
    service.sync()
    return [p for p in aggregate(service.campaign, service.records()).data_problems if p.kind == kind]


def test_every_kind_has_a_label():
    assert set(KIND_LABELS) == set(KINDS)


def test_a_row_ticked_both_ways_is_listed_with_its_row(service):
    type_answers(service, "SO_NV", PL01_KT={"inspected": "Không", "inspection_form": "Kiểm tra chuyên đề tại 3 đơn vị"})
    found = [p for p in problems(service, "ticked_both_ways") if p.unit_code == "SO_NV"]
    assert len(found) == 1
    assert "PL01-2 Kiểm tra" in found[0].where and "dòng “Tỉnh ủy”" in found[0].where
    assert "“Không”" in found[0].message and "Hình thức kiểm tra/ giám sát" in found[0].message


def test_a_duplicate_document_is_listed_and_counted_once(service):
    doc = {"issuer": "Tỉnh ủy", "doc_date": "2024-05-02", "summary": "Kế hoạch thực hiện chương trình thử nghiệm số 9"}
    type_answers(service, "SO_NV", PL01_VB={**doc, "doc_number": "57-KH/TU"})
    type_answers(service, "MTTQ", PL01_VB={**doc, "doc_number": "75-KH/TU"})
    service.sync()
    agg = aggregate(service.campaign, service.records())
    listed = agg.documents[agg.documents["summary"].eq(doc["summary"])]
    assert len(listed) == 1 and listed.iloc[0]["doc_number"] == "57-KH/TU"
    found = [p for p in agg.data_problems if p.kind == "duplicate_document"]
    assert [(p.unit_code, "75-KH/TU" in p.where, "57-KH/TU" in p.message) for p in found] == [("MTTQ", True, True)]
    total = int(agg.document_counts["count"].sum())
    assert total == len(agg.documents)


def test_a_document_type_its_issuer_cannot_issue_is_listed(service):
    type_answers(
        service, "SO_NV", PL01_VB={"issuer": "Ủy ban nhân dân tỉnh", "doc_number": "35/NQ-UBND", "summary": "Nghị quyết về chính sách hỗ trợ thử nghiệm"}
    )
    found = [p for p in problems(service, "issuer_type") if "35/NQ-UBND" in p.where]
    assert [p.unit_code for p in found] == ["SO_NV"]
    assert "nghị quyết" in found[0].message and "Ủy ban nhân dân tỉnh" in found[0].message


def test_an_outlier_is_listed_with_its_unit(service):
    for code in CODES:
        type_answers(service, code)
    type_answers(service, "DU_CA", typed_at=5, CHI_TIEU={"y2025": 99999})  # its first row is CT02, a count
    found = problems(service, "outlier")

    assert [(p.unit_code, "dòng “CT02”" in p.where, "Năm 2025" in p.where) for p in found] == [("DU_CA", True, True)]


def test_a_centre_only_recommendation_under_the_province_is_listed(service):
    type_answers(service, "DU_CA", PL02={"recommendations": "Với Tỉnh ủy: Đề nghị sớm xây dựng khung pháp lý riêng cho việc thí điểm."})
    found = [p for p in problems(service, "wrong_addressee") if p.unit_code == "DU_CA"]
    assert found and "PL02 Đảng ủy" in found[0].where and "[8]" in found[0].where
    assert "khung pháp lý" in found[0].message


def test_a_recommendation_to_carry_to_the_centre_is_rightly_addressed(service):
    type_answers(service, "DU_CA", PL02={"recommendations": "Với Tỉnh ủy: Đề nghị Tỉnh ủy kiến nghị Trung ương sớm ban hành nghị định về thí điểm."})
    assert not [p for p in problems(service, "wrong_addressee") if p.unit_code == "DU_CA" and "thí điểm" in p.message]


def test_contradictory_answers_of_one_unit_are_listed_with_both_places(service, campaign):
    rule = Contradiction(about="họp tổng kết thí điểm", yes=["đã họp tổng kết thí điểm"], no=["không họp tổng kết thí điểm"])
    service.campaign = dataclasses.replace(service.campaign, checks=Checks(contradictions=(rule,)))
    type_answers(
        service,
        "DU_CA",
        PL02={"inspection": "Tháng 3/2026 đã họp tổng kết thí điểm.", "difficulties": "Đơn vị không họp tổng kết thí điểm do thiếu kinh phí."},
    )
    found = [p for p in problems(service, "contradiction") if p.unit_code == "DU_CA"]
    assert len(found) == 1
    assert "[5]" in found[0].message and "[7]" in found[0].message and "họp tổng kết thí điểm" in found[0].message

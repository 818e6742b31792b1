"""A submission is an act (issue 18): confirm, accept, return with located comments, the
states the dashboard shows, the deadline applied to the confirmation, and what the compile
counts in each [submission] mode. Real local workspace, real store (SQLite and PostgreSQL),
time on a ManualClock."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.app.submissions import ReviewComment, SubmissionError, SubmissionInfo, parse_location
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.campaign.model import SubmissionSettings
from sonket_gsync.core.errors import LeaseHeld
from sonket_gsync.store import open_store
from tests.units import only, type_answers

CODES = ("X_XUAN_LOC", "SO_NV", "DU_CA")
CLERK = dict(name="Nguyễn Văn An", position="Chánh Văn phòng", doc_number="12-BC/ĐU", doc_date="15/04/2026")


def make_service(campaign, settings, clock, count="latest_valid"):
    small = dataclasses.replace(only(campaign, CODES), submission=SubmissionSettings(count=count))
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), open_store(settings, clock=clock))
    service.provision()
    return service


@pytest.fixture
def service(campaign, store_settings, clock):
    service = make_service(campaign, store_settings, clock)
    yield service
    service.close()


@pytest.fixture
def confirmed_mode(campaign, settings, clock):
    service = make_service(campaign, settings, clock, count="confirmed")
    yield service
    service.close()


def row(service, code):
    [found] = [r for r in service.queries.overview().units if r.code == code]
    return found


def test_a_unit_goes_from_missing_to_entering_to_submitted_to_accepted(service):
    q = service.queries
    assert q.submission("X_XUAN_LOC").state == "missing" and row(service, "X_XUAN_LOC").state_label == "Chưa gửi"
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    assert q.submission_states()["X_XUAN_LOC"] == "entering" and row(service, "X_XUAN_LOC").state_label == "Đang nhập"

    info = service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert isinstance(info, SubmissionInfo) and info.state == "submitted" and info.state_label == "Đã gửi"
    assert (info.confirmed_name, info.confirmed_position, info.doc_number, info.doc_date) == ("Nguyễn Văn An", "Chánh Văn phòng", "12-BC/ĐU", date(2026, 4, 15))
    assert info.on_time is True and info.version_id == info.latest_version_id and info.pdf is None

    info = service.accept_submission("X_XUAN_LOC", by="canbo@tinhuy.example")
    assert info.state == "accepted" and info.state_label == "Đã tiếp nhận" and info.reviewed_by == "canbo@tinhuy.example"
    assert row(service, "X_XUAN_LOC").state == "accepted"
    events = q.submission_events("X_XUAN_LOC")
    assert [e.kind for e in events] == ["confirmed", "accepted"]
    assert events[0].label == "Đơn vị xác nhận gửi" and "số 12-BC/ĐU" in events[0].detail and "đúng hạn" in events[0].detail
    audit = {a.kind for a in service.store.audit(10)}
    assert {"submission_confirmed", "submission_accepted"} <= audit


def test_a_return_with_located_comments_then_a_fix_then_a_reconfirmation(service, clock):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    first = service.confirm_submission("X_XUAN_LOC", **CLERK)
    comments = [
        ReviewComment("Số đảng viên chưa khớp với báo cáo năm.", form="PL02", row=7, column="members_count"),
        ReviewComment("Bổ sung kết quả nổi bật.", outline_item="II.1"),
        ReviewComment("Ghi rõ số văn bản."),
    ]
    info = service.return_submission("X_XUAN_LOC", by="canbo@tinhuy.example", comments=comments)
    assert info.state == "returned" and info.state_label == "Trả lại" and info.returned_version_id == first.version_id
    wheres = [c.where for c in info.comments]
    assert wheres[0].startswith("Biểu 'PL02 Đảng ủy', dòng 7, cột '") and wheres[1] == "Mục II.1" and wheres[2] == ""
    assert info.comments[0].column != "members_count"  # the header the unit sees, not the key

    type_answers(service, "X_XUAN_LOC", seed=1, typed_at=10)  # the unit fixes it
    service.sync()
    info = service.queries.submission("X_XUAN_LOC")
    assert info.state == "entering" and len(info.comments) == 3  # the comments stay in view until it confirms again
    clock.advance(3600)
    again = service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert again.state == "submitted" and again.version_id != first.version_id and again.comments == ()
    kinds = [e.kind for e in service.queries.submission_events("X_XUAN_LOC")]
    assert kinds == ["confirmed", "returned", "confirmed"]


def test_edits_after_confirming_leave_the_confirmed_version_under_review(service):
    type_answers(service, "SO_NV")
    service.sync()
    confirmed = service.confirm_submission("SO_NV", **CLERK)
    type_answers(service, "SO_NV", seed=2, typed_at=30)
    service.sync()
    info = service.queries.submission("SO_NV")
    assert info.state == "submitted" and info.version_id == confirmed.version_id and info.latest_version_id != confirmed.version_id
    with pytest.raises(SubmissionError) as stale:  # the page showed the confirmed version; a newer one came since
        service.confirm_submission("SO_NV", **CLERK, version_id=confirmed.version_id)
    assert "đã thay đổi" in stale.value.message
    assert service.confirm_submission("SO_NV", **CLERK, version_id=info.latest_version_id).version_id == info.latest_version_id


def test_illegal_moves_are_refused_with_how_to_go_on(service):
    with pytest.raises(SubmissionError) as nothing:
        service.confirm_submission("DU_CA", **CLERK)
    assert "chưa có số liệu hợp lệ" in nothing.value.message and nothing.value.fix and nothing.value.exit_code == 2
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    with pytest.raises(SubmissionError) as early:
        service.accept_submission("X_XUAN_LOC", by="canbo")
    assert "Đang nhập" in early.value.message and "xác nhận gửi" in early.value.fix
    with pytest.raises(SubmissionError):
        service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("x")])
    with pytest.raises(SubmissionError) as unnamed:
        service.confirm_submission("X_XUAN_LOC", name=" ", position="Bí thư")
    assert "họ tên" in unnamed.value.message
    with pytest.raises(SubmissionError) as long_name:
        service.confirm_submission("X_XUAN_LOC", name="A" * 201, position="Bí thư")
    assert "quá 200" in long_name.value.message

    type_answers(service, "X_XUAN_LOC", typed_at=5, PL02={"members_rate": 140})  # an error
    service.sync()
    with pytest.raises(SubmissionError) as errors:
        service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert "đang có lỗi" in errors.value.message and "Sửa các lỗi" in errors.value.fix

    type_answers(service, "X_XUAN_LOC", typed_at=9)
    service.sync()
    service.confirm_submission("X_XUAN_LOC", **CLERK)
    with pytest.raises(SubmissionError) as twice:
        service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert "đã được xác nhận" in twice.value.message
    with pytest.raises(SubmissionError) as silent:
        service.return_submission("X_XUAN_LOC", by="canbo", comments=[])
    assert "ít nhất một góp ý" in silent.value.message
    with pytest.raises(SubmissionError) as nowhere:
        service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("Sai", form="PL09")])
    assert "PL02" in nowhere.value.fix
    with pytest.raises(SubmissionError) as bad_column:
        service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("Sai", form="PL02", column="Không có")])
    assert "không có cột" in bad_column.value.message
    assert service.queries.submission("X_XUAN_LOC").state == "submitted"  # nothing recorded by the refusals


def test_a_confirmation_after_the_deadline_is_late_even_a_correction_after_an_on_time_one(service, clock):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    assert service.confirm_submission("X_XUAN_LOC", **CLERK).on_time is True
    clock.advance((service.campaign.deadline - clock.now()).total_seconds() + 3600)
    type_answers(service, "X_XUAN_LOC", seed=3, profile="late")
    service.sync()
    late = service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert late.on_time is False
    assert "trễ hạn" in service.queries.submission_events("X_XUAN_LOC")[-1].detail


def test_latest_valid_mode_a_late_correction_is_late(service):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    assert row(service, "X_XUAN_LOC").status == "on_time"
    type_answers(service, "X_XUAN_LOC", seed=4, profile="late")  # a correction after the deadline
    service.sync()
    late_row = row(service, "X_XUAN_LOC")
    assert late_row.status == "late" and late_row.submitted_at > service.campaign.deadline
    [record] = [r for r in service.records() if r.unit.code == "X_XUAN_LOC"]
    assert record.status == "late"


def test_latest_valid_mode_a_version_typed_in_time_but_confirmed_late_is_late(service, clock):
    type_answers(service, "SO_NV")
    service.sync()
    assert row(service, "SO_NV").status == "on_time"
    clock.advance((service.campaign.deadline - clock.now()).total_seconds() + 3600)
    service.confirm_submission("SO_NV", **CLERK)  # the same version, confirmed after the deadline
    late_row = row(service, "SO_NV")
    assert late_row.status == "late" and late_row.submitted_at > service.campaign.deadline
    [record] = [r for r in service.records() if r.unit.code == "SO_NV"]
    assert record.status == "late" and record.submitted_at == late_row.submitted_at


def test_confirmed_mode_counts_only_confirmed_versions_not_returned(confirmed_mode):
    service = confirmed_mode
    type_answers(service, "X_XUAN_LOC")
    type_answers(service, "SO_NV")
    service.sync()
    records = {r.unit.code: r for r in service.records()}
    assert records["X_XUAN_LOC"].status == "missing" and records["X_XUAN_LOC"].submission is None  # not confirmed yet
    assert row(service, "SO_NV").status == "missing"

    confirmed = service.confirm_submission("X_XUAN_LOC", **CLERK)
    service.accept_submission("X_XUAN_LOC", by="canbo")
    type_answers(service, "X_XUAN_LOC", seed=5, typed_at=20)  # later edits, not confirmed
    service.sync()
    record = next(r for r in service.records() if r.unit.code == "X_XUAN_LOC")
    assert record.status == "on_time" and record.submitted_at == confirmed.confirmed_at
    assert record.submission.tables == service.queries.version(confirmed.version_id).tables  # not the later edits
    assert service.queries.submission("X_XUAN_LOC").counted_version_id == confirmed.version_id

    second = service.confirm_submission("X_XUAN_LOC", **CLERK)
    service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("Chưa đúng.")])
    info = service.queries.submission("X_XUAN_LOC")
    assert info.counted_version_id == confirmed.version_id != second.version_id  # back to the accepted one
    assert row(service, "X_XUAN_LOC").status == "on_time"


def test_the_lease_guards_every_workflow_write(service, settings):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    held, _ = service.store.acquire_lease("another-process", "sync", 60)
    assert held
    with pytest.raises(LeaseHeld):  # waited ACT_WAIT_SECONDS (on the manual clock), still held
        service.confirm_submission("X_XUAN_LOC", **CLERK)
    assert service.queries.submission("X_XUAN_LOC").state == "entering"
    service.store.release_lease("another-process")
    assert service.confirm_submission("X_XUAN_LOC", **CLERK).state == "submitted"


def test_a_location_is_read_as_form_row_column():
    assert parse_location("PL02:7:Số lượng") == ("PL02", 7, "Số lượng")
    assert parse_location("PL02::Số lượng") == ("PL02", None, "Số lượng")
    assert parse_location("PL02") == ("PL02", None, "")
    with pytest.raises(SubmissionError):
        parse_location("PL02:bảy")


def test_the_workflow_records_are_serialisable(service):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    service.confirm_submission("X_XUAN_LOC", **CLERK)
    service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("Sai", form="PL02", row=6)])
    info = json.loads(json.dumps(service.queries.submission("X_XUAN_LOC").to_dict()))
    assert info["state"] == "returned" and info["comments"][0]["row"] == 6
    events = json.loads(json.dumps([e.to_dict() for e in service.queries.submission_events("X_XUAN_LOC")]))
    assert [e["kind"] for e in events] == ["confirmed", "returned"]


def test_a_signed_pdf_goes_with_the_confirmation_or_after_it(service, tmp_path):
    from tests.forms.test_signed_pdf import plain_pdf, signed_pdf

    type_answers(service, "X_XUAN_LOC")
    service.sync()
    data = signed_pdf(tmp_path)
    info = service.confirm_submission("X_XUAN_LOC", **CLERK, signed_pdf=data, pdf_filename="C:\\Tai lieu\\bao-cao-ky-so.pdf")
    assert info.pdf is not None and info.pdf.filename == "bao-cao-ky-so.pdf" and info.pdf.signer == "Nguyễn Văn An"
    assert info.pdf.size == len(data) and service.signed_pdf("X_XUAN_LOC") == ("bao-cao-ky-so.pdf", data)

    scan = plain_pdf(pages=2)
    info = service.attach_signed_pdf("X_XUAN_LOC", scan, "ban-quet.pdf", by="van.thu")
    assert info.pdf.filename == "ban-quet.pdf" and info.pdf.signer == "" and service.signed_pdf("X_XUAN_LOC")[1] == scan
    confirmed, attached = service.queries.submission_events("X_XUAN_LOC")
    assert confirmed.kind == "confirmed" and "kèm báo cáo đã ký bao-cao-ky-so.pdf; ký số: Nguyễn Văn An" in confirmed.detail
    assert attached.kind == "pdf" and attached.label == "Đính kèm báo cáo đã ký" and "không có chữ ký số" in attached.detail


def test_a_bad_pdf_refuses_the_confirmation_and_records_nothing(service):
    from sonket_gsync.forms.signed_pdf import SignedPdfError
    from tests.forms.test_signed_pdf import plain_pdf

    type_answers(service, "SO_NV")
    service.sync()
    with pytest.raises(SignedPdfError):
        service.confirm_submission("SO_NV", **CLERK, signed_pdf=b"PK\x03\x04 word", pdf_filename="bao-cao.docx")
    assert service.queries.submission("SO_NV").state == "entering"
    with pytest.raises(SubmissionError) as unconfirmed:
        service.attach_signed_pdf("SO_NV", plain_pdf(), "a.pdf")
    assert "chưa xác nhận gửi" in unconfirmed.value.message and service.store.signed_pdfs("SO_NV") == []


def test_after_a_return_an_edit_with_errors_is_entering_and_cannot_be_confirmed(service):
    type_answers(service, "X_XUAN_LOC")
    service.sync()
    service.confirm_submission("X_XUAN_LOC", **CLERK)
    service.return_submission("X_XUAN_LOC", by="canbo", comments=[ReviewComment("Sửa tỷ lệ.", form="PL02", row=6)])
    assert service.queries.submission_states()["X_XUAN_LOC"] == "returned"
    type_answers(service, "X_XUAN_LOC", typed_at=60 * 24 * 30, PL02={"members_rate": 140})  # a later edit, with an error
    service.sync()
    assert service.queries.submission("X_XUAN_LOC").state == "entering"
    with pytest.raises(SubmissionError):
        service.confirm_submission("X_XUAN_LOC", **CLERK)

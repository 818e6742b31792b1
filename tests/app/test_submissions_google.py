"""On Google, returning a submission puts each comment on the unit's files as a Drive comment
(the located ones on its Sheet, the outline ones on its narrative Doc), through the real
google-api-python-client against the fake Google on loopback."""

from __future__ import annotations

from sonket_gsync.app.service import CampaignService
from sonket_gsync.app.submissions import ReviewComment
from sonket_gsync.backends.google import GoogleWorkspace
from sonket_gsync.store import Store
from tests.units import only, type_answers


def test_a_return_becomes_drive_comments_on_the_units_sheet_and_doc(fake_google, settings, campaign):
    small = only(campaign, ("X_XUAN_LOC",))
    fake_google.set_quota()
    drive = fake_google.create_shared_drive("Sơ kết")
    settings = settings.with_(
        backend="google",
        google_endpoint=fake_google.endpoint,
        google_token=fake_google.token,
        google_shared_drive_id=drive,
        sheets_reads_per_minute=100_000,
        sheets_writes_per_minute=100_000,
    )
    workspace = GoogleWorkspace.from_settings(settings, small, sleep=lambda s: None)
    assert workspace.capabilities.comments
    service = CampaignService(settings, small, workspace, Store(settings.db_path))
    try:
        service.provision()
        type_answers(service, "X_XUAN_LOC")
        service.sync()
        service.confirm_submission("X_XUAN_LOC", name="Nguyễn Văn An", position="Bí thư")
        service.return_submission(
            "X_XUAN_LOC",
            by="canbo",
            comments=[
                ReviewComment("Số đảng viên chưa khớp.", form="PL02", row=7, column="members_count"),
                ReviewComment("Bổ sung kết quả nổi bật.", outline_item="II.1"),
                ReviewComment("Ghi rõ số văn bản."),
            ],
        )
        files = service.store.unit_files("google")["X_XUAN_LOC"]
        on_sheet = [c["content"] for c in fake_google.drive_comments(files.sheet_id)]
        on_doc = [c["content"] for c in fake_google.drive_comments(files.doc_id)]
        assert on_sheet[0].startswith("[Biểu 'PL02 Đảng ủy', dòng 7, cột '") and on_sheet[0].endswith("Số đảng viên chưa khớp.")
        assert on_sheet[1] == "Ghi rõ số văn bản."
        assert on_doc == ["[Mục II.1] Bổ sung kết quả nổi bật."]
        assert service.queries.submission("X_XUAN_LOC").state == "returned"
    finally:
        service.close()

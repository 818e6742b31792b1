"""The dashboard lists the data problems of the last compile, each unit linked to its staff
page: a compile job run through the real service on a small campaign."""

from __future__ import annotations

import html

from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.store import Store
from tests.units import only, type_answers
from tests.web.fixtures import STAFF_EMAIL, STAFF_PASSWORD, sign_in
from webhooks import create_app
from webhooks.auth import hash_password

CODES = ("SO_NV", "MTTQ", "DU_CA")


def test_the_dashboard_lists_the_last_compiles_data_problems_with_links(campaign, settings):
    small = only(campaign, CODES)
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), Store(settings.db_path))
    try:
        service.provision()
        service.add_staff(STAFF_EMAIL, "Cán bộ", hash_password(STAFF_PASSWORD))
        app = create_app(settings, service=service)
        client = app.test_client()
        assert sign_in(client).status_code == 302
        assert "Vấn đề về số liệu" not in client.get("/").get_data(as_text=True)  # no compile yet

        type_answers(service, "SO_NV", PL01_KT={"inspected": "Không", "inspection_form": "Kiểm tra chuyên đề tại 3 đơn vị"})
        type_answers(service, "MTTQ")
        service.enqueue("compile")
        assert service.run_worker(once=True) == 1
        job = next(j for j in service.queries.jobs(5) if j.kind == "compile")
        assert job.state == "done"
        listed = [p for p in job.result["data_problems"] if p["kind"] == "ticked_both_ways"]
        assert [p["unit_code"] for p in listed] == ["SO_NV"]

        page = html.unescape(client.get("/").get_data(as_text=True))
        panel = page.split('id="van-de-so-lieu"')[1].split("</section>")[0]
        assert f"Vấn đề về số liệu ({len(job.result['data_problems'])})" in page
        assert '<a href="/don-vi/SO_NV">Sở Nội vụ</a>' in panel
        assert "Đánh dấu cả hai phía" in panel and "dòng “Tỉnh ủy”" in panel and listed[0]["message"] in panel
    finally:
        service.close()

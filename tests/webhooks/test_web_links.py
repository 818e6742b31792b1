"""Unit links that can be ended (issue 17): rotated for one unit from its staff page, for all
units from the reminders page or ``sonket-gsync unit-links rotate``; an old link opens a
Vietnamese page saying it was replaced and whom to ask; links may expire a set number of
days after the deadline (or the unit's reopening). Reminders after the deadline tell the
unit to ask to be reopened, with the dashboard's status."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from sonket_gsync.core.text import now
from tests.web.fixtures import make_web


def test_rotating_one_units_link_from_its_staff_page(web, staff):
    code = web.unit_with("invalid")
    old = web.token(code)
    response = staff.post(f"/don-vi/{code}/doi-duong-dan", data={"csrf_token": staff.csrf})
    assert response.status_code == 302
    new = web.token(code)
    assert new != old
    page = staff.get(f"/don-vi/{code}").get_data(as_text=True)
    assert f"/u/{new}" in page and f"/u/{old}" not in page
    unit = web.app.test_client()
    assert unit.get(f"/u/{new}").status_code == 200
    for path in (f"/u/{old}", f"/u/{old}/bieu-mau.xlsx"):
        gone = unit.get(path)
        text = gone.get_data(as_text=True)
        assert gone.status_code == 410, path
        assert "Đường dẫn đã được thay" in text and web.service.campaign.compiled_by in text
        assert web.service.campaign.unit(code).name not in text  # nothing of the unit's data
    other = web.unit_with("on_time")
    assert unit.get(f"/u/{web.token(other)}").status_code == 200  # other units keep their links
    assert web.service.queries.audit(kind="unit_links_rotated")[0].subject == code


def test_rotating_every_link_from_the_reminders_page_needs_a_confirmation(web, staff):
    before = {u.code: web.token(u.code) for u in web.service.campaign.units}
    refused = staff.post("/doi-tat-ca-duong-dan", data={"csrf_token": staff.csrf}, follow_redirects=True)
    assert "xác nhận" in refused.get_data(as_text=True)
    assert {u.code: web.token(u.code) for u in web.service.campaign.units} == before
    done = staff.post("/doi-tat-ca-duong-dan", data={"csrf_token": staff.csrf, "xac_nhan": "co"}, follow_redirects=True)
    assert f"Đã tạo đường dẫn mới cho {len(before)} đơn vị" in done.get_data(as_text=True)
    after = {u.code: web.token(u.code) for u in web.service.campaign.units}
    assert all(after[c] != before[c] for c in before)
    client = web.app.test_client()
    assert client.get(f"/u/{next(iter(before.values()))}").status_code == 410


def test_rotating_from_the_command_line(web):
    from sonket_gsync.cli.main import cli

    code = web.unit_with("late") if any(r.status == "late" for r in web.service.queries.overview().units) else web.unit_with("on_time")
    old = web.token(code)
    data = ["--data", str(web.settings.data_dir)]
    result = CliRunner().invoke(cli, ["unit-links", "rotate", "--unit", code, *data])
    assert result.exit_code == 0, result.output
    assert "Đã tạo đường dẫn mới cho 1 đơn vị" in result.output
    assert web.token(code) != old and web.service.queries.retired_unit_token(old)[0] == code
    everyone = {u.code: web.token(u.code) for u in web.service.campaign.units}
    result = CliRunner().invoke(cli, ["unit-links", "rotate", "--all", *data])
    assert result.exit_code == 0 and f"cho {len(everyone)} đơn vị" in result.output
    assert all(web.token(c) != t for c, t in everyone.items())
    neither = CliRunner().invoke(cli, ["unit-links", "rotate", *data])
    assert neither.exit_code != 0 and "--unit" in neither.output
    unknown = CliRunner().invoke(cli, ["unit-links", "rotate", "--unit", "KHONG_CO", *data])
    assert unknown.exit_code != 0


def test_links_expire_the_set_number_of_days_after_the_deadline(demo_template, tmp_path):
    deadline = None
    web = make_web(demo_template, tmp_path, unit_links_expire_days=1)
    try:
        deadline = web.service.campaign.deadline
        assert now() > deadline + timedelta(days=1)  # the demo campaign closed long ago
        code = web.unit_with("on_time")
        page = web.app.test_client().get(f"/u/{web.token(code)}")
        text = page.get_data(as_text=True)
        assert page.status_code == 410 and "Đường dẫn đã hết hiệu lực" in text and web.service.campaign.compiled_by in text
        # reopened: the link works until the reopening ends, then for the set days more
        web.service.reopen_unit(code, now() + timedelta(days=2), "canbo@tinhuy.example")
        assert web.app.test_client().get(f"/u/{web.token(code)}").status_code == 200
        expires = web.service.queries.unit_link_expires_at(code, 1)
        assert expires > now() + timedelta(days=2)
    finally:
        web.service.close()
    never = make_web(demo_template, tmp_path / "never")
    try:
        code = never.unit_with("on_time")
        assert never.app.test_client().get(f"/u/{never.token(code)}").status_code == 200  # 0 = links never expire
    finally:
        never.service.close()


def test_reminders_after_the_deadline_ask_the_unit_to_be_reopened(web, staff):
    assert now() > web.service.campaign.deadline
    missing = [r.code for r in web.service.queries.overview().units if r.status == "missing"]
    assert missing
    code = missing[0]
    page = staff.get("/nhac-nho").get_data(as_text=True)
    section = page.split(f'data-code="{code}"', 1)[1].split("</section>", 1)[0]
    assert "Đã khóa" in section and "Chưa gửi" not in section  # as the dashboard says
    assert "để được mở lại" in section and "điền và gửi sớm" not in section
    dashboard = staff.get(f"/?tim={code}").get_data(as_text=True)
    assert 'data-status="missing"' in dashboard and 'data-closed="1"' in dashboard  # "Chưa gửi", qualified "đã khóa"
    # reopened by staff: the unit may send again, and the reminder asks it to
    web.service.reopen_unit(code, now() + timedelta(days=3), "canbo@tinhuy.example")
    page = staff.get("/nhac-nho").get_data(as_text=True)
    section = page.split(f'data-code="{code}"', 1)[1].split("</section>", 1)[0]
    assert "Chưa gửi" in section and "điền và gửi sớm" in section and "để được mở lại" not in section
    csv_text = staff.get("/nhac-nho.csv").get_data(as_text=True)
    assert "Đã khóa" in csv_text

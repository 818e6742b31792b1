"""The staff side of the web app through Flask's test client: sign-in and its refusals, CSRF,
the dashboard and its filters, a unit's problems, versions and diff, the compile and sync
buttons (single-flight under concurrent clicks), drafts, reminders, reopening."""

from __future__ import annotations

import csv
import html
import io
import re
import threading

from sonket_gsync.core.text import fold_accents
from tests.web.fixtures import STAFF_EMAIL, csrf_token, sign_in

# --- sign-in -------------------------------------------------------------------------------


def test_staff_pages_need_sign_in(web):
    client = web.client()
    for path in ("/", "/don-vi/SO_NV", "/nhac-nho", "/nhac-nho.csv", "/bao-cao", "/viec/1", "/api/viec/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"], path
    assert client.post("/bien-soan", data={}).status_code in (302, 400)  # no session, no CSRF: never enqueued
    assert web.service.queries.jobs(10) == []


def test_sign_in_with_the_right_password_opens_the_dashboard(web):
    client = web.client()
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/").get_data(as_text=True)
    assert "Biên soạn báo cáo" in page and "Hạn gửi" in page


def test_wrong_password_and_unknown_account_are_refused_alike(web):
    client = web.client()
    wrong = sign_in(client, password="sai-mat-khau-roi")
    unknown = sign_in(client, email="ai-do@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email hoặc mật khẩu không đúng" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_are_throttled_even_with_the_right_password(web):
    client = web.client()
    for _ in range(5):
        assert sign_in(client, password="doan-mo-mat-khau").status_code == 401
    assert sign_in(client).status_code == 429
    assert client.get("/").status_code == 302


def test_sign_in_without_csrf_token_is_refused(web):
    client = web.client()
    response = client.post("/dang-nhap", data={"email": STAFF_EMAIL, "password": "x"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_next_parameter_never_leads_off_site(web):
    client = web.client()
    token = csrf_token(client)
    from tests.web.fixtures import STAFF_PASSWORD

    response = client.post("/dang-nhap?next=//evil.example/x", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_sign_out(staff):
    assert staff.post("/dang-xuat", data={"csrf_token": staff.csrf}).status_code == 302
    assert staff.get("/").status_code == 302


def test_cookies_are_secure_when_served_over_https(demo_template, tmp_path):
    from tests.web.fixtures import make_web

    secure = make_web(demo_template, tmp_path, public_base_url="https://sonket.example")
    response = sign_in(secure.client())
    assert "Secure" in response.headers["Set-Cookie"]
    secure.service.close()


# --- dashboard -----------------------------------------------------------------------------


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-status="([a-z_]+)"', page)


def test_dashboard_lists_every_unit_with_status_rates_and_chart(web, staff):
    page = staff.get("/").get_data(as_text=True)
    units = web.service.campaign.units
    assert len(rows(page)) == len(units)
    statuses = set(rows(page))
    assert {"on_time", "invalid"} <= statuses and ({"late", "missing", "locked"} & statuses)
    assert "Toàn tỉnh" in page and "<svg" in page and "Đã gửi" in page
    assert "Lần gần nhất" in page and "chạy thử" in page  # the demo's last sync
    assert "thư mục cục bộ" in page  # no Drive channel on the local backend


def test_dashboard_filters_by_group_status_and_name_without_accents(web, staff):
    group = web.service.campaign.groups[3].code
    page = staff.get(f"/?nhom={group}").get_data(as_text=True)
    assert len(rows(page)) == len(web.service.campaign.units_in(group))
    page = staff.get("/?trang_thai=invalid").get_data(as_text=True)
    assert set(rows(page)) == {"invalid"}
    page = staff.get("/?tim=so noi vu").get_data(as_text=True)
    assert len(rows(page)) == 1 and "Sở Nội vụ" in page
    page = staff.get("/?tim=SỞ NỘI").get_data(as_text=True)
    assert "Sở Nội vụ" in page


def test_dashboard_filters_come_first_and_lead_to_the_results(staff):
    page = staff.get("/").get_data(as_text=True)
    assert page.index('id="filters"') < page.index('id="ket-qua"') < page.index("Tỷ lệ gửi báo cáo")
    assert 'action="/#ket-qua"' in page  # after a filter change the browser scrolls to the results


def test_dashboard_missing_count_agrees_with_the_cli(web, staff):
    """A unit with nothing sent is "Chưa gửi" on the page as in the CLI; "đã khóa" only qualifies it."""
    total = web.service.status_counts()["__all__"]
    page = staff.get("/").get_data(as_text=True)
    assert f'<option value="missing">Chưa gửi ({total["missing"]})</option>' in page
    missing = staff.get("/?trang_thai=missing").get_data(as_text=True)
    assert rows(missing) == ["missing"] * total["missing"]
    assert 'data-status="locked"' not in page


def test_dashboard_sorts_by_name_last_change_and_errors(web, staff):
    units = {u.code: u for u in web.service.queries.overview().units}

    def codes(page: str) -> list[str]:
        return [html.unescape(c) for c in re.findall(r'<td data-label="Đơn vị"><a href="/don-vi/([^"]+)"', page)]

    by_errors = codes(staff.get("/?sap_xep=loi").get_data(as_text=True))
    assert [units[c].error_count for c in by_errors] == sorted((u.error_count for u in units.values()), reverse=True)
    by_change = [units[c].last_modified for c in codes(staff.get("/?sap_xep=sua").get_data(as_text=True))]
    dated = [d for d in by_change if d is not None]
    assert dated == sorted(dated, reverse=True) and by_change[: len(dated)] == dated
    by_name = codes(staff.get("/?sap_xep=ten").get_data(as_text=True))
    assert [fold_accents(units[c].name) for c in by_name] == sorted(fold_accents(u.name) for u in units.values())


def test_phone_cards_label_every_figure(staff):
    page = staff.get("/").get_data(as_text=True)
    first = page.split('<tr data-status="', 1)[1].split("</tr>", 1)[0]
    for label in ("Nhóm", "Tình trạng", "Trạng thái gửi", "Số lỗi", "Sửa lần cuối", "Phiên bản"):
        assert f'data-label="{label}"' in first


def test_unit_page_locates_problems_and_lists_versions(web, staff):
    code = web.unit_with("invalid")
    page = staff.get(f"/don-vi/{code}").get_data(as_text=True)
    assert "Lỗi" in page and "dòng" in page and "/u/" in page
    assert staff.get("/don-vi/KHONG_CO").status_code == 404


def test_diff_between_two_versions(web, staff, tmp_path):
    from tests.web.fixtures import filled_workbook

    code = web.unit_with("on_time")
    unit = web.service.campaign.unit(code)
    xlsx = web.service.workspace.xlsx_path(unit)
    for seed in (99, 100):  # two more versions: three or more in all
        xlsx.write_bytes(filled_workbook(web, code, tmp_path, seed=seed))
        web.service.sync(only=[code], trigger="manual")
    versions = web.service.queries.unit_detail(code).versions  # newest first
    assert len(versions) >= 3
    newest, before = versions[0].id, versions[1].id
    page = staff.get(f"/don-vi/{code}").get_data(as_text=True)
    # The default comparison is the newest change: the newest version is "mới", the one before it "cũ".
    assert re.search(rf'name="a" value="{before}" checked', page) and re.search(rf'name="b" value="{newest}" checked', page)
    page = staff.get(f"/don-vi/{code}/so-sanh?a={before}&b={newest}").get_data(as_text=True)
    assert "Bản cũ" in page and '<td class="old">' in page and "(mới nhất)" in page
    # Chosen the wrong way round, the older one is still "Bản cũ"; with no choice, the newest change.
    for query in (f"?a={newest}&b={before}", ""):
        page = staff.get(f"/don-vi/{code}/so-sanh{query}").get_data(as_text=True)
        said = re.search(r'<p id="compared">Bản cũ: #(\d+), lưu ([^·]+) · Bản mới: #(\d+)', page)
        assert said and int(said.group(1)) == len(versions) - 1 and int(said.group(3)) == len(versions), page[-800:]
    other = web.unit_with("invalid")
    other_versions = web.service.queries.unit_detail(other).versions
    if other_versions:  # a version of another unit is not this unit's
        assert staff.get(f"/don-vi/{code}/so-sanh?a={other_versions[0].id}&b={newest}").status_code == 404
    assert staff.get(f"/don-vi/{code}/so-sanh?a=x&b={newest}").status_code == 400


# --- jobs ----------------------------------------------------------------------------------


def test_compile_button_enqueues_a_job_then_shows_the_draft(web, staff):
    response = staff.post("/bien-soan", headers={"X-CSRFToken": staff.csrf, "Accept": "application/json"})
    assert response.status_code == 202
    job = response.get_json()
    assert job["state"] == "pending" and job["kind"] == "compile"
    assert web.run_jobs() == 1
    done = staff.get(f"/api/viec/{job['id']}").get_json()
    assert done["state"] == "done" and done["finished"]
    labels = {link["label"]: link["url"] for link in done["links"]}
    assert labels["Dự thảo báo cáo"].startswith("/ket-qua/")
    draft = staff.get(labels["Dự thảo báo cáo"])
    assert draft.status_code == 200 and draft.data[:2] == b"PK"
    assert "Dự thảo" in staff.get("/bao-cao").get_data(as_text=True)


def test_compile_without_csrf_header_is_refused_and_nothing_is_queued(web, staff):
    assert staff.post("/bien-soan", headers={"Accept": "application/json"}).status_code == 400
    assert staff.post("/bien-soan", headers={"X-CSRFToken": "forged"}).status_code == 400
    assert web.service.queries.jobs(10) == []


def test_twenty_concurrent_clicks_make_one_compile_job(web, staff):
    answers, barrier = [], threading.Barrier(20)

    def click():
        barrier.wait()
        answers.append(staff.post("/bien-soan", headers={"X-CSRFToken": staff.csrf, "Accept": "application/json"}))

    threads = [threading.Thread(target=click) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [202] * 20
    assert len({r.get_json()["id"] for r in answers}) == 1
    assert len([j for j in web.service.queries.jobs(50) if j.kind == "compile"]) == 1


def test_sync_now_button_and_job_page(web, staff):
    response = staff.post("/dong-bo", data={"csrf_token": staff.csrf})
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đồng bộ" in page and "data-poll" in page
    web.run_jobs()
    assert web.service.queries.last_run().trigger == "web"


def test_unknown_job_and_unknown_output(staff):
    assert staff.get("/api/viec/999").status_code == 404
    assert staff.get("/ket-qua/..%2Fsonket.db").status_code == 404
    assert staff.get("/ket-qua/khong-co.docx").status_code == 404


# --- reminders and reopening ---------------------------------------------------------------


def test_reminders_list_units_to_chase_with_text_mailto_and_csv(web, staff):
    overview = web.service.queries.overview()
    # Not yet confirmed (nothing sent, errors, data in but not confirmed) or returned; never done.
    chase = [r for r in overview.units if r.status in ("missing", "invalid") or r.state in ("entering", "returned")]
    assert not [r for r in chase if r.state in ("submitted", "accepted")]
    page = staff.get("/nhac-nho").get_data(as_text=True)
    assert page.count('class="card reminder"') == len(chase)
    assert "mailto:" in page and "Kính gửi" in page and "/u/" in page
    response = staff.get("/nhac-nho.csv")
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "Mã đơn vị" and len(table) == len(chase) + 1


def test_reopening_a_unit_until_a_date(web, staff):
    code = web.unit_with("missing")
    bad = staff.post(f"/don-vi/{code}/mo-lai", data={"csrf_token": staff.csrf, "den_ngay": "hôm qua"}, follow_redirects=True)
    assert "ngày mở lại hợp lệ" in bad.get_data(as_text=True)
    assert web.service.queries.unit_detail(code).row.reopened_until is None
    page = staff.post(f"/don-vi/{code}/mo-lai", data={"csrf_token": staff.csrf, "den_ngay": "31/12/2099"}, follow_redirects=True)
    assert "31/12/2099" in page.get_data(as_text=True)
    assert web.service.queries.unit_detail(code).row.reopened_until.year == 2099


def test_earlier_drafts_stay_downloadable_with_their_tables_under_distinct_names(web, staff):
    for _ in range(2):
        staff.post("/bien-soan", headers={"X-CSRFToken": staff.csrf, "Accept": "application/json"})
        web.run_jobs()
    page = staff.get("/bao-cao").get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'<a class="draft" href="([^"]+)">bao-cao', page)]
    assert len(links) == 3  # the demo's draft and two more
    assert links[0].startswith("/ket-qua/") and all(link.startswith("/ket-qua/phien-ban/") for link in links[1:])
    assert len(set(links)) == 3
    tables = [html.unescape(link) for link in re.findall(r'<a class="tables" href="([^"]+)"', page)]
    assert page.count("<li>Bảng tổng hợp:") == 3  # each draft listed with the aggregated workbook made with it
    assert len(tables) == 1  # the workbook is rebuilt in place (no earlier copies): the newest one links
    names = set()
    for link in links + tables[:1]:
        response = staff.get(link)
        assert response.status_code == 200 and response.data[:2] == b"PK"
        names.add(response.headers["Content-Disposition"])
    assert len(names) == 4 and all(re.search(r"-\d{8}-\d{6}\.(docx|xlsx)", n) for n in names), names
    assert staff.get("/ket-qua/phien-ban/..%2F..%2Fsonket.db").status_code == 404

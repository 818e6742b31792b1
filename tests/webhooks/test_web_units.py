"""Unit pages: /u/<token> shows a unit its own status and problems; uploads are checked and
validated from the bytes before anything is stored, confirmed as a job; hostile files are
refused with a reason and the last valid version stays; a token reaches only its unit."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest

from sonket_gsync.core.text import now
from tests.web.fixtures import filled_workbook, make_web


def unit_client(web, code):
    client = web.client()
    token = web.token(code)
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    client.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client, token


def upload(client, token, workbook: bytes, name="bieu-mau.xlsx", narrative: tuple[bytes, str] | None = None):
    data = {"csrf_token": client.csrf, "bieu_mau": (io.BytesIO(workbook), name)}
    if narrative is not None:
        data["bao_cao"] = (io.BytesIO(narrative[0]), narrative[1])
    return client.post(f"/u/{token}/tai-len", data=data, content_type="multipart/form-data")


def reopen(web, code):
    web.service.reopen_unit(code, now() + timedelta(days=3), "canbo@tinhuy.example")


def staged(web, code):
    folder = web.settings.data_dir / "uploads" / code
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the page ---------------------------------------------------------------------------------


def test_unit_page_shows_status_deadline_and_located_problems(web):
    code = web.unit_with("invalid")
    client, token = unit_client(web, code)
    page = client.get(f"/u/{token}").get_data(as_text=True)
    unit = web.service.campaign.unit(code)
    assert unit.name in page and "Hạn gửi" in page and "20/04/2026" in page
    assert "Có lỗi" in page and "dòng" in page
    assert "Đã hết hạn gửi" in page  # the demo's deadline has passed
    assert "Biên soạn báo cáo" not in page and "Đăng xuất" not in page  # no staff pages


def test_unknown_or_malformed_tokens_are_404(web):
    client = web.client()
    for token in ("khong-co-that", "a" * 300, web.token(web.unit_with("on_time"))[:-1]):
        assert client.get(f"/u/{token}").status_code == 404


def test_tokens_are_unguessable_and_stable(web):
    codes = [u.code for u in web.service.campaign.units[:5]]
    tokens = [web.token(c) for c in codes]
    assert len(set(tokens)) == 5 and all(len(t) >= 20 for t in tokens)
    assert tokens == [web.token(c) for c in codes]
    assert not any(c.lower() in t.lower() for c, t in zip(codes, tokens, strict=True))


def test_unit_downloads_its_own_files(web):
    code = web.unit_with("missing")
    client, token = unit_client(web, code)
    workbook = client.get(f"/u/{token}/bieu-mau.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert f"{code}_bieu-mau.xlsx" in workbook.headers["Content-Disposition"]


# --- after the deadline ------------------------------------------------------------------------


def test_after_the_deadline_uploads_are_refused_unless_reopened(web, tmp_path):
    code = web.unit_with("missing")
    client, token = unit_client(web, code)
    response = upload(client, token, filled_workbook(web, code, tmp_path))
    assert response.status_code == 403 and "Đã hết hạn gửi" in response.get_data(as_text=True)
    assert staged(web, code) == []
    reopen(web, code)
    assert upload(client, token, filled_workbook(web, code, tmp_path)).status_code == 200


# --- a valid upload, then an invalid one -------------------------------------------------------


def test_valid_upload_is_previewed_then_accepted_by_a_job_and_recorded_late(web, tmp_path):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    response = upload(client, token, filled_workbook(web, code, tmp_path))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận gửi" in page and "dòng số liệu" in page
    assert web.service.queries.unit_detail(code).row.status == "missing"  # nothing stored yet
    upload_id = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    confirmed = client.post(f"/u/{token}/xac-nhan", data={"csrf_token": client.csrf, "upload": upload_id})
    assert confirmed.status_code == 200
    job_url = re.search(r'data-poll="([^"]+)"', confirmed.get_data(as_text=True)).group(1)
    assert web.run_jobs() == 1
    result = client.get(job_url).get_json()
    assert result["state"] == "done" and result["accepted"], result
    row = web.service.queries.unit_detail(code).row
    assert row.status == "late" and row.versions == 1  # after the deadline: recorded as late
    assert staged(web, code) == []


def test_invalid_upload_shows_every_problem_and_stores_nothing(web, tmp_path):
    code = web.unit_with("on_time")
    reopen(web, code)
    before = web.service.queries.unit_detail(code)
    client, token = unit_client(web, code)
    response = upload(client, token, filled_workbook(web, code, tmp_path, spoil=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "chưa có số liệu" in page or "không phải" in page
    assert "dòng" in page and "Xác nhận gửi" not in page and "Bản hợp lệ gần nhất vẫn được giữ" in page
    assert staged(web, code) == []
    after = web.service.queries.unit_detail(code)
    assert after.row.status == before.row.status and len(after.versions) == len(before.versions)


# --- hostile files -----------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def hostile_files(tmp_path):
    bomb = zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * 150_000_000})
    return {
        "empty": (b"", "bieu-mau.xlsx", "trống"),
        "text-renamed": (b"day khong phai excel", "bieu-mau.xlsx", "không phải"),
        "old-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "bieu-mau.xlsx", "không phải"),
        "wrong-extension": (zip_bytes({"xl/workbook.xml": b"<workbook/>"}), "bieu-mau.exe", "không phải"),
        "docx-as-workbook": (zip_bytes({"word/document.xml": b"<w/>"}), "bieu-mau.xlsx", "không phải"),
        "truncated-zip": (zip_bytes({"xl/workbook.xml": b"<workbook/>" * 100})[:60], "bieu-mau.xlsx", "hỏng"),
        "zip-bomb": (bomb, "bieu-mau.xlsx", "bom nén"),
        "broken-workbook": (zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<not really"}), "bieu-mau.xlsx", "không đọc được"),
        "path-in-name": (b"PK\x03\x04junk", "../../../etc/passwd.xlsx", "hỏng"),
    }


@pytest.mark.parametrize("kind", list(hostile_files(None)))
def test_hostile_uploads_are_refused_with_a_reason(web, tmp_path, kind):
    code = web.unit_with("on_time")
    reopen(web, code)
    data, name, reason = hostile_files(tmp_path)[kind]
    client, token = unit_client(web, code)
    response = upload(client, token, data, name=name)
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422), page
    assert reason in page, page[page.find("<main>") :][:1500]
    assert "Xác nhận gửi" not in page and staged(web, code) == []
    assert web.service.queries.unit_detail(code).row.status == "on_time"


def test_too_large_upload_is_refused(demo_template, tmp_path):
    web = make_web(demo_template, tmp_path, upload_max_bytes=4_000)
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    response = upload(client, token, filled_workbook(web, code, tmp_path))
    assert response.status_code in (400, 413) and "giới hạn" in response.get_data(as_text=True)
    assert staged(web, code) == []
    web.service.close()


def test_upload_without_csrf_is_refused(web, tmp_path):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    client.csrf = "forged"
    assert upload(client, token, filled_workbook(web, code, tmp_path)).status_code == 400


# --- one unit, one page ------------------------------------------------------------------------


def test_a_unit_token_cannot_confirm_or_watch_another_units_upload(web, tmp_path):
    mine, other = [r.code for r in web.service.queries.overview().units if r.status == "missing"][:2]
    reopen(web, mine)
    reopen(web, other)
    client, token = unit_client(web, mine)
    page = upload(client, token, filled_workbook(web, mine, tmp_path)).get_data(as_text=True)
    upload_id = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    intruder, other_token = unit_client(web, other)
    # the other unit's token with my upload id: not found, nothing queued
    assert intruder.post(f"/u/{other_token}/xac-nhan", data={"csrf_token": intruder.csrf, "upload": upload_id}).status_code == 404
    assert intruder.post(f"/u/{other_token}/xac-nhan", data={"csrf_token": intruder.csrf, "upload": "../" + mine + "/" + upload_id}).status_code == 404
    assert [j for j in web.service.queries.jobs(20) if j.kind == "accept_upload"] == []
    confirmed = client.post(f"/u/{token}/xac-nhan", data={"csrf_token": client.csrf, "upload": upload_id}).get_data(as_text=True)
    job_id = re.search(r"/viec/(\d+)", confirmed).group(1)
    assert intruder.get(f"/u/{other_token}/viec/{job_id}").status_code == 404
    assert client.get(f"/u/{token}/viec/{job_id}").status_code == 200
    # a unit token opens no staff page
    assert client.get(f"/don-vi/{mine}").status_code == 302


# --- the narrative document ----------------------------------------------------------------------


def test_workbook_and_narrative_uploaded_together(web, tmp_path):
    code = web.unit_with("missing")
    unit = web.service.campaign.unit(code)
    assert web.service.campaign.has_narrative(unit)
    reopen(web, code)
    client, token = unit_client(web, code)
    narrative = client.get(f"/u/{token}/bao-cao.docx").data  # the unit's own document
    response = upload(client, token, filled_workbook(web, code, tmp_path), narrative=(narrative, "bao-cao.docx"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "tệp vừa tải lên" in page and "Xác nhận gửi" in page


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"van ban thuong", "bao-cao.docx", "không phải"),
        (zip_bytes({"xl/workbook.xml": b"<workbook/>"}), "bao-cao.docx", "không phải"),
        (zip_bytes({"word/document.xml": b"<w/>"}), "bao-cao.pdf", "không phải"),
    ],
    ids=["text-renamed", "workbook-as-narrative", "wrong-extension"],
)
def test_a_hostile_narrative_is_refused(web, tmp_path, data, name, reason):
    code = web.unit_with("missing")
    reopen(web, code)
    client, token = unit_client(web, code)
    response = upload(client, token, filled_workbook(web, code, tmp_path), narrative=(data, name))
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert staged(web, code) == []


def test_pages_send_no_referrer_and_a_strict_content_policy(web):
    client, token = unit_client(web, web.unit_with("on_time"))
    response = client.get(f"/u/{token}")
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the token never leaks to linked sites
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"

"""Every error a person meets is a Vietnamese page with a way back (400, 404, 405, 410, 413,
500, CSRF; redirects too); machines get JSON. POST /sync fetches Google's certificates only
for a token that could be Google's, and keeps them; an expired Drive channel is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sonket_gsync.core.text import now
from sonket_gsync.store.records import ChannelInfo
from tests.web.fixtures import make_web
from tests.web.oidc_keys import TokenIssuer
from webhooks import oidc

ENGLISH = ("Bad Request", "Not Found", "Method Not Allowed", "Request Entity Too Large", "Internal Server Error", "Redirecting", "The CSRF")


def vietnamese_page_with_a_way_back(response, back: str | None = "/") -> str:
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert not any(word in text for word in ENGLISH), text[:500]
    assert '<html lang="vi">' in text
    if back is not None:
        assert f'href="{back}" id="way-back"' in text, text
    return text


def test_staff_error_pages_are_vietnamese_with_a_way_back(web, staff):
    text = vietnamese_page_with_a_way_back(staff.get("/khong-co-trang-nay"), "/")
    assert "Không tìm thấy trang" in text
    text = vietnamese_page_with_a_way_back(staff.get("/dang-xuat"), "/")  # 405: sign-out is a POST
    assert "Thao tác không được hỗ trợ" in text
    code = web.unit_with("invalid")
    bad = staff.get(f"/don-vi/{code}/so-sanh?a=x")  # 400: not a version (none named: the newest change)
    assert bad.status_code == 400 and "Yêu cầu không hợp lệ" in vietnamese_page_with_a_way_back(bad)
    csrf = staff.post("/bien-soan", data={})
    assert csrf.status_code == 400 and "Phiên làm việc đã hết hạn" in vietnamese_page_with_a_way_back(csrf)


def test_a_redirect_body_is_vietnamese(web):
    response = web.client().get("/")
    assert response.status_code == 302
    text = response.get_data(as_text=True)
    assert "Đang chuyển" in text and "Redirecting" not in text


def test_an_unexpected_error_is_a_vietnamese_500(demo_template, tmp_path):
    web = make_web(demo_template, tmp_path)
    try:

        def broken():
            raise RuntimeError("hỏng")

        web.app.add_url_rule("/thu-loi", "broken", broken)
        response = web.client().get("/thu-loi")
        assert response.status_code == 500
        assert "Lỗi hệ thống" in vietnamese_page_with_a_way_back(response, "/")
    finally:
        web.service.close()


def test_a_30_mb_upload_gets_a_vietnamese_page_back_to_the_units_page(web):
    token = web.token(web.unit_with("invalid"))
    client = web.client()
    body = b"x" * (30 * 1024 * 1024)
    response = client.post(f"/u/{token}/tai-len", data=body, headers={"Content-Type": "multipart/form-data; boundary=abc", "Content-Length": str(len(body))})
    assert response.status_code == 413
    text = vietnamese_page_with_a_way_back(response, f"/u/{token}")
    assert "Tệp quá lớn" in text and "10 MB" in text


def test_an_unknown_unit_link_names_whom_to_ask(web):
    response = web.client().get("/u/khong-phai-ma-that")
    text = vietnamese_page_with_a_way_back(response, back=None)
    assert response.status_code == 404 and web.service.campaign.compiled_by in text


def test_machines_get_json_errors(web):
    response = web.client().get("/sync")
    assert response.status_code == 405 and response.is_json and response.get_json()["error"]


# --- POST /sync: certificates only for a token that could be Google's, and cached -----------------

AUDIENCE = "https://sonket.example/sync"
CALLER = "scheduler@sonket.iam.gserviceaccount.com"


@pytest.fixture
def issuer():
    issuer = TokenIssuer(kid="cache-test-key")
    issuer.url, stop = issuer.serve()
    yield issuer
    stop()
    oidc._certs.pop(issuer.url, None)


@pytest.fixture
def oidc_web(demo_template, tmp_path, issuer):
    web = make_web(demo_template, tmp_path, oidc_audience=AUDIENCE, oidc_emails=CALLER, oidc_certs_url=issuer.url)
    yield web
    web.service.close()


def post_sync(web, token: str):
    return web.client().post("/sync", headers={"Authorization": f"Bearer {token}"})


def test_a_bearer_that_is_not_a_google_jwt_fetches_nothing(oidc_web, issuer):
    import base64
    import json

    def part(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    for token in (
        "a.b.c",
        "x" * 20 + "." + "y" * 20 + "." + "z" * 20,
        part({"alg": "none"}) + "." + part({"iss": "https://accounts.google.com", "aud": AUDIENCE}) + ".",
        part({"alg": "RS256", "kid": "k"}) + "." + part({"iss": "https://evil.example", "aud": AUDIENCE}) + ".c2ln",
        part({"alg": "RS256", "kid": "k"}) + "." + part(["not", "an", "object"]) + ".c2ln",
    ):
        assert post_sync(oidc_web, token).status_code == 401, token
    assert issuer.requests == 0
    assert oidc_web.service.queries.jobs(10) == []


def test_certificates_are_fetched_once_and_kept(oidc_web, issuer):
    for _ in range(5):
        assert post_sync(oidc_web, issuer.token(audience=AUDIENCE, email=CALLER)).status_code == 202
    assert issuer.requests == 1
    unknown_kid = TokenIssuer(kid="another-key").token(audience=AUDIENCE, email=CALLER)
    assert post_sync(oidc_web, unknown_kid).status_code == 401
    assert issuer.requests == 1  # an unknown key id refetches at most once a minute
    oidc.clock = _Later(oidc.clock, 3601)
    try:
        assert post_sync(oidc_web, issuer.token(audience=AUDIENCE, email=CALLER)).status_code == 202
        assert issuer.requests == 2  # an hour later (no max-age given): fetched again
    finally:
        oidc.clock = oidc.clock.inner


class _Later:
    def __init__(self, inner, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def monotonic(self) -> float:
        return self.inner.monotonic() + self.seconds


# --- Drive channels ------------------------------------------------------------------------------


def test_an_expired_channel_that_was_never_stopped_is_refused(web):
    channel = ChannelInfo(
        channel_id="kenh-het-han",
        resource_id="tai-nguyen-1",
        token="ma-kenh-bi-mat",
        expiration=now() - timedelta(minutes=1),
        address="https://sonket.example/drive/notifications",
        created_at=now() - timedelta(days=7),
    )
    web.service.store.save_channel(channel)
    headers = {
        "X-Goog-Channel-ID": channel.channel_id,
        "X-Goog-Channel-Token": channel.token,
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-State": "change",
        "X-Goog-Message-Number": "5",
    }
    assert web.client().post("/drive/notifications", headers=headers).status_code == 404
    assert web.service.queries.jobs(10) == []
    web.service.store.save_channel(ChannelInfo(**{**channel.__dict__, "expiration": now() + timedelta(days=1)}))
    assert web.client().post("/drive/notifications", headers=headers).status_code == 204

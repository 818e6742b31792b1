"""Staff Google sign-in (Authlib) against a fake OpenID provider on loopback: only listed,
verified emails get in; a forged ID token is refused."""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from tests.web.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOpenID
from tests.web.fixtures import csrf_token, make_web


@pytest.fixture(scope="module")
def provider():
    op = FakeOpenID()
    yield op
    op.stop()


@pytest.fixture
def google_web(demo_template, tmp_path, provider):
    provider.account = {"email": "lanhdao@tinhuy.example", "email_verified": True, "name": "Lãnh Đạo"}
    provider.forge = False
    web = make_web(
        demo_template,
        tmp_path,
        staff_google_client_id=CLIENT_ID,
        staff_google_client_secret=CLIENT_SECRET,
        staff_google_emails="lanhdao@tinhuy.example",
        staff_google_metadata_url=provider.metadata_url,
    )
    yield web
    web.service.close()


def google_flow(client):
    """Start the sign-in, let the provider answer, come back with its code."""
    start = client.get("/dang-nhap/google")
    assert start.status_code == 302
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urllib.parse.urlsplit(answer.headers["Location"])
    return client.get(back.path + "?" + back.query)


def test_the_sign_in_page_offers_google_only_when_configured(google_web, demo_template, tmp_path):
    assert "Đăng nhập bằng Google" in google_web.client().get("/dang-nhap").get_data(as_text=True)
    plain = make_web(demo_template, tmp_path / "plain")
    assert "Đăng nhập bằng Google" not in plain.client().get("/dang-nhap").get_data(as_text=True)
    assert plain.client().get("/dang-nhap/google").status_code == 404
    plain.service.close()


def test_a_listed_verified_google_account_signs_in(google_web):
    client = google_web.client()
    response = google_flow(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Biên soạn báo cáo" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "account",
    [
        {"email": "nguoi-la@example.com", "email_verified": True},
        {"email": "lanhdao@tinhuy.example", "email_verified": False},
    ],
    ids=["not-listed", "not-verified"],
)
def test_other_google_accounts_are_refused(google_web, provider, account):
    provider.account = account
    client = google_web.client()
    google_flow(client)
    assert client.get("/").status_code == 302


def test_a_forged_id_token_is_refused(google_web, provider):
    provider.forge = True
    client = google_web.client()
    response = google_flow(client)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    assert client.get("/").status_code == 302


def test_a_callback_without_a_started_flow_is_refused(google_web):
    client = google_web.client()
    response = client.get("/dang-nhap/google/xong?code=abc&state=made-up")
    assert response.status_code == 302 and client.get("/").status_code == 302


def test_signing_out_of_a_google_account_ends_its_sessions_on_every_browser(google_web):
    phone, desk = google_web.client(), google_web.client()
    for client in (phone, desk):
        assert google_flow(client).headers["Location"] == "/"
        assert client.get("/").status_code == 200
    assert desk.post("/dang-xuat", data={"csrf_token": csrf_token(desk, "/")}).status_code == 302
    assert phone.get("/").status_code == 302  # the other browser's session ended too
    assert google_flow(phone).headers["Location"] == "/" and phone.get("/").status_code == 200  # and can sign in again


def test_a_disabled_google_account_cannot_sign_in(google_web):
    client = google_web.client()
    assert google_flow(client).headers["Location"] == "/"
    google_web.service.disable_staff("lanhdao@tinhuy.example", by="test")
    assert client.get("/").status_code == 302  # its session ended
    again = google_flow(client)
    assert again.headers["Location"].startswith("/dang-nhap") and client.get("/").status_code == 302


def test_a_google_account_has_no_password_to_sign_in_with(google_web):
    google_flow(google_web.client())  # the account now exists, without a password
    client = google_web.client()
    refused = client.post("/dang-nhap", data={"email": "lanhdao@tinhuy.example", "password": "any-password-at-all", "csrf_token": csrf_token(client)})
    assert refused.status_code == 401 and client.get("/").status_code == 302

"""Sessions that can be ended and a sign-in throttle that cannot lock people out (issue 17):
sign-out and a new password end every session of the account, ``staff disable`` / ``remove``
end them too; no page is kept in a cache; the throttle lives in the store (every app and
process shares it, a restart keeps it), slows an address and an account by backoff, never
holds back the right password from a device that signed in before, and writes each lockout
to the log and the audit trail; ``next`` after sign-in never breaks the redirect."""

from __future__ import annotations

import logging
import time

import pytest
from click.testing import CliRunner

from sonket_gsync.app.service import CampaignService
from sonket_gsync.core.clock import ManualClock
from tests.web.fixtures import STAFF_EMAIL, STAFF_PASSWORD, csrf_token, sign_in
from webhooks import create_app
from webhooks.auth import ACCOUNT_BACKOFF, DEVICE_COOKIE, hash_password


def signed_in(web, address: str = "127.0.0.1"):
    client = web.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = csrf_token(client, "/")
    return client


def opens_dashboard(client) -> bool:
    return client.get("/").status_code == 200


# --- sessions you can end ------------------------------------------------------------------------


def test_sign_out_ends_every_session_of_the_account(web):
    office, laptop = signed_in(web), signed_in(web, "10.0.0.2")
    saved = office.get_cookie("sonket_session").value  # what a copied cookie would replay
    assert opens_dashboard(office) and opens_dashboard(laptop)
    assert office.post("/dang-xuat", data={"csrf_token": office.csrf}).status_code == 302
    assert not opens_dashboard(laptop)  # the other device's session ended too
    replay = web.app.test_client()
    replay.set_cookie("sonket_session", saved)
    assert replay.get("/").status_code == 302  # the saved cookie no longer opens the dashboard
    assert opens_dashboard(signed_in(web))  # signing in again works


def test_a_new_password_ends_every_session(web):
    client = signed_in(web)
    before = web.service.queries.staff_account(STAFF_EMAIL).session_version
    web.service.add_staff(STAFF_EMAIL, "Nguyễn Văn Cán Bộ", hash_password("mat-khau-moi-0123456"))
    assert web.service.queries.staff_account(STAFF_EMAIL).session_version == before + 1
    assert not opens_dashboard(client)
    assert sign_in(web.app.test_client()).status_code == 401  # the old password no longer works
    assert sign_in(web.app.test_client(), password="mat-khau-moi-0123456").status_code == 302


def test_the_same_password_again_keeps_sessions(web):
    client = signed_in(web)
    staff = web.service.queries.staff_account(STAFF_EMAIL)
    web.service.add_staff(STAFF_EMAIL, "Tên mới", staff.password_hash)  # only the name changes
    assert opens_dashboard(client)


def cli(web, *args: str):
    from sonket_gsync.cli.main import cli as group

    return CliRunner().invoke(group, [*args, "--data", str(web.settings.data_dir)], env={"SONKET_NIGHTLY_SYNC_TIME": ""})


def test_staff_disable_and_enable_from_the_command_line(web):
    client = signed_in(web)
    result = cli(web, "staff", "disable", STAFF_EMAIL.upper())
    assert result.exit_code == 0, result.output
    assert "Đã vô hiệu hóa tài khoản" in result.output
    assert not opens_dashboard(client)
    refused = sign_in(web.app.test_client())
    assert refused.status_code == 403 and "vô hiệu hóa" in refused.get_data(as_text=True)
    assert cli(web, "staff", "enable", STAFF_EMAIL).exit_code == 0
    assert opens_dashboard(signed_in(web))
    kinds = [a.kind for a in web.service.queries.audit()]
    assert kinds[:2] == ["staff_enabled", "staff_disabled"]


def test_staff_remove_ends_sessions_and_the_account(web):
    client = signed_in(web)
    result = cli(web, "staff", "remove", STAFF_EMAIL)
    assert result.exit_code == 0 and "Đã xóa tài khoản" in result.output
    assert not opens_dashboard(client)
    assert sign_in(web.app.test_client()).status_code == 401
    assert web.service.queries.staff_account(STAFF_EMAIL) is None
    missing = cli(web, "staff", "remove", STAFF_EMAIL)
    assert missing.exit_code != 0 and "Không có tài khoản cán bộ" in missing.output
    listed = cli(web, "staff", "list")
    assert STAFF_EMAIL not in listed.output


def test_no_page_with_links_or_unit_data_is_cached(web, staff):
    code = web.unit_with("invalid")
    token = web.token(code)
    pages = ["/", "/nhac-nho", "/nhac-nho.csv", f"/don-vi/{code}", "/bao-cao", "/dang-nhap"]
    for path in pages:
        response = staff.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    unit = web.app.test_client().get(f"/u/{token}")
    assert unit.status_code == 200 and unit.headers["Cache-Control"] == "no-store"
    assert staff.post("/dang-xuat", data={"csrf_token": staff.csrf}).status_code == 302
    assert staff.get("/nhac-nho").status_code == 302  # after sign-out: the sign-in page, not the links


# --- the throttle -----------------------------------------------------------------------------------


@pytest.fixture
def clocked(web):
    """The store reads a manual clock: backoff waits pass without sleeping."""
    web.service.store.clock = ManualClock(time.time())
    return web


def attempt(web, address: str, password: str = "doan-mo-mat-khau", *, device: str = "", app=None):
    client = (app or web.app).test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if device:
        client.set_cookie(DEVICE_COOKIE, device, path="/dang-nhap")
    return sign_in(client, password=password)


def device_cookie(web) -> str:
    client = web.app.test_client()
    response = sign_in(client)
    assert response.status_code == 302
    return client.get_cookie(DEVICE_COOKIE, path="/dang-nhap").value


def test_a_strangers_wrong_passwords_cannot_lock_out_the_real_user(clocked, caplog):
    web = clocked
    device = device_cookie(web)  # the real user signed in from this browser before
    caplog.set_level(logging.WARNING, logger="sonket_gsync.web.auth")
    answers = []
    for n in range(12):  # a stranger tries from twelve addresses, waiting out each backoff
        answer = attempt(web, f"203.0.113.{n}")
        answers.append(answer.status_code)
        if answer.status_code == 429:
            web.service.store.clock.advance(int(answer.headers["Retry-After"]))
            answers.append(attempt(web, f"203.0.113.{n}").status_code)
    assert answers.count(401) == 12 and set(answers) == {401, 429}
    # the account is in backoff now: a new device waits, a short time at most (backoff, not a lock)
    waited = attempt(web, "198.51.100.8", STAFF_PASSWORD)
    # from a known device, the right password passes at once, whatever the account's count
    assert attempt(web, "198.51.100.7", STAFF_PASSWORD, device=device).status_code == 302
    assert waited.status_code == 429 and "Thử lại sau" in waited.get_data(as_text=True)
    assert 0 < int(waited.headers["Retry-After"]) <= ACCOUNT_BACKOFF.cap
    web.service.store.clock.advance(ACCOUNT_BACKOFF.cap + 1)
    assert attempt(web, "198.51.100.8", STAFF_PASSWORD).status_code == 302
    lockouts = web.service.queries.audit(kind="signin_lockout")
    assert lockouts and all(a.subject == "account:" + STAFF_EMAIL for a in lockouts)
    assert any("sign-in lockout: account:" in r.getMessage() for r in caplog.records)


def test_one_address_backs_off_exponentially_even_with_the_right_password(clocked):
    web = clocked
    device = device_cookie(web)
    for _ in range(5):
        assert attempt(web, "192.0.2.9").status_code == 401
    first = attempt(web, "192.0.2.9", STAFF_PASSWORD)
    assert first.status_code == 429
    wait = int(first.headers["Retry-After"])
    web.service.store.clock.advance(wait + 1)
    assert attempt(web, "192.0.2.9").status_code == 401  # one more wrong: a longer wait
    second = int(attempt(web, "192.0.2.9", STAFF_PASSWORD).headers["Retry-After"])
    assert second >= 2 * wait - 1
    assert attempt(web, "192.0.2.10", STAFF_PASSWORD, device=device).status_code == 302  # others are not held
    web.service.store.clock.advance(second + 1)
    assert attempt(web, "192.0.2.9", STAFF_PASSWORD).status_code == 302
    assert any(a.subject == "ip:192.0.2.9" for a in web.service.queries.audit(kind="signin_lockout"))


def test_the_throttle_is_shared_by_every_app_and_survives_a_restart(web):
    other = CampaignService.open(web.settings)  # a second gunicorn worker: its own app and connection
    second_app = create_app(web.settings, service=other)
    try:
        for n in range(5):
            app = web.app if n % 2 else second_app
            assert attempt(web, "192.0.2.50", app=app).status_code == 401
        assert attempt(web, "192.0.2.50", STAFF_PASSWORD).status_code == 429  # counted across both
    finally:
        other.close()
    restarted_service = CampaignService.open(web.settings)
    try:
        restarted = create_app(web.settings, service=restarted_service)
        assert attempt(web, "192.0.2.50", STAFF_PASSWORD, app=restarted).status_code == 429  # a restart lifts nothing
    finally:
        restarted_service.close()


def test_a_device_cookie_of_another_account_or_forged_counts_for_nothing(clocked):
    web = clocked
    for n in range(6):
        attempt(web, f"203.0.113.{n}")
    assert attempt(web, "198.51.100.20", STAFF_PASSWORD, device="gia-mao.khong-ky").status_code == 429


# --- next after sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%0D%0ASet-Cookie:%20x=1", "/%0Ax", "/%09x", "/%20x", "//evil.example", "/\\evil", "https://evil.example/"])
def test_a_bad_next_after_a_right_password_goes_to_the_dashboard(web, target):
    client = web.app.test_client()
    token = csrf_token(client)
    response = client.post(f"/dang-nhap?next={target}", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(response.headers)


def test_a_good_next_is_followed(web):
    client = web.app.test_client()
    token = csrf_token(client)
    response = client.post("/dang-nhap?next=/nhac-nho", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/nhac-nho"

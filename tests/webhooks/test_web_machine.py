"""Machine endpoints: health, POST /sync (bearer secret or Google OIDC), Drive notifications
(known channel, token and resource only; sync state ignored; duplicates dropped; a burst is
one debounced sync)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sonket_gsync.core.text import now
from sonket_gsync.store.records import ChannelInfo
from tests.web.fixtures import SYNC_SECRET, make_web
from tests.web.oidc_keys import TokenIssuer

AUDIENCE = "https://sonket.example/sync"
CALLER = "scheduler@sonket.iam.gserviceaccount.com"


def jobs(web, kind="sync"):
    return [j for j in web.service.queries.jobs(200) if j.kind == kind]


# --- health ----------------------------------------------------------------------------------


def test_healthz_is_always_up(web):
    assert web.client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz_needs_a_fresh_worker_heartbeat(web):
    client = web.client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["store"] == "ok"
    web.run_jobs()  # the worker heartbeats
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"store": "ok", "campaign": "ok", "worker": "ok"}


# --- POST /sync --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer():
    issuer = TokenIssuer()
    issuer.url, stop = issuer.serve()
    yield issuer
    stop()


@pytest.fixture
def oidc_web(demo_template, tmp_path, issuer):
    web = make_web(demo_template, tmp_path, oidc_audience=AUDIENCE, oidc_emails=CALLER, oidc_certs_url=issuer.url)
    yield web
    web.service.close()


def post_sync(web, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return web.client().post("/sync", headers=headers)


def test_bearer_secret_enqueues_one_sync(web):
    first = post_sync(web, SYNC_SECRET)
    second = post_sync(web, SYNC_SECRET)
    assert first.status_code == second.status_code == 202
    assert first.get_json()["job"] == second.get_json()["job"]  # joined the pending one
    assert len(jobs(web)) == 1 and jobs(web)[0].params["trigger"] == "scheduler"


@pytest.mark.parametrize("header", [None, "", "Basic abc", f"Bearer {SYNC_SECRET}x", "Bearer a.b.c"])
def test_no_or_wrong_bearer_is_401_and_nothing_queued(web, header):
    headers = {"Authorization": header} if header is not None else {}
    response = web.client().post("/sync", headers=headers)
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert jobs(web) == []


def test_sync_is_not_a_get(web):
    assert web.client().get("/sync", headers={"Authorization": f"Bearer {SYNC_SECRET}"}).status_code == 405


def test_a_google_signed_oidc_token_enqueues_a_sync(oidc_web, issuer):
    response = post_sync(oidc_web, issuer.token(audience=AUDIENCE, email=CALLER))
    assert response.status_code == 202
    assert jobs(oidc_web)[0].requested_by == CALLER


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"audience": "https://other.example/sync", "email": CALLER}, 401),
        ({"audience": AUDIENCE, "email": CALLER, "issued_ago": 7200}, 401),
        ({"audience": AUDIENCE, "email": "intruder@example.com"}, 403),
        ({"audience": AUDIENCE, "email": CALLER, "verified": False}, 403),
    ],
    ids=["wrong-audience", "expired", "email-not-listed", "email-unverified"],
)
def test_bad_oidc_tokens_are_refused_and_nothing_queued(oidc_web, issuer, kwargs, status):
    assert post_sync(oidc_web, issuer.token(**kwargs)).status_code == status
    assert jobs(oidc_web) == []


def test_a_forged_oidc_token_is_refused(oidc_web, issuer):
    forger = TokenIssuer(kid=issuer.kid)
    assert post_sync(oidc_web, forger.token(audience=AUDIENCE, email=CALLER)).status_code == 401
    assert jobs(oidc_web) == []


def test_without_a_configured_audience_oidc_tokens_are_refused(web, issuer):
    assert post_sync(web, issuer.token(audience="", email=CALLER)).status_code == 401


# --- Drive notifications ---------------------------------------------------------------------

CHANNEL = ChannelInfo(
    channel_id="sonket-kenh-1",
    resource_id="tai-nguyen-1",
    token="ma-kenh-bi-mat",
    expiration=None,
    address="https://sonket.example/drive/notifications",
    created_at=now(),
)


def notify(web, number: int, *, state="change", channel=CHANNEL.channel_id, token=CHANNEL.token, resource=CHANNEL.resource_id):
    headers = {
        "X-Goog-Channel-ID": channel,
        "X-Goog-Channel-Token": token,
        "X-Goog-Resource-ID": resource,
        "X-Goog-Resource-State": state,
        "X-Goog-Message-Number": str(number),
        "X-Goog-Resource-URI": "https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=1",
    }
    return web.client().post("/drive/notifications", headers=headers)


@pytest.fixture
def watched(web):
    web.service.store.save_channel(CHANNEL.__class__(**{**CHANNEL.__dict__, "expiration": now() + timedelta(days=1)}))
    return web


def test_the_sync_message_is_acknowledged_and_ignored(watched):
    assert notify(watched, 1, state="sync").status_code == 204
    assert jobs(watched) == []


def test_a_burst_of_fifty_changes_makes_one_sync(watched):
    answers = [notify(watched, n).status_code for n in range(2, 102, 2)]
    assert answers == [204] * 50
    assert len(jobs(watched)) == 1
    assert jobs(watched)[0].params["trigger"] == "push"


def test_duplicate_notifications_are_dropped(watched):
    assert notify(watched, 7).status_code == 204
    watched.run_jobs()
    assert len(jobs(watched)) == 1
    assert notify(watched, 7).status_code == 204  # redelivered: no new job
    assert len(jobs(watched)) == 1
    assert notify(watched, 9).status_code == 204  # a new change after the sync ran: a new job
    assert len(jobs(watched)) == 2


@pytest.mark.parametrize(
    "change, status",
    [
        ({"channel": "kenh-la"}, 404),
        ({"token": "ma-gia"}, 403),
        ({"token": ""}, 403),
        ({"resource": "tai-nguyen-khac"}, 403),
        ({"state": "exists-not"}, 404),
    ],
    ids=["unknown-channel", "forged-token", "no-token", "wrong-resource", "unknown-state"],
)
def test_forged_notifications_are_refused_and_nothing_queued(watched, change, status):
    assert notify(watched, 3, **change).status_code == status
    assert jobs(watched) == []


def test_a_stopped_channel_is_no_longer_accepted(watched):
    watched.service.store.mark_channel_stopped(CHANNEL.channel_id)
    assert notify(watched, 3).status_code == 404
    assert jobs(watched) == []


def test_notifications_need_no_csrf_but_staff_posts_do(watched):
    assert notify(watched, 11).status_code == 204
    assert watched.client().post("/dong-bo").status_code in (302, 400)

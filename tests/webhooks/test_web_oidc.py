"""POST /sync's OIDC check on its own: tokens signed with the test's key, verified against
certificates served on loopback."""

from __future__ import annotations

import pytest

from sonket_gsync.core.settings import Settings
from tests.web.oidc_keys import TokenIssuer
from webhooks.oidc import TokenRefused, verify_scheduler_token

AUDIENCE = "https://sonket.example/sync"
CALLER = "scheduler@sonket-project.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def issuer():
    issuer = TokenIssuer()
    url, stop = issuer.serve()
    issuer.url = url
    yield issuer
    stop()


def cfg(issuer, **changes) -> Settings:
    base = dict(oidc_audience=AUDIENCE, oidc_emails=f"{CALLER}, other@example.com", oidc_certs_url=issuer.url)
    return Settings.from_env({}, **{**base, **changes})


def test_a_good_token_passes(issuer):
    claims = verify_scheduler_token(issuer.token(audience=AUDIENCE, email=CALLER), cfg(issuer))
    assert claims["email"] == CALLER


def test_email_case_does_not_matter(issuer):
    # the allowed list is lower case; the token's email upper case: still the listed caller
    claims = verify_scheduler_token(issuer.token(audience=AUDIENCE, email=CALLER.upper()), cfg(issuer))
    assert claims["email"] == CALLER.upper()
    claims = verify_scheduler_token(issuer.token(audience=AUDIENCE, email=CALLER), cfg(issuer, oidc_emails=CALLER.upper()))
    assert claims["email"] == CALLER


@pytest.mark.parametrize(
    "kwargs, status, reason",
    [
        ({"audience": "https://elsewhere.example/sync", "email": CALLER}, 401, "invalid token"),
        ({"audience": AUDIENCE, "email": CALLER, "issued_ago": 7200, "lifetime": 3600}, 401, "invalid token"),
        ({"audience": AUDIENCE, "email": CALLER, "issuer": "https://evil.example"}, 401, "wrong issuer"),
        ({"audience": AUDIENCE, "email": "intruder@example.com"}, 403, "email not allowed"),
        ({"audience": AUDIENCE, "email": CALLER, "verified": False}, 403, "email not verified"),
    ],
    ids=["wrong-audience", "expired", "wrong-issuer", "email-not-listed", "email-unverified"],
)
def test_bad_tokens_are_refused(issuer, kwargs, status, reason):
    with pytest.raises(TokenRefused) as err:
        verify_scheduler_token(issuer.token(**kwargs), cfg(issuer))
    assert err.value.status == status and err.value.reason.startswith(reason)


def test_a_token_signed_with_another_key_is_refused(issuer):
    forger = TokenIssuer(kid=issuer.kid)  # same key id, different key
    with pytest.raises(TokenRefused) as err:
        verify_scheduler_token(forger.token(audience=AUDIENCE, email=CALLER), cfg(issuer))
    assert err.value.status == 401


def test_a_tampered_payload_is_refused(issuer):
    header, _payload, signature = issuer.token(audience=AUDIENCE, email="intruder@example.com").split(".")
    good_payload = issuer.token(audience=AUDIENCE, email=CALLER).split(".")[1]
    with pytest.raises(TokenRefused) as err:
        verify_scheduler_token(".".join([header, good_payload, signature]), cfg(issuer))
    assert err.value.status == 401 and err.value.reason.startswith("invalid token")


def test_no_audience_configured_means_no_oidc_at_all(issuer):
    with pytest.raises(TokenRefused) as err:
        verify_scheduler_token(issuer.token(audience="", email=CALLER), cfg(issuer, oidc_audience=""))
    assert err.value.status == 401 and err.value.reason == "no audience configured"


def test_unreachable_certificates_are_a_temporary_refusal(issuer):
    with pytest.raises(TokenRefused) as err:
        verify_scheduler_token(issuer.token(audience=AUDIENCE, email=CALLER), cfg(issuer, oidc_certs_url="http://127.0.0.1:9/certs"))
    assert err.value.status == 503

"""pytest fixtures for the fake Google server, plus client helpers that point the
real client libraries at it.

googleapiclient: `build_service(fake, "drive", "v3")` = `build_from_document` of the
packaged discovery doc with `rootUrl` rewritten to the fake's endpoint. That is the
one knob that moves *both* normal calls and media uploads (`<rootUrl>upload/...`);
`client_options={"api_endpoint": ...}` alone only moves the netloc of upload URLs
and keeps `https://`, which cannot reach a plain-HTTP fake.

gspread: `gspread_client(fake)` = `gspread.Client(auth=creds, http_client=<HTTPClient
subclass that rewrites https://sheets.googleapis.com and https://www.googleapis.com
to the endpoint>)`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from . import discovery
from .server import FakeGoogle
from .state import ManualClock

_API = {("drive", "v3"): "drive", ("sheets", "v4"): "sheets", ("docs", "v1"): "docs"}
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://docs.googleapis.com")


def credentials(token: str):
    import google.oauth2.credentials

    return google.oauth2.credentials.Credentials(token)


def build_service(endpoint_or_fake, api: str, version: str, token: str | None = None):
    """googleapiclient resource for `api` talking to the fake (uploads included)."""
    from googleapiclient.discovery import build_from_document

    endpoint = getattr(endpoint_or_fake, "endpoint", endpoint_or_fake)
    token = token or endpoint_or_fake.token
    doc = copy.deepcopy(discovery.document(_API[(api, version)]))
    doc["rootUrl"] = endpoint.rstrip("/") + "/"
    doc["mtlsRootUrl"] = doc["rootUrl"]
    return build_from_document(doc, credentials=credentials(token))


def gspread_client(endpoint_or_fake, token: str | None = None):
    import gspread

    endpoint = getattr(endpoint_or_fake, "endpoint", endpoint_or_fake).rstrip("/")
    token = token or endpoint_or_fake.token

    class RedirectedHTTPClient(gspread.HTTPClient):
        def request(self, method, endpoint_url, *args, **kwargs):
            for host in GOOGLE_HOSTS:
                if endpoint_url.startswith(host):
                    endpoint_url = endpoint + endpoint_url[len(host) :]
                    break
            return super().request(method, endpoint_url, *args, **kwargs)

    return gspread.Client(auth=credentials(token), http_client=RedirectedHTTPClient)


@pytest.fixture
def fake_google():
    """A fresh fake on a free port (manual clock: `fake_google.clock.advance(s)`)."""
    fake = FakeGoogle(clock=ManualClock()).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def fake_google_session():
    """One fake for the whole session (state accumulates; use fresh ids per test)."""
    fake = FakeGoogle(clock=ManualClock()).start()
    try:
        yield fake
    finally:
        fake.stop()


@dataclass(frozen=True)
class Snapshot:
    """What a fake holds (files, grids, change log, next ids) and the requests it answered."""

    state: bytes
    requests: tuple


def snapshot(fake: FakeGoogle) -> Snapshot:
    """Keep a fake's state to give it to other fakes: an expensive setup (provisioning a
    campaign, units typing) is made once on a fake of its own, then restored for each test."""
    with fake._log_lock:
        requests = tuple(copy.deepcopy(fake.requests))
    return Snapshot(fake.state.snapshot(), requests)


def restore(fake: FakeGoogle, snap: Snapshot) -> None:
    """Make `fake` hold an independent copy of the snapshot (its own server, clock, quota and
    faults are unchanged)."""
    fake.state.restore(snap.state)
    with fake._log_lock:
        fake.requests[:] = copy.deepcopy(list(snap.requests))

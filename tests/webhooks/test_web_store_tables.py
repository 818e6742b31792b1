"""The web's tables for sessions, links and the throttle, on SQLite and on a real
PostgreSQL: session versions move on sign-out, a new password and disabling; rotated tokens
are remembered as replaced; the sign-in throttle counts exactly across processes (two store
connections, many threads), forgets old failures, and backs off."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from sonket_gsync.store import open_store
from webhooks.auth import ADDRESS_BACKOFF


@pytest.fixture
def stores(store_settings, clock):
    """Two stores on one database: two processes."""
    first = open_store(store_settings, clock=clock)
    second = open_store(store_settings, clock=clock)
    yield first, second
    first.close()
    second.close()


def test_session_versions_move_on_and_accounts_end(stores):
    store, other = stores
    made = store.add_staff("A@x.example", "A", "hash-1")
    assert made.session_version == 0 and made.disabled_at is None
    assert store.add_staff("a@x.example", "A mới", "hash-1").session_version == 0  # same password: sessions kept
    assert store.add_staff("a@x.example", "A", "hash-2").session_version == 1  # new password
    assert other.end_staff_sessions("a@x.example") and store.staff("a@x.example").session_version == 2
    assert store.set_staff_disabled("a@x.example", True)
    disabled = other.staff("a@x.example")
    assert disabled.disabled_at is not None and disabled.session_version == 3
    enabled = store.add_staff("a@x.example", "A", "hash-3")  # a new password enables it again
    assert enabled.disabled_at is None and enabled.session_version == 4
    assert store.remove_staff("a@x.example") and store.staff("a@x.example") is None
    assert not store.remove_staff("a@x.example") and not store.end_staff_sessions("b@x.example")


def test_rotated_tokens_are_remembered_as_replaced(stores):
    store, other = stores
    old = {c: store.unit_token(c) for c in ("U1", "U2")}
    fresh = other.rotate_unit_tokens(["U1", "U2", "U3"], "canbo")
    assert set(fresh) == {"U1", "U2", "U3"}
    for code in ("U1", "U2"):
        assert store.unit_token(code) == fresh[code] != old[code]
        assert store.unit_by_token(old[code]) is None
        assert store.retired_unit_token(old[code])[0] == code
    assert store.unit_by_token(fresh["U3"]) == "U3" and store.retired_unit_token(fresh["U3"]) is None
    store.add_audit("unit_links_rotated", "U1, U2, U3", "3 đơn vị", by="canbo")
    [entry] = other.audit(kind="unit_links_rotated")
    assert entry.by == "canbo" and entry.subject == "U1, U2, U3"


def test_the_throttle_counts_exactly_across_processes_and_backs_off(stores, clock):
    store, other = stores
    key = "ip:192.0.2.1"

    def fail(i: int):
        return (store if i % 2 else other).note_signin_failure(key, window=900, backoff=ADDRESS_BACKOFF)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fail, range(8)))
    state = store.signin_throttle([key, "ip:khac"])
    assert set(state) == {key}
    assert state[key].failures == 8  # no lost update between the two connections
    assert state[key].blocked_until == pytest.approx(clock.time() + ADDRESS_BACKOFF(8))
    clock.advance(901)  # older than the window: forgotten
    again = store.note_signin_failure(key, window=900, backoff=ADDRESS_BACKOFF)
    assert again.failures == 1 and again.blocked_until == clock.time()
    other.clear_signin_failures([key])
    assert store.signin_throttle([key]) == {}


def test_backoff_grows_and_is_capped():
    waits = [ADDRESS_BACKOFF(n) for n in range(1, 14)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4] == ADDRESS_BACKOFF.first
    assert all(b >= a for a, b in itertools.pairwise(waits)) and max(waits) == ADDRESS_BACKOFF.cap

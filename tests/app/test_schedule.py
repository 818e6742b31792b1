"""The in-process schedule of serve/worker: the nightly sync at the configured local time,
and the Drive channel renewal before expiry (both only enqueue)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sonket_gsync.app.channels import RENEW_BEFORE, needs_renewal, notification_address
from sonket_gsync.app.schedule import NIGHTLY, check_channel, latest_slot, nightly_sync, start_schedule
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import TZ, now
from sonket_gsync.store.records import ChannelInfo


def test_the_nightly_schedule_looks_at_start_and_every_minute_for_its_local_slot(web):
    scheduler = start_schedule(web.service, web.settings.with_(nightly_sync_time="02:30"))
    try:
        [job] = scheduler.get_jobs()
        assert job.id == NIGHTLY and job.trigger.interval == timedelta(seconds=60)
    finally:
        scheduler.shutdown(wait=False)
    moment = datetime(2026, 3, 2, 2, 29, tzinfo=TZ)
    assert latest_slot(moment, "02:30") == datetime(2026, 3, 1, 2, 30, tzinfo=TZ)
    assert latest_slot(moment + timedelta(minutes=1), "02:30") == datetime(2026, 3, 2, 2, 30, tzinfo=TZ)


def test_no_nightly_time_means_no_nightly_job(web):
    scheduler = start_schedule(web.service, web.settings.with_(nightly_sync_time=""))
    try:
        assert scheduler.get_jobs() == []
    finally:
        scheduler.shutdown(wait=False)


def test_a_bad_nightly_time_is_explained():
    from sonket_gsync.core.settings import Settings

    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SONKET_NIGHTLY_SYNC_TIME": "25:00"})
    assert "HH:MM" in err.value.fix


def test_nightly_sync_enqueues_one_sync_per_slot(web):
    service = web.service.__class__(web.settings.with_(nightly_sync_time="02:00"), web.service.campaign, web.service.workspace, web.service.store)
    assert nightly_sync(service) is False  # first sight: the latest slot counts as done
    service.store.claim_schedule(NIGHTLY, "2000-01-01T02:00:00+07:00", "test")  # no-op: an older slot
    slot = service.store.schedule_slot(NIGHTLY)
    with service.store.engine.begin() as conn:  # as if the last slot claimed were the night before
        conn.exec_driver_sql("UPDATE schedules SET last_slot = ? WHERE name = ?", ((datetime.fromisoformat(slot) - timedelta(days=1)).isoformat(), NIGHTLY))
    assert nightly_sync(service) is True
    assert nightly_sync(service) is False
    syncs = [j for j in service.queries.jobs(10) if j.kind == "sync"]
    assert len(syncs) == 1 and syncs[0].params == {"trigger": "nightly"}


def channel(expires_in: timedelta) -> ChannelInfo:
    return ChannelInfo("kenh-a", "tai-nguyen", "ma", now() + expires_in, "https://sonket.example/drive/notifications", now())


def test_a_channel_close_to_expiry_is_renewed_once(web):
    web.service.store.save_channel(channel(timedelta(days=3)))
    check_channel(web.service)
    assert [j for j in web.service.queries.jobs(10) if j.kind == "renew_channel"] == []
    web.service.store.mark_channel_stopped("kenh-a")
    web.service.store.save_channel(ChannelInfo("kenh-b", "tai-nguyen", "ma", now() + RENEW_BEFORE / 2, "https://sonket.example/drive/notifications", now()))
    check_channel(web.service)
    check_channel(web.service)
    renewals = [j for j in web.service.queries.jobs(10) if j.kind == "renew_channel"]
    assert len(renewals) == 1
    assert renewals[0].params["address"] == "https://sonket.example/drive/notifications"
    assert "token" not in renewals[0].params  # the job makes the channel's secret; the jobs list never shows it


def test_needs_renewal():
    assert not needs_renewal(None)
    assert needs_renewal(channel(timedelta(hours=1)))
    assert not needs_renewal(channel(timedelta(days=2)))


@pytest.mark.parametrize("base, ok", [("https://sonket.example", True), ("http://127.0.0.1:8000", True), ("http://sonket.example", False), ("", False)])
def test_the_notification_address_must_be_https(settings, base, ok):
    cfg = settings.with_(public_base_url=base)
    if ok:
        assert notification_address(cfg) == base + "/drive/notifications"
    else:
        with pytest.raises(ConfigError):
            notification_address(cfg)

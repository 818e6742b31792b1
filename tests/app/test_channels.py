"""Drive push notifications end to end on loopback: ``sonket-gsync watch``'s registration on
the fake Google, the fake's deliveries to the app's endpoint, one debounced sync run by the
worker, and the unit's new status on the dashboard; renewal stops the old channel."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from werkzeug.serving import make_server

from sonket_gsync.app.channels import register_channel, renewal_params
from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends import open_workspace
from sonket_gsync.store import open_store
from webhooks import create_app

CODES = ("SO_NV", "SO_TC", "SO_YT")


@pytest.fixture
def google_live(fake_google, settings, campaign):
    small = replace(campaign, units=tuple(u for u in campaign.units if u.code in CODES))
    fake_google.set_quota()
    drive = fake_google.create_shared_drive("Sơ kết 45")
    port_probe = make_server("127.0.0.1", 0, lambda e, s: [])
    port = port_probe.server_port
    port_probe.server_close()
    cfg = settings.with_(
        backend="google",
        google_endpoint=fake_google.endpoint,
        google_token=fake_google.token,
        google_shared_drive_id=drive,
        sheets_reads_per_minute=6000,
        sheets_writes_per_minute=6000,
        public_base_url=f"http://127.0.0.1:{port}",
        notification_delay_seconds=0.5,
        worker_poll_seconds=0.1,
        nightly_sync_time="",
    )

    def service():
        return CampaignService(cfg, small, open_workspace(cfg, small), open_store(cfg))

    web = service()
    web.provision()
    worker = service()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_worker, kwargs={"stop_event": stop}, daemon=True)
    thread.start()
    app = create_app(cfg, service=web)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield web, small
    server.shutdown()
    server.server_close()
    stop.set()
    thread.join(timeout=30)


def wait_until(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_an_edit_on_google_reaches_the_dashboard_through_a_notification(google_live, fake_google):
    web, small = google_live
    register_channel(web)
    channel = web.store.active_channel()
    assert channel is not None and channel.address.endswith("/drive/notifications") and channel.token
    assert fake_google.push.wait_idle()
    assert [j for j in web.queries.jobs(20) if j.kind == "sync"] == []  # the 'sync' message is ignored
    unit = small.unit("SO_NV")
    files = web.workspace.links(unit)
    form = small.forms_for(unit)[0]
    started = time.monotonic()
    for n in range(5):  # a burst of edits
        fake_google.edit_cells(files.sheet_id, f"'{form.sheet}'!B6", [[f"Văn bản {n}"]])
    assert fake_google.push.wait_idle()
    assert wait_until(lambda: web.queries.unit_detail("SO_NV").row.status != "missing")
    elapsed = time.monotonic() - started
    syncs = [j for j in web.queries.jobs(20) if j.kind == "sync"]
    # the burst of five edits made one sync; that sync's own write of the "Tổng hợp" summary
    # is a change in the drive too, so Google (and the fake) may notify once more: at most one
    # follow-up sync, which finds no unit changed and writes nothing, so the echo stops there
    assert 1 <= len(syncs) <= 2 and all(j.params["trigger"] == "push" for j in syncs)
    print(f"\nedit → dashboard: {elapsed:.2f} s")
    assert elapsed < 10


def test_renewal_replaces_the_channel_and_stops_the_old_one(google_live, fake_google):
    web, _small = google_live
    register_channel(web)
    old = web.store.active_channel()
    job = web.enqueue("renew_channel", renewal_params(old))
    assert wait_until(lambda: web.job(job.id).state in ("done", "failed"))
    assert web.job(job.id).state == "done", web.job(job.id).error
    new = web.store.active_channel()
    assert new.channel_id != old.channel_id and new.token != old.token and len(new.token) >= 32
    assert [c.stopped_at is not None for c in web.store.channels() if c.channel_id == old.channel_id] == [True]


def test_on_google_a_unit_page_links_to_its_sheet_and_doc_and_takes_no_upload(google_live):
    web, small = google_live
    files = web.workspace.links(small.unit("SO_NV"))
    from webhooks import create_app

    client = create_app(web.settings, service=web).test_client()
    token = web.store.unit_token("SO_NV")
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert files.sheet_url in page and "Mở bảng tính số liệu" in page
    assert files.doc_url and files.doc_url in page
    assert "Kiểm tra tệp" not in page  # no upload form on Google
    assert client.get(f"/u/{token}/bieu-mau.xlsx").status_code == 404


def test_the_watch_command_registers_a_channel(google_live, fake_google):
    from click.testing import CliRunner

    from sonket_gsync.cli.main import cli

    web, _small = google_live
    cfg = web.settings
    env = {
        "SONKET_BACKEND": "google",
        "SONKET_GOOGLE_ENDPOINT": cfg.google_endpoint,
        "SONKET_GOOGLE_TOKEN": cfg.google_token,
        "SONKET_GOOGLE_SHARED_DRIVE_ID": cfg.google_shared_drive_id,
        "SONKET_DATA_DIR": str(cfg.data_dir),
        "SONKET_PUBLIC_BASE_URL": cfg.public_base_url,
    }
    result = CliRunner().invoke(cli, ["watch"], env=env)
    assert result.exit_code == 0, result.output
    assert "Đã đăng ký kênh" in result.output and "/drive/notifications" in result.output
    channel = web.store.active_channel()
    assert channel is not None and channel.address == cfg.public_base_url + "/drive/notifications"
    local = CliRunner().invoke(cli, ["watch"], env={**env, "SONKET_BACKEND": "local"})
    assert local.exit_code == 2 and "Google Drive" in local.output


def test_renewing_on_a_backend_without_push_is_refused_with_the_backends_one_message(settings, campaign):
    from sonket_gsync.backends.base import no_push
    from sonket_gsync.core.errors import ConfigError

    small = replace(campaign, units=tuple(u for u in campaign.units if u.code in CODES))
    service = CampaignService(settings, small, open_workspace(settings, small), open_store(settings))
    try:
        assert not service.workspace.capabilities.pushes_changes
        with pytest.raises(ConfigError) as info:
            service.renew_channel(address="https://sonket.example/drive/notifications")
        assert info.value.message == no_push().message and info.value.fix == no_push().fix
        assert service.store.channels() == []  # refused before anything was written
    finally:
        service.close()


def test_the_schedule_renews_channels_on_a_backend_that_pushes_changes(google_live):
    from sonket_gsync.app.schedule import start_schedule

    web, _ = google_live
    assert web.workspace.capabilities.pushes_changes
    scheduler = start_schedule(web, web.settings)  # nightly_sync_time="" in this fixture
    try:
        assert [job.id for job in scheduler.get_jobs()] == ["renew-channel"]
    finally:
        scheduler.shutdown(wait=False)


def test_accepting_an_upload_is_refused_on_a_backend_without_uploads(google_live):
    from sonket_gsync.core.errors import UnitFileError
    from sonket_gsync.ingest.upload import accept_upload, stage, staged_folder

    web, _ = google_live
    assert not web.workspace.capabilities.accepts_uploads
    upload_id = stage(web.settings.data_dir, "SO_NV", b"PK\x03\x04 staged", None)
    with pytest.raises(UnitFileError) as info:
        accept_upload(web, {"unit": "SO_NV", "upload": upload_id})
    assert info.value.unit_code == "SO_NV" and "thư mục làm việc cục bộ" in info.value.message
    assert staged_folder(web.settings.data_dir, "SO_NV", upload_id) is not None  # nothing taken

"""No edit left behind (issue 17): a unit whose read failed for good — access revoked, the
file trashed (404/403) — is owed a re-read, so after access returns a plain incremental sync
reads its edit, though the change that named it was consumed from the changes feed. Against
the in-repo fake Google; the store's clock is a ManualClock (the re-read backoff)."""

from __future__ import annotations

import pytest

from sonket_gsync.core.clock import ManualClock
from sonket_gsync.store import Store
from sonket_gsync.store.versions import REREAD_FIRST_SECONDS
from tests.fake_google.fixtures import restore
from tests.test_google_campaign import open_service, provisioned, small  # noqa: F401  (fixtures)
from tests.units import type_answers


@pytest.fixture
def service(fake_google, settings, small, provisioned):  # noqa: F811
    drive, files = provisioned
    fake_google.set_quota()
    restore(fake_google, files)
    service = open_service(fake_google, settings, small, drive)
    service.store.close()
    service.store = Store(settings.db_path, clock=ManualClock())
    yield service
    service.close()


def restore_quietly(fake, file_id: str) -> None:
    """Access comes back with no new entry in the changes feed (the worst case: nothing
    tells the next incremental sync that this unit is readable again)."""
    with fake.state.lock:
        fake.state.files[file_id].accessible = True


def test_after_access_is_restored_a_plain_sync_reads_the_edit(service, fake_google):
    type_answers(service, "SO_NV", seed=0)
    service.sync()
    before = service.record("SO_NV").submission
    edited = type_answers(service, "SO_NV", seed=1)  # the unit edits…
    sheet_id = service.workspace.links(service.campaign.unit("SO_NV")).sheet_id
    fake_google.revoke_access(sheet_id)  # …and the service account loses access before the sync
    report = service.sync()
    assert "SO_NV" in report.gone + report.failed
    record = service.record("SO_NV")
    assert record.flagged and record.submission == before  # the last valid version is kept, flagged
    [problem] = service.store.problems("SO_NV")
    assert "provision" not in problem.message  # provisioning again changes nothing: not suggested
    assert "sync --unit SO_NV" in problem.message and "tự đọc lại" in problem.message
    assert "SO_NV" in service.store.reread_due()

    restore_quietly(fake_google, sheet_id)
    service.sync()  # before the backoff: not read yet, still flagged and owed
    assert service.record("SO_NV").flagged and "SO_NV" in service.store.reread_due()
    service.store.clock.advance(REREAD_FIRST_SECONDS + 1)
    report = service.sync()  # a plain incremental sync, no --full, no --unit
    assert "SO_NV" in report.accepted
    record = service.record("SO_NV")
    assert not record.flagged and record.submission != before
    assert record.submission.narrative == edited.narrative  # the edit is in the latest version
    assert service.store.reread_due() == {}


def test_a_unit_still_unreadable_is_read_again_less_and_less_often(service, fake_google):
    type_answers(service, "MTTQ")
    service.sync()
    sheet_id = service.workspace.links(service.campaign.unit("MTTQ")).sheet_id
    fake_google.revoke_access(sheet_id)
    service.sync()
    clock = service.store.clock
    waits = []
    for _ in range(3):
        [(code, at)] = service.store.reread_due().items()
        waits.append(at.timestamp() - clock.time())
        clock.advance(waits[-1] + 1)
        service.sync()
    assert code == "MTTQ" and waits[0] == pytest.approx(REREAD_FIRST_SECONDS) and waits[1] == pytest.approx(2 * waits[0])
    assert waits[2] == pytest.approx(2 * waits[1])

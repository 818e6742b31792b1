"""Reminders that are sent (issue 18): a real SMTP server on loopback (aiosmtpd) receives
them; a run reaches exactly the units not done (never those that confirmed or were
accepted), each message says what the unit should read (link, errors or return comments,
deadline, office); the schedule sends on the campaign's days at its hour, once a day; a
refused recipient is recorded failed while the others go; a server that is down makes the
job temporary and retried, nothing recorded sent. Real local workspace and store (SQLite),
time on a ManualClock."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from datetime import date, datetime

import pytest
from aiosmtpd.controller import Controller

from sonket_gsync.app.mail import MailConfigError, MailUnavailable
from sonket_gsync.app.reminders import reason_for, reminder_preview, send_reminders
from sonket_gsync.app.schedule import REMINDERS, next_reminder, reminder_day, run_due, scheduled_reminders, start_schedule
from sonket_gsync.app.service import CampaignService
from sonket_gsync.app.submissions import ReviewComment
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.campaign.model import ReminderSettings
from sonket_gsync.core.text import TZ
from sonket_gsync.store import open_store
from tests.net import free_port
from tests.units import only, type_answers

MISSING, ENTERING, SUBMITTED, ACCEPTED, RETURNED, INVALID = "DU_CA", "DU_QS", "P_BIEN_HOA", "P_TRAN_BIEN", "P_TAM_HIEP", "X_XUAN_LOC"
CODES = (MISSING, ENTERING, SUBMITTED, ACCEPTED, RETURNED, INVALID)
DUE = {MISSING, ENTERING, RETURNED, INVALID}
CLERK = dict(name="Nguyễn Văn An", position="Chánh Văn phòng", doc_number="12-BC/ĐU", doc_date="10/04/2026")
SENDER = "nhacnho@tinhuy.example"
WEEK_BEFORE = datetime(2026, 4, 13, 8, 5, tzinfo=TZ)  # the deadline is 20/04/2026


class Inbox:
    """An aiosmtpd handler keeping what it received; refuses the addresses in ``refuse`` (550)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.later: set[str] = set()  # answered "try again later" (451)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.later:
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self) -> list[str]:
        return sorted(a for _, rcpts in self.envelopes for a in rcpts)

    def message_to(self, address: str):
        [found] = [m for m in self.messages if m["To"] == address]
        return found


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def make_service(campaign, settings, clock, smtp_port, **changes) -> CampaignService:
    small = dataclasses.replace(only(campaign, CODES), **changes)
    settings = settings.with_(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        smtp_from=f"Ban Tuyên giáo và Dân vận <{SENDER}>",
        public_base_url="https://sonket.example",
    )
    clock.set(WEEK_BEFORE)
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), open_store(settings, clock=clock))
    service.provision()
    for code in (ENTERING, SUBMITTED, ACCEPTED, RETURNED):
        type_answers(service, code)
    type_answers(service, INVALID, PL02={"members_rate": 140})  # an error
    service.sync()
    service.confirm_submission(SUBMITTED, **CLERK)
    service.confirm_submission(ACCEPTED, **CLERK)
    service.accept_submission(ACCEPTED, by="canbo@tinhuy.example")
    service.confirm_submission(RETURNED, **CLERK)
    comments = [ReviewComment("Số đảng viên chưa khớp với báo cáo năm.", form="PL02", row=7, column="members_count"), ReviewComment("Ghi rõ số văn bản.")]
    service.return_submission(RETURNED, by="canbo@tinhuy.example", comments=comments)
    return service


@pytest.fixture
def service(campaign, settings, clock, smtp_port):
    service = make_service(campaign, settings, clock, smtp_port)
    yield service
    service.close()


def address(service, code: str) -> str:
    return service.campaign.unit(code).emails[0]


def log_of(service, code: str):
    return service.store.reminders_sent(code)


def test_a_run_emails_exactly_the_units_not_done_and_each_reads_its_own_situation(service, inbox):
    states = service.queries.submission_states()
    assert [states[c] for c in CODES] == ["missing", "entering", "submitted", "accepted", "returned", "entering"]
    assert {r.code for r in service.reminder_preview()} == DUE  # the preview: who would get what now

    report = service.send_reminders(by="canbo@tinhuy.example")

    assert sorted(report.sent) == sorted(DUE) and not report.failed
    assert inbox.to() == sorted(address(service, c) for c in DUE)  # never the units that confirmed or were accepted
    assert all(sender == SENDER for sender, _ in inbox.envelopes)

    missing = inbox.message_to(address(service, MISSING))
    assert missing["Subject"] == "Nhắc gửi báo cáo: Sơ kết 03 năm Nghị quyết 45-NQ/TW"
    assert missing["From"] == f"Ban Tuyên giáo và Dân vận <{SENDER}>" and missing["Message-ID"] and missing["Date"]
    assert missing.get_content_type() == "text/plain" and missing.get_content_charset() == "utf-8"
    body = missing.get_content()
    token = service.unit_token(MISSING)
    assert body.startswith("Kính gửi Đảng ủy Công an tỉnh: theo dõi Sơ kết 03 năm Nghị quyết 45-NQ/TW, đơn vị chưa gửi biểu mẫu")
    assert f"https://sonket.example/u/{token}" in body
    assert "Hạn gửi: 20/04/2026 (còn 7 ngày)." in body and body.rstrip().endswith("— Ban Tuyên giáo và Dân vận Tỉnh ủy")

    entering = inbox.message_to(address(service, ENTERING)).get_content()
    assert "đã nhập số liệu nhưng chưa xác nhận gửi báo cáo" in entering and "xác nhận gửi báo cáo tại đường dẫn" in entering

    invalid = inbox.message_to(address(service, INVALID))
    assert invalid["Subject"].startswith("Biểu mẫu còn lỗi cần sửa")
    first_error = next(p for p in service.queries.problems(INVALID) if p.severity == "error")
    assert f"còn {service.queries.unit_detail(INVALID).row.error_count} lỗi cần sửa" in invalid.get_content()
    assert f"- {first_error.where}: {first_error.message}" in invalid.get_content()

    returned = inbox.message_to(address(service, RETURNED))
    text = returned.get_content()
    assert returned["Subject"].startswith("Báo cáo được trả lại")
    [located, _general] = service.queries.submission(RETURNED).comments
    assert f"- {located.where}: Số đảng viên chưa khớp với báo cáo năm." in text and "- Ghi rõ số văn bản." in text
    assert located.where.startswith("Biểu 'PL02")

    [entry] = log_of(service, MISSING)
    assert (entry.outcome, entry.recipients, entry.trigger, entry.by) == ("sent", (address(service, MISSING),), "manual", "canbo@tinhuy.example")
    assert entry.subject == missing["Subject"] and entry.at == WEEK_BEFORE
    assert log_of(service, SUBMITTED) == [] and log_of(service, ACCEPTED) == []


def test_sending_all_again_the_same_day_sends_nobody_twice_but_a_named_unit_is_sent(service, inbox):
    service.send_reminders(by="canbo")
    again = service.send_reminders(by="canbo")
    assert again.sent == [] and sorted(again.already) == sorted(DUE) and len(inbox.messages) == len(DUE)
    one = service.send_reminders([MISSING], by="canbo")  # staff ask for this unit: it goes
    assert one.sent == [MISSING] and len(inbox.messages) == len(DUE) + 1
    done = service.send_reminders([ACCEPTED], by="canbo")  # a unit that is done is not reminded
    assert done.skipped == [ACCEPTED] and log_of(service, ACCEPTED)[0].outcome == "skipped"
    assert len(inbox.messages) == len(DUE) + 1


def test_a_refused_recipient_is_recorded_failed_and_the_others_still_go(service, inbox):
    inbox.refuse = {address(service, ENTERING)}
    report = service.send_reminders(by="canbo")
    assert report.failed == [ENTERING] and sorted(report.sent) == sorted(DUE - {ENTERING})
    assert inbox.to() == sorted(address(service, c) for c in DUE - {ENTERING})
    [failed] = log_of(service, ENTERING)
    assert failed.outcome == "failed" and "550" in failed.detail and "từ chối người nhận" in failed.detail


def test_a_server_asking_to_wait_stops_the_run_and_the_next_run_sends_only_the_rest(service, inbox):
    inbox.later = {address(service, ENTERING)}
    with pytest.raises(MailUnavailable) as err:
        service.send_reminders(by="canbo")
    assert "451" in err.value.message
    first = {e.unit_code for e in service.store.reminders_sent()}
    assert ENTERING not in first and {e.outcome for e in service.store.reminders_sent()} <= {"sent"}
    inbox.later = set()
    report = service.send_reminders(by="canbo")
    assert set(report.sent) == DUE - first and set(report.already) == first
    assert inbox.to() == sorted(address(service, c) for c in DUE)  # each unit once


def test_smtp_down_the_job_is_temporary_and_retried_nothing_recorded_sent(campaign, settings, clock, smtp_port):
    service = make_service(campaign, settings, clock, smtp_port)  # nothing listens on the port yet
    try:
        with pytest.raises(MailUnavailable) as err:
            send_reminders(service, by="canbo")
        assert err.value.retryable and err.value.category == "temporary" and "127.0.0.1" in err.value.where

        job = service.enqueue("send_reminders", {"trigger": "schedule"}, requested_by="lịch nhắc nhở")
        service.run_worker(once=True)
        failed = service.job(job.id)
        assert failed.state == "failed" and failed.error["category"] == "temporary" and "thử lại sau 5 phút" in failed.error["fix"]
        [retry] = [j for j in service.queries.jobs(10) if j.kind == "send_reminders" and j.state == "pending"]
        assert retry.params == {"trigger": "schedule", "attempt": 2}
        assert service.store.reminders_sent() == []  # nothing recorded sent

        handler = Inbox()
        controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)  # the server is back
        controller.start()
        try:
            assert service.run_worker(once=True) == 0  # the retry waits its delay
            clock.advance(301)
            assert service.run_worker(once=True) == 1
        finally:
            controller.stop()
        assert service.job(retry.id).state == "done"
        assert handler.to() == sorted(address(service, c) for c in DUE)
        assert {e.outcome for e in service.store.reminders_sent()} == {"sent"}
    finally:
        service.close()


def test_without_an_smtp_server_sending_says_what_to_set(service):
    unset = CampaignService(service.settings.with_(smtp_host=""), service.campaign, service.workspace, service.store)
    with pytest.raises(MailConfigError) as err:
        unset.send_reminders(by="canbo")
    assert "SONKET_SMTP_HOST" in err.value.where and "Zalo" in err.value.fix
    assert service.store.reminders_sent() == []
    assert scheduled_reminders(unset) is False  # and the schedule enqueues nothing


def test_the_reminder_days_are_the_campaigns(campaign):
    days = {date(2026, 4, d): reminder_day(campaign, date(2026, 4, d)) for d in range(10, 30)}
    assert [d.day for d, due in days.items() if due] == [13, 17, 19, 22, 24, 26, 28]  # 7, 3, 1 before; every 2 days overdue
    assert not reminder_day(dataclasses.replace(campaign, reminders=None), date(2026, 4, 13))
    never_overdue = dataclasses.replace(campaign, reminders=ReminderSettings(before_days=(2,), overdue_every_days=0))
    assert [d for d in range(10, 30) if reminder_day(never_overdue, date(2026, 4, d))] == [18]


def test_the_schedule_sends_on_the_days_at_the_hour_once_a_day(service, inbox, clock):
    clock.set(datetime(2026, 4, 14, 9, 0, tzinfo=TZ))  # not a reminder day
    assert scheduled_reminders(service) is False
    assert next_reminder(service) == datetime(2026, 4, 17, 8, 0, tzinfo=TZ)
    clock.set(datetime(2026, 4, 17, 7, 59, tzinfo=TZ))  # the day, before the hour
    assert run_due(service) == []

    clock.set(datetime(2026, 4, 17, 8, 0, tzinfo=TZ))
    assert REMINDERS in run_due(service)
    assert service.run_worker(once=True) == 1
    assert inbox.to() == sorted(address(service, c) for c in DUE)
    assert {e.trigger for e in service.store.reminders_sent()} == {"schedule"}

    clock.set(datetime(2026, 4, 17, 15, 0, tzinfo=TZ))  # later the same day: the slot is taken
    assert scheduled_reminders(service) is False
    service.enqueue("send_reminders", {"trigger": "schedule"})  # even asked again, nobody gets two
    service.run_worker(once=True)
    assert len(inbox.messages) == len(DUE)

    clock.set(datetime(2026, 4, 19, 11, 30, tzinfo=TZ))  # a worker down at 08:00 catches up the same day
    assert scheduled_reminders(service) is True
    service.run_worker(once=True)
    assert len(inbox.messages) == 2 * len(DUE)

    clock.set(datetime(2026, 4, 21, 8, 0, tzinfo=TZ))  # one day overdue: not a day of "every 2"
    assert scheduled_reminders(service) is False
    clock.set(datetime(2026, 4, 22, 8, 0, tzinfo=TZ))
    assert scheduled_reminders(service) is True
    service.run_worker(once=True)
    assert len(inbox.messages) == 3 * len(DUE)
    overdue = inbox.messages[-1].get_content()
    assert "Đã quá hạn gửi (20/04/2026)" in overdue and "để được mở lại" in overdue  # not reopened: its page takes no files


def test_serve_and_worker_look_for_the_reminders_slot_only_with_a_mail_server_and_a_schedule(service):
    def jobs(svc) -> set[str]:
        scheduler = start_schedule(svc, svc.settings.with_(nightly_sync_time=""))
        try:
            return {job.id for job in scheduler.get_jobs()}
        finally:
            scheduler.shutdown(wait=True)

    assert jobs(service) == {REMINDERS}
    unset = CampaignService(service.settings.with_(smtp_host=""), service.campaign, service.workspace, service.store)
    assert jobs(unset) == set()
    unscheduled = CampaignService(service.settings, dataclasses.replace(service.campaign, reminders=None), service.workspace, service.store)
    assert jobs(unscheduled) == set() and next_reminder(unscheduled) is None


def test_the_preview_text_after_the_deadline_and_for_a_reopened_unit(service, clock):
    clock.set(datetime(2026, 4, 25, 9, 0, tzinfo=TZ))
    [missing] = [r for r in reminder_preview(service) if r.code == MISSING]
    assert missing.closed and missing.status == "locked" and "để được mở lại" in missing.text
    service.reopen_unit(MISSING, datetime(2026, 4, 30, 23, 0, tzinfo=TZ), "canbo")
    [missing] = [r for r in reminder_preview(service) if r.code == MISSING]
    assert not missing.closed and "đơn vị được mở lại để gửi đến 23:00 30/04/2026" in missing.text and "điền và gửi sớm" in missing.text


def test_who_is_reminded():
    assert [reason_for("missing", s) for s in ("missing", "submitted")] == ["missing", None]
    assert [reason_for("on_time", s) for s in ("entering", "submitted", "accepted", "returned")] == ["entering", None, None, "returned"]
    assert reason_for("invalid", "entering") == "invalid" and reason_for("invalid", "accepted") is None
    assert [reason_for(s, None) for s in ("missing", "invalid", "on_time", "late")] == ["missing", "invalid", None, None]  # before the workflow


def test_the_cli_previews_and_sends(service, inbox, smtp_port):
    from click.testing import CliRunner

    from sonket_gsync.cli.main import cli

    env = {
        "SONKET_DATA_DIR": str(service.settings.data_dir),
        "SONKET_SMTP_HOST": "127.0.0.1",
        "SONKET_SMTP_PORT": str(smtp_port),
        "SONKET_SMTP_SECURITY": "none",
        "SONKET_SMTP_FROM": SENDER,
    }
    runner = CliRunner()
    preview = runner.invoke(cli, ["reminders", "--unit", RETURNED, "--unit", ACCEPTED, "--text"], env=env)
    assert preview.exit_code == 0, preview.output
    assert "Đơn vị cần nhắc: 1" in preview.output and "Đảng ủy phường Tam Hiệp (P_TAM_HIEP) — Bị trả lại" in preview.output
    assert "Ghi rõ số văn bản." in preview.output and "Xem trước, chưa gửi gì" in preview.output and inbox.messages == []

    sent = runner.invoke(cli, ["reminders", "--send", "--unit", RETURNED], env=env)
    assert sent.exit_code == 0, sent.output
    assert "Đã gửi: Đảng ủy phường Tam Hiệp (P_TAM_HIEP)" in sent.output and inbox.to() == [address(service, RETURNED)]
    assert "lần nhắc gần nhất" in runner.invoke(cli, ["reminders", "--unit", RETURNED], env=env).output

    down = runner.invoke(cli, ["reminders", "--send", "--unit", MISSING], env={**env, "SONKET_SMTP_PORT": str(free_port())})
    assert down.exit_code == 75 and "máy chủ thư không nhận lúc này" in down.output

"""The reminders page (issue 18): the preview of who would get what, "Gửi nhắc nhở ngay" for
every unit due or one unit (POST with CSRF, a job the worker runs), the emails arriving at a
real SMTP server on loopback (aiosmtpd), and the per-unit log on the page. Without an SMTP
server the page says so and the copy-for-Zalo text stays."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller

from sonket_gsync.app.reminders import reason_for
from tests.net import free_port
from tests.web.fixtures import csrf_token, make_web, sign_in
from webhooks.reminders import LOG_ROWS

SENDER = "nhacnho@tinhuy.example"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)


@pytest.fixture
def mailed(demo_template, tmp_path):
    """The demo campaign's web app with an SMTP server on loopback, and what the server received."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    web = make_web(demo_template, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from=SENDER)
    yield web, inbox
    web.service.close()
    controller.stop()


def signed_in(web):
    client = web.client()
    assert sign_in(client).status_code == 302
    client.csrf = csrf_token(client, "/")
    return client


def due(web) -> list[str]:
    states = web.service.queries.submission_states()
    return [r.code for r in web.service.queries.overview().units if reason_for(r.status, states[r.code]) is not None]


def test_the_page_previews_and_sends_now_to_every_unit_due_then_shows_the_log(mailed):
    web, inbox = mailed
    staff = signed_in(web)
    done = web.unit_with("on_time")
    web.service.confirm_submission(done, name="Nguyễn Văn An", position="Chánh Văn phòng", doc_number="12-BC/ĐU", doc_date="15/04/2026")
    expected = due(web)
    assert done not in expected

    page = staff.get("/nhac-nho").get_data(as_text=True)
    assert page.count('class="card reminder"') == len(expected) and f'data-code="{done}"' not in page
    assert 'id="send-all"' in page and "Gửi nhắc nhở ngay" in page and "Chưa gửi nhắc nhở nào." in page

    assert staff.post("/nhac-nho/gui", data={}).status_code == 400  # no CSRF token: refused
    assert web.run_jobs() == 0

    answer = staff.post("/nhac-nho/gui", data={"csrf_token": staff.csrf}, follow_redirects=True)
    assert "Đã xếp việc gửi nhắc nhở" in answer.get_data(as_text=True)
    assert web.run_jobs() == 1
    emails = {r.code: web.service.campaign.unit(r.code).emails[0] for r in web.service.queries.overview().units}
    assert inbox.to() == sorted(emails[c] for c in expected)  # exactly the units due; not the one that confirmed
    assert all(m["From"] == SENDER and m.get_content().startswith("Kính gửi ") for m in inbox.messages)

    page = staff.get("/nhac-nho").get_data(as_text=True)
    log = page.split('id="reminder-log"', 1)[1]
    assert log.count('data-outcome="sent"') == min(len(expected), LOG_ROWS)
    code = expected[0]
    card = page.split(f'data-code="{code}"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4} · gửi ngay · Đã gửi tới " + re.escape(emails[code]), card)


def test_send_now_for_one_unit(mailed):
    web, inbox = mailed
    staff = signed_in(web)
    code = web.unit_with("invalid")
    staff.post("/nhac-nho/gui", data={"csrf_token": staff.csrf, "don_vi": code})
    web.run_jobs()
    [message] = inbox.messages
    assert message["To"] == web.service.campaign.unit(code).emails[0] and message["Subject"].startswith("Biểu mẫu còn lỗi cần sửa")
    assert "lỗi cần sửa" in message.get_content()
    [entry] = web.service.store.reminders_sent(code)
    assert entry.outcome == "sent" and entry.by == "canbo@tinhuy.example" and entry.trigger == "manual"


def test_without_an_smtp_server_the_page_says_so_and_sends_nothing(web, staff):
    page = staff.get("/nhac-nho").get_data(as_text=True)
    assert "Chưa cấu hình máy chủ gửi thư" in page and 'id="send-all"' not in page and "Sao chép (gửi Zalo)" in page
    answer = staff.post("/nhac-nho/gui", data={"csrf_token": staff.csrf}, follow_redirects=True)
    assert "Chưa cấu hình máy chủ gửi thư" in answer.get_data(as_text=True)
    assert [j for j in web.service.queries.jobs(10) if j.kind == "send_reminders"] == []

"""The reminders page: units that have not sent or have errors, their contacts, and a ready
Vietnamese reminder (copy for Zalo, or a mailto: link with the addresses).

A unit's status here is the one the dashboard shows (``dashboard.rows_of``): once the
deadline has passed and the unit was not reopened its page takes no files, so a unit with
nothing sent is "locked" and its reminder asks it to contact the office to be reopened
instead of sending a link to a page that would refuse its upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sonket_gsync.app.labels import status_label
from sonket_gsync.core.text import format_date, now

from .dashboard import rows_of


@dataclass(frozen=True)
class Reminder:
    code: str
    name: str
    group: str
    status: str
    status_label: str
    errors: int
    emails: tuple[str, ...]
    text: str
    mailto: str
    closed: bool = False  # past the deadline and not reopened: the unit must ask to be reopened


def reminder_rows(svc, overview, page_template: str, moment: datetime | None = None) -> list[Reminder]:
    campaign = svc.campaign
    out = []
    for shown in rows_of(overview, moment or now()):
        row = shown.unit
        if row.status not in ("missing", "invalid"):
            continue
        unit = campaign.unit(row.code)
        link = page_template.replace("TOKEN", svc.unit_token(row.code))
        text = reminder_text(campaign, row, link, closed=shown.closed)
        subject = f"Nhắc gửi báo cáo: {campaign.short_name}"
        mailto = "mailto:" + ",".join(quote(e, safe="@") for e in unit.emails) + f"?subject={quote(subject)}&body={quote(text)}"
        out.append(
            Reminder(row.code, row.name, row.group_name, shown.status, status_label(shown.status), row.error_count, unit.emails, text, mailto, shown.closed)
        )
    return out


def reminder_text(campaign, row, link: str, *, closed: bool = False) -> str:
    deadline = format_date(campaign.deadline)
    office = campaign.compiled_by
    if row.status == "missing":
        ask = f"đơn vị chưa gửi biểu mẫu số liệu và báo cáo thuyết minh (hạn gửi {deadline})"
    else:
        ask = f"biểu mẫu đơn vị đã gửi còn {row.error_count} lỗi cần sửa"
    if closed:
        # The unit's page takes no files now: tell the unit what it must do first.
        return (
            f"Kính gửi {row.name}: theo dõi {campaign.short_name}, {ask}. Đã quá hạn gửi ({deadline}) nên trang của đơn vị "
            f"không còn nhận tệp. Nếu đơn vị vẫn cần gửi hoặc sửa, đề nghị liên hệ {office} để được mở lại; "
            f"sau khi được mở lại, đơn vị gửi tệp tại đường dẫn: {link} . Xin cảm ơn. — {office}"
        )
    then = "Đề nghị đơn vị điền và gửi sớm" if row.status == "missing" else "Đề nghị đơn vị xem chi tiết lỗi (trang tính, dòng, cột) và sửa lại"
    return f"Kính gửi {row.name}: theo dõi {campaign.short_name}, {ask}. {then} tại đường dẫn: {link} . Xin cảm ơn. — {office}"

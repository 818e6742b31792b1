"""The reminders page: units that have not sent or have errors, their contacts, and a ready
Vietnamese reminder (copy for Zalo, or a mailto: link with the addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sonket_gsync.app.labels import status_label
from sonket_gsync.core.text import format_date


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


def reminder_rows(svc, overview, page_template: str) -> list[Reminder]:
    campaign = svc.campaign
    out = []
    for row in overview.units:
        if row.status not in ("missing", "invalid"):
            continue
        unit = campaign.unit(row.code)
        link = page_template.replace("TOKEN", svc.unit_token(row.code))
        text = reminder_text(campaign, row, link)
        subject = f"Nhắc gửi báo cáo: {campaign.short_name}"
        mailto = "mailto:" + ",".join(quote(e, safe="@") for e in unit.emails) + f"?subject={quote(subject)}&body={quote(text)}"
        out.append(Reminder(row.code, row.name, row.group_name, row.status, status_label(row.status), row.error_count, unit.emails, text, mailto))
    return out


def reminder_text(campaign, row, link: str) -> str:
    deadline = format_date(campaign.deadline)
    if row.status == "missing":
        ask = f"đơn vị chưa gửi biểu mẫu số liệu và báo cáo thuyết minh (hạn gửi {deadline})"
        then = "Đề nghị đơn vị điền và gửi sớm"
    else:
        ask = f"biểu mẫu đơn vị đã gửi còn {row.error_count} lỗi cần sửa"
        then = "Đề nghị đơn vị xem chi tiết lỗi (trang tính, dòng, cột) và sửa lại"
    return f"Kính gửi {row.name}: theo dõi {campaign.short_name}, {ask}. {then} tại đường dẫn: {link} . Xin cảm ơn. — {campaign.compiled_by}"

"""Notes to staff: what the office must know before using the draft (sample indicators, the
moment the figures were taken and from how many units, data problems found). None of this is
part of the document the Ban Thường vụ signs: the draft carries the notes as Word comments
(report/draft.py) and the companion document lists them (report/companion.py).

Data problems come from the analysis (``Aggregates.data_problems``: unit_code, kind, where,
message; analysis/checks.py); ``data_problems`` adds each unit's name and orders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import format_number, to_local

COMPANION_TITLE = "Tổng hợp ý kiến các đơn vị"
COMPANION_REFERENCE = f"tài liệu “{COMPANION_TITLE}”"
SAMPLE_WARNING = (
    "LƯU Ý: Bảng chỉ tiêu có {count} chỉ tiêu mẫu (đánh dấu *) – chưa phải chỉ tiêu chính thức của tỉnh; "
    "mục tiêu và số liệu của các chỉ tiêu này chỉ để thử nghiệm. Cần thay bằng chỉ tiêu chính thức trước khi sử dụng báo cáo."
)
COMMENT_AUTHOR = "sonket-gsync"
COMMENT_INITIALS = "SK"


@dataclass(frozen=True)
class StaffProblem:
    """A data problem as staff read it: the unit by name, where, what."""

    unit_code: str
    unit_name: str
    kind: str
    where: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "kind": self.kind, "where": self.where, "message": self.message}


def sample_warning(aggregates: Aggregates) -> str:
    count = len(aggregates.sample_indicators) if "sample_indicators" in aggregates.results else 0
    return SAMPLE_WARNING.format(count=count) if count else ""


def completeness_sentence(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime, status_name: str = "") -> str:
    t = aggregates.totals
    units = aggregates.completeness
    invalid = units[units["status"] == "invalid"]
    previous = int(invalid["has_data"].sum())
    never = len(invalid) - previous
    counted = int(units["has_data"].sum())
    local = to_local(compiled_at)
    text = (
        f"Số liệu tổng hợp đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y} từ báo cáo của {counted}/{t['total']} cơ quan, đơn vị: "
        f"{t['on_time']} đơn vị gửi đúng hạn, {t['late']} đơn vị gửi trễ hạn (hạn gửi {campaign.deadline:%d/%m/%Y})"
    )
    if previous:
        text += f", {previous} đơn vị có lỗi ở lần gửi gần nhất nên được tính theo bản hợp lệ trước đó"
    missing = [f"{t['missing']} đơn vị chưa gửi"] if t["missing"] else []
    if never:
        missing.append(f"{never} đơn vị có lỗi và chưa có bản hợp lệ nào")
    if missing:
        text += "; chưa tính: " + ", ".join(missing)
    return text + f" (chi tiết tại {status_name or COMPANION_REFERENCE})."


def data_problems(aggregates: Aggregates) -> list[StaffProblem]:
    """The analysis's data problems with each unit's name, in units.csv order (empty when the
    analysis lists none)."""
    found = getattr(aggregates, "data_problems", None) or []
    names = dict(zip(aggregates.completeness["code"], aggregates.completeness["name"], strict=True))
    order = {code: i for i, code in enumerate(aggregates.completeness["code"])}
    out = [
        StaffProblem(
            str(getattr(p, "unit_code", "")),
            names.get(str(getattr(p, "unit_code", "")), str(getattr(p, "unit_code", ""))),
            str(getattr(p, "kind", "")),
            str(getattr(p, "where", "")),
            str(getattr(p, "message", "")),
        )
        for p in found
    ]
    return sorted(out, key=lambda p: (order.get(p.unit_code, len(order)), p.where))


def problems_sentence(aggregates: Aggregates) -> str:
    problems = data_problems(aggregates)
    if not problems:
        return ""
    units = len({p.unit_code for p in problems})
    return f"Phát hiện {format_number(len(problems))} vấn đề về số liệu ở {format_number(units)} đơn vị: chưa đưa vào nội dung báo cáo; danh sách tại {COMPANION_REFERENCE}."


def draft_notes(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime, status_name: str = "") -> list[str]:
    """What the drafter must know before using the figures: Word comments on the draft and the
    first part of the companion document, never the draft's text."""
    notes = [sample_warning(aggregates), completeness_sentence(campaign, aggregates, compiled_at, status_name), problems_sentence(aggregates)]
    return [n for n in notes if n]


__all__ = [
    "COMMENT_AUTHOR",
    "COMMENT_INITIALS",
    "COMPANION_REFERENCE",
    "COMPANION_TITLE",
    "StaffProblem",
    "completeness_sentence",
    "data_problems",
    "draft_notes",
    "problems_sentence",
    "sample_warning",
]

"""The body of the draft: under each outline item, first the figures the data supports, then
the units' statements grouped by what they say (sonket_gsync.analysis.synthesis), largest groups
first. The unit-by-unit text goes to the annex (report_appendix.annex_xml), so nothing is
lost; the body shows at most MAX_GROUPS groups per item and says how many more there are.
"""

from __future__ import annotations

from datetime import datetime

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles import role_with_figures
from sonket_gsync.analysis.synthesis import Statement, group_statements, split_statements
from sonket_gsync.campaign.model import Campaign, OutlineItem
from sonket_gsync.core.text import to_local

MAX_GROUPS = 6  # statement groups printed per outline item
MAX_REPRESENTATIVES = 2  # excerpts printed per group
LISTED_NAMES = 4  # unit names printed per group before "và n đơn vị khác"
MAX_EXCERPT = 420  # characters of one excerpt in the body
SAMPLE_WARNING = (
    "LƯU Ý: Bảng chỉ tiêu có {count} chỉ tiêu mẫu (đánh dấu *) – chưa phải chỉ tiêu chính thức của tỉnh; "
    "mục tiêu và số liệu của các chỉ tiêu này chỉ để thử nghiệm. Cần thay bằng chỉ tiêu chính thức trước khi sử dụng báo cáo."
)


def sample_warning(aggregates: Aggregates) -> str:
    count = len(aggregates.sample_indicators)
    return SAMPLE_WARNING.format(count=count) if count else ""


def draft_notes(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime, status_name: str = "") -> list[str]:
    """What the drafter must know before using the figures (printed in the draft box)."""
    notes = [n for n in [sample_warning(aggregates)] if n]
    return [*notes, completeness_sentence(campaign, aggregates, compiled_at, status_name)]


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
    return text + f" (chi tiết tại {status_name or 'phụ lục tình hình gửi báo cáo'})."


# --- outline ----------------------------------------------------------------------------------


def sections(campaign: Campaign, aggregates: Aggregates, appendix_names: dict[str, str], annex_name: str) -> list[dict]:
    out = []
    for section in campaign.outline:
        parts = []
        for item in section.answerable:
            statements = [Statement(code, name, text) for code, name, text in _statements(aggregates.narrative.get(item.key, []))]
            part = {
                "heading": f"{item.number}. {item.title}" if section.items else "",
                "facts": facts(campaign, item, aggregates, appendix_names),
                "indicators": _table_in_body(item, aggregates),  # the template's indicator table goes here
                **_groups(statements, annex_name),
            }
            parts.append(part)
        out.append({"heading": f"{section.number}. {section.title}", "parts": parts})
    return out


def _statements(entries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Each unit's text as its statements (paragraphs, bullets, sentences)."""
    return [(code, name, part) for code, name, text in entries for part in split_statements(text) if len(part) > 3]


def _groups(statements: list[Statement], annex_name: str) -> dict:
    if not statements:
        return {"intro": "", "groups": [], "more": "", "empty": True}
    groups = group_statements(statements)
    units = {s.unit_code for s in statements}
    shown = groups[:MAX_GROUPS]
    rest = groups[MAX_GROUPS:]
    intro = f"Qua tổng hợp báo cáo của {len(units)} cơ quan, đơn vị, nổi lên các nội dung sau:" if len(units) > 1 else "Nội dung báo cáo của đơn vị:"
    more = ""
    if rest:
        rest_units = {m.unit_code for g in rest for m in g.members}
        more = f"Ngoài ra, còn {len(rest)} nội dung khác do {len(rest_units)} đơn vị nêu; toàn văn ý kiến của từng đơn vị tại {annex_name}."
    return {"intro": intro, "groups": [_group_view(g) for g in shown], "more": more, "empty": False}


def _group_view(group) -> dict:
    reps = list(group.representatives)[:MAX_REPRESENTATIVES]
    excerpts = []
    for rep in reps:
        excerpts.append(f"{_excerpt(rep.text)} ({rep.unit_name}).")
    names = list(dict.fromkeys(group.unit_names))
    count = len(names)
    if count == 1:
        units = ""
    else:
        listed = ", ".join(names[:LISTED_NAMES])
        extra = f" và {count - LISTED_NAMES} đơn vị khác" if count > LISTED_NAMES else ""
        units = f"{count} đơn vị cùng nêu: {listed}{extra}"
    return {"text": " ".join(excerpts), "units": units, "count": count}


def _excerpt(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_EXCERPT:
        return text.rstrip(" ;,.")
    cut = text[:MAX_EXCERPT].rsplit(" ", 1)[0]
    return cut.rstrip(" ;,.") + " …"


# --- figures under an item ------------------------------------------------------------------


def facts(campaign: Campaign, item: OutlineItem, aggregates: Aggregates, appendix_names: dict[str, str]) -> list[str]:
    """The sentences of the role whose figures the item asks for (outline.toml ``figures``)."""
    role = role_with_figures(item.figures)
    return role.facts(campaign, aggregates, appendix_names) if role else []


def _table_in_body(item: OutlineItem, aggregates: Aggregates) -> bool:
    role = role_with_figures(item.figures)
    return bool(role and role.table_in_body(aggregates))

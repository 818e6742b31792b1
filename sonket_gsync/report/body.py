"""The body of the draft: under each outline item, first the figures the data supports, then
the units' statements grouped by what they say (sonket_gsync.analysis.synthesis), largest groups
first. The unit-by-unit text goes to the annex (report_appendix.annex_xml), so nothing is
lost; the body shows at most MAX_GROUPS groups per item and says how many more there are.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign, OutlineItem
from sonket_gsync.analysis.synthesis import Statement, group_statements, split_statements
from sonket_gsync.core.text import format_number, to_local

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
    return notes + [completeness_sentence(campaign, aggregates, compiled_at, status_name)]


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
                "indicators": item.figures == "indicators" and not aggregates.indicators.empty,
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
    intro = (
        f"Qua tổng hợp báo cáo của {len(units)} cơ quan, đơn vị, nổi lên các nội dung sau:"
        if len(units) > 1
        else "Nội dung báo cáo của đơn vị:"
    )
    more = ""
    if rest:
        rest_units = {m.unit_code for g in rest for m in g.members}
        more = (
            f"Ngoài ra, còn {len(rest)} nội dung khác do {len(rest_units)} đơn vị nêu; "
            f"toàn văn ý kiến của từng đơn vị tại {annex_name}."
        )
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
    if item.figures == "party_members":
        return _study_facts(aggregates, appendix_names)
    if item.figures == "documents":
        return _document_facts(campaign, aggregates, appendix_names)
    if item.figures == "inspection":
        return _inspection_facts(aggregates, appendix_names)
    return []  # indicators: the facts sentence is printed with the table (report_indicators)


def _study_facts(aggregates: Aggregates, names: dict[str, str]) -> list[str]:
    totals = aggregates.party_totals
    if not totals["units_reported"] or totals["members_count"] is None:
        return []
    rate = totals["members_rate"]
    rate_text = (
        f", đạt {format_number(rate)}% tổng số đảng viên của các đảng bộ đã báo cáo" if rate is not None else ""
    )
    where = f" (chi tiết tại {names['party_committees']})" if "party_committees" in names else ""
    return [
        f"Theo báo cáo của {totals['units_reported']}/{totals['units_total']} đảng ủy trực thuộc tỉnh, "
        f"có {format_number(totals['members_count'])} đảng viên tham gia học tập, quán triệt{rate_text}{where}."
    ]


def _party_documents(aggregates: Aggregates) -> int:
    party = aggregates.party
    if party.empty:
        return 0
    return int((party["reported"] & party["documents"].ne("")).sum())


def _document_facts(campaign: Campaign, aggregates: Aggregates, names: dict[str, str]) -> list[str]:
    counts = aggregates.document_counts
    party_form = campaign.form_with_role("party_committees")
    heading = party_form.documents_heading if party_form else ""
    party_count = _party_documents(aggregates)
    out = []
    if not counts.empty:
        total = int(counts["count"].sum())
        parts = []
        for row in counts.itertuples():
            if row.issuer == heading and party_count:
                extra = f"{format_number(row.count)} văn bản, " if row.count else ""
                parts.append(f"{row.issuer}: {extra}"
                             f"{party_count}/{aggregates.party_totals['units_total']} đảng ủy báo cáo đã ban hành văn bản "
                             f"(tại {names.get('party_committees', 'phụ lục')}, cột [3])")
            else:
                parts.append(f"{row.issuer}: {format_number(row.count)} văn bản")
        where = f" Danh mục văn bản tại {names['documents']}." if "documents" in names else ""
        out.append(f"Các cơ quan, đơn vị đã báo cáo {format_number(total)} văn bản triển khai thực hiện, trong đó: {'; '.join(parts)}.{where}")
    elif party_count:
        out.append(
            f"{party_count}/{aggregates.party_totals['units_total']} đảng ủy trực thuộc tỉnh báo cáo đã ban hành văn bản triển khai thực hiện "
            f"(chi tiết tại {names.get('party_committees', 'phụ lục')})."
        )
    return out


def _inspection_facts(aggregates: Aggregates, names: dict[str, str]) -> list[str]:
    table = aggregates.inspection
    if table.empty:
        return []
    answered = int(table[["inspected_yes", "inspected_no"]].sum(axis=1).max())
    if not answered:
        return []
    inspected = [f"{r.body} ({r.inspected_yes} đơn vị)" for r in table.itertuples() if r.inspected_yes]
    reviewed = [f"{r.body} ({r.reviewed_yes} đơn vị)" for r in table.itertuples() if r.reviewed_yes]
    forms = _form_counts(table)
    out = [f"Theo báo cáo của {answered} cơ quan, đơn vị, hoạt động kiểm tra, giám sát việc thực hiện được ghi nhận ở: " + "; ".join(inspected) + "."
           if inspected else f"Theo báo cáo của {answered} cơ quan, đơn vị, chưa ghi nhận hoạt động kiểm tra, giám sát việc thực hiện."]
    if forms:
        out.append("Hình thức kiểm tra, giám sát chủ yếu: " + "; ".join(forms) + ".")
    if reviewed:
        out.append("Việc sơ kết, đánh giá được ghi nhận ở: " + "; ".join(reviewed) + "."
                   + (f" Chi tiết tại {names['inspection']}." if "inspection" in names else ""))
    return out


def _form_counts(table: pd.DataFrame, top: int = 5) -> list[str]:
    """The most named inspection forms, each with how many times units named it."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for forms in table["forms"]:
        for entry in forms:
            text = entry.split(": ", 1)[-1].strip().rstrip(".")
            key = text.casefold()
            if key:
                counts[key] = counts.get(key, 0) + 1
                labels.setdefault(key, text)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return [f"{labels[k]} ({v} lượt)" for k, v in ranked]

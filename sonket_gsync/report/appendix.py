"""The draft's appendices, as body XML: the plan's forms kept exactly (each form role's table,
from analysis/roles/: documents under their issuer headings I, II, …; the inspection table
with its X marks; the party committees' table with columns [1]–[8] as titled), the
submission status, and the annex with every unit's full text ("Tổng hợp ý kiến của các đơn
vị"). Tables come from the forms' roles and columns in forms.toml, never from form codes.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles import Note, Table, role_for
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import format_date, to_local
from sonket_gsync.report.wordml import TEXT_STYLE, Cell, RawXml, page_break, paragraph, run, table, text_paragraph

SIZE = 10.5


def appendix_plan(campaign: Campaign) -> tuple[list[tuple[str, str, list[Form]]], dict[str, str]]:
    """[(label, subtitle, forms)] in config order, and role -> appendix label ("Phụ lục 01");
    the status table and the annex take the next two numbers."""
    plan: list[tuple[str, str, list[Form]]] = []
    names: dict[str, str] = {}
    for form in campaign.forms:
        if not role_for(form).has_appendix:
            continue
        label = form.appendix or f"Phụ lục {len(plan) + 1:02d}"
        if not plan or plan[-1][0] != label:
            plan.append((label, form.appendix_title, []))
        plan[-1][2].append(form)
        names[form.role] = label
    numbers = [int(m.group()) for label, _, _ in plan for m in [re.search(r"\d+", label)] if m]
    following = max(numbers, default=len(plan)) + 1
    names["status"] = f"Phụ lục {following:02d}"
    names["annex"] = f"Phụ lục {following + 1:02d}"
    return plan, names


def attached_line(campaign: Campaign, year: str) -> str:
    number = re.sub(r"^\s*Số(?=\s)", "", campaign.document.number).rstrip() or "      -BC"
    issuer = campaign.issuing_body or campaign.document.issuer
    return f"(Kèm theo Báo cáo số{number if number.startswith(' ') else ' ' + number} ngày      tháng      năm {year} của {issuer})"


def _heading(label: str, subtitle: str, attached: str, *, first: bool) -> list[str]:
    parts = [text_paragraph(label.upper(), bold=True, align="center", indent_first_cm=0, size=14, page_break_before=not first, keep_next=True, after_pt=0)]
    if subtitle:
        parts.append(text_paragraph(subtitle.upper(), bold=True, align="center", indent_first_cm=0, size=13, keep_next=True, after_pt=0))
    parts.append(text_paragraph(attached, italic=True, align="center", indent_first_cm=0, size=12, keep_next=True, after_pt=8))
    return parts


def appendices_xml(campaign: Campaign, aggregates: Aggregates, year: str) -> RawXml:
    plan, names = appendix_plan(campaign)
    out: list[str] = []
    attached = attached_line(campaign, year)
    for index, (label, subtitle, forms) in enumerate(plan):
        out += _heading(label, subtitle, attached, first=index == 0)
        for form in forms:
            if len(forms) > 1:  # a single form's title repeats the appendix's subtitle
                out.append(text_paragraph(form.title, bold=True, indent_first_cm=0, size=13, keep_next=True, before_pt=6))
            out += [_part_xml(part) for part in role_for(form).appendix(campaign, form, aggregates, names)]
    return RawXml("".join(out))


def _part_xml(part: Table | Note) -> str:
    if isinstance(part, Note):
        return text_paragraph(part.text, italic=True, size=11, indent_first_cm=0, before_pt=3)
    return table(part.widths, part.header, part.rows, size=SIZE, cant_split=part.cant_split)


def status_head_xml(campaign: Campaign, aggregates: Aggregates, year: str, compiled_at: datetime, *, first: bool) -> RawXml:
    _, names = appendix_plan(campaign)
    local = to_local(compiled_at)
    out = _heading(names["status"], "Tình hình gửi báo cáo của các cơ quan, đơn vị", attached_line(campaign, year), first=first)
    out.append(
        text_paragraph(
            f"(Tính đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}; hạn gửi {format_date(campaign.deadline)})",
            italic=True,
            align="center",
            indent_first_cm=0,
            size=12,
            after_pt=6,
        )
    )
    header = [[Cell("Nhóm cơ quan, đơn vị"), Cell("Đúng hạn"), Cell("Trễ hạn"), Cell("Có lỗi"), Cell("Chưa gửi"), Cell("Tổng số")]]
    rows = [
        [Cell(f"{g['number']}. {g['group_name']}"), *[Cell(str(g[k]), align="right") for k in ("on_time", "late", "invalid", "missing", "total")]]
        for g in aggregates.group_completeness.to_dict("records")
    ]
    t = aggregates.totals
    rows.append([Cell("Toàn tỉnh", bold=True), *[Cell(str(t[k]), bold=True, align="right") for k in ("on_time", "late", "invalid", "missing", "total")]])
    out.append(table([13.0, 2.5, 2.5, 2.5, 2.5, 2.5], header, rows, size=SIZE))
    return RawXml("".join(out))


def status_units_xml(aggregates: Aggregates) -> RawXml:
    header = [
        [
            Cell("STT"),
            Cell("Cơ quan, đơn vị"),
            Cell("Nhóm"),
            Cell("Trạng thái"),
            Cell("Gửi lần đầu"),
            Cell("Thay đổi gần nhất"),
            Cell("Số lỗi"),
            Cell("Ghi chú"),
        ]
    ]
    rows = []
    for i, u in enumerate(aggregates.completeness.to_dict("records"), start=1):
        rows.append(
            [
                Cell(str(i), align="right"),
                Cell(u["name"]),
                Cell(str(u["group_number"]), align="center"),
                Cell(u["status_label"]),
                Cell(_when(u["submitted_at"]), align="center"),
                Cell(_when(u["last_modified"]), align="center"),
                Cell(str(int(u["error_count"])) if u["error_count"] else "", align="right"),
                Cell(status_note(u)),
            ]
        )
    return RawXml(text_paragraph("", size=6) + table([1.1, 7.4, 1.4, 2.3, 3.0, 3.0, 1.3, 6.0], header, rows, size=SIZE))


def status_note(unit: dict) -> str:
    notes = []
    if unit["status"] == "invalid":
        notes.append("Có lỗi; số liệu tính theo bản hợp lệ trước đó" if unit["has_data"] else "Có lỗi; chưa có bản hợp lệ nên chưa được tính")
    elif unit["flagged"]:
        notes.append("Lần đọc gần nhất có lỗi; số liệu là bản hợp lệ trước đó")
    if unit["warning_count"]:
        notes.append(f"{unit['warning_count']} cảnh báo")
    return "; ".join(notes)


def _when(moment) -> str:
    if moment is None or pd.isna(moment):
        return ""
    return to_local(moment).strftime("%d/%m/%Y %H:%M")


# --- the annex: every unit's full text --------------------------------------------------------


def annex_xml(campaign: Campaign, aggregates: Aggregates, year: str) -> RawXml:
    _, names = appendix_plan(campaign)
    out = _heading(names["annex"], "Tổng hợp ý kiến của các đơn vị", attached_line(campaign, year), first=True)
    for section in campaign.outline:
        out.append(text_paragraph(f"{section.number}. {section.title}", bold=True, size=13, keep_next=True, before_pt=6))
        for item in section.answerable:
            if section.items:
                out.append(text_paragraph(f"{item.number}. {item.title}", bold=True, size=13, keep_next=True, before_pt=3))
            entries = aggregates.narrative.get(item.key, [])
            if not entries:
                out.append(text_paragraph("(Chưa có đơn vị báo cáo nội dung này.)", italic=True, size=13))
            for _, name, text in entries:
                lines = [line.strip() for line in text.split("\n") if line.strip()] or [""]
                out.append(paragraph([run(f"{name}: ", bold=True), run(lines[0])], style=TEXT_STYLE))
                out += [paragraph(run(line), style=TEXT_STYLE) for line in lines[1:]]
    return RawXml("".join(out))


__all__ = ["annex_xml", "appendices_xml", "appendix_plan", "page_break", "status_head_xml", "status_units_xml"]

"""The draft's appendices, as body XML: the plan's forms kept exactly (documents under their
issuer headings I, II, …; the inspection table with its X marks; the party committees'
table with columns [1]–[8] as titled), the submission status, and the annex with every
unit's full text ("Tổng hợp ý kiến của các đơn vị"). Tables come from the forms' roles and
columns in forms.toml, never from form codes.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign, Column, Form
from sonket_gsync.report.wordml import TEXT_STYLE, Cell, RawXml, is_number_text, page_break, paragraph, run, table, text_paragraph
from sonket_gsync.core.text import format_date, format_number, parse_date, to_local

LANDSCAPE_WIDTH = 25.5  # cm of table width on a landscape A4 page
APPENDIX_ROLES = ("documents", "inspection", "party_committees")
SIZE = 10.5


def appendix_plan(campaign: Campaign) -> tuple[list[tuple[str, str, list[Form]]], dict[str, str]]:
    """[(label, subtitle, forms)] in config order, and role -> appendix label ("Phụ lục 01");
    the status table and the annex take the next two numbers."""
    plan: list[tuple[str, str, list[Form]]] = []
    names: dict[str, str] = {}
    for form in campaign.forms:
        if form.role not in APPENDIX_ROLES:
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
            if form.role == "documents":
                out.append(_documents_table(campaign, aggregates, names))
            elif form.role == "inspection":
                out += _inspection_table(aggregates)
            else:
                out.append(_party_table(form, aggregates))
    return RawXml("".join(out))


def status_head_xml(campaign: Campaign, aggregates: Aggregates, year: str, compiled_at: datetime, *, first: bool) -> RawXml:
    _, names = appendix_plan(campaign)
    local = to_local(compiled_at)
    out = _heading(names["status"], "Tình hình gửi báo cáo của các cơ quan, đơn vị", attached_line(campaign, year), first=first)
    out.append(text_paragraph(f"(Tính đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}; hạn gửi {format_date(campaign.deadline)})",
                              italic=True, align="center", indent_first_cm=0, size=12, after_pt=6))
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
    header = [[Cell("STT"), Cell("Cơ quan, đơn vị"), Cell("Nhóm"), Cell("Trạng thái"), Cell("Gửi lần đầu"), Cell("Thay đổi gần nhất"), Cell("Số lỗi"), Cell("Ghi chú")]]
    rows = []
    for i, u in enumerate(aggregates.completeness.to_dict("records"), start=1):
        rows.append([
            Cell(str(i), align="right"), Cell(u["name"]), Cell(str(u["group_number"]), align="center"), Cell(u["status_label"]),
            Cell(_when(u["submitted_at"]), align="center"), Cell(_when(u["last_modified"]), align="center"),
            Cell(str(int(u["error_count"])) if u["error_count"] else "", align="right"), Cell(status_note(u)),
        ])
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


# --- the plan's forms -------------------------------------------------------------------------

def document_reference(number: str, iso_date: str) -> str:
    day = parse_date(iso_date) if iso_date else None
    when = format_date(day) if day else iso_date
    return f"{number}, ngày {when}" if when else number


def _documents_table(campaign: Campaign, aggregates: Aggregates, names: dict[str, str]) -> str:
    docs = aggregates.documents
    party_form = campaign.form_with_role("party_committees")
    party_heading = party_form.documents_heading if party_form else ""
    widths = [1.2, 6.3, 12.0, 6.0]
    header = [[Cell("Stt"), Cell("Văn bản đã ban hành (số văn bản, ngày văn bản)"), Cell("Trích yếu nội dung văn bản"), Cell("Đơn vị báo cáo")]]
    rows = []
    for heading in aggregates.document_counts.itertuples():
        rows.append([Cell(heading.issuer_numeral, bold=True, align="center", shade="F2F2F2"),
                     Cell(f"{heading.issuer} ({format_number(heading.count)} văn bản)", bold=True, span=3, shade="F2F2F2")])
        mine = docs[docs["issuer_index"] == heading.issuer_index]
        for i, d in enumerate(mine.to_dict("records"), start=1):
            rows.append([Cell(f"{i}.", align="center"), Cell(document_reference(d["doc_number"], d["doc_date"])), Cell(d["summary"]), Cell(d["unit_name"])])
        if mine.empty:
            note = "Chưa có văn bản được báo cáo"
            if heading.issuer == party_heading and "party_committees" in names:
                note = f"Văn bản của các đảng ủy trực thuộc tỉnh được tổng hợp tại {names['party_committees']}, cột [3]"
            rows.append([Cell(""), Cell(note, italic=True, span=3)])
    return table(widths, header, rows, size=SIZE, cant_split=False)


def _mark(count: int, forms: list[str] | None = None) -> str:
    if not count:
        return ""
    text = f"X ({count} đơn vị)"
    if forms:
        text += ": " + "; ".join(forms)
    return text


def _inspection_table(aggregates: Aggregates) -> list[str]:
    widths = [8.0, 3.0, 8.5, 3.0, 3.0]
    header = [
        [Cell("Đơn vị", vmerge="restart"), Cell("Kiểm tra/ giám sát", span=2), Cell("Sơ kết, đánh giá", span=2)],
        [Cell("", vmerge="continue"), Cell("Không"), Cell("Có, nêu rõ hình thức"), Cell("Không"), Cell("Có")],
    ]
    rows = []
    for r in aggregates.inspection.to_dict("records"):
        forms = _forms_of(r["forms"])
        rows.append([
            Cell(r["body"]), Cell(_mark(r["inspected_no"]), align="center"), Cell(_mark(r["inspected_yes"], forms)),
            Cell(_mark(r["reviewed_no"]), align="center"), Cell(_mark(r["reviewed_yes"]), align="center"),
        ])
    note = ("Ghi chú: dấu X ở ô mà các cơ quan, đơn vị đã đánh dấu, kèm số đơn vị; hình thức kiểm tra, giám sát kèm số lượt được nêu "
            "(danh sách từng đơn vị trong bảng tổng hợp).")
    return [table(widths, header, rows, size=SIZE), text_paragraph(note, italic=True, size=11, indent_first_cm=0, before_pt=3)]


def _forms_of(entries: list[str], top: int = 6) -> list[str]:
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for entry in entries:
        text = entry.split(": ", 1)[-1].strip().rstrip(".")
        if text:
            counts[text.casefold()] = counts.get(text.casefold(), 0) + 1
            labels.setdefault(text.casefold(), text)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    out = [f"{labels[k]} ({v})" for k, v in ranked[:top]]
    if len(ranked) > top:
        out.append(f"{len(ranked) - top} hình thức khác")
    return out


def _party_groups(form: Form) -> list[tuple[str, str, list[Column]]]:
    """(number, header, columns) for the party table: columns sharing a number merged."""
    groups: list[tuple[str, str, list[Column]]] = []
    for col in form.columns:
        if not col.role:
            continue
        if col.number and groups and groups[-1][0] == col.number:
            groups[-1][2].append(col)
            continue
        groups.append((col.number, col.group_header or col.header, [col]))
    return groups


def _party_value(row: dict, columns: list[Column]) -> str:
    values = []
    for col in columns:
        value = row.get(col.role)
        if col.type in ("integer", "number", "percent"):
            if value is None or pd.isna(value):
                continue
            values.append(format_number(value) + ("%" if col.type == "percent" else ""))
        elif value:
            values.append(str(value))
    if len(values) == 2 and all(is_number_text(v) for v in values):
        return f"{values[0]} ({values[1]})"
    return " – ".join(values)


def _party_table(form: Form, aggregates: Aggregates) -> str:
    groups = _party_groups(form)
    fixed = {"stt": 1.1, "unit_name": 3.6}
    raw = [0 if cols[0].role in fixed else sum(c.width for c in cols) for _, _, cols in groups]
    room = LANDSCAPE_WIDTH - sum(fixed.get(cols[0].role, 0) for _, _, cols in groups)
    widths = [fixed.get(cols[0].role) or round(w * room / max(1, sum(raw)), 2) for w, (_, _, cols) in zip(raw, groups)]
    header = [[Cell(h) for _, h, _ in groups]]
    if any(n for n, _, _ in groups):
        header.append([Cell(f"[{n}]" if n else "", italic=True) for n, _, _ in groups])
    rows = []
    first_text = next((i for i, (_, _, cols) in enumerate(groups) if cols[0].role not in ("stt", "unit_name")), len(groups))
    for r in aggregates.party.to_dict("records"):
        cells = []
        for i, (_, _, cols) in enumerate(groups):
            role = cols[0].role
            if role == "stt":
                cells.append(Cell(str(r["stt"]), align="center"))
            elif role == "unit_name":
                cells.append(Cell(r["unit_name"]))
            elif not r["reported"]:
                if i == first_text:
                    cells.append(Cell("Chưa báo cáo", italic=True, span=len(groups) - first_text))
            else:
                value = _party_value(r, cols)
                cells.append(Cell(value, align="right" if is_number_text(value.split(" (")[0]) else "left"))
        rows.append(cells)
    rows.append(_party_total(groups, aggregates))
    return table(widths, header, rows, size=SIZE, cant_split=False)


def _party_total(groups: list[tuple[str, str, list[Column]]], aggregates: Aggregates) -> list[Cell]:
    t = aggregates.party_totals
    cells = []
    for _, _, cols in groups:
        roles = {c.role for c in cols}
        if "unit_name" in roles:
            cells.append(Cell(f"Tổng cộng ({t['units_reported']}/{t['units_total']} đảng ủy đã báo cáo)", bold=True))
        elif "members_count" in roles and t["members_count"] is not None:
            rate = f" ({format_number(t['members_rate'])}%)" if t["members_rate"] is not None else ""
            cells.append(Cell(f"{format_number(t['members_count'])}{rate}", bold=True, align="right"))
        else:
            cells.append(Cell(""))
    return cells


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

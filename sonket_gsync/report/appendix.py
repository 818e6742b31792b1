"""The draft's appendices, as body XML: the plan's forms kept (each form role's table, from
analysis/roles/: documents under their issuer headings I, II, …; the inspection table with
its X marks; the party committees' table with columns [1]–[8] as titled). A form with one row
per unit has its text columns condensed to their first point (``condense``); the full texts,
the unit-by-unit submission status and every unit's narrative are in the companion document
(report/companion.py), not in the document the Ban Thường vụ signs. Tables come from the
forms' roles and columns in forms.toml, never from form codes.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.roles import Note, Table, role_for
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import to_local
from sonket_gsync.report.language import typeset, unquoted
from sonket_gsync.report.notes import COMPANION_REFERENCE
from sonket_gsync.report.wordml import RawXml, page_break, table, text_paragraph

SIZE = 10.5
CONDENSED = 100  # characters of a unit's text kept in an appendix cell
_BULLET = re.compile(r"^\s*(?:[-–•+*]|\d+[.)]|[a-zđ][.)])\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ỹ0-9“\"(])")
_CLAUSE_END = re.compile(r"\s*;\s*|,\s+(?=(?:trong đó|đồng thời|qua đó|tuy nhiên|nhưng)\b)")


def appendix_plan(campaign: Campaign) -> tuple[list[tuple[str, str, list[Form]]], dict[str, str]]:
    """[(label, subtitle, forms)] in config order, and role -> appendix label ("Phụ lục 01");
    "status" and "annex" name the companion document, where that material now is."""
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
    names["status"] = names["annex"] = COMPANION_REFERENCE  # the unit-by-unit material is in the companion
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
            parts = role_for(form).appendix(campaign, form, aggregates, names)
            if form.rows == "unit":  # one row per unit: its text columns condensed (full text in the companion)
                parts = [_condensed_table(p) if isinstance(p, Table) else p for p in parts]
            parts = [_typeset_table(p) if isinstance(p, Table) else p for p in parts]
            out += [_part_xml(part) for part in parts]
    return RawXml("".join(out))


def _part_xml(part: Table | Note) -> str:
    if isinstance(part, Note):
        return text_paragraph(part.text, italic=True, size=11, indent_first_cm=0, before_pt=3)
    return table(part.widths, part.header, part.rows, size=SIZE, cant_split=part.cant_split)


def status_note(unit: dict) -> str:
    notes = []
    if unit["status"] == "invalid":
        notes.append("Có lỗi; số liệu tính theo bản hợp lệ trước đó" if unit["has_data"] else "Có lỗi; chưa có bản hợp lệ nên chưa được tính")
    elif unit["flagged"]:
        notes.append("Lần đọc gần nhất có lỗi; số liệu là bản hợp lệ trước đó")
    if unit["warning_count"]:
        notes.append(f"{unit['warning_count']} cảnh báo")
    return "; ".join(notes)


def when(moment) -> str:
    if moment is None or pd.isna(moment):
        return ""
    return to_local(moment).strftime("%d/%m/%Y %H:%M")


# --- condensing: what a reader of the appendix needs ---------------------------------------


def condense(text: str, limit: int = CONDENSED) -> str:
    """The first point of a unit's text, whole where it fits: its first line, then its first
    sentence, then its first clauses up to ``limit`` characters (a cut mid-clause ends in "…").
    The full text is in the companion document."""
    text = text.strip()
    if len(text) <= limit and "\n" not in text:
        return text
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    first = _BULLET.sub("", first)
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence
    clauses = _CLAUSE_END.split(sentence)
    kept = ""
    for clause in clauses:
        if len(kept) + len(clause) + 2 > limit:
            break
        kept = f"{kept}; {clause}" if kept else clause
    if kept:
        return kept.rstrip(" ,;:") + " …"
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def _typeset_table(part: Table) -> Table:
    """Curly quotes and no doubled words in the body cells (units' texts as printed); a
    spreadsheet formula a unit typed is never quoted (language.unquoted)."""
    rows = [[replace(cell, text=typeset(unquoted(cell.text))) if cell.text else cell for cell in row] for row in part.rows]
    return replace(part, rows=rows)


def _condensed_table(part: Table) -> Table:
    rows = [
        [replace(cell, text=condense(unquoted(cell.text))) if len(cell.text) > CONDENSED or "\n" in cell.text else cell for cell in row] for row in part.rows
    ]
    return replace(part, rows=rows)


__all__ = ["appendices_xml", "appendix_plan", "attached_line", "condense", "page_break", "status_note", "when"]

"""Data problems: what staff must check in the units' answers before the draft is used. They
are shown on the dashboard and in the companion file, never in the draft's text.

``find_problems(campaign, records, aggregates)`` lists, per unit, with where it is:

- ``contradiction``: one unit gives two answers it cannot both give — a phrase of ``yes`` and
  a phrase of ``no`` of one checks.toml ``[[contradictions]]`` entry, anywhere in its texts
  (narrative items and text columns). A "no" phrase is taken out before "yes" phrases are
  looked for, so "thay cho tổ chức hội nghị" does not also count as "tổ chức hội nghị".
- ``ticked_both_ways``: a row answers a choice one way and fills the column that applies only
  to the other answer (forms.toml ``required_when``), e.g. "Không" and a form of inspection
  named beside it.
- ``duplicate_document``: a document listed again with the same issuer and trích yếu under
  another number (analysis/roles/documents.py; the draft counts it once).
- ``issuer_type``: a document whose kind (from its number, "35/NQ-UBND", or its trích yếu's
  first words) its issuer heading cannot issue (checks.toml ``[[document_types]]``).
- ``impossible_value`` / ``outlier``: an indicator figure that cannot be right (a share over
  100 %, a negative figure) or lies far outside the other units' figures (analysis/indicators.py
  states the rule), and a percent column of any form over 100 % or below 0.
- ``wrong_addressee``: a recommendation only the centre can decide (a law, a decree, a
  national policy: checks.toml ``[addressees] centre_only``, or by default the list
  analysis/cues.py CENTRE_ONLY) under an item addressed to the province (the ``tinh_uy`` /
  ``other`` outline items of a column's ``feeds``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from sonket_gsync.analysis.cues import is_centre_only
from sonket_gsync.analysis.problem_kinds import KIND_LABELS, KINDS
from sonket_gsync.analysis.roles.documents import document_reference, number_parts
from sonket_gsync.analysis.rows import clean_cell
from sonket_gsync.analysis.splitting import split_recipients, split_statements
from sonket_gsync.campaign.model import Campaign, Column, Form
from sonket_gsync.core.text import fold_accents, format_number
from sonket_gsync.forms.submission import UnitRecord

__all__ = ["KINDS", "KIND_LABELS", "DataProblem", "find_problems"]

# A recommendation that asks the province to carry a matter to the centre is rightly addressed.
_VIA_PROVINCE = re.compile(r"(?:kiến\s+nghị|đề\s+xuất|đề\s+nghị|báo\s+cáo)\s+(?:với\s+)?(?:trung\s+ương|chính\s+phủ|quốc\s+hội|các\s+bộ)", re.IGNORECASE)


@dataclass(frozen=True)
class DataProblem:
    unit_code: str
    kind: str  # one of KINDS
    where: str  # the form, row and column, or the narrative item (Vietnamese)
    message: str  # what is wrong (Vietnamese)


def find_problems(campaign: Campaign, records: list[UnitRecord], aggregates: Any) -> list[DataProblem]:
    """Every problem found, in units.csv order then by kind (see the module)."""
    submissions = {r.unit.code: r.submission for r in records if r.submission is not None}
    names = {u.code: u.name for u in campaign.units}
    found: list[DataProblem] = []
    for code, submission in submissions.items():
        if code not in names:
            continue
        found += _contradictions(campaign, code, submission)
        found += _ticked_both_ways(campaign, code, submission)
        found += _percent_columns(campaign, code, submission)
        found += _wrong_addressee(campaign, code, submission)
    results = getattr(aggregates, "results", {}) or {}
    found += _documents(campaign, results)
    found += _indicator_figures(campaign, results)
    order = {u.code: u.order for u in campaign.units}
    return sorted(found, key=lambda p: (order.get(p.unit_code, 1 << 30), KINDS.index(p.kind)))


# --- where ----------------------------------------------------------------------------------


def _form_name(form: Form) -> str:
    return f"Biểu “{form.title}” (trang tính “{form.sheet}”)" if form.sheet else f"Biểu “{form.title}”"


def _column_name(column: Column) -> str:
    return f"cột [{column.number}] “{column.header}”" if column.number else f"cột “{column.header}”"


def _row_name(form: Form, row: dict, index: int) -> str:
    if form.rows in ("fixed", "indicators"):
        label = clean_cell(row.get(form.label_column.key))
        if label:
            return f"dòng “{label}”"
    return f"dòng {index}"


def _item_name(campaign: Campaign, key: str) -> str:
    item = next((i for i in campaign.outline_items if i.key == key), None)
    return f"Báo cáo bằng lời, mục {item.number} “{item.title}”" if item else f"Báo cáo bằng lời, mục {key}"


def _texts(campaign: Campaign, submission) -> list[tuple[str, str]]:
    """(where, text) of every text a unit wrote: narrative items, then text cells."""
    out = [(_item_name(campaign, key), text) for key, text in submission.narrative.items() if clean_cell(text)]
    for form in campaign.forms:
        columns = [c for c in form.input_columns if c.type == "text"]
        for index, row in enumerate(submission.tables.get(form.code) or (), start=1):
            for col in columns:
                text = clean_cell(row.get(col.key))
                if text:
                    out.append((f"{_form_name(form)}, {_row_name(form, row, index)}, {_column_name(col)}", text))
    return out


# --- one unit's answers ---------------------------------------------------------------------


_SPACES = re.compile(r"\s+")


def _low(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "").casefold())


@lru_cache(maxsize=4096)
def _low_phrase(text: str) -> str:
    """``_low`` of a campaign's phrase (a rule's words): the same few for every unit, folded once."""
    return _low(text)


def _contradictions(campaign: Campaign, code: str, submission) -> list[DataProblem]:
    out = []
    texts = [(where, _low(text)) for where, text in _texts(campaign, submission)] if campaign.checks.contradictions else []
    for rule in campaign.checks.contradictions:
        yes: list[tuple[str, str]] = []
        no: list[tuple[str, str]] = []
        no_phrases = [(phrase, _low_phrase(phrase)) for phrase in rule.no]
        yes_phrases = [(phrase, _low_phrase(phrase)) for phrase in rule.yes]
        for where, low in texts:
            for phrase, folded in no_phrases:
                if folded in low:
                    no.append((where, phrase))
                    low = low.replace(folded, " ")
            yes += [(where, phrase) for phrase, folded in yes_phrases if folded in low]
        if yes and no:
            (where_yes, said_yes), (where_no, said_no) = yes[0], no[0]
            where = where_yes if where_yes == where_no else f"{where_yes}; {where_no}"
            out.append(
                DataProblem(
                    code,
                    "contradiction",
                    where,
                    f"Về “{rule.about}”, đơn vị vừa nêu “{said_yes}” ({where_yes}) vừa nêu “{said_no}” ({where_no}): hai câu trả lời trái nhau.",
                )
            )
    return out


def _ticked_both_ways(campaign: Campaign, code: str, submission) -> list[DataProblem]:
    out = []
    for form in campaign.forms:
        conditional = [c for c in form.input_columns if c.required_when]
        for index, row in enumerate(submission.tables.get(form.code) or (), start=1):
            for col in conditional:
                assert col.required_when is not None
                key, wanted = col.required_when
                answer = clean_cell(row.get(key))
                if not answer or fold_accents(answer) == fold_accents(wanted) or not clean_cell(row.get(col.key)):
                    continue
                choice = next((c for c in form.columns if c.key == key), None)
                chosen = f"{_column_name(choice)}" if choice else f"cột “{key}”"
                out.append(
                    DataProblem(
                        code,
                        "ticked_both_ways",
                        f"{_form_name(form)}, {_row_name(form, row, index)}",
                        f"Dòng chọn “{answer}” ở {chosen} nhưng lại điền {_column_name(col)} (chỉ điền khi chọn “{wanted}”): dòng được đánh dấu cả hai phía.",
                    )
                )
    return out


def _percent_columns(campaign: Campaign, code: str, submission) -> list[DataProblem]:
    out = []
    for form in campaign.forms:
        columns = [c for c in form.input_columns if c.type == "percent"]
        for index, row in enumerate(submission.tables.get(form.code) or (), start=1):
            for col in columns:
                value = pd.to_numeric(pd.Series([row.get(col.key)]), errors="coerce").iloc[0]
                if pd.notna(value) and (value > 100 or value < 0):
                    out.append(
                        DataProblem(
                            code,
                            "impossible_value",
                            f"{_form_name(form)}, {_row_name(form, row, index)}, {_column_name(col)}",
                            f"Tỷ lệ {format_number(float(value))}% không thể đúng (phải từ 0 đến 100%).",
                        )
                    )
    return out


def _province_items(campaign: Campaign) -> set[str]:
    """Outline items addressed to the province: where columns send what units addressed to
    the Tỉnh ủy or to no one (``feeds`` tinh_uy / other)."""
    keys = set()
    for form in campaign.forms:
        for col in form.columns:
            targets = dict(col.feeds)
            for part in ("tinh_uy", "other"):
                if targets.get(part) and targets.get(part) != targets.get("trung_uong"):
                    keys.add(targets[part])
    return keys


def _centre_only(campaign: Campaign, statement: str) -> bool:
    words = campaign.checks.centre_only
    if words is None:
        return is_centre_only(statement)
    low = _low(statement)
    return any(_low_phrase(w) in low for w in words)


def _misaddressed(campaign: Campaign, text: str) -> list[str]:
    parts = split_recipients(text)
    statements = [s for part in ("tinh_uy", "other") for s in split_statements(parts.get(part, ""))]
    return [s for s in statements if _centre_only(campaign, s) and not _VIA_PROVINCE.search(s)]


def _wrong_addressee(campaign: Campaign, code: str, submission) -> list[DataProblem]:
    province = _province_items(campaign)
    out = []
    for key in sorted(province):
        for statement in _misaddressed(campaign, submission.narrative.get(key, "")):
            out.append(_addressee_problem(code, _item_name(campaign, key), statement))
    for form in campaign.forms:
        feeding = [c for c in form.input_columns if c.feeds and any(p in dict(c.feeds) for p in ("tinh_uy", "other"))]
        for index, row in enumerate(submission.tables.get(form.code) or (), start=1):
            for col in feeding:
                for statement in _misaddressed(campaign, clean_cell(row.get(col.key))):
                    out.append(_addressee_problem(code, f"{_form_name(form)}, {_row_name(form, row, index)}, {_column_name(col)}", statement))
    return out


def _addressee_problem(code: str, where: str, statement: str) -> DataProblem:
    return DataProblem(
        code,
        "wrong_addressee",
        where,
        f"Kiến nghị “{statement.rstrip('.')}” là việc chỉ Trung ương quyết định nhưng được gửi tới Tỉnh ủy (hoặc không ghi nơi nhận): "
        "bản dự thảo đưa kiến nghị này vào phần kiến nghị với Trung ương.",
    )


# --- across units: documents, indicator figures ---------------------------------------------


def _documents(campaign: Campaign, results: dict) -> list[DataProblem]:
    form = campaign.form_with_role("documents")
    documents = results.get("documents")
    if form is None or documents is None:
        return []
    where = _form_name(form)
    out = []
    duplicates = results.get("document_duplicates")
    if duplicates is not None and not duplicates.empty:
        names = {u.code: u.name for u in campaign.units}
        for d in duplicates.to_dict("records"):
            if d["doc_number"] == d["duplicate_of"]:
                continue  # the same document reported twice: counted once, nothing to fix
            by = "đơn vị" if d["duplicate_unit"] == d["unit_code"] else names.get(d["duplicate_unit"], d["duplicate_unit"])
            out.append(
                DataProblem(
                    d["unit_code"],
                    "duplicate_document",
                    f"{where}, văn bản {d['doc_number']}",
                    f"Văn bản {document_reference(d['doc_number'], d['doc_date'])} “{d['summary']}” ({d['issuer']}) trùng cơ quan ban hành và "
                    f"trích yếu với văn bản số {d['duplicate_of']} do {by} đã kê nhưng khác số: kiểm tra lại số văn bản; bản dự thảo chỉ tính một lần.",
                )
            )
    types = campaign.checks.document_types
    if types:
        rows = documents.to_dict("records") + ([] if duplicates is None else duplicates.to_dict("records"))
        choices = set(form.role_column("issuer").choices)
        for d in rows:
            if d["issuer"] not in choices:
                continue
            kind = _document_type(types, d["doc_number"], d["summary"])
            if kind is not None and d["issuer"] not in kind.issuers:
                units = d["unit_name"].split("; ")
                for unit_code in [u.code for u in campaign.units if u.name in units] or [d["unit_code"]]:
                    out.append(
                        DataProblem(
                            unit_code,
                            "issuer_type",
                            f"{where}, văn bản {d['doc_number']}",
                            f"Văn bản {document_reference(d['doc_number'], d['doc_date'])} “{d['summary']}” là {kind.name.lower()} nhưng ghi cơ quan ban hành "
                            f"“{d['issuer']}”, cơ quan không ban hành {kind.name.lower()}: kiểm tra lại cơ quan ban hành hoặc loại văn bản.",
                        )
                    )
    return out


def _document_type(types, number: str, summary: str):
    kind, _ = number_parts(number)
    if kind:
        match = next((t for t in types if t.code.upper() == kind), None)
        if match is not None:
            return match
    low = _low(summary)
    return next((t for t in types if low.startswith(_low_phrase(t.name))), None)


def _indicator_figures(campaign: Campaign, results: dict) -> list[DataProblem]:
    values = results.get("indicator_values")
    form = campaign.form_with_role("indicators")
    if values is None or values.empty or form is None:
        return []
    year_header = {c.year: c.header for c in form.year_columns}
    number = {ind.code: i for i, ind in enumerate(campaign.indicators, start=1)}
    by_code = {ind.code: ind for ind in campaign.indicators}
    out = []
    for v in values[values["problem"].ne("")].to_dict("records"):
        ind = by_code.get(v["code"])
        if ind is None:
            continue
        where = f"{_form_name(form)}, dòng “{ind.code}” (chỉ tiêu số {number[ind.code]}), cột “{year_header.get(v['year'], v['year'])}”"
        figure = f"{format_number(v['value'])}{'%' if ind.value_type == 'percent' else ' ' + ind.unit_of_measure}"
        if v["problem"] == "impossible":
            why = "tỷ lệ không thể vượt 100%" if ind.value_type == "percent" and v["value"] > 100 else "số liệu không thể âm"
            out.append(DataProblem(v["unit_code"], "impossible_value", where, f"Số liệu {figure} của chỉ tiêu “{ind.name}” không thể đúng: {why}."))
        else:
            out.append(
                DataProblem(
                    v["unit_code"],
                    "outlier",
                    where,
                    f"Số liệu {figure} của chỉ tiêu “{ind.name}” khác xa số liệu các đơn vị khác (trung vị {format_number(v['median'])}): kiểm tra lại đơn vị tính, dấu thập phân.",
                )
            )
    return out

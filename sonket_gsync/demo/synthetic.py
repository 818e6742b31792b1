"""Synthetic answers for the demo, the tests and the benchmarks: what a unit might type.

``answers_for`` makes a valid, plausible set of answers for a unit (rows by the form's row
mode, columns by type). A campaign with its own phrase bank (``demo.toml`` in its folder, the
seed's) has realistic answers in the columns the report reads (answers.py); any other campaign
is answered from its own columns, choices, indicators and outline (generic.py); ``spoil`` introduces the
mistakes people really make; ``to_blocks`` turns answers into the cells a unit would type
(through any backend's ``write_unit``); ``to_submission`` is what the engine should read
back from those cells, so tests can check the whole way round.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sonket_gsync.analysis.roles import DemoAsk, role_for
from sonket_gsync.backends.base import CellBlock
from sonket_gsync.campaign.model import Campaign, Column, Form, Unit
from sonket_gsync.core.text import format_date
from sonket_gsync.demo import answers as role_answers
from sonket_gsync.demo.generic import GenericWriter, consistent, value_for
from sonket_gsync.demo.writing import Writer, bank, issued_number, phrases_path
from sonket_gsync.forms.layout import sheet_layout
from sonket_gsync.forms.submission import Submission

PROFILE_SHARES = (("on_time", 0.70), ("late", 0.12), ("invalid", 0.08), ("missing", 0.10))


@dataclass
class Answers:
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # form code -> input values by key
    narrative: dict[str, str] = field(default_factory=dict)


def assign_profiles(campaign: Campaign, rng: random.Random) -> dict[str, str]:
    """unit code -> on_time | late | invalid | missing, in the shares of PROFILE_SHARES."""
    codes = [u.code for u in campaign.units]
    rng.shuffle(codes)
    profiles, start = {}, 0
    for index, (profile, share) in enumerate(PROFILE_SHARES):
        count = len(codes) - start if index == len(PROFILE_SHARES) - 1 else round(share * len(codes))
        for code in codes[start : start + count]:
            profiles[code] = profile
        start += count
    return profiles


def modified_time(profile: str, campaign: Campaign, rng: random.Random) -> datetime:
    """When a unit of this profile last touched its files."""
    deadline = campaign.deadline
    if profile == "late":
        return deadline + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10))
    return deadline - timedelta(days=rng.randint(0, 40), hours=rng.randint(1, 12))


def answers_for(campaign: Campaign, unit: Unit, rng: random.Random) -> Answers:
    """Valid answers for every form the unit fills, driven by the forms' column types (so any
    campaign folder works), worded from the campaign's phrase bank when it has one."""
    answers = Answers()
    writer = writer_for(campaign, unit, rng)  # the unit's names, figures and way of writing
    for form in campaign.forms_for(unit):
        answers.tables[form.code] = _rows(campaign, unit, form, rng, writer)
    if campaign.has_narrative(unit):
        for item in campaign.outline_items:
            if rng.random() < 0.85:
                answers.narrative[item.key] = writer.item(item.key)
    return answers


def writer_for(campaign: Campaign, unit: Unit, rng: random.Random) -> Writer | GenericWriter:
    """The campaign's own phrase bank's writer, or the generic one when it has none."""
    path = phrases_path(campaign.folder)
    if path is None:
        return GenericWriter.for_unit(campaign, unit, rng)
    return Writer.for_unit(unit, rng, phrases=bank(path))


def _rows(campaign: Campaign, unit: Unit, form: Form, rng: random.Random, writer: Writer | GenericWriter) -> list[dict[str, object]]:
    ask = DemoAsk(campaign, unit, rng, writer, lambda summary, issuer: issued_number(summary, issuer, unit, rng))
    rows = role_for(form).demo_rows(form, ask)
    if rows is None:
        rows = role_answers.rows(form, ask)
    if rows is not None:
        return rows
    if form.rows == "fixed":
        return [_row(form, ask, {form.label_column.key: label}) for label in form.fixed_rows]
    if form.rows == "unit":
        return [_row(form, ask, {})]
    rows = [_row(form, ask, {}) for _ in range(rng.randint(2, 5))]
    for number, row in enumerate(rows, start=1):
        if "stt" in row:
            row["stt"] = number
    return rows


def _row(form: Form, ask: DemoAsk, fixed: dict[str, object]) -> dict[str, object]:
    """One row: a role's own demo answers (``Role.demo``) first; then, with the campaign's
    phrase bank, the built-in roles' answers (answers.py) or the column's type; without one,
    the campaign's own columns only (generic.py)."""
    role = role_for(form)
    generic = ask.writer if isinstance(ask.writer, GenericWriter) else None
    label = str(fixed.get(form.label_column.key, "")) if fixed else ""
    row = dict(fixed)
    for col in form.input_columns:
        answer = role.demo.get(col.key) or (None if generic else role_answers.answer_for(form, col))
        if answer is not None:
            value = answer(replace(ask, column=col))
            if col.type == "text":
                value = str(value)[: col.max_length] if value else None  # a text answer is a str
            row[col.key] = value
        elif generic is None:
            row[col.key] = _by_type(ask.campaign, ask.unit, col, ask.rng, ask.writer)
        elif col.type == "text":
            row[col.key] = generic.column_text(form, col, label) or None
        else:
            row[col.key] = value_for(ask.campaign, col, ask.rng)
    if generic is not None:
        consistent(form, row)
    role.demo_finish(row, ask)
    role_answers.finish(form, row, ask)
    _conditional(form, row)
    return row


def _conditional(form: Form, row: dict[str, object]) -> None:
    for col in form.input_columns:  # a conditional column is answered only when its condition holds
        if col.required_when and row.get(col.required_when[0]) != col.required_when[1]:
            row[col.key] = None


def _by_type(campaign: Campaign, unit: Unit, col: Column, rng: random.Random, writer: Writer) -> object:
    low = col.min if isinstance(col.min, float) else 0.0
    if col.type == "text":
        return Writer.for_unit(unit, rng, phrases=writer.phrases).points("*", 1, 2)[: col.max_length]
    if col.type == "integer":
        return rng.randint(int(low), int(low) + 500)
    if col.type == "number":
        return round(rng.uniform(low, low + 1000), 1)
    if col.type == "percent":
        return round(rng.uniform(50, 100), 1)
    if col.type == "choice":
        return rng.choice(col.choices)
    if col.type == "year":
        return rng.choice(campaign.indicator_years or (campaign.deadline.year,))
    # date: between the column's minimum (or two years back) and a month before the deadline
    last = campaign.deadline.date() - timedelta(days=30)
    first = col.min if isinstance(col.min, date) else last - timedelta(days=730)
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def spoil(campaign: Campaign, unit: Unit, answers: Answers, rng: random.Random) -> Answers:
    """The same answers with one or two mistakes people make, whatever the forms."""
    tables = {code: [dict(r) for r in rows] for code, rows in answers.tables.items()}
    mistakes = []
    for form in campaign.forms_for(unit):
        if form.rows == "indicators" or not tables.get(form.code):
            continue
        for col in form.input_columns:
            wrong = _MISTAKES.get(col.type)
            if col.type == "text" and col.required:
                wrong = None  # a required cell left empty
            elif wrong is None:
                continue
            mistakes.append((form.code, len(tables[form.code]) - 1, col.key, wrong))
    for form_code, index, key, value in rng.sample(mistakes, k=min(2, len(mistakes))):
        tables[form_code][index][key] = value
    return replace(answers, tables=tables)


_MISTAKES = {"integer": "khoảng 200", "number": "chưa có", "percent": 130, "date": "31/02/2025", "choice": "Có lẽ", "year": 25}


# --- answers as typed cells, and as the engine should read them ----------------------------


def to_blocks(campaign: Campaign, unit: Unit, answers: Answers) -> list[CellBlock]:
    """The cells a unit types: one block per run of input columns per form."""
    blocks = []
    for form in campaign.forms_for(unit):
        layout = sheet_layout(campaign, unit, form)
        matrix = _matrix(campaign, unit, form, answers.tables.get(form.code, []))
        if not matrix:
            continue
        for first, last in _input_runs(form):
            values = [[_typed(row[i]) for i in range(first, last + 1)] for row in matrix]
            blocks.append(CellBlock(sheet=form.sheet, row=layout.first_data_row, column=first + 1, values=values))
    return blocks


def to_submission(campaign: Campaign, unit: Unit, answers: Answers) -> Submission:
    """The Submission the engine must read back from ``to_blocks`` of valid answers."""
    submission = Submission(unit_code=unit.code, narrative=dict(answers.narrative))
    for form in campaign.forms_for(unit):
        layout = sheet_layout(campaign, unit, form)
        matrix = _matrix(campaign, unit, form, answers.tables.get(form.code, []))
        inputs = {i for i, c in enumerate(form.columns) if not c.fixed}
        rows = []
        for index, row in enumerate(matrix):
            if all(row[i] is None for i in inputs):
                continue
            prefilled = layout.data[index] if index < len(layout.data) else ()
            rows.append({c.key: _stored(row[i] if not c.fixed else prefilled[i], c.type) for i, c in enumerate(form.columns)})
        submission.tables[form.code] = rows
    return submission


def _matrix(campaign: Campaign, unit: Unit, form: Form, rows: list[dict[str, object]]) -> list[list[object]]:
    """Answers laid on the form's data rows (fixed rows matched by their label)."""
    layout = sheet_layout(campaign, unit, form)
    if form.rows == "open":
        return [[row.get(c.key) for c in form.columns] for row in rows]
    if form.rows == "unit":
        answers = [rows[0] if rows else {}]
    else:  # fixed and indicator rows: each answer goes on the row with its label
        by_label = {str(r.get(form.label_column.key, "")): r for r in rows}
        answers = [by_label.get(str(prefilled[0]), {}) for prefilled in layout.data]
    matrix = []
    for prefilled, answer in zip(layout.data, answers, strict=False):
        matrix.append([prefilled[i] if c.fixed else answer.get(c.key) for i, c in enumerate(form.columns)])
    return matrix


def _input_runs(form: Form) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index, col in enumerate(form.columns):
        if col.fixed:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _typed(value: object) -> object:
    """As a person types it: dates as dd/mm/yyyy text."""
    if isinstance(value, date):
        return format_date(value)
    return value


def _stored(value: object, column_type: str) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if column_type == "text":
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

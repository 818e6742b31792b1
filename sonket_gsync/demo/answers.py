"""What the demo answers in the columns the report reads (by form role and column role,
campaign/model.py FORM_ROLES / COLUMN_ROLES), for a campaign with its own phrase bank: the
realistic wording comes from the bank (the unit's ``Writer``), never from code. The
indicators' figures (every indicator the unit reports, heading towards its target) serve every
campaign. Other columns are answered by type (synthetic.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sonket_gsync.analysis.roles import DemoAsk
from sonket_gsync.campaign.model import Campaign, Column, Form, Indicator, Unit

Answer = Callable[[DemoAsk], object]


def _issuer(ask: DemoAsk) -> object:
    """An issuer heading a unit of this group most likely names (the bank's
    ``issuers_by_group``), else any of the column's choices."""
    assert ask.column is not None, "a demo answer is asked for one column"
    choices = ask.column.choices
    by_group = ask.writer.phrases.columns.get("issuers_by_group", {})
    likely = [c for c in by_group.get(ask.unit.group, ()) if c in choices]
    return ask.rng.choice(likely or choices)


def _members(ask: DemoAsk) -> int:
    count = ask.rng.randint(80, 2500)
    ask.writer.members = count  # the unit's texts quote it
    return count


# form role -> column role -> answer. A text answer is cut to the column's length; "" leaves
# the cell empty.
ANSWERS: dict[str, dict[str, Answer]] = {
    "documents": {
        "issuer": _issuer,
        "doc_number": lambda ask: f"{ask.rng.randint(10, 999)}-KH/{ask.unit.code.replace('_', '')[:6]}",
        "summary": lambda ask: ask.writer.choice("summaries"),
    },
    "inspection": {"inspection_form": lambda ask: ask.writer.choice("inspection_forms")},
    "party_committees": {
        "members_count": _members,
        "members_rate": lambda ask: round(ask.rng.uniform(85, 100), 1),
        "documents": lambda ask: ask.writer.documents(),
        "inspection": lambda ask: ask.writer.choice("inspection"),
        "good_practices": lambda ask: ask.writer.points(_fed(ask), 1, ask.rng.choice((2, 2, 3))) if ask.rng.random() < 0.92 else "",
        "difficulties": lambda ask: ask.writer.points(_fed(ask), 1, ask.rng.choice((2, 2, 3))) if ask.rng.random() < 0.95 else "",
        "recommendations": lambda ask: ask.writer.recommendations() if ask.rng.random() < 0.9 else "",
    },
}


def _fed(ask: DemoAsk) -> str:
    """The outline item the column feeds (its themes are what the unit writes there)."""
    assert ask.column is not None, "a demo answer is asked for one column"
    return next((key for _, key in ask.column.feeds), "*")


def answer_for(form: Form, col: Column) -> Answer | None:
    """The demo's answer for a column the report reads, None = by the column's type."""
    return ANSWERS.get(form.role, {}).get(col.role) if col.role else None


def finish(form: Form, row: dict[str, object], ask: DemoAsk) -> None:
    """Make one row consistent once every column is answered: a document's number matches
    its kind and issuer."""
    if form.role != "documents":
        return
    number, summary, issuer = form.column_for("doc_number"), form.column_for("summary"), form.column_for("issuer")
    if number is not None and summary is not None and row.get(summary.key):
        row[number.key] = ask.issued_number(str(row[summary.key]), str(row.get(issuer.key) or "") if issuer else "")


def rows(form: Form, ask: DemoAsk) -> list[dict[str, object]] | None:
    """The demo's rows of an indicator form: each indicator the unit reports, a few notes
    beside the figures; None = rows by the form's row mode."""
    if form.role != "indicators":
        return None
    figures = _figures(ask.campaign, ask.unit, form, ask.rng)
    notes = [c for c in form.input_columns if c.type == "text"]
    for row in figures:
        for col in notes:
            row[col.key] = ask.writer.choice("indicator_notes")[: col.max_length] if ask.rng.random() < 0.15 else None
    return figures


def _figures(campaign: Campaign, unit: Unit, form: Form, rng: random.Random) -> list[dict[str, object]]:
    """Each indicator the unit reports, near its 2030 target, rising a little year on year."""
    weights = {i.weight for i in campaign.indicators if i.aggregate == "weighted_mean"}
    out = []
    for ind in campaign.indicators:
        if ind.reported_by and unit.code not in ind.reported_by:
            continue
        row: dict[str, object] = {form.label_column.key: ind.code}
        base = _base(campaign, ind, weights, rng)
        for step, col in enumerate(form.year_columns):
            value = base * (1 + 0.08 * step)
            row[col.key] = round(min(value, 100.0), 1) if ind.value_type == "percent" else round(value)
        out.append(row)
    return out


def _base(campaign: Campaign, ind: Indicator, weights: set[str], rng: random.Random) -> float:
    if ind.code in weights:  # a headcount other indicators are weighted by
        return rng.randint(40, 1500)
    if ind.aggregate == "sum":  # a unit's share of a province-wide target
        reporting = len(ind.reported_by) or len(campaign.units)
        return (ind.target_2030 / reporting) * rng.uniform(0.3, 1.2) if ind.target_2030 else rng.randint(0, 25)
    if ind.target_2030:  # a rate or a level: somewhat short of the target
        return ind.target_2030 * rng.uniform(0.55, 0.95)
    return rng.uniform(45, 85) if ind.value_type == "percent" else rng.randint(0, 25)

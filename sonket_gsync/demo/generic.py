"""The demo's answers for a campaign with no phrase bank of its own (a folder drafted by
``campaign from-plan``, any campaign without ``demo.toml``): text whose nouns come from the
campaign's own outline items and column headers, wrapped in campaign-neutral parts from
``data/generic.toml``, and values by each column's type within its bounds.

``GenericWriter`` answers what the roles' demo code asks a writer (``item``, ``points``,
``choice``, ``recommendations``, ``documents``) with the same campaign-neutral text, so no
answer carries another campaign's words.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sonket_gsync.campaign.model import Campaign, Column, Form, OutlineItem, Unit
from sonket_gsync.core.text import format_number

GENERIC = Path(__file__).parent / "data" / "generic.toml"
_SLOT = re.compile(r"\{(\w+)(?::([^}]*))?\}")
KINDS = ("report", "shortcomings", "future", "recommendations", "lessons")


@lru_cache(maxsize=1)
def generic_parts() -> dict:
    return tomllib.loads(GENERIC.read_text(encoding="utf-8"))


def kind_of(*texts: str) -> str:
    """What a heading asks for, by its words: report (default), shortcomings, future, recommendations, lessons."""
    low = " ".join(texts).lower()
    for kind in ("recommendations", "shortcomings", "lessons", "future"):
        if any(word in low for word in generic_parts()["kinds"][kind]):
            return kind
    return "report"


def topic_of(text: str) -> str:
    """A heading or prompt as the object of a sentence: no numbering, no unit in brackets,
    no end punctuation, lower case first letter (unless it starts a proper name)."""
    text = re.sub(r"^\s*([IVX]+|\d+|[a-zđ])[.)]\s*", "", text.strip())
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = text.strip().rstrip(".:;,")
    if text.isupper():  # a section heading in capitals
        text = text.lower()
    verbs = sorted(generic_parts()["prompts"]["verbs"], key=len, reverse=True)
    text = re.sub(rf"^({'|'.join(map(re.escape, verbs))})\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(số lượng|số|tỷ lệ|việc|kết quả)\s+", "", text, flags=re.IGNORECASE)
    if len(text) > 160:
        text = text[:160].rsplit(" ", 1)[0]
    words = text.split(" ", 1)
    if words and words[0][:1].isupper() and not (len(words[0]) > 1 and words[0][1:2].isupper()):
        text = text[:1].lower() + text[1:]
    return text or "nhiệm vụ được giao"


@dataclass
class GenericWriter:
    """One unit writing about a campaign it knows only by its outline and forms."""

    campaign: Campaign
    unit: Unit
    rng: random.Random
    members: int | None = None
    bullets: bool = False
    wordy: float = 0.5
    chosen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_unit(cls, campaign: Campaign, unit: Unit, rng: random.Random) -> GenericWriter:
        return cls(campaign, unit, rng, bullets=rng.random() < 0.35, wordy=rng.uniform(0.2, 0.85))

    # --- slots and sentences ------------------------------------------------------------------
    def fill(self, template: str, topic: str) -> str:
        return _SLOT.sub(lambda m: self._slot(m.group(1), m.group(2) or "", topic), template)

    def _slot(self, name: str, arg: str, topic: str) -> str:
        rng = self.rng
        if name == "topic":
            return topic
        if name == "unit":
            return self.unit.name
        if name == "year":
            return str(rng.choice(period_years(self.campaign)))
        if name in ("n", "pct"):
            low, high = (float(x) for x in arg.split("-"))
            if name == "n":
                return format_number(rng.randint(int(low), int(high)))
            return format_number(round(rng.uniform(low, high), 1), 1)
        return ""

    def sentence(self, kind: str, topic: str, *, first: bool, prefix: str = "") -> str:
        parts, rng = generic_parts(), self.rng
        clause = self.fill(rng.choice(parts["say"][kind]), topic)
        if kind == "recommendations":
            opener = ""
            clause = f"{prefix or rng.choice(parts['prefixes']['recommendations'])} {clause}"
        elif kind in ("shortcomings", "lessons"):
            opener = rng.choice(parts["openers"]["plain" if first else "next"])
        else:
            subject = self.fill(rng.choice(parts["subjects"]["default"]), topic)
            clause = f"{subject} {clause}" if subject else clause
            opener = rng.choice(parts["openers"][("future" if kind == "future" else "first") if first else "next"])
            opener = self.fill(opener, topic)
        then = parts["then"].get(kind, [])
        if then and rng.random() < self.wordy:
            clause += ", " + self.fill(rng.choice(then), topic)
        text = _capital(opener + clause) + "."
        more = parts["more"].get(kind, [])
        if more and rng.random() < self.wordy * 0.6:
            text += " " + self.fill(rng.choice(more), topic)
        return text

    def paragraphs(self, kind: str, topics: list[str], count: int, *, prefix: str = "", joined: str = "\n") -> str:
        sentences = [self.sentence(kind, self.rng.choice(topics), first=i == 0, prefix=prefix) for i in range(count)]
        if self.bullets:
            return "\n".join("- " + s for s in sentences)
        return joined.join(sentences)

    # --- what the demo asks ------------------------------------------------------------------
    def item(self, key: str) -> str:
        """A unit's answer under one outline item, from the item's title and prompts."""
        item = _item(self.campaign, key)
        if item is None:
            return self.paragraphs("report", ["nhiệm vụ được giao"], self.rng.choice((1, 2)))
        topics, kind = item_topics(self.campaign, item)
        return self.paragraphs(kind, topics, self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), prefix=_recipient_prefix(item.title))

    def column_text(self, form: Form, col: Column, label: str = "") -> str:
        """A text cell: about the row's label (a fixed row), the column's header, or the
        outline item the column feeds; a remark in a notes column (mostly left empty)."""
        if any(word in col.header.lower() for word in generic_parts()["kinds"]["notes"]):
            return self.choice("") if col.required or self.rng.random() < 0.3 else ""
        items = [i for _, key in col.feeds if (i := _item(self.campaign, key)) is not None]
        kind = kind_of(col.header, col.group_header)
        if kind == "report":
            own = [topic_of(label)] if label else [topic_of(col.header)]
            topics = own + [t for i in items for t in item_topics(self.campaign, i)[0]]
            return self.paragraphs(kind, topics, self.rng.randint(1, 2), joined=" ")[: col.max_length]
        topics = [t for i in items for t in item_topics(self.campaign, i)[0]] or reporting_topics(self.campaign)
        prefixes = [p for i in items if (p := _recipient_prefix(i.title))] or [""]
        sentences = [self.sentence(kind, self.rng.choice(topics), first=n == 0, prefix=self.rng.choice(prefixes)) for n in range(self.rng.randint(1, 2))]
        text = "\n".join("- " + s for s in sentences) if self.bullets else " ".join(sentences)
        return text[: col.max_length]

    def points(self, key: str, low: int = 1, high: int = 3) -> str:
        item = _item(self.campaign, key)
        topics, kind = item_topics(self.campaign, item) if item else (reporting_topics(self.campaign), "report")
        return self.paragraphs(kind, topics, self.rng.randint(low, high), joined=" ")

    def recommendations(self) -> str:
        return self.paragraphs("recommendations", reporting_topics(self.campaign), self.rng.randint(1, 2), joined=" ")

    def documents(self) -> str:
        return self.points("", 1, 2)

    def choice(self, _column_list: str) -> str:
        """A short remark (a note beside a figure, a cell the roles fill from a list)."""
        return self.fill(self.rng.choice(generic_parts()["notes"]["figures"]), "")


def item_topics(campaign: Campaign, item: OutlineItem) -> tuple[list[str], str]:
    """What a unit writes about under an item and the item's kind (from its title, its
    section's title). An item that reports takes its title and prompts; an item of
    shortcomings, tasks ahead or recommendations (whose title names no content: "Với Trung
    ương", "PHƯƠNG HƯỚNG…") takes its prompts and what the reporting items are about."""
    section = next((s for s in campaign.outline if item in s.answerable), None)
    heading = section.title if section is not None and section.title != item.title else ""
    kind = kind_of(item.title, heading)
    if kind == "report":
        return [topic_of(item.title), *(topic_of(g) for g in item.guidance if len(g) > 10)], kind
    return reporting_topics(campaign), kind  # its prompts say what to assess, not about what


def reporting_topics(campaign: Campaign) -> list[str]:
    """The titles of the outline items that report what was done: what the campaign is about."""
    topics = [topic_of(i.title) for i in campaign.outline_items if _own_kind(campaign, i) == "report"]
    return topics or ["nhiệm vụ được giao"]


def _own_kind(campaign: Campaign, item: OutlineItem) -> str:
    section = next((s for s in campaign.outline if item in s.answerable), None)
    heading = section.title if section is not None and section.title != item.title else ""
    return kind_of(item.title, heading)


def period_years(campaign: Campaign) -> tuple[int, ...]:
    """The years the campaign reviews: its indicator years, or the two years before its deadline."""
    deadline = campaign.deadline.year
    return tuple(y for y in campaign.indicator_years if y <= deadline) or (deadline - 1, deadline)


# --- values by type, within the column's bounds -------------------------------------------------


def value_for(campaign: Campaign, col: Column, rng: random.Random) -> object:
    if col.type == "integer":
        least = int(col.min) if isinstance(col.min, (int, float)) else 0
        most = int(col.max) if isinstance(col.max, (int, float)) else least + 500
        return rng.randint(least, max(least, most))
    if col.type == "number":
        low = float(col.min) if isinstance(col.min, (int, float)) else 0.0
        high = float(col.max) if isinstance(col.max, (int, float)) else low + 1000
        return round(rng.uniform(low, max(low, high)), 1)
    if col.type == "percent":
        floor = max(0.0, float(col.min)) if isinstance(col.min, (int, float)) else 0.0
        ceiling = min(100.0, float(col.max)) if isinstance(col.max, (int, float)) else 100.0
        return round(rng.uniform(max(floor, min(50.0, ceiling)), ceiling), 1)
    if col.type == "choice":
        return rng.choice(col.choices)
    if col.type == "year":
        years = [y for y in period_years(campaign) if _within(y, col)] or [campaign.deadline.year]
        return rng.choice(years)
    # date: within the column's bounds, in the campaign's period, before its deadline
    last = campaign.deadline.date() - timedelta(days=30)
    if isinstance(col.max, date):
        last = min(last, col.max)
    first = date(min(period_years(campaign)), 1, 1)
    if isinstance(col.min, date):
        first = max(first, col.min)
    first = min(first, last)
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _within(year: int, col: Column) -> bool:
    low = col.min if isinstance(col.min, (int, float)) else None
    high = col.max if isinstance(col.max, (int, float)) else None
    return (low is None or year >= low) and (high is None or year <= high)


def consistent(form: Form, row: dict[str, object]) -> None:
    """Counts and rates that go together agree: a rate beside a count of zero is zero (the
    pairs of a "Số lượng và tỷ lệ" header share a column number or a group header)."""
    for rate in form.input_columns:
        if rate.type != "percent" or row.get(rate.key) is None:
            continue
        count = next(
            (
                c
                for c in form.input_columns
                if c.type == "integer"
                and c is not rate
                and ((c.number and c.number == rate.number) or (c.group_header and c.group_header == rate.group_header))
            ),
            None,
        )
        if count is not None and row.get(count.key) == 0:
            row[rate.key] = 0.0


def _item(campaign: Campaign, key: str) -> OutlineItem | None:
    return next((i for i in campaign.outline_items if i.key == key), None)


def _recipient_prefix(title: str) -> str:
    """'Với Trung ương' -> 'Đề nghị Trung ương': an item that names whom it addresses."""
    m = re.match(r"^\s*(?:đối với|với|kiến nghị với)\s+(.+?)\s*[.:]?\s*$", title, flags=re.IGNORECASE)
    return f"Đề nghị {m.group(1)}" if m else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text

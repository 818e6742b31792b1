"""Text a unit might write, for the demo's synthetic answers: narratives per outline item and
the text columns of the forms.

A campaign with its own phrase bank (``demo.toml`` in its folder, like the seed's) gets a
``Writer``: sentences built from the bank's parts (themes per outline item: openers,
subjects, main clauses, results, follow-ups; names and figures filled per unit), so 1,500
units write thousands of distinct sentences, many saying the same few things in their own
words — what the report's synthesis has to group. Any other campaign gets a
``GenericWriter`` (generic.py): campaign-neutral parts from ``data/generic.toml`` whose nouns
come from the campaign's own outline items and column headers. Everything is drawn from the
``rng`` passed in: the same seed gives the same text.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sonket_gsync.campaign.model import Unit
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN
from sonket_gsync.core.text import format_date, format_number

PHRASES_FILE = "demo.toml"  # a campaign's own phrase bank, in its folder
_SLOT = re.compile(r"\{(\w+)(?::([^}]*))?\}")


@dataclass(frozen=True)
class Theme:
    say: tuple[str, ...]
    then: tuple[str, ...] = ()
    more: tuple[str, ...] = ()
    weight: float = 1.0
    subject: bool = True
    groups: tuple[str, ...] = ()
    to: str = ""  # recommendations: "trung_uong" | "tinh_uy"
    tense: str = ""  # "future": tasks for the years ahead


@dataclass(frozen=True)
class Bank:
    items: dict[str, tuple[Theme, ...]]
    pools: dict[str, tuple[str, ...]]
    openers: dict[str, tuple[str, ...]]
    subjects: dict[str, tuple[str, ...]]
    columns: dict


def phrases_path(folder: Path) -> Path | None:
    """The campaign folder's phrase bank, None when it has none (the generic writer then)."""
    path = Path(folder) / PHRASES_FILE
    return path if path.is_file() else None


@lru_cache(maxsize=4)
def bank(path: Path | None = None) -> Bank:
    """The phrase bank in ``path``; by default the default campaign's (the seed's)."""
    if path is None:
        path = DEFAULT_CAMPAIGN / PHRASES_FILE
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    items = {
        key: tuple(
            Theme(
                say=tuple(t["say"]),
                then=tuple(t.get("then", ())),
                more=tuple(t.get("more", ())),
                weight=float(t.get("weight", 1)),
                subject=bool(t.get("subject", True)),
                groups=tuple(t.get("groups", ())),
                to=t.get("to", ""),
                tense=t.get("tense", ""),
            )
            for t in themes
        )
        for key, themes in raw["items"].items()
    }
    tuples = lambda table: {k: tuple(v) for k, v in table.items()}  # noqa: E731
    return Bank(items, tuples(raw["pools"]), tuples(raw["openers"]), tuples(raw["subjects"]), raw["columns"])


@dataclass
class Writer:
    """One unit's way of writing: its names and figures, and its habits (bullets or prose,
    terse or wordy), so its answers read as one unit's."""

    unit: Unit
    rng: random.Random
    phrases: Bank
    members: int | None = None  # party members who studied (Phụ lục 02 [4]), when known
    bullets: bool = False
    wordy: float = 0.5
    chosen: dict[str, str] = field(default_factory=dict)  # the unit's own model, club, partner…

    @classmethod
    def for_unit(cls, unit: Unit, rng: random.Random, members: int | None = None, *, phrases: Bank | None = None) -> Writer:
        """``phrases``: the campaign's bank (by default the default campaign's)."""
        return cls(unit, rng, phrases or bank(), members, bullets=rng.random() < 0.35, wordy=rng.uniform(0.2, 0.85))

    # --- filling slots --------------------------------------------------------------------
    def fill(self, template: str) -> str:
        return _SLOT.sub(lambda m: self._slot(m.group(1), m.group(2) or ""), template)

    def _slot(self, name: str, arg: str) -> str:
        rng = self.rng
        if name == "unit":
            return self.unit.name
        if name == "area":
            return area_of(self.unit)
        if name in ("n", "pct"):
            low, high = (float(x) for x in arg.split("-"))
            if name == "n":
                return format_number(rng.randint(int(low), int(high)))
            return format_number(round(rng.uniform(low, high), 1), 1)
        if name == "year":
            return str(rng.choice((2024, 2025)))
        if name == "date":
            year = int(arg or 2025)
            days = 110 if year == 2026 else 364  # 2026: before the campaign's deadline
            return format_date(date(year, 1, 1) + timedelta(days=rng.randint(0, days)))
        if name == "doc":
            return document_number(self.unit, arg or "KH", rng)
        if name == "members":
            return format_number(self.members if self.members else rng.randint(80, 2500))
        pool = self.phrases.pools.get(name)
        if pool:
            if name not in self.chosen or rng.random() < 0.2:  # mostly the unit's own one
                self.chosen[name] = rng.choice(pool)
            return self.chosen[name]
        return "{" + name + "}"

    # --- sentences ------------------------------------------------------------------------
    def sentence(self, theme: Theme, *, first: bool, prefix: str = "") -> str:
        b, rng = self.phrases, self.rng
        clause = self.fill(rng.choice(theme.say))
        if theme.to:
            clause = f"{prefix} {clause}" if prefix else clause
            opener = ""
        elif theme.subject:
            subject = self.fill(rng.choice(b.subjects.get(self.unit.group, b.subjects["default"])))
            clause = f"{subject} {clause}" if subject else clause
            opener = rng.choice(b.openers[("future" if theme.tense == "future" else "first") if first else "next"])
        else:
            opener = rng.choice(b.openers["plain" if first else "next"])
        if theme.then and rng.random() < self.wordy:
            clause += ", " + self.fill(rng.choice(theme.then))
        text = _capital(opener + clause) + "."
        if theme.more and rng.random() < self.wordy * 0.6:
            text += " " + self.fill(rng.choice(theme.more))
        return text

    def pick(self, key: str, k: int) -> list[Theme]:
        themes = self.phrases.items.get(key) or self.phrases.items["*"]
        eligible = [t for t in themes if not t.groups or self.unit.group in t.groups]
        return weighted_sample(self.rng, eligible, min(k, len(eligible)))

    def item(self, key: str) -> str:
        """A unit's answer under one outline item: one to four points, a paragraph each."""
        themes = self.pick(key, self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
        paragraphs = []
        for i, theme in enumerate(themes):
            prefix = self._address(theme) if theme.to else ""
            text = self.sentence(theme, first=i == 0, prefix=prefix)
            paragraphs.append(("- " if self.bullets else "") + text)
        return "\n".join(paragraphs)

    def _address(self, theme: Theme) -> str:
        """How a unit opens a recommendation: addressed ("Đề nghị Trung ương") or not."""
        columns = self.phrases.columns
        return self.rng.choice(tuple(columns["recipient_inline"][theme.to]) + tuple(columns["unaddressed"]))

    # --- table cells ----------------------------------------------------------------------
    def points(self, key: str, low: int = 1, high: int = 3) -> str:
        """Several points in one cell, as a unit types them: "- a\\n- b" or sentences."""
        sentences = [self.sentence(t, first=i == 0) for i, t in enumerate(self.pick(key, self.rng.randint(low, high)))]
        return "\n".join("- " + s for s in sentences) if self.bullets else " ".join(sentences)

    def recommendations(self) -> str:
        """Phụ lục 02 [8]: proposals to the Trung ương and to the province, under headings
        ("Với Trung ương: …"), addressed inline ("Đề nghị Trung ương …"), or not addressed."""
        rng, columns = self.rng, self.phrases.columns
        chosen = self.pick("V.1", rng.choice((0, 1, 1, 2))) + self.pick("V.2", rng.choice((1, 1, 2)))
        style = rng.choice(("headings", "headings", "inline", "plain"))
        if style == "headings":
            lines = []
            for to in ("trung_uong", "tinh_uy"):
                clauses = [self.fill(rng.choice(t.say)) for t in chosen if t.to == to]
                if clauses:
                    heading = rng.choice(columns["recipient_headings"][to])
                    lines.append(f"{heading}: " + "; ".join(clauses) + ".")
            return "\n".join(("- " if self.bullets else "") + line for line in lines)
        sentences = []
        for t in chosen:
            prefix = rng.choice(columns["recipient_inline"][t.to]) if style == "inline" else rng.choice(columns["unaddressed"])
            sentences.append(self.sentence(t, first=False, prefix=prefix))
        return "\n".join("- " + s for s in sentences) if self.bullets else " ".join(sentences)

    def documents(self) -> str:
        """Phụ lục 02 [3]: the documents the unit issued."""
        kinds = self.rng.sample(self.phrases.columns["document_kinds"], k=self.rng.choice((1, 1, 2, 2, 3)))
        parts = []
        for code, kind, subject in kinds:
            number = document_number(self.unit, code, self.rng)
            when = format_date(date(2024, 4, 1) + timedelta(days=self.rng.randint(0, 600)))
            parts.append(f"{kind} số {number} ngày {when} về {subject}")
        return ";\n".join(parts) + "."

    def choice(self, column_list: str) -> str:
        return self.fill(self.rng.choice(self.phrases.columns[column_list]))


# Phụ lục 01/1: a document's number as its issuer writes it, by the kind of document
_KINDS = (
    ("Chương trình hành động", "CTr"),
    ("Kế hoạch", "KH"),
    ("Hướng dẫn", "HD"),
    ("Quyết định", "QĐ"),
    ("Công văn", "CV"),
    ("Đề án", "ĐA"),
    ("Nghị quyết", "NQ"),
    ("Quy chế", "QC"),
)
_ISSUER_STYLE = {  # issuer choice -> (party style?, issuing body's abbreviation)
    "Tỉnh ủy": (True, "TU"),
    "Các Đảng ủy trực thuộc tỉnh": (True, "ĐU"),
    "Ủy ban MTTQ và các tổ chức chính trị - xã hội tỉnh": (True, "MTTQ-BTT"),
    "Hội đồng nhân dân tỉnh": (False, "HĐND"),
    "Ủy ban nhân dân tỉnh": (False, "UBND"),
}


def issued_number(summary: str, issuer: str, unit: Unit, rng: random.Random) -> str:
    """'57-KH/TU', '112/KH-UBND', '35/NQ-HĐND', '48/QĐ-SNV'… matching the document's kind."""
    kind = next((code for word, code in _KINDS if summary.startswith(word)), "KH")
    party, body = _ISSUER_STYLE.get(issuer, (False, _initials(unit.name)))
    number = rng.randint(5, 420)
    return f"{number}-{kind}/{body}" if party else f"{number}/{kind}-{body}"


def weighted_sample(rng: random.Random, themes: list[Theme], k: int) -> list[Theme]:
    """k themes without repetition, more popular (heavier) ones more likely; deterministic."""
    pool, out = list(themes), []
    for _ in range(k):
        total = sum(t.weight for t in pool)
        x, acc = rng.random() * total, 0.0
        for index, theme in enumerate(pool):
            acc += theme.weight
            if x < acc or index == len(pool) - 1:
                out.append(pool.pop(index))
                break
    return out


def area_of(unit: Unit) -> str:
    """'Đảng ủy xã Tân Phú' -> 'xã Tân Phú'; provincial agencies -> 'tỉnh'."""
    m = re.search(r"\b(xã|phường|thị trấn)\s+.+$", unit.name)
    return m.group(0) if m else "tỉnh"


def document_number(unit: Unit, kind: str, rng: random.Random) -> str:
    """A plausible document number: Party bodies '57-KH/ĐU', state agencies '57/KH-SNV'."""
    number = rng.randint(5, 420)
    if unit.name.startswith(("Đảng ủy", "Ban ", "Tỉnh Đoàn")) or unit.group == "DANG_UY":
        return f"{number}-{kind}/ĐU" if unit.name.startswith("Đảng ủy") else f"{number}-{kind}/{_initials(unit.name)}"
    return f"{number}/{kind}-{_initials(unit.name)}"


def _initials(name: str) -> str:
    """'Sở Nội vụ' -> 'SNV', 'Sở Văn hóa, Thể thao và Du lịch' -> 'SVHTTDL'."""
    words = [w for w in re.findall(r"\w+", name) if w not in ("và", "các", "tỉnh")]
    return "".join(w[0].upper() for w in words)[:7] or "ĐV"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text

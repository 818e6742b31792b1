"""Sentence building for the body in the province's voice (report-voice.md).

A body paragraph is a ``Paragraph``: its text and its ``trace`` (what it rests on: figures,
units, the statements a clause comes from), which the companion document prints. The words
here are generic administrative Vietnamese; everything campaign-specific comes from the
campaign's configuration (group names, outline titles) or from the units' own words.

Rules applied (documented in README, "Thân báo cáo"):
- how widely: cues.share_word on the share of units that wrote under the item ("hầu hết"
  ≥ 80 %, "đa số" ≥ 50 %, "nhiều" ≥ 25 %, "một số" below), with the count "(52/87)";
- who: a theme reported by units of one group is said of that group ("các đảng ủy trực
  thuộc tỉnh", from its name); of several groups, of GENERIC_SUBJECT;
- examples: "tiêu biểu như …", at most three units, by themes.EXAMPLE_RULE;
- figures: counts and sums from the data, never an average over units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sonket_gsync.analysis.cues import CLAUSE_VERBS, TASK_VERBS, TITLE_VERBS, share_word
from sonket_gsync.analysis.themes import Theme, lower_first
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import format_number

GENERIC_SUBJECT = "các cấp ủy, tổ chức đảng, cơ quan, đơn vị"
GENERIC_NOUN = "cơ quan, đơn vị"
MAX_TRACE_UNITS = 12  # unit names listed in one trace entry before "và n đơn vị khác"


@dataclass(frozen=True)
class Paragraph:
    text: str
    trace: dict[str, str] = field(default_factory=dict)
    table: bool = False  # the indicator table follows this paragraph


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str) -> str:
    """A full sentence: capitalised, one final stop, curly quotes."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(" ,;:")
    if not text:
        return ""
    text = curly(capitalise(text))
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def curly(text: str) -> str:
    """Straight quotes made curly (“…”, ‘…’); an apostrophe inside a word stays."""
    text = re.sub(r'"([^"]*)"', "“\\1”", text)
    return re.sub(r"(?<!\w)'([^']+)'(?!\w)", "“\\1”", text)


def no_doubled_words(text: str) -> str:
    """ "ứng dụng ứng dụng" → "ứng dụng": a word or a pair of words repeated at once."""
    text = re.sub(r"\b(\w+ \w+) \1\b", r"\1", text, flags=re.IGNORECASE)
    return re.sub(r"\b(\w+) \1\b", r"\1", text, flags=re.IGNORECASE)


# --- who --------------------------------------------------------------------------------------


def group_noun(name: str) -> str:
    """A group's name as a plural noun: "Các đảng ủy trực thuộc tỉnh" → "đảng ủy trực thuộc tỉnh"."""
    name = re.sub(r"^\s*(?:các|những)\s+", "", name.strip(), flags=re.IGNORECASE)
    return lower_first(name)


class Voice:
    """The campaign's words for who did what: unit → group, group → noun."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self._group_of = {u.code: u.group for u in campaign.units}
        self._names = {g.code: g.name for g in campaign.groups}
        self._plural = {g.code: bool(re.match(r"^\s*(?:các|những)\s", g.name, re.IGNORECASE)) for g in campaign.groups}

    def groups_of(self, codes: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(self._group_of.get(c, "") for c in codes if self._group_of.get(c)))

    def noun(self, codes: Iterable[str]) -> str:
        """Who the units are, as a noun after a share word ("đa số <noun>")."""
        groups = self.groups_of(codes)
        if len(groups) == 1 and self._plural.get(groups[0]):
            return group_noun(self._names[groups[0]])
        return GENERIC_NOUN

    def subject(self, codes: Iterable[str]) -> str:
        """The collective subject of a sentence ("Các đảng ủy trực thuộc tỉnh", or generic)."""
        groups = self.groups_of(codes)
        if len(groups) == 1 and self._plural.get(groups[0]):
            return capitalise(self._names[groups[0]].strip())
        return capitalise(GENERIC_SUBJECT)


# --- what ---------------------------------------------------------------------------------------


def title_phrase(title: str) -> str:
    """An outline title as what was done ("Việc nghiên cứu, quán triệt …" → "nghiên cứu,
    quán triệt …"; "Kết quả công tác tuyên truyền …" → "thực hiện công tác tuyên truyền …");
    "" when the title does not read as an action (a list of documents, an assessment)."""
    text = re.sub(r"\s*\([^)]*\)", "", title).strip().rstrip(".;:")
    text = re.sub(r"^(?:việc|kết quả|đánh giá)\s+", "", text, flags=re.IGNORECASE)
    low = text.lower()
    if low.startswith("công tác "):
        return "thực hiện " + lower_first(text)
    if any(low.startswith(v + " ") or low.startswith(v + ",") for v in TITLE_VERBS):
        return lower_first(text)
    return ""


def task_phrase(clause: str) -> str:
    """A clause as the province's task: an imperative that opens with a task verb
    ("Tiếp tục …", "Đẩy mạnh …"); "Tiếp tục " is added when none opens it."""
    clause = re.sub(r"^(?:sẽ|cần|phải|tiếp tục sẽ)\s+", "", clause.strip(), flags=re.IGNORECASE)
    low = clause.lower()
    if any(low.startswith(v + " ") for v in TASK_VERBS):
        return capitalise(clause)
    return "Tiếp tục " + lower_first(clause)


_ASK = re.compile(
    r"^(?:(?:kiến\s+nghị|đề\s+nghị|đề\s+xuất)(?:\s*,\s*(?:kiến\s+nghị|đề\s+nghị|đề\s+xuất))?\s+)"
    r"(?:(?:đối\s+)?với\s+)?(?:ban\s+chấp\s+hành\s+trung\s+ương|trung\s+ương(?:\s+đảng)?|tw|chính\s+phủ|quốc\s+hội|"
    r"ban\s+thường\s+vụ\s+tỉnh\s+ủy|thường\s+trực\s+tỉnh\s+ủy|tỉnh\s+ủy|ủy\s+ban\s+nhân\s+dân\s+tỉnh|ubnd\s+tỉnh|tỉnh)?\s*",
    re.IGNORECASE,
)


def ask_phrase(clause: str) -> str:
    """A recommendation without its "Đề nghị Trung ương …" opener (the heading says whom)."""
    rest = _ASK.sub("", clause.strip(), count=1)
    return capitalise(rest or clause)


def predicate(clause: str) -> str:
    """The clause after a subject: as is when it opens with a verb (cues.CLAUSE_VERBS), else
    introduced with "nêu" (it has its own subject: "nêu các văn bản ban hành bảo đảm …")."""
    low = clause.lower()
    if any(low.startswith(v + " ") or low.startswith(v + ",") for v in CLAUSE_VERBS):
        return clause
    return "nêu " + clause


# --- how widely ---------------------------------------------------------------------------------


def share(theme: Theme, total: int, voice: Voice) -> str:
    """ "đa số cơ quan, đơn vị (52/87)"."""
    codes = [c for c, _ in theme.units]
    return f"{share_word(theme.unit_count, total)} {voice.noun(codes)} ({theme.unit_count}/{total})"


def figure_text(theme: Theme) -> str:
    f = theme.figure
    if not f:
        return ""
    return f" (tổng cộng {format_number(f.value)} {f.noun}, theo báo cáo của {len(f.by_unit)} đơn vị)"


def examples_text(theme: Theme) -> str:
    if theme.unit_count < 2 or not theme.examples:
        return ""
    return ", tiêu biểu như: " + ", ".join(name for _, name in theme.examples)


# --- the trace ------------------------------------------------------------------------------------


def names_text(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:MAX_TRACE_UNITS])
    return shown + (f" và {len(names) - MAX_TRACE_UNITS} đơn vị khác" if len(names) > MAX_TRACE_UNITS else "")


def theme_trace(theme: Theme, total: int) -> str:
    """One theme's trace: who said it, the statement the clause comes from, the figure."""
    parts = [f"{theme.unit_count}/{total} đơn vị ({names_text([n for _, n in theme.units])})"]
    parts.append(f"câu gốc: “{theme.source.text.strip()}” ({theme.source.unit_name})")
    if theme.figure:
        by = ", ".join(f"{code}: {format_number(v)}" for code, v in theme.figure.by_unit[:MAX_TRACE_UNITS])
        parts.append(f"số liệu cộng: {format_number(theme.figure.value)} {theme.figure.noun} ({by})")
    if theme.examples and theme.unit_count >= 2:
        parts.append("tiêu biểu: " + ", ".join(n for _, n in theme.examples))
    return "; ".join(parts)


def traces(themes: Sequence[Theme], total: int) -> dict[str, str]:
    return {f"Nội dung {n}": theme_trace(t, total) for n, t in enumerate(themes, start=1)}

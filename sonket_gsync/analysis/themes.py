"""Themes: what the units said under one outline item, said once in the province's words.

``build_themes(statements)`` drops boilerplate (references to attachments, notes on the
figures: cues.BOILERPLATE) and a unit's repeats of itself, groups the rest by what they say
(synthesis.group_statements: achievements and limitations never share a group) and, per
group, gives a ``Theme``:

- ``clause``: the group's most central statement that reads as the province's clause once the
  unit-specific parts are removed (``province_clause``: leading link words and subjects
  "Đảng ủy…", "Cấp ủy…", "Đơn vị…", the unit's own name, "của đơn vị", document numbers
  the campaign does not name, figures). Candidates are ranked by: a usable clause at all, no
  proper names the campaign does not use, no figures, then centrality (mean similarity to the
  group's other members, in the item's vectors: synthesis.StatementGroup.centrality); clauses
  are made lazily, most central first (a large group: an even sample of _CANDIDATES);
- ``figure``: a counted figure the members share ("kết nạp 24 đảng viên" … "47 đảng viên"),
  summed over units (each unit once, its largest), when at least half the group's units
  state it with the same counting noun (COUNT_NOUNS);
- ``examples``: at most three units for "tiêu biểu như" — EXAMPLE_RULE: the largest figure
  of the theme's counting noun, else the most detailed statement (most words), then unit
  order;
- ``cause``: "khach_quan" / "chu_quan" / "" by the cue words (cues.cause_kind) of the source
  statement (what is printed is filed under its own kind), else the majority over the
  candidates (every member, or the even sample of a large group); and the cause clause
  ("… do X", "X nên …") of the source statement.

Everything is deterministic and every theme keeps its members (the trace).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sonket_gsync.analysis.cues import OWN_REFERENCE, SUBJECTS, cause_kind, is_boilerplate, is_negative
from sonket_gsync.analysis.synthesis import _DOC_REF, _LEAD, Statement, group_statements, mean_similarity, normalise

EXAMPLE_RULE = "đơn vị có số liệu lớn nhất của nội dung, nếu không có số liệu thì đơn vị nêu cụ thể nhất (nhiều chi tiết nhất)"
MAX_EXAMPLES = 3
MAX_CLAUSE = 230  # characters of a clause
_CANDIDATES = 400  # members ranked for the clause (an even sample above)

# Counting nouns a figure may carry (generic administrative Vietnamese), longest first.
COUNT_NOUNS = tuple(
    sorted(
        (
            "đảng viên",
            "đảng viên mới",
            "quần chúng",
            "người",
            "cán bộ",
            "học viên",
            "hội viên",
            "thành viên",
            "đại biểu",
            "lượt",
            "lớp",
            "buổi",
            "cuộc",
            "đề tài",
            "sáng kiến",
            "tin, bài",
            "tin",
            "bài",
            "văn bản",
            "kế hoạch",
            "tập thể",
            "cá nhân",
            "hoạt động",
            "ý kiến",
            "mô hình",
            "câu lạc bộ",
            "điểm cầu",
            "tỷ đồng",
            "triệu đồng",
            "cuốn",
            "phóng sự",
            "thỏa thuận",
            "hội",
            "chương trình",
            "đề án",
            "dự án",
        ),
        key=len,
        reverse=True,
    )
)
_NUMBER = r"(?<![\d/.,\w-])(\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![\d/%\w-])"
_COUNTED = re.compile(_NUMBER + r"\s+(?:" + "|".join(re.escape(n) for n in COUNT_NOUNS) + r")\b", re.IGNORECASE)
_SUBJECT = re.compile(r"^(?:(?:" + "|".join(SUBJECTS) + r")(?:\s*,\s*|\s+và\s+|\s+))+", re.IGNORECASE)
_OWN = re.compile(OWN_REFERENCE, re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ỸĐ\"“(])")
_DIGIT = re.compile(r"\d")
# "Quyết định số 96/QĐ-SNNMT ngày 02/05/2025": a unit's document, said as "quyết định"
_TYPED_REF = re.compile(
    r"\b((?:Kế hoạch|Quyết định|Chương trình hành động|Chương trình|Hướng dẫn|Công văn|Nghị quyết|Chỉ thị|Kết luận|Thông báo|Báo cáo|Đề án|Quy chế|Quy định))"
    r"\s+(?:số\s+)?\d+[-–/]?\w*(?:/[\w-]+)+(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{2,4})?"
)
# what figure removal may leave behind: "tăng từ người lên người", "đến", "đạt tỷ lệ"
_DANGLING = re.compile(
    r"\b(?:từ|lên|đạt|với|cho|là|gồm)\s+(?:người|lượt|tỷ\s+lệ)\b|\b(?:từ|lên|đến|đạt|với|cho|là|của|gồm|tỷ\s+lệ)$|^(?:người|lượt)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"'“‘]([^\"'”’]{3,60})[\"'”’]")
_CAUSE = re.compile(r"\b(?:do|vì|bởi|bởi vì|nguyên nhân là)\s+(.+)$|^(.+?)\s+nên\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    value: float  # the sum over units
    noun: str  # the counting noun ("đảng viên")
    by_unit: tuple[tuple[str, float], ...]  # (unit code, value) behind the sum


@dataclass(frozen=True)
class Theme:
    negative: bool
    clause: str  # the province's clause: lower-case start, no final stop
    source: Statement  # the statement the clause comes from
    members: tuple[Statement, ...]
    units: tuple[tuple[str, str], ...]  # distinct (code, name), in input order
    examples: tuple[tuple[str, str], ...] = ()
    figure: Figure | None = None
    cause: str = ""  # "khach_quan" | "chu_quan" | ""
    cause_clause: str = ""

    @property
    def unit_count(self) -> int:
        return len(self.units)


@dataclass
class ThemeSet:
    themes: list[Theme] = field(default_factory=list)
    dropped: list[Statement] = field(default_factory=list)  # boilerplate and a unit's repeats
    units: tuple[tuple[str, str], ...] = ()  # every unit that wrote under the item

    @property
    def unit_count(self) -> int:
        return len(self.units)

    def positive(self) -> list[Theme]:
        return [t for t in self.themes if not t.negative]

    def negative(self) -> list[Theme]:
        return [t for t in self.themes if t.negative]


# --- the province's clause ---------------------------------------------------------------------


def _strip_leads(text: str) -> str:
    for _ in range(3):
        rest = _LEAD.sub("", text, count=1)
        if rest == text:
            break
        text = rest
    return text


_PERCENT = r"(?:hơn|trên|gần|khoảng|tới|đến|đạt|lên)?\s*\d+(?:[.,]\d+)*\s*%"
# Figures and dates a unit's clause loses, in this order (each needs a digit).
_FIGURE_CUTS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s+(?:ngày|vào\s+tháng|tháng)\s+\d{1,2}/\d{1,2}(?:/\d{2,4})?", ""),
        (r"\s+(?:năm|vào năm)\s+\d{4}", ""),
        (r"\s*\([^)]*\d[^)]*\)", ""),
        (r",?\s+với\s+(?:sự\s+tham\s+gia\s+của\s+)?(?:hơn|trên|gần|khoảng)?\s*\d[\d.,]*\s+[^,;%]*(?=,|$)", ""),
        (r"\s+\d[\d.,]*\s+người(?=\s*(?:,|$))", ""),
        (r",?\s+(?:đạt|chiếm|với|bằng)(?:\s+tỷ\s+lệ)?\s+" + _PERCENT + r"(?=\s*(?:,|$))", ""),
        (r"\s+(?:đến|cho|tới)\s+\d+(?:[.,]\d+)*\s*%\s+", " đến "),
        (r"\s*" + _PERCENT, ""),
        (r",?\s+(?:với|cho|gồm)\s+(?:hơn|trên|gần|khoảng)?\s*\d[\d.,]*\s+(?:lượt|người)\b", ""),
        (r"(?:(?<=\s)|^)(?:hơn|trên|gần|khoảng|tổng\s+số)?\s*\d{1,3}(?:\.\d{3})*(?:,\d+)?\s+(?!năm\b)(?=[^\W\d_])", " "),
    )
)
_EMPTY_LINK = re.compile(r"\s+(?:với|có)\s+(?=,|$)")
_SPACES = re.compile(r"\s{2,}")
_SPACE_COMMA = re.compile(r"\s+,")
_DURATION = re.compile(r"\b\d{1,2}\s+năm\b")


@lru_cache(maxsize=8192)
def _own_name(unit_name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns that take a unit's own name out of its clause (compiled once per unit)."""
    name = re.escape(unit_name)
    return re.compile(r"\s*(?:của|tại)\s+" + name, re.IGNORECASE), re.compile(name, re.IGNORECASE)


def province_clause(text: str, unit_name: str = "", known_refs: Iterable[str] = (), *, keep_figures: bool = False) -> str:
    """A unit's statement as a clause of the province's sentence: first sentence, no link
    word, no leading subject or own name, no unit figures or document numbers (the
    campaign's own, ``known_refs``, are kept; ``keep_figures`` keeps the figures, for a unit
    speaking of its own indicator); "" when nothing readable is left."""
    text = unicodedata.normalize("NFC", text or "").strip()
    text = _SENTENCE.split(text, maxsplit=1)[0].strip().rstrip(".;:!")
    text = _strip_leads(text)
    if unit_name and unit_name.casefold() in text.casefold():
        with_link, alone = _own_name(unit_name)
        text = with_link.sub("", text)
        text = alone.sub("", text).strip(" ,")
    elif unit_name:
        text = text.strip(" ,")
    text = _SUBJECT.sub("", text, count=1).strip(" ,")
    text = _OWN.sub("", text)
    known = [r for r in known_refs if r]
    if _DIGIT.search(text):
        text = _TYPED_REF.sub(lambda m: m.group() if any(k in m.group() for k in known) else m.group(1).lower(), text)
        text = _DOC_REF.sub(lambda m: m.group() if any(k in m.group() for k in known) else "", text)
    if keep_figures:
        text = _SPACES.sub(" ", text).strip(" ,;")
        return lower_first(text) if len(text.split()) >= 3 else ""
    if _DIGIT.search(text):
        for pattern, replacement in _FIGURE_CUTS:
            text = pattern.sub(replacement, text)
    text = _EMPTY_LINK.sub("", text)
    text = _SPACES.sub(" ", text).strip(" ,;")
    text = _SPACE_COMMA.sub(",", text)
    if _DANGLING.search(text):
        return ""
    if _has_figure(text, known) or len(text.split()) < 3:
        return ""
    if len(text) > MAX_CLAUSE:
        cut = text[:MAX_CLAUSE].rsplit(",", 1)[0]
        text = cut if len(cut.split()) >= 3 else text[:MAX_CLAUSE].rsplit(" ", 1)[0]
    return lower_first(text.strip(" ,;"))


def _has_figure(text: str, known: Sequence[str]) -> bool:
    """Digits other than the campaign's document numbers and a duration ("03 năm")."""
    if not _DIGIT.search(text):
        return False
    for ref in known:
        text = text.replace(ref, "")
    text = _DURATION.sub("", text)
    return bool(_DIGIT.search(text))


def lower_first(text: str) -> str:
    """The first letter in lower case, unless the text opens with a name (two capitalised
    words: "Trường Chính trị", "Nghị quyết số …")."""
    words = text.split()
    if len(words) >= 2 and words[0][:1].isupper() and words[1][:1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _proper_names(clause: str, vocabulary: frozenset[str]) -> int:
    """Capitalised words after the first that the campaign's own texts do not use."""
    words = re.findall(r"\w+", clause)[1:]
    return sum(1 for w in words if w[:1].isupper() and w not in vocabulary)


# --- figures -------------------------------------------------------------------------------------


def counted_figures(text: str) -> list[tuple[float, str]]:
    """(value, counting noun) for each figure with a counting noun ("24 quần chúng")."""
    if not text or not _DIGIT.search(text):
        return []
    text = _DOC_REF.sub(" ", unicodedata.normalize("NFC", text or ""))
    out = []
    for m in _COUNTED.finditer(text):
        noun = m.group(0)[m.end(1) - m.start(0) :].strip()
        noun = re.sub(r"^,\d+\s+", "", noun).lower()
        out.append((float(m.group(1).replace(".", "")), noun))
    return out


def _figure(members: Sequence[Statement], unit_count: int) -> Figure | None:
    per_unit: dict[str, dict[str, float]] = {}
    for s in members:
        for value, noun in counted_figures(s.text)[:1]:  # the statement's first counted figure
            mine = per_unit.setdefault(noun, {})
            mine[s.unit_code] = max(mine.get(s.unit_code, 0.0), value)
    if not per_unit:
        return None
    noun, values = max(per_unit.items(), key=lambda kv: (len(kv[1]), kv[0]))
    if len(values) < 2 or len(values) * 2 < unit_count:
        return None
    return Figure(value=float(sum(values.values())), noun=noun, by_unit=tuple(values.items()))


def _examples(members: Sequence[Statement], units: Sequence[tuple[str, str]], figure: Figure | None) -> tuple[tuple[str, str], ...]:
    """EXAMPLE_RULE: largest figure of the theme's noun, else most words; unit order on ties."""
    order = {code: n for n, (code, _) in enumerate(units)}
    names = dict(units)
    if figure:
        ranked = sorted(figure.by_unit, key=lambda kv: (-kv[1], order[kv[0]]))
        return tuple((code, names[code]) for code, _ in ranked[:MAX_EXAMPLES])
    detail: dict[str, int] = {}
    for s in members:
        detail[s.unit_code] = max(detail.get(s.unit_code, 0), len(s.text.split()))
    ranked_codes = sorted(detail, key=lambda c: (-detail[c], order[c]))
    return tuple((code, names[code]) for code in ranked_codes[:MAX_EXAMPLES])


def cause_of(text: str) -> str:
    """The cause part of a limitation ("… do X" → X; "X nên …" → X), "" when none."""
    first = _SENTENCE.split(unicodedata.normalize("NFC", text or ""), maxsplit=1)[0].rstrip(".;")
    m = _CAUSE.search(_strip_leads(first))
    if not m:
        return ""
    cause = (m.group(1) or m.group(2) or "").strip(" ,")
    cause = re.split(r",\s+(?:nhất là|trong khi|ảnh hưởng)", cause)[0]
    return lower_first(cause) if len(cause.split()) >= 2 else ""


def quoted_names(text: str) -> list[str]:
    """Names in quotes ('Ba cùng với trí thức', “Dân vận khéo”): models, movements, clubs."""
    return [m.strip() for m in _QUOTED.findall(unicodedata.normalize("NFC", text or "")) if len(m.split()) >= 2]


# --- building ------------------------------------------------------------------------------------


def build_themes(
    statements: Sequence[Statement],
    *,
    known_refs: Iterable[str] = (),
    vocabulary: Iterable[str] = (),
    threshold: float | None = None,
    causes: bool = True,
) -> ThemeSet:
    """The themes of one outline item's statements, most units first (then input order).
    Without ``causes`` a theme's cause is read only when it is a limitation (what the body
    reads of a results item); with it, for every theme (an item of limitations)."""
    known = tuple(known_refs)
    words = frozenset(vocabulary)
    units = tuple(dict.fromkeys((s.unit_code, s.unit_name) for s in statements))
    kept: list[Statement] = []
    dropped: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    normalised: dict[tuple[str, str], str] = {}  # (text, unit name) -> compared text, made once
    for s in statements:
        text = normalised.get((s.text, s.unit_name))
        if text is None:
            text = normalised.setdefault((s.text, s.unit_name), normalise(s.text, s.unit_name))
        key = (s.unit_code, text)
        if is_boilerplate(s.text) or key in seen or not key[1]:
            dropped.append(s)
            continue
        seen.add(key)
        kept.append(s)
    themes = []
    for group in group_statements(kept, threshold=threshold, normalised=normalised, representatives=False):
        theme = _theme(group.members, known, words, np.asarray(group.centrality), causes=causes)
        if theme:
            themes.append(theme)
    themes.sort(key=lambda t: -t.unit_count)  # stable: groups came most units first
    return ThemeSet(themes=themes, dropped=dropped, units=units)


def _source(pool: Sequence[Statement], centrality: np.ndarray, known: tuple[str, ...], vocabulary: frozenset[str]) -> tuple[str, Statement] | None:
    """(clause, statement) of the best candidate: ranked by a usable clause, no proper names
    the campaign does not use, no figures, then centrality (then input order). Clauses are
    made lazily, most central first: the first usable one without names or figures wins."""
    order = sorted(range(len(pool)), key=lambda n: (-round(float(centrality[n]), 6), n))
    figures = [bool(_DIGIT.search(s.text)) and _has_figure(_DOC_REF.sub("", s.text), known) for s in pool]
    named: dict[bool, tuple[str, Statement]] = {}  # the best candidate with proper names, by figures
    for with_figures in (False, True):
        for n in order:
            if figures[n] != with_figures:
                continue
            clause = province_clause(pool[n].text, pool[n].unit_name, known)
            if not clause:
                continue
            if _proper_names(clause, vocabulary) == 0:
                return clause, pool[n]
            named.setdefault(with_figures, (clause, pool[n]))
    return named.get(False) or named.get(True)


def _theme(
    members: Sequence[Statement], known: tuple[str, ...], vocabulary: frozenset[str], centrality: np.ndarray | None = None, *, causes: bool = True
) -> Theme | None:
    units = tuple(dict.fromkeys((s.unit_code, s.unit_name) for s in members))
    step = 1 if len(members) <= _CANDIDATES else max(1, len(members) // _CANDIDATES)
    pool = list(members)[::step]
    if centrality is None or len(centrality) != len(members):  # not from group_statements: within the group
        centrality = mean_similarity([normalise(s.text, s.unit_name) for s in members])
    chosen = _source(pool, np.asarray(centrality)[::step], known, vocabulary)
    if chosen is None:
        return None
    clause, source = chosen
    negative = is_negative(source.text)
    figure = None if negative else _figure(members, len(units))
    if figure and figure.noun not in source.text.lower():  # the figure must be the clause's
        figure = None
    cause = ""
    if causes or negative:  # the printed statement's own kind, else the candidates' majority
        cause = cause_kind(source.text)
        if not cause:
            kinds = Counter(cause_kind(s.text) for s in pool)
            kinds.pop("", None)
            cause = max(kinds, key=lambda k: (kinds[k], k == "khach_quan")) if kinds else ""
    return Theme(
        negative=negative,
        clause=clause,
        source=source,
        members=tuple(members),
        units=units,
        examples=_examples(members, units, figure),
        figure=figure,
        cause=cause,
        cause_clause=cause_of(source.text) if negative else "",
    )

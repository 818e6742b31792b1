"""Synthesis of the units' statements: what many units say, said once.

``group_statements`` groups statements that say the same thing (near-duplicates and close
paraphrases, whatever the unit's name or figures), so the province's report can write
"N đơn vị nêu …" with one to three representative excerpts instead of N excerpts.

How it measures likeness (scikit-learn, all deterministic):

- each statement is NFC-normalised and lower-cased; accents are kept, so "Đảng" and "dang"
  are different words; the unit's own name is removed (near-duplicates from different units
  mostly differ by the name) and every figure becomes the same token (120 đảng viên ≈ 85 đảng
  viên);
- two TF-IDF views, L2-normalised and averaged: syllable unigrams + bigrams (most Vietnamese
  words are two syllables, so syllable bigrams stand in for word segmentation at no cost) and
  character 2–5-grams inside words (typing variants, "hóa"/"hoá" after NFC, plural forms);
- cosine similarity; statements are joined by average-linkage agglomerative clustering cut at
  ``threshold`` (the mean similarity between two groups must reach it). Average linkage never
  joins two groups with no pair at least ``threshold`` alike, so it runs inside the connected
  components of the thresholded similarity graph: small components, fast.

``threshold`` defaults to ``DEFAULT_THRESHOLD``, chosen on the hand-labelled sample
(tests/data/synthesis-labelled.json; bench/run_synthesis.py reports the quality).

``split_recipients`` splits a recommendation into what the unit addressed to the Trung ương,
to the Tỉnh ủy (the province) and the rest; ``split_statements`` splits a unit's text into
its statements (paragraphs, bullets, sentences).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import hstack
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

DEFAULT_THRESHOLD = 0.45
MAX_REPRESENTATIVES = 3
# Above this size a component is cut greedily (leader clustering) instead of by average
# linkage, whose memory grows with the square of the size.
_LINKAGE_LIMIT = 3000


@dataclass(frozen=True)
class Statement:
    unit_code: str
    unit_name: str
    text: str


@dataclass(frozen=True)
class StatementGroup:
    representatives: list[Statement]  # 1–3 excerpts, the most typical first
    members: list[Statement]  # every statement in the group, in input order
    unit_names: list[str] = field(default_factory=list)  # distinct units, in input order

    @property
    def unit_count(self) -> int:
        return len(self.unit_names)


# --- normalisation ---------------------------------------------------------------------------

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
# Function words that carry no content on their own (bigrams keep the phrases they form).
STOPWORDS = frozenset(
    "và các của đã được trong cho với những là có để này theo từ về đến tại thì một còn cũng "
    "như nhằm đó ra bị do vào nên mà hoặc lại rất đều luôn việc".split()
)


def normalise(text: str, unit_name: str = "") -> str:
    """The text that is compared: NFC, lower case (accents kept), without the unit's own
    name, figures as one token, words only."""
    text = unicodedata.normalize("NFC", text).lower()
    if unit_name:
        name = unicodedata.normalize("NFC", unit_name).lower().strip()
        if name:
            text = text.replace(name, " ")
    text = _FIGURE.sub(" 0 ", text)
    return " ".join(_TOKEN.findall(text))


def _syllables(text: str) -> list[str]:
    words = [w for w in text.split() if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


# --- grouping --------------------------------------------------------------------------------

def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarities between normalised texts (dense, n × n)."""
    if not texts:
        return np.zeros((0, 0))
    vectors = _vectors(texts)
    return (vectors @ vectors.T).toarray()


def _vectors(texts: Sequence[str]):
    """Rows of unit length: the average of the syllable and the character TF-IDF views."""
    docs = [t if t.strip() else "_" for t in texts]
    words = TfidfVectorizer(analyzer=_syllables, sublinear_tf=True, dtype=np.float32).fit_transform(docs)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit_transform(docs)
    return normalize(hstack([words, chars]).tocsr())


def group_statements(items: Sequence[Statement], *, threshold: float | None = None) -> list[StatementGroup]:
    """Statements grouped by what they say, the groups most units share first.

    ``threshold`` is the cosine similarity (0–1) two groups must reach on average to be
    joined; higher means stricter (fewer merges). Empty texts are left out. The same input
    always gives the same output."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    items = [s for s in items if s.text and s.text.strip()]
    if not items:
        return []
    texts = [normalise(s.text, s.unit_name) for s in items]
    vectors = _vectors(texts)
    labels = _cluster(vectors, limit)
    by_label: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):  # labels are numbered in order of first appearance
        by_label.setdefault(lab, []).append(i)
    groups = [_group(items, vectors, by_label[lab]) for lab in sorted(by_label)]
    order = {id(g): n for n, g in enumerate(groups)}
    groups.sort(key=lambda g: (-g.unit_count, -len(g.members), order[id(g)]))
    return groups


def cluster_labels(texts: Sequence[str], threshold: float | None = None) -> list[int]:
    """Group labels (0, 1, … in order of first appearance) for already-normalised texts."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not texts:
        return []
    return _cluster(_vectors(texts), limit)


def _cluster(vectors, limit: float) -> list[int]:
    n = vectors.shape[0]
    dense = n <= _LINKAGE_LIMIT
    sims = (vectors @ vectors.T).tocsr()
    full = sims.toarray() if dense else None
    sims.data[sims.data < limit] = 0
    sims.eliminate_zeros()
    _, component = connected_components(sims, directed=False)
    members: dict[int, list[int]] = {}
    for i, c in enumerate(component.tolist()):
        members.setdefault(c, []).append(i)
    labels = [-1] * n
    next_label = 0
    for index in sorted(members.values(), key=lambda m: m[0]):
        if len(index) == 1:
            sub = [0]
        elif len(index) > _LINKAGE_LIMIT:
            sub = _leader(vectors[index], limit)
        else:
            block = full[np.ix_(index, index)] if full is not None else (vectors[index] @ vectors[index].T).toarray()
            distance = np.clip(1.0 - block.astype(np.float64), 0.0, 2.0)
            tree = linkage(distance[np.triu_indices(len(index), k=1)], method="average")
            sub = fcluster(tree, t=1.0 - limit + 1e-9, criterion="distance").tolist()
        seen: dict[int, int] = {}  # renumbered in order of first appearance
        for i, s in zip(index, sub):
            if s not in seen:
                seen[s] = next_label
                next_label += 1
            labels[i] = seen[s]
    first: dict[int, int] = {}
    for lab in labels:
        first.setdefault(lab, len(first))
    return [first[lab] for lab in labels]


def _leader(vectors, limit: float) -> list[int]:
    """Greedy clustering for a very large component: each statement joins the first leader
    it is at least ``limit`` alike to, or leads a new group."""
    leaders: list[int] = []
    out = []
    for i in range(vectors.shape[0]):
        if leaders:
            sims = (vectors[leaders] @ vectors[i].T).toarray().ravel()
            best = int(np.argmax(sims))
            if sims[best] >= limit:
                out.append(best)
                continue
        leaders.append(i)
        out.append(len(leaders) - 1)
    return out


def _group(items: Sequence[Statement], vectors, index: list[int]) -> StatementGroup:
    members = [items[i] for i in index]
    names: list[str] = []
    for s in members:
        if s.unit_name not in names:
            names.append(s.unit_name)
    return StatementGroup(representatives=_representatives(items, vectors, index), members=members, unit_names=names)


def _representatives(items: Sequence[Statement], vectors, index: list[int]) -> list[Statement]:
    """The most typical statement (nearest the group's centre) first, then up to two more
    that add something (not near-copies of one already chosen), from other units."""
    if len(index) == 1:
        return [items[index[0]]]
    block = vectors[index]
    centre = np.asarray(block.mean(axis=0)).ravel()
    score = block @ centre
    ranked = sorted(range(len(index)), key=lambda k: (-round(float(score[k]), 6), k))
    chosen: list[int] = []
    for k in ranked:
        if len(chosen) == MAX_REPRESENTATIVES:
            break
        s = items[index[k]]
        if any(items[index[c]].unit_code == s.unit_code for c in chosen):
            continue
        if chosen:
            near = (block[chosen] @ block[k].T).toarray().ravel()
            if float(near.max()) > 0.9:
                continue
        chosen.append(k)
    return [items[index[k]] for k in chosen]


# --- splitting a unit's text -----------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-–—•+*]|\d{1,2}[.)]|[a-zđ][.)])\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ỸĐ\"“(])")


def split_statements(text: str) -> list[str]:
    """A unit's text as separate statements: one per line or bullet, long lines cut at
    sentence ends. Bullets and numbering are dropped; empty parts are left out."""
    text = unicodedata.normalize("NFC", text or "")
    out = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for part in _SENTENCE_END.split(line):
            part = part.strip(" ;")
            if part:
                out.append(part)
    return out


# "Với Trung ương:", "Kiến nghị với Tỉnh ủy:", "Đối với tỉnh:", "- Đề xuất với TW:" …
_RECIPIENTS = (
    ("trung_uong", r"trung\s+ương|tw|ban\s+chấp\s+hành\s+trung\s+ương|bch\s+tw"),
    ("tinh_uy", r"ban\s+thường\s+vụ\s+tỉnh\s+ủy|thường\s+trực\s+tỉnh\s+ủy|tỉnh\s+ủy|tỉnh|ubnd\s+tỉnh|ủy\s+ban\s+nhân\s+dân\s+tỉnh"),
)
_VERB = r"(?:kiến\s+nghị|đề\s+xuất|đề\s+nghị)(?:\s*,\s*(?:kiến\s+nghị|đề\s+xuất|đề\s+nghị))?"
_HEADER = re.compile(
    r"(?:^|(?<=[\n.;]))[ \t]*(?:[-–—•+*]\s*|\d{1,2}[.)]\s*|[a-d][.)]\s*)?"
    rf"(?:{_VERB}\s+)?(?:đối\s+)?với\s+(?P<who>{'|'.join(p for _, p in _RECIPIENTS)})\s*:",
    re.IGNORECASE,
)
# A sentence addressed inline: "Đề nghị Trung ương sớm …", "Kiến nghị Tỉnh ủy chỉ đạo …"
_INLINE = re.compile(rf"^\s*{_VERB}\s+(?:(?:đối\s+)?với\s+)?(?P<who>{'|'.join(p for _, p in _RECIPIENTS)})\b", re.IGNORECASE)


def _recipient(who: str) -> str:
    who = _SPACE.sub(" ", who.lower())
    if re.fullmatch(_RECIPIENTS[0][1], who):
        return "trung_uong"
    return "tinh_uy"


def split_recipients(text: str) -> dict[str, str]:
    """A recommendation split by whom the unit addressed it to: keys "trung_uong",
    "tinh_uy" (the Tỉnh ủy or the province) and "other" (not addressed, or addressed
    elsewhere), each the unit's own words ("" when nothing). A part is addressed when the
    unit headed it so ("Với Trung ương: …", "Kiến nghị với Tỉnh ủy: …") or began a sentence
    so ("Đề nghị Trung ương …"); nothing is guessed from the subject matter."""
    text = unicodedata.normalize("NFC", text or "")
    parts: dict[str, list[str]] = {"trung_uong": [], "tinh_uy": [], "other": []}
    headers = list(_HEADER.finditer(text))
    chunks: list[tuple[str | None, str]] = []
    start, current = 0, None
    for m in headers:
        chunks.append((current, text[start : m.start()]))
        current, start = _recipient(m.group("who")), m.end()
    chunks.append((current, text[start:]))
    for who, chunk in chunks:
        for statement in split_statements(chunk):
            inline = _INLINE.match(statement)
            key = _recipient(inline.group("who")) if inline else (who or "other")
            parts[key].append(statement)
    return {key: "\n".join(lines) for key, lines in parts.items()}

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
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

DEFAULT_THRESHOLD = 0.2
MAX_REPRESENTATIVES = 3
# Above this size a component is cut greedily (leader clustering) instead of by average
# linkage, whose memory grows with the square of the size.
_LINKAGE_LIMIT = 3000
_DENSE_LIMIT = 4000  # distinct texts for which the whole similarity matrix is kept
_CHUNK = 1000
_CHAR_SIZES = (2, 3, 4, 5)


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
# "Nghị quyết số 45-NQ/TW", "Kế hoạch 329-KH/TU ngày 19/3/2024": a document's number and date
_DOC_REF = re.compile(r"(?:\bsố\s+)?\d+[-–]\w+(?:/\w+)+(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{2,4})?", re.IGNORECASE)
# Words the units' reports use for the same thing (administrative Vietnamese); each variant
# is read as the first word of its line. Kept short and generic on purpose.
SYNONYMS = (
    ("kinh phí", "ngân sách", "nguồn lực tài chính"),
    ("bồi dưỡng", "tập huấn"),
    ("khen thưởng", "tuyên dương", "biểu dương", "tôn vinh"),
    ("hạn chế", "hạn hẹp"),
    ("kiến nghị", "đề nghị", "đề xuất"),
    ("sắp xếp", "sáp nhập"),
    ("sau đại học", "thạc sĩ, tiến sĩ", "thạc sĩ tiến sĩ"),
    ("trực tuyến", "truyền hình trực tuyến", "họp trực tuyến"),
)
_SYNONYM = {v: words[0] for words in SYNONYMS for v in words[1:]}
_SYNONYM_RE = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in sorted(_SYNONYM, key=len, reverse=True)) + r")\b")
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
    text = _DOC_REF.sub(" văn_bản ", text)
    if _SYNONYM:
        text = _SYNONYM_RE.sub(lambda m: _SYNONYM[m.group()], text)
    text = _FIGURE.sub(" 0 ", text)
    return " ".join(_TOKEN.findall(text))


def _syllables(text: str) -> list[str]:
    """Syllables and syllable pairs (stand-ins for two-syllable words), function words out."""
    words = [w for w in text.split() if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@lru_cache(maxsize=65536)
def _word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in _CHAR_SIZES for i in range(len(padded) - n + 1))


def _char_grams(text: str) -> list[str]:
    """Character 2–5-grams inside each word (as scikit-learn's "char_wb"), cached per
    syllable: a pool has a few thousand distinct syllables at most."""
    return [g for w in text.split() for g in _word_grams(w)]


# --- grouping --------------------------------------------------------------------------------

def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarities between normalised texts (dense, n × n)."""
    if not texts:
        return np.zeros((0, 0))
    vectors = _vectors(texts)
    return (vectors @ vectors.T).toarray()


def _vectors(texts: Sequence[str], counts: Sequence[int] | None = None):
    """Rows of unit length: the average of the syllable and the character TF-IDF views.

    ``counts[i]`` is how many statements have text i (identical texts are vectorised once
    but weigh in the document frequencies as often as they occur)."""
    docs = [t if t.strip() else "_" for t in texts]
    weights = np.ones(len(docs)) if counts is None else np.asarray(counts, dtype=np.float64)
    views = [_tfidf(docs, weights, analyzer) for analyzer in (_syllables, _char_grams)]
    return normalize(hstack([normalize(v) for v in views]).tocsr())


def _tfidf(docs: list[str], weights: np.ndarray, analyzer):
    """scikit-learn's TF-IDF (sublinear tf, smooth idf), with document frequencies counted
    with each text's weight."""
    counts = CountVectorizer(analyzer=analyzer, dtype=np.float32).fit_transform(docs).tocsr()
    present = counts.copy()
    present.data[:] = 1
    df = present.T @ weights
    idf = np.log((1 + weights.sum()) / (1 + df)) + 1
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices].astype(np.float32)
    return counts


def group_statements(items: Sequence[Statement], *, threshold: float | None = None) -> list[StatementGroup]:
    """Statements grouped by what they say, the groups most units share first.

    ``threshold`` is the cosine similarity (0–1) two groups must reach on average to be
    joined; higher means stricter (fewer merges). Empty texts are left out. The same input
    always gives the same output."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    items = [s for s in items if s.text and s.text.strip()]
    if not items:
        return []
    sims = _Similarities([normalise(s.text, s.unit_name) for s in items])
    labels = _cluster(sims, limit)
    by_label: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):  # labels are numbered in order of first appearance
        by_label.setdefault(lab, []).append(i)
    groups = [_group(items, sims, by_label[lab]) for lab in sorted(by_label)]
    order = {id(g): n for n, g in enumerate(groups)}
    groups.sort(key=lambda g: (-g.unit_count, -len(g.members), order[id(g)]))
    return groups


def cluster_labels(texts: Sequence[str], threshold: float | None = None) -> list[int]:
    """Group labels (0, 1, … in order of first appearance) for already-normalised texts."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    return _cluster(_Similarities(list(texts)), limit) if texts else []


class _Similarities:
    """Cosine similarities between the statements, computed once: identical texts are
    vectorised once; up to _DENSE_LIMIT statements the whole matrix is kept (float32)."""

    def __init__(self, texts: list[str]):
        unique: dict[str, int] = {}
        self.row = np.array([unique.setdefault(t, len(unique)) for t in texts])
        self.vectors = _vectors(list(unique), np.bincount(self.row, minlength=len(unique)))
        self.n = len(texts)
        self.full = None
        if len(unique) <= _DENSE_LIMIT:
            self.full = (self.vectors @ self.vectors.T).toarray()

    def block(self, rows: Sequence[int], cols: Sequence[int] | None = None) -> np.ndarray:
        r = self.row[np.asarray(rows)]
        c = r if cols is None else self.row[np.asarray(cols)]
        if self.full is not None:
            return self.full[np.ix_(r, c)]
        return (self.vectors[r] @ self.vectors[c].T).toarray()

    def graph(self, limit: float):
        """Pairs at least ``limit`` alike, as a sparse n × n matrix (computed in row chunks)."""
        rows, cols = [], []
        everything = np.arange(self.n)
        for start in range(0, self.n, _CHUNK):
            chunk = everything[start : start + _CHUNK]
            i, j = np.nonzero(self.block(chunk, everything) >= limit)
            rows.append(i + start)
            cols.append(j)
        i, j = np.concatenate(rows), np.concatenate(cols)
        return csr_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(self.n, self.n))


def _cluster(sims: _Similarities, limit: float) -> list[int]:
    _, component = connected_components(sims.graph(limit), directed=False)
    members: dict[int, list[int]] = {}
    for i, c in enumerate(component.tolist()):
        members.setdefault(c, []).append(i)
    labels = [-1] * sims.n
    next_label = 0
    for index in sorted(members.values(), key=lambda m: m[0]):
        if len(index) == 1:
            sub = [0]
        elif len(index) > _LINKAGE_LIMIT:
            sub = _leader(sims, index, limit)
        else:
            distance = np.clip(1.0 - sims.block(index).astype(np.float64), 0.0, 2.0)
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


def _leader(sims: _Similarities, index: list[int], limit: float) -> list[int]:
    """Greedy clustering for a very large component: each statement joins the leader it is
    most alike to if at least ``limit``, or leads a new group."""
    leaders: list[int] = []
    out = []
    for i in index:
        if leaders:
            row = sims.block([i], leaders).ravel()
            best = int(np.argmax(row))
            if row[best] >= limit:
                out.append(best)
                continue
        leaders.append(i)
        out.append(len(leaders) - 1)
    return out


def _group(items: Sequence[Statement], sims: _Similarities, index: list[int]) -> StatementGroup:
    members = [items[i] for i in index]
    names: list[str] = []
    for s in members:
        if s.unit_name not in names:
            names.append(s.unit_name)
    return StatementGroup(representatives=_representatives(items, sims, index), members=members, unit_names=names)


def _representatives(items: Sequence[Statement], sims: _Similarities, index: list[int]) -> list[Statement]:
    """The most typical statement (most alike, on average, to the others) first, then up to
    two more from other units that add something (not near-copies of one already chosen)."""
    if len(index) == 1:
        return [items[index[0]]]
    sample = index if len(index) <= _CHUNK else index[:: max(1, len(index) // _CHUNK)]
    block = sims.block(index, sample)
    score = block.mean(axis=1)
    ranked = sorted(range(len(index)), key=lambda k: (-round(float(score[k]), 6), k))
    chosen: list[int] = []
    for k in ranked:
        if len(chosen) == MAX_REPRESENTATIVES:
            break
        s = items[index[k]]
        if any(items[index[c]].unit_code == s.unit_code for c in chosen):
            continue
        if chosen and float(sims.block([index[k]], [index[c] for c in chosen]).max()) > 0.9:
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
            if statement.endswith(":"):  # a heading such as "Kiến nghị, đề xuất:"
                continue
            inline = _INLINE.match(statement)
            key = _recipient(inline.group("who")) if inline else (who or "other")
            parts[key].append(statement)
    return {key: "\n".join(lines) for key, lines in parts.items()}

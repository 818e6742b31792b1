"""Synthesis of the units' statements: what many units say, said once.

``group_statements`` groups statements that say the same thing (near-duplicates and close
paraphrases, whatever the unit's name or figures), so the province's report can write
"N đơn vị nêu …" with one to three representative excerpts instead of N excerpts.

How it measures likeness (NumPy and SciPy sparse matrices, all deterministic):

- each statement is NFC-normalised and lower-cased; accents are kept, so "Đảng" and "dang"
  are different words; the unit's own name is removed (near-duplicates from different units
  mostly differ by the name) and every figure becomes the same token (120 đảng viên ≈ 85 đảng
  viên);
- two TF-IDF views, L2-normalised and averaged: syllable unigrams + bigrams (most Vietnamese
  words are two syllables, so syllable bigrams stand in for word segmentation at no cost) and
  character 2–5-grams inside words (typing variants, "hóa"/"hoá" after NFC, plural forms);
- cosine similarity; statements are joined by average-linkage agglomerative clustering
  (scipy) cut at ``threshold``: two groups join when the mean similarity between their
  statements reaches it; each small group (up to ``_COHESION_LIMIT`` statements) is then cut
  again by complete linkage at ``COHESION``, so no two of its statements are less alike than
  that (a group joined through a few shared words is split: "theme coherence", measured on the
  labelled sample). Up to 1,500 statements this is exact; above, an evenly spread
  sample of 1,500 is clustered and every other statement joins the group it is most alike
  to on average (the same test), or is grouped with the other leftovers — so time and
  memory stay bounded (bench/run_synthesis.py).

``threshold`` defaults to ``DEFAULT_THRESHOLD``, chosen on the hand-labelled sample
(tests/data/synthesis-labelled.json; bench/run_synthesis.py reports the quality).

``split_recipients`` splits a recommendation into what the unit addressed to the Trung ương,
to the Tỉnh ủy (the province) and the rest; ``split_statements`` splits a unit's text into
its statements (paragraphs, bullets, sentences); both live in splitting.py.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix, diags, hstack
from scipy.spatial.distance import squareform

from sonket_gsync.analysis.cues import is_negative
from sonket_gsync.analysis.splitting import split_recipients, split_statements

__all__ = [
    "DEFAULT_THRESHOLD",
    "Statement",
    "StatementGroup",
    "cluster_labels",
    "group_statements",
    "mean_similarity",
    "normalise",
    "similarity_matrix",
    "split_recipients",
    "split_statements",
    "without_lead",
]

DEFAULT_THRESHOLD = 0.175
COHESION = 0.14  # no two statements of a group less alike than this (complete linkage inside each group)
# Groups of at most this many statements are re-cut at COHESION: a small group can be held
# together by a phrase or two ("về Nghị quyết"); in a large one average linkage already
# averages over many pairs, and a complete-linkage cut there splits paraphrases (on the demo's
# phrase banks at 1,500 statements, recall fell from 0.96 to 0.37 without this limit).
_COHESION_LIMIT = 30
MAX_REPRESENTATIVES = 3
_NEAR_COPY = 0.8  # a second excerpt this alike to one already chosen adds nothing
_SAMPLE_LIMIT = 1500  # statements grouped exactly by average linkage; above: see _cluster
_DENSE_LIMIT = 3000  # distinct texts whose similarities are computed at once (float32, 36 MB)
_CHUNK = 1000
_DENSE_FEATURES = 4000  # at most this many frequent features held dense…
_DENSE_VALUES = 16_000_000  # … and at most this many values (64 MB of float32)
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
    centrality: tuple[float, ...] = ()  # each member's mean similarity to the other members

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
# Function words that carry no content on their own (bigrams keep the phrases they form).
STOPWORDS = frozenset(
    [
        "và",
        "các",
        "của",
        "đã",
        "được",
        "trong",
        "cho",
        "với",
        "những",
        "là",
        "có",
        "để",
        "này",
        "theo",
        "từ",
        "về",
        "đến",
        "tại",
        "thì",
        "một",
        "còn",
        "cũng",
        "như",
        "nhằm",
        "đó",
        "ra",
        "bị",
        "do",
        "vào",
        "nên",
        "mà",
        "hoặc",
        "lại",
        "rất",
        "đều",
        "luôn",
        "việc",
    ]
)


# Words that link a sentence to the one before ("Bên cạnh đó, …") or date it ("Thời gian
# qua, …"): they say nothing about what the sentence says.
_LEAD = re.compile(
    r"^\s*(?:bên cạnh đó|đồng thời|ngoài ra|mặt khác|cùng với đó|qua đó|nhìn chung|thực tế|"
    r"qua theo dõi|trong (?:0?3|ba) năm qua|thời gian qua|từ năm \d{4} đến nay|giai đoạn \d{4}\s*-\s*\d{4}|"
    r"thời gian tới|trong thời gian tới|từ nay đến năm \d{4}|"
    r"thực hiện (?:sự )?chỉ đạo của [^,]{3,60}|bám sát [^,]{3,60}|quán triệt sâu sắc [^,]{3,40})\s*,\s*",
    re.IGNORECASE,
)


def without_lead(text: str) -> str:
    """The statement without a leading link word ("Bên cạnh đó, " …), capitalised."""
    rest = _LEAD.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest != text else text


def normalise(text: str, unit_name: str = "") -> str:
    """The text that is compared: NFC, lower case (accents kept), without a leading link
    word or the unit's own name, figures as one token, words only."""
    lowered, compared = _normalised(text)
    if unit_name:
        name = unicodedata.normalize("NFC", unit_name).lower().strip()
        if name and name in lowered:  # else the name changes nothing: the text's own result
            return _compared(lowered.replace(name, " "))
    return compared


@lru_cache(maxsize=32768)  # ~21,500 distinct texts at 1,500 units; bounded for the service
def _normalised(text: str) -> tuple[str, str]:
    """(lower case without the link word, compared text) of a text, made once per text: the
    same sentence recurs across units and outline items."""
    lowered = _LEAD.sub("", unicodedata.normalize("NFC", text).lower(), count=1)
    return lowered, _compared(lowered)


def _compared(text: str) -> str:
    if "/" in text:  # document numbers have one
        text = _DOC_REF.sub(" văn_bản ", text)
    if _SYNONYM:
        text = _SYNONYM_RE.sub(lambda m: _SYNONYM[m.group()], text)
    text = _FIGURE.sub(" 0 ", text)
    return " ".join(_TOKEN.findall(text))


def _syllables(text: str) -> list[str]:
    """Syllables and syllable pairs (stand-ins for two-syllable words), function words out
    (unless the text has nothing else)."""
    every = text.split()
    words = [w for w in every if w not in STOPWORDS] or every
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@lru_cache(maxsize=65536)
def _word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in _CHAR_SIZES for i in range(len(padded) - n + 1))


def _char_grams(text: str) -> list[str]:
    """Character 2–5-grams inside each word, as scikit-learn's "char_wb" makes them."""
    return [g for w in text.split() for g in _word_grams(w)]


# --- grouping --------------------------------------------------------------------------------


def similarity_matrix(texts: Sequence[str]) -> np.ndarray:
    """Cosine similarities between normalised texts (dense, n × n)."""
    if not texts:
        return np.zeros((0, 0))
    vectors = _vectors(texts)
    return (vectors @ vectors.T).toarray()


def mean_similarity(texts: Sequence[str]) -> np.ndarray:
    """Each text's mean cosine similarity to the others (what a row of similarity_matrix
    averages without its diagonal), from the sum of the vectors: O(size of the vectors),
    never the n × n matrix."""
    if len(texts) < 2:
        return np.ones(len(texts))
    vectors = _vectors(texts)
    total = np.asarray(vectors.sum(axis=0)).ravel()
    own = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
    return (vectors @ total - own) / (len(texts) - 1)


def _vectors(texts: Sequence[str], counts: npt.ArrayLike | None = None):
    """Rows of unit length: the average of the syllable and the character TF-IDF views.

    ``counts[i]`` is how many statements have text i (identical texts are vectorised once
    but weigh in the document frequencies as often as they occur). Character n-grams lie
    inside syllables, so a text's n-gram counts are its syllable counts times each
    syllable's n-grams: counted per distinct syllable, not per text."""
    docs = [t if t.strip() else "_" for t in texts]
    weights = np.ones(len(docs)) if counts is None else np.asarray(counts, dtype=np.float64)
    per_text, vocabulary = _count(docs, str.split)
    chars = per_text @ _gram_matrix(tuple(vocabulary))
    words, _ = _count(docs, _syllables)
    views = [_tfidf(view, weights) for view in (words, chars)]
    return _unit_rows(hstack([_unit_rows(v) for v in views]).tocsr())


def _count(docs: Sequence[str], analyzer) -> tuple[csr_matrix, list[str]]:
    """Document × feature counts (float32) and the features, in order of first appearance:
    what scikit-learn's CountVectorizer computes, without importing scikit-learn (about a
    second of a compile's start-up, for a dictionary and a sparse matrix)."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for doc in docs:
        indices.extend(vocabulary.setdefault(feature, len(vocabulary)) for feature in analyzer(doc))
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(docs), max(1, len(vocabulary))),
    )
    matrix.sum_duplicates()
    return matrix, list(vocabulary)


def _unit_rows(matrix) -> csr_matrix:
    """Each row divided by its Euclidean length (an empty row stays empty)."""
    matrix = csr_matrix(matrix)
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    lengths[lengths == 0] = 1.0
    return csr_matrix(diags((1.0 / lengths).astype(np.float32)) @ matrix)


def _gram_matrix(vocabulary: tuple[str, ...]) -> csr_matrix:
    """Syllable × character n-gram counts (n-grams numbered in order of first appearance)."""
    index: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, word in enumerate(vocabulary):
        for gram, count in Counter(_word_grams(word)).items():
            rows.append(row)
            cols.append(index.setdefault(gram, len(index)))
            values.append(count)
    return csr_matrix((np.asarray(values, dtype=np.float32), (rows, cols)), shape=(len(vocabulary), max(1, len(index))))


def _tfidf(counts, weights: np.ndarray):
    """scikit-learn's TF-IDF weighting (sublinear tf, smooth idf) of a count matrix, with
    document frequencies counted with each text's weight."""
    counts = counts.tocsr().astype(np.float32)
    counts.eliminate_zeros()
    present = counts.copy()
    present.data[:] = 1
    df = present.T @ weights
    idf = np.log((1 + weights.sum()) / (1 + df)) + 1
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices].astype(np.float32)
    return counts


def group_statements(
    items: Sequence[Statement],
    *,
    threshold: float | None = None,
    by_polarity: bool = True,
    normalised: dict[tuple[str, str], str] | None = None,
    representatives: bool = True,
) -> list[StatementGroup]:
    """Statements grouped by what they say, the groups most units share first.

    ``threshold`` is the cosine similarity (0–1) two groups must reach on average to be
    joined; higher means stricter (fewer merges). With ``by_polarity`` (the default) a
    limitation ("chưa", "còn hạn chế", cues.NEGATIVE) is never grouped with an achievement:
    "đã quán triệt" and "chưa quán triệt" say opposite things in nearly the same words.
    Empty texts are left out. The same input always gives the same output. ``normalised``
    holds texts already normalised, by (text, unit name); it is filled as a side effect.
    Without ``representatives`` each group's representatives are left empty (the body's
    themes choose their own clause from ``centrality``)."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    items = [s for s in items if s.text and s.text.strip()]
    if not items:
        return []
    seen = {} if normalised is None else normalised  # units repeat each other's words: normalise each once
    texts = [seen.get((s.text, s.unit_name)) or seen.setdefault((s.text, s.unit_name), normalise(s.text, s.unit_name)) for s in items]
    sims = _Similarities(texts)
    rows = list(range(sims.n))
    if by_polarity:
        negative = [is_negative(s.text) for s in items]
        pools = [[r for r in rows if not negative[r]], [r for r in rows if negative[r]]]
        clusters = sorted((g for pool in pools if pool for g in _cluster(sims, pool, limit)), key=lambda g: g[0])
    else:
        clusters = _cluster(sims, rows, limit)
    groups = [_group(items, texts, sims, index, representatives) for index in clusters]
    order = {id(g): n for n, g in enumerate(groups)}
    groups.sort(key=lambda g: (-g.unit_count, -len(g.members), order[id(g)]))
    return groups


def cluster_labels(texts: Sequence[str], threshold: float | None = None) -> list[int]:
    """Group labels (0, 1, … in order of first appearance) for already-normalised texts."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not texts:
        return []
    sims = _Similarities(list(texts))
    labels = [0] * sims.n
    for label, index in enumerate(_cluster(sims, list(range(sims.n)), limit)):
        for i in index:
            labels[i] = label
    return labels


class _Similarities:
    """Cosine similarities between the statements. Identical texts are vectorised once; up
    to _DENSE_LIMIT distinct texts the whole matrix is computed once (float32)."""

    def __init__(self, texts: list[str]):
        unique: dict[str, int] = {}
        self.row = np.array([unique.setdefault(t, len(unique)) for t in texts])
        self.vectors = _vectors(list(unique), np.bincount(self.row, minlength=len(unique)))
        self.n = len(texts)
        # Products split by feature: the frequent ones (which make the product dense) as a
        # dense matrix multiplied by BLAS, the rare ones sparse. Same result, a few times faster.
        df = np.bincount(self.vectors.indices, minlength=self.vectors.shape[1])
        frequent = np.flatnonzero(df > max(8, len(unique) // 50))
        budget = min(_DENSE_FEATURES, _DENSE_VALUES // max(1, len(unique)))  # memory stays bounded
        frequent = frequent[np.argsort(-df[frequent], kind="stable")[:budget]]
        rare = np.setdiff1d(np.arange(self.vectors.shape[1]), frequent)
        self.dense = self.vectors[:, frequent].toarray()
        self.sparse = self.vectors[:, rare].tocsr()
        self.full = self._full() if len(unique) <= _DENSE_LIMIT else None

    def _full(self) -> np.ndarray:
        """Every pair: ``_product`` over all rows without its two row-picked copies of the dense
        part (one copy is kept: ``dense @ dense.T`` on one buffer takes a symmetric BLAS path
        whose rounding differs, and ties would then group differently)."""
        out = self.dense @ self.dense.copy().T
        out += (self.sparse @ self.sparse.T).toarray()
        return out

    def _product(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        out = self.dense[r] @ self.dense[c].T
        out += (self.sparse[r] @ self.sparse[c].T).toarray()
        return out

    def block(self, rows: Sequence[int], cols: Sequence[int] | None = None) -> np.ndarray:
        r = self.row[np.asarray(rows)]
        c = r if cols is None else self.row[np.asarray(cols)]
        if self.full is not None:
            return self.full[np.ix_(r, c)]
        return self._product(r, c)

    def centrality(self, rows: Sequence[int]) -> np.ndarray:
        """Each row's mean similarity to the other rows (from the sum of their vectors)."""
        if len(rows) < 2:
            return np.ones(len(rows))
        vectors = self.vectors[self.row[np.asarray(rows)]]
        total = np.asarray(vectors.sum(axis=0)).ravel()
        own = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
        return (vectors @ total - own) / (len(rows) - 1)

    def mean_to_groups(self, rows: Sequence[int], groups: list[list[int]]) -> np.ndarray:
        """len(rows) × len(groups): each statement's mean similarity to a group's members
        (what average linkage compares when it would add the statement to the group)."""
        sizes = np.array([len(g) for g in groups], dtype=np.float32)
        members = np.concatenate([np.asarray(g) for g in groups])
        owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        pick = csr_matrix((1.0 / sizes[owner], (owner, np.arange(len(members)))), shape=(len(groups), len(members)))
        centres = pick @ self.vectors[self.row[members]]
        return (self.vectors[self.row[np.asarray(rows)]] @ centres.T).toarray()


def _cluster(sims: _Similarities, rows: list[int], limit: float) -> list[list[int]]:
    """Groups (lists of rows, ascending, in order of their first row) by average linkage cut
    at ``limit``. More than _SAMPLE_LIMIT statements: average linkage over an evenly spread
    sample of them, then each other statement joins the group it is most alike to on
    average if that reaches ``limit`` (the test average linkage applies), and the rest are
    grouped among themselves the same way. Bounded time at any size; the same result when
    the pool is small."""
    if len(rows) <= _SAMPLE_LIMIT:
        return _linkage(sims, rows, limit)
    step = len(rows) / _SAMPLE_LIMIT
    chosen = sorted({rows[int(i * step)] for i in range(_SAMPLE_LIMIT)})
    groups = _linkage(sims, chosen, limit)
    taken = set(chosen)
    rest = [r for r in rows if r not in taken]
    leftovers = []
    for start in range(0, len(rest), _CHUNK):
        part = rest[start : start + _CHUNK]
        means = sims.mean_to_groups(part, groups)  # against the sample's groups only
        best = means.argmax(axis=1)
        for r, g, value in zip(part, best.tolist(), means[np.arange(len(part)), best].tolist(), strict=False):
            if value >= limit:
                groups[g].append(r)
            else:
                leftovers.append(r)
    if leftovers:
        groups += _cluster(sims, leftovers, limit)
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _linkage(sims: _Similarities, rows: list[int], limit: float) -> list[list[int]]:
    """Average linkage cut at ``limit``; then each group of at most _COHESION_LIMIT statements
    is cut again by complete linkage at COHESION, so no two of its statements are less alike
    than that (a group joined through a few shared words is split: "tài liệu hỏi - đáp" and
    "nhóm Zalo" both "về Nghị quyết")."""
    if len(rows) == 1:
        return [list(rows)]
    distance = 1.0 - sims.block(rows)
    np.fill_diagonal(distance, 0.0)
    np.clip(distance, 0.0, 2.0, out=distance)
    condensed = squareform(distance, checks=False).astype(np.float64)
    labels = fcluster(linkage(condensed, method="average"), t=1.0 - limit + 1e-6, criterion="distance")
    groups: dict[int, list[int]] = {}
    for k, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(k)
    out: list[list[int]] = []
    for members in groups.values():
        if len(members) > 2 and len(members) <= _COHESION_LIMIT:
            inner = squareform(distance[np.ix_(members, members)], checks=False).astype(np.float64)
            parts: dict[int, list[int]] = {}
            cut = fcluster(linkage(inner, method="complete"), t=1.0 - min(limit, COHESION) + 1e-6, criterion="distance")
            for k, label in zip(members, cut.tolist(), strict=True):
                parts.setdefault(label, []).append(k)
            out += parts.values()
        elif len(members) == 2 and distance[members[0], members[1]] > 1.0 - min(limit, COHESION) + 1e-6:
            out += [[members[0]], [members[1]]]
        else:
            out.append(members)
    return sorted(([rows[k] for k in g] for g in out), key=lambda g: g[0])


def _group(items: Sequence[Statement], texts: list[str], sims: _Similarities, index: list[int], representatives: bool = True) -> StatementGroup:
    members = [items[i] for i in index]
    names = list(dict.fromkeys(s.unit_name for s in members))
    chosen = _representatives(items, texts, sims, index) if representatives else []
    return StatementGroup(representatives=chosen, members=members, unit_names=names, centrality=tuple(sims.centrality(index).tolist()))


def _representatives(items: Sequence[Statement], texts: list[str], sims: _Similarities, index: list[int]) -> list[Statement]:
    """The most typical statement (most alike, on average, to the others; preferring one
    that does not open with a link word such as "Bên cạnh đó," nor name its own unit) first,
    then up to two more from other units that add something (not near-copies of one
    already chosen, nor the same words with a clause more)."""
    if len(index) == 1:
        return [items[index[0]]]
    sample = index if len(index) <= _CHUNK else index[:: max(1, len(index) // _CHUNK)]
    score = sims.block(index, sample).mean(axis=1)
    # Excerpts are printed with their unit's name: prefer ones that read on their own (no
    # leading link word) and do not repeat that name.
    awkward = [bool(_LEAD.match(items[i].text)) + (bool(items[i].unit_name) and items[i].unit_name in items[i].text) for i in index]
    ranked = sorted(range(len(index)), key=lambda k: (awkward[k], -round(float(score[k]), 6), k))
    nearest = np.full(len(index), -1.0)  # each member's highest similarity to those chosen
    chosen: list[int] = []
    for k in ranked:
        if len(chosen) == MAX_REPRESENTATIVES:
            break
        i = index[k]
        if nearest[k] > _NEAR_COPY or any(items[index[c]].unit_code == items[i].unit_code for c in chosen):
            continue
        if any(texts[i] in texts[index[c]] or texts[index[c]] in texts[i] for c in chosen):  # a clause more
            continue
        chosen.append(k)
        nearest = np.maximum(nearest, sims.block(index, [i]).ravel())
    return [items[index[k]] for k in chosen]

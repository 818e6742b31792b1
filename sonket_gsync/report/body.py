"""The body of the draft in the province's voice (report-voice.md).

Under each outline item (every item of the campaign's outline.toml, read by its kind:
cues.item_kind), paragraphs the Ban Thường vụ can sign, each with the trace of what it rests
on (``voice.Paragraph``; the companion document prints the traces):

- results (I, II): what was done, in a collective subject, from the item's title; the figures
  of the form role the item asks for (``figures``; for the indicator item the paragraphs of
  roles.indicators.indicator_paragraphs, so the body and the table agree, and what the unit
  responsible for an indicator wrote about it); how widely each theme was reported
  ("hầu hết / đa số / nhiều / một số" with counts, "tiêu biểu như" up to three units); then
  "Tuy nhiên, …" and the limitations units reported;
- strengths: the most widely reported result of each results item, and the units' own
  assessment; models: the models units named (quoted names) and the practices they share;
  limitations: the limitations, then their causes split into khách quan / chủ quan
  (cues.OBJECTIVE / cues.SUBJECTIVE); lessons: "Một là, …";
- tasks: the province's tasks from the themes of the units' proposals and the limitations
  found, as imperatives ("Tiếp tục …", "Đẩy mạnh …"), never a unit's own commitment;
- recommendations: per addressee (items whose title names it; the centre's item is the one
  a column ``feeds`` as "trung_uong"); a matter only the centre can decide moves to the
  centre's item whatever the unit wrote (splitting.route_recommendation).

The units' statements are themes (analysis/themes.py): boilerplate dropped, a unit's repeats
counted once, achievements and limitations apart, one clause per theme.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.analysis.cues import is_boilerplate, is_centre_title, item_kind, share_word
from sonket_gsync.analysis.roles import role_with_figures
from sonket_gsync.analysis.splitting import route_recommendation
from sonket_gsync.analysis.synthesis import Statement, normalise, similarity_matrix, split_statements
from sonket_gsync.analysis.themes import ThemeSet, build_themes, counted_figures, lower_first, province_clause, quoted_names
from sonket_gsync.campaign.model import Campaign, OutlineItem, OutlineSection
from sonket_gsync.core.text import format_number
from sonket_gsync.report.voice import (
    Paragraph,
    Voice,
    ask_phrase,
    capitalise,
    examples_text,
    figure_text,
    names_text,
    no_doubled_words,
    predicate,
    sentence,
    share,
    task_phrase,
    theme_trace,
    title_phrase,
    traces,
)

__all__ = ["MAX_THEMES", "Paragraph", "build_item_themes", "sections"]

MAX_THEMES = 5  # achievement themes said under an item
MAX_LIMITS = 4  # limitation themes said under an item
MAX_LIST = 6  # lessons, tasks, recommendations per item
MAX_MODELS = 5  # named models
EXAMPLED = 2  # themes of an item that get "tiêu biểu như"
ORDINALS = ("Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười")
_REF = re.compile(r"\d+[-–]\w+(?:/\w+)+")
MODEL_NOUNS = ("mô hình", "câu lạc bộ", "phong trào")  # a point opening so names a model (generic Vietnamese)
MODEL_WORDS = 12  # at most this many words in a model's name
INDICATOR_MATCH = 0.25  # an indicator's name this alike an outline line is printed under its item


# --- the campaign's words ------------------------------------------------------------------------


class _Context:
    def __init__(self, campaign: Campaign, aggregates: Aggregates, names: dict[str, str]):
        self.campaign = campaign
        self.aggregates = aggregates
        self.names = names
        self.voice = Voice(campaign)
        texts = [campaign.name, campaign.resolution, campaign.plan, campaign.subject, campaign.province, campaign.document.subject]
        texts += [g.name for g in campaign.groups] + [i.name for i in campaign.indicators]
        texts += [s.title for s in campaign.outline] + [i.title for i in campaign.outline_items]
        self.known_refs = tuple(dict.fromkeys(r for t in texts for r in _REF.findall(t or "")))
        self.vocabulary = tuple({w for t in texts for w in re.findall(r"\w+", t or "")})
        self.centre, self.province = _addressees(campaign)
        self._themes: dict[str, ThemeSet] = {}
        self.kinds = {i.key: item_kind(i.title, s.title) for s in campaign.outline for i in s.answerable}
        self._counted: list[tuple[str, str, str]] | None = None
        self.moved: set[Statement] = set()  # recommendations moved to the centre's item
        self.statements = _item_statements(campaign, aggregates, self.centre, self.moved)

    def counted_items(self) -> list[tuple[str, str, str]]:
        """(indicator code, outline item key, the outline line it matched) for each indicator
        counted in units, under the results item whose title or guidance line is most alike
        its name (at least INDICATOR_MATCH); the indicator item itself is never chosen."""
        if self._counted is None:
            self._counted = _match_counted(self.campaign, self.aggregates)
        return self._counted

    def themes(self, key: str) -> ThemeSet:
        if key not in self._themes:
            self._themes[key] = build_item_themes(self.statements.get(key, []), self.known_refs, self.vocabulary, causes=self.kinds.get(key) != "results")
        return self._themes[key]


def _match_counted(campaign: Campaign, aggregates: Aggregates) -> list[tuple[str, str, str]]:
    counted = [i for i in campaign.indicators if i.value_type == "integer" and i.aggregate == "sum"]
    lines = [
        (i.key, line)
        for s in campaign.outline
        for i in s.answerable
        if item_kind(i.title, s.title) == "results" and not _table_in_body(i, aggregates) and i.figures != "indicators"
        for line in (i.title, *i.guidance)
    ]
    if not counted or not lines:
        return []
    sims = similarity_matrix([normalise(i.name) for i in counted] + [normalise(line) for _, line in lines])[: len(counted), len(counted) :]
    out = []
    for n, ind in enumerate(counted):
        best = int(sims[n].argmax())
        if sims[n, best] >= INDICATOR_MATCH:
            out.append((ind.code, lines[best][0], lines[best][1]))
    return out


def build_item_themes(statements: Sequence[Statement], known_refs: Sequence[str] = (), vocabulary: Sequence[str] = (), *, causes: bool = True) -> ThemeSet:
    return build_themes(statements, known_refs=known_refs, vocabulary=vocabulary, causes=causes)


def _addressees(campaign: Campaign) -> tuple[str, str]:
    """(centre's item key, province's item key) among the recommendation items: from the
    columns' ``feeds`` ("trung_uong" / "tinh_uy"), else from the items' titles."""
    centre = province = ""
    for form in campaign.forms:
        for column in form.columns:
            feeds = dict(column.feeds)
            centre = centre or feeds.get("trung_uong", "")
            province = province or feeds.get("tinh_uy", "")
    if not centre or not province:
        for section in campaign.outline:
            for item in section.answerable:
                if item_kind(item.title, section.title) == "recommendations":
                    if is_centre_title(item.title):
                        centre = centre or item.key
                    else:
                        province = province or item.key
    return centre, province


def _item_statements(campaign: Campaign, aggregates: Aggregates, centre: str, moved: set[Statement]) -> dict[str, list[Statement]]:
    """Per outline item, the units' statements; a recommendation the centre alone can decide
    moves to the centre's item."""
    out: dict[str, list[Statement]] = {}
    kinds = {i.key: item_kind(i.title, s.title) for s in campaign.outline for i in s.answerable}
    for key, entries in aggregates.narrative.items():
        for code, name, text in entries:
            for part in split_statements(text):
                if len(part) <= 3:
                    continue
                target = key
                if kinds.get(key) == "recommendations" and centre and key != centre and route_recommendation(part, "other") == "trung_uong":
                    target = centre
                statement = Statement(code, name, part)
                if target != key:
                    moved.add(statement)
                out.setdefault(target, []).append(statement)
    return out


# --- the outline ---------------------------------------------------------------------------------


def sections(campaign: Campaign, aggregates: Aggregates, appendix_names: dict[str, str], annex_name: str = "") -> list[dict]:
    """Per outline section: its heading and, per item, its heading, whether the indicator
    table goes under it, and its paragraphs (text + trace)."""
    ctx = _Context(campaign, aggregates, appendix_names)
    out = []
    for section in campaign.outline:
        parts = []
        for item in section.answerable:
            kind = item_kind(item.title, section.title)
            paragraphs = _item(ctx, section, item, kind)
            paragraphs = [Paragraph(no_doubled_words(p.text), p.trace, p.table) for p in paragraphs if p.text]
            parts.append(
                {
                    "heading": f"{item.number}. {item.title}" if section.items else "",
                    "kind": kind,
                    "indicators": _table_in_body(item, aggregates),
                    "paragraphs": paragraphs,
                }
            )
        out.append({"heading": f"{section.number}. {section.title}", "parts": parts})
    return out


def _item(ctx: _Context, section: OutlineSection, item: OutlineItem, kind: str) -> list[Paragraph]:
    builders = {
        "strengths": _strengths,
        "models": _models,
        "limitations": _limitations,
        "lessons": _lessons,
        "tasks": _tasks,
        "recommendations": _recommendations,
    }
    paragraphs = builders.get(kind, _results)(ctx, item)
    if not paragraphs:
        return [Paragraph(sentence("Chưa có cơ quan, đơn vị báo cáo nội dung này"), {"Căn cứ": "không có ý kiến nào của đơn vị dưới mục này"})]
    return paragraphs


def _table_in_body(item: OutlineItem, aggregates: Aggregates) -> bool:
    role = role_with_figures(item.figures)
    return bool(role and role.table_in_body(aggregates))


# --- results ------------------------------------------------------------------------------------


def _results(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    themes = ctx.themes(item.key)
    total = themes.unit_count
    out: list[Paragraph] = []
    phrase = title_phrase(item.title)
    if phrase and total:
        codes = [c for c, _ in themes.units]
        out.append(
            Paragraph(
                sentence(f"{ctx.voice.subject(codes)} đã {phrase}"),
                {"Căn cứ": f"tiêu đề mục trong đề cương; {total} đơn vị báo cáo nội dung này ({names_text([n for _, n in themes.units])})"},
            )
        )
    out += _figures(ctx, item)
    out += _counted(ctx, item)
    indicator_item = _table_in_body(item, ctx.aggregates)
    if indicator_item:
        out += _responsible(ctx, item)
    positive = [t for t in themes.positive() if not (indicator_item and _judges_target(t.clause))]
    out += _said(ctx, positive[:MAX_THEMES], total)
    if not indicator_item:  # the indicator paragraphs already say what is behind, and why
        out += _limits(ctx, themes.negative()[:MAX_LIMITS], total)
    return out


def _judges_target(clause: str) -> bool:
    return bool(re.search(r"mục tiêu|lộ trình|chỉ tiêu", clause, re.IGNORECASE))


def _figures(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    """The role's figures under the item; for the indicator item, the indicator paragraphs
    (the last one is followed by the table)."""
    role = role_with_figures(item.figures)
    if not role:
        return []
    if _table_in_body(item, ctx.aggregates):
        texts = _indicator_paragraphs(ctx)
        where = "bảng chỉ tiêu (số liệu toàn tỉnh theo cách tính của từng chỉ tiêu, đánh giá theo lộ trình)"
        paragraphs = [Paragraph(sentence(t), {"Số liệu": where}) for t in texts]
        if paragraphs:
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(last.text, last.trace, table=True)
        return paragraphs
    where = f"số liệu tổng hợp từ biểu mẫu ({ctx.names.get(role.name, 'bảng tổng hợp')})"
    return [Paragraph(sentence(t), {"Số liệu": where}) for t in role.facts(ctx.campaign, ctx.aggregates, ctx.names)]


def _counted(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    """The province's figures of the indicators counted in units (value type "integer",
    aggregate "sum": figures from counts) that speak of this item: an indicator goes under the
    results item (not the indicator item) whose title or guidance line is most alike its name
    (synthesis.similarity_matrix, at least INDICATOR_MATCH); one flagged for checking is left
    out (its problem is in the companion)."""
    codes = [code for code, key, _ in ctx.counted_items() if key == item.key]
    if not codes:
        return []
    table = ctx.aggregates.indicators
    if table is None or table.empty:
        return []
    from sonket_gsync.analysis.roles.indicators import verdicts_of, year_label

    verdicts = {v.code: v for v in verdicts_of(ctx.campaign, ctx.aggregates)}
    rows = {r["code"]: r for r in table.to_dict("records")}
    numbers = {code: n for n, code in enumerate(rows, start=1)}
    out = []
    for code in codes:
        row, verdict = rows.get(code), verdicts.get(code)
        if row is None or verdict is None or verdict.verdict == "flagged":
            continue
        years = [y for y in ctx.aggregates.indicator_years if row.get(f"value_{y}") is not None and row[f"value_{y}"] == row[f"value_{y}"]]
        if not years:
            continue
        unit = row["unit_of_measure"]
        said = [f"{year_label(ctx.campaign, y).lower()} là {format_number(row[f'value_{y}'])} {unit}".rstrip() for y in years]
        said[0] = said[0][:1].lower() + said[0][1:]
        units = int(row.get(f"units_{years[-1]}", 0) or 0)
        target = (
            ""
            if row["sample"] or row["target_2030"] != row["target_2030"]
            else f"; mục tiêu đến năm {verdict.target_year} là {format_number(row['target_2030'])} {unit}".rstrip()
        )
        name = lower_first(row["name"])
        text = f"Theo số liệu toàn tỉnh tổng hợp từ báo cáo của {format_number(units)} đơn vị, {name} {', '.join(said)}{target}"
        line = next(line for c, _, line in ctx.counted_items() if c == code)
        out.append(
            Paragraph(
                sentence(text),
                {
                    "Số liệu": f"chỉ tiêu số {numbers[code]} ({code}) trong bảng chỉ tiêu: cộng số liệu của các đơn vị từng năm",
                    "Quy tắc": f"chỉ tiêu đếm được (cộng số liệu các đơn vị) có tên gần nhất với dòng đề cương “{line}”",
                },
            )
        )
    return out


def _indicator_paragraphs(ctx: _Context) -> list[str]:
    from sonket_gsync.analysis.roles import indicators

    build = getattr(indicators, "indicator_paragraphs", None) or indicators.indicator_facts
    return list(build(ctx.campaign, ctx.aggregates))


def _responsible(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    """What the unit responsible for an indicator (indicators.csv ``reported_by``, one unit)
    wrote under the indicator item: its own account, with its figures, the unit as subject."""
    out = []
    for ind in ctx.campaign.indicators:
        if len(ind.reported_by) != 1:
            continue
        code = ind.reported_by[0]
        mine = [s for s in ctx.statements.get(item.key, []) if s.unit_code == code and _gives_figure(s.text) and not is_boilerplate(s.text)]
        clauses = [c for s in mine if (c := province_clause(s.text, s.unit_name, ctx.known_refs, keep_figures=True))]
        clauses = list(dict.fromkeys(clauses))[:3]
        if not clauses:
            continue
        name = mine[0].unit_name
        out.append(
            Paragraph(
                sentence(f"Đối với chỉ tiêu “{ind.name}”, {name} báo cáo: " + "; ".join(clauses)),
                {"Căn cứ": f"báo cáo của {name}, đơn vị chịu trách nhiệm chỉ tiêu {ind.code}", "Câu gốc": " | ".join(s.text for s in mine[:3])},
            )
        )
    return out


def _gives_figure(text: str) -> bool:
    """A statement with a percentage or a counted figure (not only a year or a date)."""
    return bool(re.search(r"\d\s*%", text) or counted_figures(text))


def _said(ctx: _Context, themes: Sequence, total: int, lead: str = "") -> list[Paragraph]:
    """One paragraph: how widely each theme was reported, with figures and examples."""
    if not themes:
        return []
    parts = []
    for n, t in enumerate(themes):
        ex = examples_text(t) if n < EXAMPLED else ""
        parts.append(f"{share(t, total, ctx.voice)} {predicate(t.clause)}{figure_text(t)}{ex}")
    text = (lead or "Kết quả cụ thể: ") + "; ".join(parts)
    return [Paragraph(sentence(text), traces(themes, total))]


def _limits(ctx: _Context, themes: Sequence, total: int) -> list[Paragraph]:
    if not themes:
        return []
    parts = [f"{t.clause} ({t.unit_count}/{total} đơn vị nêu)" for t in themes]
    return [Paragraph(sentence("Tuy nhiên, vẫn còn một số hạn chế, như: " + "; ".join(parts)), traces(themes, total))]


# --- Đánh giá chung --------------------------------------------------------------------------------


def _results_items(ctx: _Context) -> list[tuple[OutlineItem, str]]:
    return [(i, s.title) for s in ctx.campaign.outline for i in s.answerable if item_kind(i.title, s.title) == "results"]


def _strengths(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    out = []
    best = []
    for other, _ in _results_items(ctx):
        if _table_in_body(other, ctx.aggregates):
            continue  # the indicator item speaks through the table's verdicts
        themes = ctx.themes(other.key)
        top = themes.positive()[:1]
        if top and top[0].unit_count >= 2:
            best.append((other, top[0], themes.unit_count))
    if best:
        parts = [f"{share(t, total, ctx.voice)} {predicate(t.clause)}" for _, t, total in best]
        trace = {f"Mục {o.key}": theme_trace(t, total) for o, t, total in best}
        out.append(Paragraph(sentence("Những kết quả nổi bật: " + "; ".join(parts)), trace))
    own = ctx.themes(item.key)
    out += _said(ctx, own.positive()[:MAX_THEMES], own.unit_count, lead="Các cơ quan, đơn vị đánh giá: ")
    return out


def _models(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    """The models units named (a name in quotes anywhere, or a point of the party committees'
    good-practices column that is itself a model's name), then the practices they share."""
    named: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    found = [(s.unit_code, s.unit_name, m) for ss in ctx.statements.values() for s in ss for m in quoted_names(s.text)]
    for code, unit_name, model in found + _practice_names(ctx.aggregates):
        if not model[:1].isalnum():
            continue  # "' /C calc'": quotes around a formula's fragment, not a name
        named.setdefault(model.casefold(), set()).add(code)
        names.setdefault(model.casefold(), model)
        names.setdefault(code, unit_name)
    out = []
    themes = ctx.themes(item.key)
    if named:
        ranked = sorted(named, key=lambda k: (-len(named[k]), names[k]))[:MAX_MODELS]
        everyone = {c for k in named for c in named[k]}
        parts = [f"“{names[k]}” ({len(named[k])} đơn vị)" if len(named[k]) > 1 else f"“{names[k]}”" for k in ranked]
        total = ctx.aggregates.totals.get("sent") or len(everyone)
        word = share_word(len(everyone), max(total, len(everyone)))
        trace = {f"“{names[k]}”": names_text([names[c] for c in sorted(named[k])]) for k in ranked}
        form = ctx.campaign.form_with_role("party_committees")
        column = form.column_for("good_practices") if form else None
        where = f" ở cột “{column.header}”" if column else ""
        trace["Quy tắc"] = f"tên đặt trong ngoặc kép, hoặc ý{where} mở đầu bằng {', '.join(f'“{n}”' for n in MODEL_NOUNS)} (không quá {MODEL_WORDS} từ)"
        out.append(Paragraph(sentence(f"{capitalise(word)} mô hình, cách làm hay được triển khai, tiêu biểu như: " + ", ".join(parts)), trace))
    shared = [t for t in themes.positive() if t.clause.rstrip(" .").casefold() not in named]  # a named model is not said twice
    out += _said(ctx, shared[:MAX_THEMES], themes.unit_count, lead="Những cách làm được nhiều nơi áp dụng: ")
    return out


def _practice_names(aggregates: Aggregates) -> list[tuple[str, str, str]]:
    """(unit code, unit name, model) for each point of the party committees' good-practices
    column (role ``good_practices``) that is a model's name rather than a sentence: it opens
    with one of MODEL_NOUNS, has at most MODEL_WORDS words and no quotes ("Mô hình cà phê …")."""
    party = aggregates.results.get("party")
    if party is None or "good_practices" not in getattr(party, "columns", ()):
        return []
    out = []
    for r in party.to_dict("records"):
        if not r.get("reported") or not isinstance(r["good_practices"], str):
            continue
        for part in split_statements(r["good_practices"]):
            name = re.sub(r"^[-–+•*\s]+", "", part).strip().rstrip(".;")
            if name.casefold().startswith(MODEL_NOUNS) and len(name.split()) <= MODEL_WORDS and not re.search(r"[\"'“”‘’]", name):
                out.append((r["unit_code"], r["unit_name"], name))
    return out


def _limitations(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    own = ctx.themes(item.key)
    total = own.unit_count
    limits = list(own.themes)[: MAX_LIST + 2]
    out = []
    if limits:
        parts = [f"{t.clause} ({t.unit_count}/{total} đơn vị nêu)" if t.unit_count > 1 else t.clause for t in limits]
        out.append(
            Paragraph(sentence("Bên cạnh những kết quả đạt được, việc thực hiện vẫn còn những hạn chế, khó khăn: " + "; ".join(parts)), traces(limits, total))
        )
    elsewhere = []
    for other, _ in _results_items(ctx):
        neg = ctx.themes(other.key).negative()[:1]
        if neg and neg[0].unit_count >= 2:
            elsewhere.append((other, neg[0], ctx.themes(other.key).unit_count))
    if elsewhere:
        parts = [f"{t.clause} ({t.unit_count}/{n} đơn vị nêu)" for _, t, n in elsewhere]
        out.append(Paragraph(sentence("Trong từng lĩnh vực, " + "; ".join(parts)), {f"Mục {o.key}": theme_trace(t, n) for o, t, n in elsewhere}))
    for kind, label in (("khach_quan", "Nguyên nhân khách quan"), ("chu_quan", "Nguyên nhân chủ quan")):
        causes = [t for t in own.themes if t.cause == kind]
        causes += [t for _, t, _ in elsewhere if t.cause == kind]
        if not causes:
            continue
        said = list(dict.fromkeys(t.cause_clause or t.clause for t in causes))[:MAX_LIST]
        out.append(
            Paragraph(
                sentence(f"{label}: " + "; ".join(said)),
                {**traces(causes[:MAX_LIST], total), "Quy tắc": "phân loại theo từ khóa (sonket_gsync/analysis/cues.py)"},
            )
        )
    return out


def _lessons(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    themes = ctx.themes(item.key)
    chosen = themes.themes[:MAX_LIST]
    if not chosen:
        return []
    out = [
        Paragraph(
            sentence("Từ thực tiễn triển khai, rút ra một số bài học kinh nghiệm sau:").rstrip(".") + ":", {"Căn cứ": f"{themes.unit_count} đơn vị nêu bài học"}
        )
    ]
    for n, t in enumerate(chosen):
        text = f"{ORDINALS[n] if n < len(ORDINALS) else n + 1} là, {t.clause}"
        out.append(Paragraph(sentence(text), {"Nội dung": theme_trace(t, themes.unit_count)}))
    return out


# --- Nhiệm vụ, giải pháp ---------------------------------------------------------------------------


def _tasks(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    themes = ctx.themes(item.key)
    out = [Paragraph(f"{n}. {text}", {"Nội dung": theme_trace(t, themes.unit_count)}) for n, (t, text) in enumerate(_distinct(themes.themes, task_phrase), 1)]
    limits = []
    for section in ctx.campaign.outline:
        for other in section.answerable:
            if item_kind(other.title, section.title) == "limitations":
                limits += ctx.themes(other.key).themes[:2]
    if limits:
        text = sentence("Tập trung khắc phục những hạn chế đã nêu, nhất là: " + "; ".join(t.clause for t in limits))
        out.append(Paragraph(f"{len(out) + 1}. {text}", traces(limits, max(t.unit_count for t in limits))))
    return out


# --- Đề xuất, kiến nghị -----------------------------------------------------------------------------


def _recommendations(ctx: _Context, item: OutlineItem) -> list[Paragraph]:
    themes = ctx.themes(item.key)
    out: list[Paragraph] = []
    for t, text in _distinct(themes.themes, ask_phrase):
        count = f" ({t.unit_count} đơn vị đề xuất)" if t.unit_count > 1 else ""
        trace = {"Nội dung": theme_trace(t, themes.unit_count)}
        moved = [s for s in t.members if s in ctx.moved]
        if moved:
            trace["Chuyển từ mục khác"] = f"{len(moved)} ý kiến là nội dung chỉ Trung ương quyết định (cues.CENTRE_ONLY)"
        out.append(Paragraph(f"- {text[:-1]}{count}.", trace))
    return out


def _distinct(themes, phrase):
    """The first MAX_LIST themes, each as ``phrase`` words it, leaving out a wording said already."""
    seen: set[str] = set()
    for t in themes:
        text = sentence(phrase(t.clause))
        if text.casefold() not in seen:
            seen.add(text.casefold())
            yield t, text
            if len(seen) == MAX_LIST:
                return


def model_counts(statements: Sequence[Statement]) -> Counter:
    """Units per quoted name (for tests and the bench)."""
    counts: Counter = Counter()
    for s in statements:
        for name in set(quoted_names(s.text)):
            counts[name] += 1
    return counts


def paragraph_texts(built: list[dict[str, Any]]) -> list[str]:
    """Every body paragraph's text, in order (tests, the bench)."""
    return [p.text for s in built for part in s["parts"] for p in part["paragraphs"]]

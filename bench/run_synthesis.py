"""How well and how fast ``synthesis.group_statements`` groups the units' statements.

Quality on the hand-labelled sample (tests/data/synthesis-labelled.json): adjusted Rand
index and pairwise precision / recall / F1 (a pair is "together" when both statements are in
one group), grouped the way the report groups them (per outline item or Phụ lục 02 column)
and, harder, all sections in one pool. Then the same at 1,500 statements: each labelled
statement rewritten by other units (their name in place of the first unit's, other
figures, an opener some units add), gold labels kept. Speed: wall time of one
``group_statements`` call at 150 and 1,500 statements (best of 3) and its peak Python memory
(tracemalloc). Also a pool of 1,500 demo statements from ``synthetic.py``.

    .venv/bin/python bench/run_synthesis.py [--out bench/results-synthesis.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, pair_confusion_matrix  # noqa: E402

from sonket_gsync.analysis import synthesis  # noqa: E402
from sonket_gsync.analysis.synthesis import Statement, group_statements  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "synthesis-labelled.json"
OPENERS = ("", "Trong 03 năm qua, ", "Thời gian qua, ", "Bên cạnh đó, ", "Nhìn chung, ")


def load_sample() -> tuple[list[Statement], list[str], list[str]]:
    rows = json.loads(SAMPLE.read_text(encoding="utf-8"))["statements"]
    items = [Statement(r["unit_code"], r["unit_name"], r["text"]) for r in rows]
    return items, [r["group"] for r in rows], [r["section"] for r in rows]


def scores(gold: list[str], predicted: list) -> dict[str, float]:
    (_, fp), (fn, tp) = pair_confusion_matrix(gold, predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"ari": adjusted_rand_score(gold, predicted), "precision": precision, "recall": recall, "f1": f1}


def predicted_labels(items: list[Statement], sections: list[str] | None, threshold=None) -> list[str]:
    """Group per section (as the report does), or all in one pool when sections is None."""
    pools: dict[str, list[int]] = defaultdict(list)
    for i in range(len(items)):
        pools[sections[i] if sections else ""].append(i)
    label: dict[int, str] = {}
    for name, index in pools.items():
        position = {id(items[i]): i for i in index}
        for n, group in enumerate(group_statements([items[i] for i in index], threshold=threshold)):
            for member in group.members:
                label[position[id(member)]] = f"{name}/{n}"
    return [label[i] for i in range(len(items))]


def scaled(items, gold, sections, size: int, units: list[tuple[str, str]], seed: int = 9):
    """``size`` statements: the sample, then rewrites of it by other units."""
    rng = random.Random(seed)
    out, out_gold, out_sections = list(items), list(gold), list(sections)
    while len(out) < size:
        i = rng.randrange(len(items))
        code, name = rng.choice(units)
        text = items[i].text.replace(items[i].unit_name, name)
        text = re.sub(r"\d+(?:,\d+)?", lambda m: str(rng.randint(2, 900)) if "/" not in m.group() else m.group(), text)
        opener = rng.choice(OPENERS)
        if opener:
            text = opener + text[0].lower() + text[1:] if not text[:2].isupper() else opener + text
        out.append(Statement(code, name, text))
        out_gold.append(gold[i])
        out_sections.append(sections[i])
    return out[:size], out_gold[:size], out_sections[:size]


def timed(items: list[Statement], repeat: int = 3) -> tuple[float, float, float, int]:
    """Best wall and CPU seconds of ``repeat`` runs (CPU time: the machine is shared, wall
    time includes waiting for a core), peak traced memory in MiB, number of groups."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        groups = group_statements(items)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    tracemalloc.start()
    group_statements(items)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return wall, cpu, peak / 2**20, len(groups)


def demo_statements(size: int) -> list[Statement]:
    """Statements from the demo's synthetic narratives (one outline item), as the report
    would pass them."""
    from sonket_gsync.campaign.load import load_campaign
    from sonket_gsync.demo.synthetic import answers_for

    campaign = load_campaign(ROOT / "config" / "so-ket-45-nq-tw")
    rng = random.Random(45)
    item = campaign.outline_items[4].key  # II.2
    out: list[Statement] = []
    units = [u for u in campaign.units if campaign.has_narrative(u)]
    n = 0
    while len(out) < size:
        unit = units[n % len(units)]
        n += 1
        text = answers_for(campaign, unit, rng).narrative.get(item, "")
        out.extend(Statement(unit.code, unit.name, s) for s in synthesis.split_statements(text))
    return out[:size]


def demo_labelled(size: int, keys=("I.1", "II.2", "III.3", "V.2")):
    """Statements from the demo's phrase banks with their theme as the gold label: what
    synthetic_text.py meant each unit to say (follow-up sentences left out)."""
    from dataclasses import replace

    from sonket_gsync.campaign.load import load_campaign
    from sonket_gsync.demo.writing import Writer, bank

    campaign = load_campaign(ROOT / "config" / "so-ket-45-nq-tw")
    rng = random.Random(7)
    out: dict[str, tuple[list[Statement], list[str]]] = {}
    for key in keys:
        themes = bank().items[key]
        items, gold = [], []
        n = 0
        while len(items) < size:
            unit = campaign.units[n % len(campaign.units)]
            n += 1
            writer = Writer.for_unit(unit, rng)
            for i, theme in enumerate(writer.pick(key, rng.choice((1, 2, 3)))):
                prefix = writer._address(theme) if theme.to else ""
                text = writer.sentence(replace(theme, more=()), first=i == 0, prefix=prefix)
                items.append(Statement(f"{unit.code}#{n}", f"{unit.name} ({n})", text))
                gold.append(f"{key}/{themes.index(theme)}")
        out[key] = (items[:size], gold[:size])
    return out


def demo_variety(units_count: int) -> list[str]:
    """How varied the demo's synthetic narratives are: statements and distinct statements per
    outline item for ``units_count`` units (the campaign's units, cycled), and the time taken."""
    from sonket_gsync.campaign.load import load_campaign
    from sonket_gsync.demo.synthetic import answers_for

    campaign = load_campaign(ROOT / "config" / "so-ket-45-nq-tw")
    rng = random.Random(45)
    start = time.process_time()
    answers = [answers_for(campaign, campaign.units[i % len(campaign.units)], rng) for i in range(units_count)]
    seconds = time.process_time() - start
    rows, everything = [], []
    for item in campaign.outline_items:
        sentences = [s for a in answers for s in synthesis.split_statements(a.narrative.get(item.key, ""))]
        everything += sentences
        top = max(Counter(sentences).values()) if sentences else 0
        rows.append(f"| {item.key} | {len(sentences)} | {len(set(sentences))} | {top} |")
    head = [
        f"{units_count} units: answers generated in {seconds:.2f} s CPU; {len(everything)} narrative statements, {len(set(everything))} distinct.",
        "",
        "| item | statements | distinct | most repeated |",
        "|---|---:|---:|---:|",
    ]
    return head + rows


def compile_like(units_count: int) -> list[str]:
    """All the grouping a compile of ``units_count`` units does, as the report feeds it: each
    outline item's narrative statements, Phụ lục 02 [6] with III.2, [7] with III.3, [8] split
    to V.1 / V.2 (unaddressed with V.2). CPU and wall time, peak memory of the grouping alone."""
    from sonket_gsync.campaign.load import load_campaign
    from sonket_gsync.demo.synthetic import answers_for

    campaign = load_campaign(ROOT / "config" / "so-ket-45-nq-tw")
    rng = random.Random(45)
    units = [campaign.units[i % len(campaign.units)] for i in range(units_count)]
    pools: dict[str, list[Statement]] = {item.key: [] for item in campaign.outline_items}
    split = synthesis.split_statements
    for i, unit in enumerate(units):
        answers = answers_for(campaign, unit, rng)
        code, name = f"{unit.code}#{i}", f"{unit.name} ({i})"
        for key, text in answers.narrative.items():
            pools[key] += [Statement(code, name, s) for s in split(text)]
        for row in answers.tables.get("PL02", []):
            pools["III.2"] += [Statement(code, name, s) for s in split(row.get("good_practices") or "")]
            pools["III.3"] += [Statement(code, name, s) for s in split(row.get("difficulties") or "")]
            parts = synthesis.split_recipients(row.get("recommendations") or "")
            pools["V.1"] += [Statement(code, name, s) for s in split(parts["trung_uong"])]
            pools["V.2"] += [Statement(code, name, s) for s in split(parts["tinh_uy"] + "\n" + parts["other"])]
    total = sum(len(p) for p in pools.values())
    start, start_cpu = time.perf_counter(), time.process_time()
    groups = sum(len(group_statements(pool)) for pool in pools.values())
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    tracemalloc.start()  # a second run for memory: tracing slows the first
    for pool in pools.values():
        group_statements(pool)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return [f"| {units_count} | {len(pools)} | {total} | {groups} | {wall:.2f} | {cpu:.2f} | {peak:.0f} |"]


def themes_quality(items: list[Statement], gold: list[str], sections: list[str]) -> list[str]:
    """The body's themes (analysis/themes.py: boilerplate dropped, repeats once, achievements
    and limitations apart, then grouped) on the labelled sample, per section, against the
    gold groups: boilerplate found, pairwise precision / recall of the printed themes,
    themes a reader would split (members from more than one gold group), themes whose
    printed clause says one thing twice, themes joining a limitation with an achievement."""
    from sonket_gsync.analysis.cues import is_boilerplate
    from sonket_gsync.analysis.themes import build_themes

    flagged = [is_boilerplate(s.text) for s in items]
    truth = [g == "boilerplate" for g in gold]
    tp = sum(f and t for f, t in zip(flagged, truth, strict=True))
    b_precision = tp / max(1, sum(flagged))
    b_recall = tp / max(1, sum(truth))
    label: dict[int, str] = {}
    printed = split = twice = mixed = 0
    for section in sorted(set(sections)):
        index = [i for i, s in enumerate(sections) if s == section]
        position = {id(items[i]): i for i in index}
        result = build_themes([items[i] for i in index])
        for n, theme in enumerate(result.themes):
            members = [position[id(m)] for m in theme.members]
            for i in members:
                label[i] = f"{section}/{n}"
            if theme.unit_count >= 2:
                printed += 1
                split += len({gold[i] for i in members}) > 1
                mixed += len({"chua" in gold[i] or "han_che" in gold[i] for i in members if gold[i].startswith("trap_")}) > 1
            twice += bool(re.search(r"\b(\w+(?: \w+){2,}),? \1\b", theme.clause))
        for m in result.dropped:
            label.setdefault(position[id(m)], "dropped")
    kept = [i for i in range(len(items)) if label.get(i, "dropped") != "dropped" and gold[i] != "boilerplate"]
    s = scores([gold[i] for i in kept], [label[i] for i in kept])
    return [
        f"| boilerplate recognised | precision {b_precision:.3f} | recall {b_recall:.3f} | {sum(truth)} in the sample |",
        f"| themes vs gold (per section, boilerplate out) | precision {s['precision']:.3f} | recall {s['recall']:.3f} | F1 {s['f1']:.3f} |",
        f"| printed themes (≥ 2 units) a reader would split | {split} of {printed} | | |",
        f"| themes joining an achievement with a limitation (trap pairs) | {mixed} | | |",
        f"| printed clauses saying one thing twice | {twice} | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    items, gold, sections = load_sample()
    units = sorted({(s.unit_code, s.unit_name) for s in items})
    lines = [
        "# Synthesis: grouping quality and speed",
        "",
        f"Command: `.venv/bin/python bench/run_synthesis.py{' --out ' + str(args.out) if args.out else ''}`  ",
        f"Machine load average while measuring: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared; CPU seconds are the steadier figure).  ",
        f"Threshold: {synthesis.DEFAULT_THRESHOLD} (default). Sample: {len(items)} hand-labelled statements, "
        f"{len(set(gold))} gold groups, {len(set(sections))} sections.",
        "",
        "Method (sonket_gsync/synthesis.py): NFC, lower case with accents kept, the unit's own name, leading link",
        "words, document numbers and figures neutralised, a short list of administrative synonyms; TF-IDF",
        "(scikit-learn) on syllables + syllable pairs and on character 2–5-grams within syllables, averaged;",
        "cosine similarity; average-linkage clustering (scipy) cut at the threshold; above 1,500 statements an even",
        "sample is clustered and the rest join by the same mean-similarity test.",
        "",
        "Word segmentation: pyvi 0.1.1 (CRF) was measured on the same sample in a separate environment: pooled ARI",
        "0.55 (segmented words) / 0.65 (segmented words + characters) against 0.69 for syllable pairs + characters",
        "(all before the synonym list was added, best threshold each),",
        "and about 0.3 ms per sentence (7 s for the 24,000 statements of a 1,500-unit compile); syllable pairs",
        "stand in for two-syllable words at no cost. underthesea was not tried.",
        "",
        "Caveats: the labelled sample and the synonym list were written by the same person, so the rows with",
        "synonyms are optimistic; the rows without show the method alone. The demo-bank rows grade text from",
        'synthetic_text.py\'s own phrase banks, which is easier than real writing. "Per section" is how the report',
        'groups (one outline item or Phụ lục 02 column at a time); "all in one" mixes every section (harder).',
        "",
        "## Quality (pairwise precision/recall/F1, adjusted Rand index)",
        "",
        "| statements | pooled | synonyms | ARI | precision | recall | F1 |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    big = scaled(items, gold, sections, 1500, units)
    synonyms = synthesis._SYNONYM
    for use_synonyms in (True, False):
        synthesis._SYNONYM = synonyms if use_synonyms else {}
        for data in ((items, gold, sections), big):
            for per_section in (True, False):
                s = scores(data[1], predicted_labels(data[0], data[2] if per_section else None))
                lines.append(
                    f"| {len(data[0])} | {'per section' if per_section else 'all in one'} | {'yes' if use_synonyms else 'no'} "
                    f"| {s['ari']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
                )
    synthesis._SYNONYM = synonyms
    lines += [
        "",
        "## The body's themes on the labelled sample (traps included)",
        "",
        "How the report uses the groups (analysis/themes.py): boilerplate (cues.BOILERPLATE) dropped, a unit's",
        "repeats counted once, achievements and limitations (cues.NEGATIVE) grouped apart, one clause per theme.",
        'The sample has rows marked "trap": attachment references and estimate notes, "đã"/"chưa" pairs in the',
        'same words, unrelated statements of one field, a limitation overcome ("tháo gỡ vướng mắc").',
        "",
        "| measure | | | |",
        "|---|---|---|---|",
        *themes_quality(items, gold, sections),
    ]
    lines += [
        "",
        "Demo phrase banks (gold = the theme synthetic_text.py wrote; one item at a time):",
        "",
        "| item | statements | themes | ARI | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, (data, labels) in demo_labelled(1500).items():
        s = scores(labels, predicted_labels(data, None))
        lines.append(f"| {key} | {len(data)} | {len(set(labels))} | {s['ari']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    lines += ["", "Threshold sweep (sample, per section, synonyms on):", "", "| threshold | ARI | precision | recall | F1 |", "|---:|---:|---:|---:|---:|"]
    for t in (0.15, 0.175, 0.2, 0.225, 0.25, 0.3, 0.35, 0.4):
        s = scores(gold, predicted_labels(items, sections, threshold=t))
        lines.append(f"| {t} | {s['ari']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    lines += [
        "",
        "## Speed (one `group_statements` call, one pool)",
        "",
        "| statements | source | wall s (best of 3) | CPU s (best of 3) | peak MiB (tracemalloc) | groups |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for label, data in (("labelled sample", items[:150]), ("labelled, rewritten", big[0])):
        wall, cpu, mib, count = timed(data)
        lines.append(f"| {len(data)} | {label} | {wall:.3f} | {cpu:.3f} | {mib:.1f} | {count} |")
    try:
        demo = demo_statements(3000)
    except Exception as error:  # the demo generator is optional for this bench
        lines.append(f"| 1500 | demo narratives | not measured: {error} | | | |")
    else:
        for size in (150, 1500, 3000):
            wall, cpu, mib, count = timed(demo[:size])
            lines.append(f"| {size} | demo narratives (II.2) | {wall:.3f} | {cpu:.3f} | {mib:.1f} | {count} |")
    lines += [
        "",
        "## A compile's grouping (every outline item, demo answers)",
        "",
        "| units | pools | statements | groups | wall s | CPU s | peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += compile_like(150) + compile_like(1500)
    lines += ["", "## Demo text variety (synthetic_text.py, seed 45)", "", *demo_variety(127), "", *demo_variety(1500)[:1]]
    again = [[m.text for m in g.members] for g in group_statements(big[0])]
    same = again == [[m.text for m in g.members] for g in group_statements(big[0])]
    lines += ["", f"Deterministic (two runs on 1,500 give the same groups in the same order): {'yes' if same else 'NO'}", ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

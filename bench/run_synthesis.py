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
import random
import re
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, pair_confusion_matrix  # noqa: E402

from sonket_gsync import synthesis  # noqa: E402
from sonket_gsync.synthesis import Statement, group_statements  # noqa: E402

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


def timed(items: list[Statement], repeat: int = 3) -> tuple[float, float, int]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        groups = group_statements(items)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    group_statements(items)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20, len(groups)


def demo_statements(size: int) -> list[Statement]:
    """Statements from the demo's synthetic narratives (one outline item), as the report
    would pass them."""
    from sonket_gsync.config import load_campaign
    from sonket_gsync.synthetic import answers_for

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
        f"Threshold: {synthesis.DEFAULT_THRESHOLD} (default). Sample: {len(items)} hand-labelled statements, "
        f"{len(set(gold))} gold groups, {len(set(sections))} sections.",
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
    lines += ["", "Threshold sweep (sample, per section, synonyms on):", "", "| threshold | ARI | precision | recall | F1 |", "|---:|---:|---:|---:|---:|"]
    for t in (0.15, 0.175, 0.2, 0.225, 0.25, 0.3, 0.35, 0.4):
        s = scores(gold, predicted_labels(items, sections, threshold=t))
        lines.append(f"| {t} | {s['ari']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    lines += ["", "## Speed (one `group_statements` call, one pool)", "", "| statements | source | seconds (best of 3) | peak MiB (tracemalloc) | groups |", "|---:|---|---:|---:|---:|"]
    for label, data in (("labelled sample", items[:150]), ("labelled, rewritten", big[0])):
        seconds, mib, count = timed(data)
        lines.append(f"| {len(data)} | {label} | {seconds:.3f} | {mib:.1f} | {count} |")
    try:
        demo = demo_statements(1500)
    except Exception as error:  # the demo generator is optional for this bench
        lines.append(f"| 1500 | demo narratives | not measured: {error} | | |")
    else:
        for size in (150, 1500):
            seconds, mib, count = timed(demo[:size])
            lines.append(f"| {size} | demo narratives (II.2) | {seconds:.3f} | {mib:.1f} | {count} |")
    again = [[m.text for m in g.members] for g in group_statements(big[0])]
    same = again == [[m.text for m in g.members] for g in group_statements(big[0])]
    lines += ["", f"Deterministic (two runs on 1,500 give the same groups in the same order): {'yes' if same else 'NO'}", ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

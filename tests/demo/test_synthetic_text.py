"""The demo's synthetic text reads like many units writing: varied sentences per outline item,
unit-specific names and figures, recommendations addressed as units address them — and the
synthesis finds what they share."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from sonket_gsync.analysis.synthesis import Statement, group_statements, split_recipients, split_statements
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN
from sonket_gsync.demo.synthetic import answers_for
from sonket_gsync.demo.writing import bank, phrases_path


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(DEFAULT_CAMPAIGN)


@pytest.fixture(scope="module")
def answers(campaign):
    rng = random.Random(45)
    return [(unit, answers_for(campaign, unit, rng)) for unit in campaign.units]


def test_every_outline_item_has_its_own_phrases(campaign):
    path = phrases_path(campaign.folder)
    assert path is not None and path.parent == campaign.folder  # the seed's phrases are the campaign's, not the code's
    for item in campaign.outline_items:
        assert item.key in bank(path).items, item.key


def test_narratives_vary_like_real_units(campaign, answers):
    for item in campaign.outline_items:
        sentences = [s for _, a in answers for s in split_statements(a.narrative.get(item.key, ""))]
        distinct = set(sentences)
        assert len(sentences) > 150, item.key
        assert len(distinct) > 50, item.key  # hundreds overall, dozens at least per item
        assert Counter(sentences).most_common(1)[0][1] < len(answers) // 3, item.key  # no stock sentence
    everything = [s for _, a in answers for text in a.narrative.values() for s in split_statements(text)]
    assert len(set(everything)) > 1500


def test_text_is_the_units_own(answers):
    names = sum(unit.name in text for unit, a in answers for text in a.narrative.values())
    assert names > 100  # units name themselves
    commune = next((u, a) for u, a in answers if u.name.startswith("Đảng ủy xã"))
    assert "{" not in " ".join(commune[1].narrative.values())  # every slot filled


def test_recommendations_are_addressed_as_units_address_them(answers):
    cells = [row["recommendations"] for _, a in answers for row in a.tables.get("PL02", []) if row.get("recommendations")]
    assert len(cells) > 50
    headings = sum(("Với Trung ương:" in c or "Đối với Trung ương:" in c or "Kiến nghị với Trung ương:" in c) for c in cells)
    inline = sum("Đề nghị Trung ương" in c or "Kiến nghị Trung ương" in c for c in cells)
    assert headings > 5 and inline > 5
    parts = [split_recipients(c) for c in cells]
    assert sum(bool(p["trung_uong"]) for p in parts) > 20
    assert sum(bool(p["tinh_uy"]) for p in parts) > 40
    assert sum(bool(p["other"]) for p in parts) > 5  # some units address no one


def test_the_synthesis_finds_what_units_share(answers):
    statements = [
        Statement(unit.code, unit.name, s) for unit, a in answers for row in a.tables.get("PL02", []) for s in split_statements(row.get("difficulties") or "")
    ]
    groups = group_statements(statements)
    assert len(groups) < len(statements) / 5
    assert groups[0].unit_count >= 10
    assert len(groups[0].representatives) >= 2


def test_same_seed_same_text(campaign):
    unit = campaign.units[40]
    first = answers_for(campaign, unit, random.Random(7))
    again = answers_for(campaign, unit, random.Random(7))
    other = answers_for(campaign, unit, random.Random(8))
    assert first == again
    assert first.narrative != other.narrative

"""The demo runs any campaign: on a campaign without a phrase bank of its own it fills every
unit's forms from that campaign's columns, choices and indicators and writes narratives from
its own outline — valid answers (the sync finds no error but the units the demo spoils on
purpose), and never a phrase of the seed campaign's bank."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.campaign.plan import read_plan, write_campaign_folder
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings
from sonket_gsync.demo.generic import GENERIC
from sonket_gsync.demo.run import run_demo
from sonket_gsync.demo.synthetic import answers_for
from sonket_gsync.demo.writing import phrases_path
from tests.campaign.plan_docx import build_other_plan

FOLDER = Path(__file__).resolve().parents[1] / "campaigns" / "tong-ket-chi-thi-05"
SEED_WORDS = ("45-NQ", "Nghị quyết số 45", "trí thức", "Đồng Nai", "329-KH/TU")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("demo-chi-thi-05"), campaign_dir=FOLDER)
    result = run_demo(settings, seed=5)
    yield result
    result.service.close()


def _units_text(service) -> list[str]:
    """Everything the units sent: narratives and every cell of their tables."""
    out = []
    for r in service.records():
        if r.submission is None:
            continue
        out += [str(v) for v in r.submission.narrative.values()]
        out += [str(v) for rows in r.submission.tables.values() for row in rows for v in row.values() if v is not None]
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:[-/]\w+)*", text.lower())


def _shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    out = set()
    for clause in re.split(r"[:;.!?()\n{}]|\s[-–]\s", text):
        words = _words(clause)
        out |= {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}
    return out


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _toml_text(path: Path) -> str:
    return "\n".join(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))


def _folder_text(folder: Path) -> str:
    return "\n".join(_toml_text(p) if p.suffix == ".toml" else p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.suffix in (".toml", ".csv"))


def test_the_seed_phrases_belong_to_the_seed_folder_and_the_other_campaign_has_none():
    seed = phrases_path(DEFAULT_CAMPAIGN)
    assert seed is not None and seed.parent == DEFAULT_CAMPAIGN
    assert phrases_path(FOLDER) is None


def test_the_sync_finds_no_error_but_the_units_spoiled_on_purpose(demo):
    spoiled = {code for code, profile in demo.profiles.items() if profile == "invalid"}
    answered = {code for code, profile in demo.profiles.items() if profile in ("on_time", "late")}
    assert answered and spoiled
    assert set(demo.first_sync.invalid) == spoiled, demo.first_sync.invalid
    assert answered <= set(demo.first_sync.accepted)
    assert not demo.first_sync.failed and not demo.second_sync.failed
    assert set(demo.second_sync.invalid) <= spoiled | set(demo.broken_later)
    assert demo.compile_result is not None


def test_every_unit_fills_its_forms_from_its_own_columns(demo):
    campaign = demo.service.campaign
    indicators = {i.code: i for i in campaign.indicators}
    for r in demo.service.records():
        if r.submission is None or demo.profiles[r.unit.code] not in ("on_time", "late"):
            continue
        unit = campaign.unit(r.unit.code)
        assert set(r.submission.tables) == {f.code for f in campaign.forms_for(unit)}, unit.code
        for form in campaign.forms_for(unit):
            rows = r.submission.tables[form.code]
            assert rows, (unit.code, form.code)
            for row in rows:
                assert set(row) == {c.key for c in form.columns}, (unit.code, form.code)
                for col in form.input_columns:
                    value = row[col.key]
                    if col.type == "percent" and value is not None:
                        assert 0 <= float(value) <= 100, (unit.code, col.key, value)
                    if col.type == "integer" and value is not None:
                        assert int(value) >= 0, (unit.code, col.key, value)
                    if col.type == "year" and value is not None:
                        assert value in campaign.indicator_years, (unit.code, col.key, value)
            if form.rows == "indicators":  # every indicator, heading towards its target
                assert {row[form.label_column.key] for row in rows} == set(indicators), unit.code
                for row in rows:
                    values = [float(row[c.key]) for c in form.year_columns]
                    assert values == sorted(values), (unit.code, row)


def test_narratives_come_from_the_campaigns_own_outline(demo):
    campaign = demo.service.campaign
    text = "\n".join(t for r in demo.service.records() if r.submission for t in r.submission.narrative.values())
    titles = {i.title.lower() for i in campaign.outline_items if i.figures != "indicators"}
    assert sum(title in text.lower() for title in titles) >= 2  # the items' own content, as nouns
    assert "Đề nghị Trung ương" in text and "Đề nghị Tỉnh ủy" in text  # the recommendation items' recipients
    assert "{" not in text


def test_no_phrase_of_the_seed_campaigns_bank(demo):
    seed_bank = phrases_path(DEFAULT_CAMPAIGN)
    assert seed_bank is not None
    # the bank's four-word phrases holding a word of the seed's own: a word neither the generic
    # parts nor this campaign's folder use (so "đề nghị trung ương", made of a generic "Đề nghị"
    # and this outline's "Với Trung ương", is not one)
    shared = set(_words(_toml_text(GENERIC))) | set(_words(_folder_text(FOLDER)))
    seed = {s for s in _shingles(_toml_text(seed_bank)) if set(s) - shared}
    found: dict[str, str] = {}
    for value in _units_text(demo.service):
        for words in SEED_WORDS:
            assert words.lower() not in value.lower(), (words, value)
        for phrase in _shingles(value) & seed:
            found.setdefault(" ".join(phrase), value[:100])
    assert not found, found


def test_synthetic_answers_of_a_campaign_without_indicators_drafted_from_a_plan(tmp_path):
    """A folder drafted by `campaign from-plan` (the second fixture plan) plus a units.csv: the
    demo answers it with no indicators and none of the seed's words, and its cycle runs."""
    folder = tmp_path / "from-plan"
    write_campaign_folder(read_plan(build_other_plan(tmp_path / "plan.docx")), folder, province="Bình Phước")
    groups = tomllib.loads((folder / "campaign.toml").read_text(encoding="utf-8"))["groups"]
    with (folder / "units.csv").open("a", encoding="utf-8") as f:
        for n in range(1, 5):
            f.write(f"DV_{n},Đơn vị thử {n},{groups[n % len(groups)]['code']},dv{n}@tinh.example\n")
    campaign = load_campaign(folder)
    rng = random.Random(3)
    for unit in campaign.units:
        answers = answers_for(campaign, unit, rng)
        text = "\n".join([*answers.narrative.values(), *(str(v) for rows in answers.tables.values() for row in rows for v in row.values())])
        assert answers.tables and answers.narrative, unit.code
        for words in SEED_WORDS:
            assert words.lower() not in text.lower(), (words, unit.code)
    result = run_demo(Settings.from_env({}, data_dir=tmp_path / "data", campaign_dir=folder), seed=3)
    try:
        spoiled = {code for code, profile in result.profiles.items() if profile == "invalid"}
        assert set(result.first_sync.invalid) <= spoiled
        assert not result.first_sync.failed
    finally:
        result.service.close()

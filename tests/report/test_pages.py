"""Issue 16: the document the Ban Thường vụ signs stays short — as LibreOffice prints the draft
of a demo-sized campaign (every unit of the seed with the demo's answers): the body at most 20
pages, the whole draft with its appendices at most 60; the companion carries the rest."""

from __future__ import annotations

import importlib.util
import random
from datetime import datetime
from pathlib import Path

import pytest

from sonket_gsync.app.compile import COMPANION_NAME, compile_report
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.core.text import TZ
from sonket_gsync.demo.synthetic import answers_for, assign_profiles
from tests.analysis.test_aggregate import record

ROOT = Path(__file__).resolve().parents[2]
COMPILED_AT = datetime(2026, 4, 25, 8, 30, tzinfo=TZ)
BODY_PAGES, TOTAL_PAGES = 20, 60


def _bench():
    spec = importlib.util.spec_from_file_location("report_pages", ROOT / "bench" / "report_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def printed(campaign, tmp_path_factory):
    root = tmp_path_factory.mktemp("pages16")
    rng = random.Random(45)
    profiles = assign_profiles(campaign, rng)
    records = []
    for unit in campaign.units:
        answers = answers_for(campaign, unit, rng)
        if profiles[unit.code] != "missing":
            records.append(record(campaign, unit.code, tables=answers.tables, narrative=answers.narrative))
    result = compile_report(campaign, records, LocalWorkspace(root / "ws", campaign), compiled_at=COMPILED_AT)
    bench = _bench()
    outputs = root / "ws" / "ket-qua"
    out = {}
    for name in (result.report.name, COMPANION_NAME):
        folder = root / name.split(".")[0]
        folder.mkdir()
        out[name] = bench.parts(bench.to_pdf(outputs / name, folder))
    return result, out


@pytest.mark.libreoffice
def test_the_signed_document_is_short_and_keeps_the_plans_appendices(printed):
    result, out = printed
    parts = out[result.report.name]
    names = [name for name, _, _ in parts]
    assert names == ["Thân báo cáo", "PHỤ LỤC 01", "PHỤ LỤC 02"]
    body = parts[0][2] - parts[0][1] + 1
    total = parts[-1][2]
    assert body <= BODY_PAGES, f"body {body} pages"
    assert total <= TOTAL_PAGES, f"draft {total} pages"


@pytest.mark.libreoffice
def test_the_companion_carries_the_unit_by_unit_material(printed):
    _, out = printed
    companion = out[COMPANION_NAME][-1][2]
    assert companion > 20  # every unit's full text: far longer than the draft's appendices

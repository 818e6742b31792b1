"""Form roles are a registry (analysis/roles/): one module per role, and a new role is one
module. A role written here, registered under a new name, is picked up by aggregation, the
draft's body and appendices, the aggregated workbook and the demo, with no other change."""

from __future__ import annotations

import dataclasses
import io
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import docx
import pandas as pd
import pytest

from sonket_gsync.analysis.aggregate import aggregate
from sonket_gsync.analysis.roles import REGISTRY, Cell, Note, Role, Table, role_for, role_with_figures
from sonket_gsync.analysis.rows import form_rows
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.campaign.model import FORM_ROLES, OUTLINE_FIGURES
from sonket_gsync.core.text import TZ
from sonket_gsync.demo.synthetic import answers_for, to_submission
from sonket_gsync.forms.submission import UnitRecord
from sonket_gsync.report.appendix import appendix_plan
from sonket_gsync.report.draft import render_report, resolve_template
from sonket_gsync.report.tables import summary_tabs

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "tests" / "campaigns" / "tong-ket-chi-thi-05"
COMPILED_AT = datetime(2026, 4, 25, 8, 30, tzinfo=TZ)
SESSIONS = 12  # every demo row of the new role's form says 12 sessions


# --- the new role: everything it is, in one place (as analysis/roles/training.py would be) ----


class Training(Role):
    def aggregate(self, campaign, units, submissions):
        form = campaign.form_with_role(self.name)
        rows = form_rows(form, units, submissions)
        sessions = pd.to_numeric(rows["luot"], errors="coerce") if "luot" in rows else pd.Series(dtype=float)
        per_unit = rows.assign(sessions=sessions).groupby("unit_name", sort=False)["sessions"].sum() if not rows.empty else pd.Series(dtype=float)
        return {"training": {"sessions": int(sessions.sum()), "per_unit": per_unit}}

    def facts(self, campaign, aggregates, names):
        return [f"Các đơn vị đã tổ chức {aggregates.training['sessions']} lượt bồi dưỡng (chi tiết tại {names[self.name]})."]

    def appendix(self, campaign, form, aggregates, names):
        rows = [[Cell(unit), Cell(str(int(n)), align="right")] for unit, n in aggregates.training["per_unit"].items()]
        return [Table([12.0, 4.0], [[Cell("Đơn vị"), Cell("Số lượt bồi dưỡng")]], rows), Note("Ghi chú: số lượt theo báo cáo của đơn vị.")]

    def workbook_tabs(self, campaign, aggregates):
        per_unit = aggregates.training["per_unit"]
        return {"Bồi dưỡng": [["Đơn vị", "Số lượt"], *([unit, int(n)] for unit, n in per_unit.items())]}


TRAINING = Training("training", figures="training", has_appendix=True, demo={"luot": lambda ask: SESSIONS})


@pytest.fixture
def with_training(monkeypatch):
    """Campaign tong-ket-chi-thi-05 with its training form (BM_DAO_TAO) given the new role,
    and the outline item that printed document figures printing training figures instead."""
    monkeypatch.setitem(REGISTRY, TRAINING.name, TRAINING)
    campaign = load_campaign(FOLDER)
    forms = tuple(dataclasses.replace(f, role="training", appendix_title="Bồi dưỡng") if f.code == "BM_DAO_TAO" else f for f in campaign.forms)
    outline = tuple(
        dataclasses.replace(s, items=tuple(dataclasses.replace(i, figures="training") if i.figures == "documents" else i for i in s.items))
        for s in campaign.outline
    )
    return dataclasses.replace(campaign, forms=forms, outline=outline)


def _records(campaign):
    rng = random.Random(7)
    records = []
    for unit in campaign.units:
        submission = to_submission(campaign, unit, answers_for(campaign, unit, rng))
        records.append(UnitRecord(unit=unit, status="on_time", submission=submission, submitted_at=COMPILED_AT, last_modified=COMPILED_AT))
    return records


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- the registry ------------------------------------------------------------------------------


def test_every_form_role_has_one_module_and_every_outline_figure_a_role():
    assert list(REGISTRY) == list(FORM_ROLES)
    assert {r.__module__ for r in (type(role) for role in REGISTRY.values())} == {
        f"sonket_gsync.analysis.roles.{m}" for m in ("documents", "inspection", "party_committees", "indicators", "free")
    }
    assert all(role_with_figures(f) is not None for f in OUTLINE_FIGURES)
    campaign = load_campaign(FOLDER)
    assert role_for(campaign.form("BM_DANG_BO")).name == "party_committees"


def test_aggregation_does_not_load_scikit_learn():
    code = "import sys, sonket_gsync.analysis.aggregate; print('sklearn' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.split() == ["False", "False"]


# --- a new role, added by one module -----------------------------------------------------------


def test_the_demo_answers_a_new_role_as_it_says(with_training):
    campaign = with_training
    unit = next(u for u in campaign.units if "BM_DAO_TAO" in campaign.group(u.group).forms)
    rows = answers_for(campaign, unit, random.Random(1)).tables["BM_DAO_TAO"]
    assert rows and all(row["luot"] == SESSIONS for row in rows)


def test_aggregation_workbook_and_draft_pick_up_a_new_role(with_training):
    campaign = with_training
    agg = aggregate(campaign, _records(campaign))
    filling = [u for u in campaign.units if "BM_DAO_TAO" in campaign.group(u.group).forms]
    assert agg.training["sessions"] > 0 and agg.training["sessions"] % SESSIONS == 0
    assert list(agg.training["per_unit"].index) == [u.name for u in filling]
    assert "other_tables" in agg.results and "BM_DAO_TAO" not in agg.other_tables  # no longer a "none" form

    tabs = summary_tabs(campaign, agg)
    assert "Đào tạo" not in tabs  # the "none" role's tab for the form is gone
    names = list(tabs)  # the role's tab sits with the forms' tabs, before the office's sheets
    assert "Bồi dưỡng" in names and names.index("Bồi dưỡng") < names.index("Tiến độ theo nhóm") < names.index("Trạng thái")
    assert tabs["Bồi dưỡng"][1] == [filling[0].name, int(agg.training["per_unit"].iloc[0])]

    plan, names = appendix_plan(campaign)
    assert [f.code for _, _, forms in plan for f in forms] == ["BM_DANG_BO", "BM_DAO_TAO"]
    text = _text(render_report(campaign, agg, resolve_template(campaign), compiled_at=COMPILED_AT))
    assert f"Các đơn vị đã tổ chức {agg.training['sessions']} lượt bồi dưỡng (chi tiết tại {names['training']})." in text
    assert "Số lượt bồi dưỡng" in text and "Ghi chú: số lượt theo báo cáo của đơn vị." in text
    assert "BỒI DƯỠNG" in text  # the appendix heading, from the form's appendix_title

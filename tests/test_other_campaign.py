"""A new campaign is a new config folder, never a code change: a 5-year review with other
years, another deadline, fewer units and an extra form runs the whole cycle unchanged."""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import pytest
from docx import Document

from sonket_gsync import narrative
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.config import load_campaign
from sonket_gsync.service import CampaignService
from sonket_gsync.settings import DEFAULT_CAMPAIGN
from sonket_gsync.store import Store
from sonket_gsync.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks

EXTRA_FORM = """
[[forms]]
code = "DAO_TAO"
appendix = "Phụ lục 03"
title = "Đào tạo, bồi dưỡng trí thức theo năm"
sheet = "PL03 Đào tạo"
rows = "open"
blank_rows = 10

  [[forms.columns]]
  key = "year"
  header = "Năm"
  type = "year"
  required = true

  [[forms.columns]]
  key = "trainees"
  header = "Số lượt được đào tạo, bồi dưỡng"
  type = "integer"
  required = true

  [[forms.columns]]
  key = "budget"
  header = "Kinh phí (triệu đồng)"
  type = "number"
"""


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def five_year(tmp_path: Path) -> Path:
    folder = tmp_path / "tong-ket-5-nam"
    shutil.copytree(DEFAULT_CAMPAIGN, folder)
    campaign = folder / "campaign.toml"
    _replace(campaign, 'code = "so-ket-45-nq-tw"', 'code = "tong-ket-5-nam"')
    _replace(campaign, 'name = "Sơ kết 03 năm thực hiện Nghị quyết số 45-NQ/TW"', 'name = "Tổng kết 05 năm thực hiện Nghị quyết số 45-NQ/TW"')
    _replace(campaign, 'deadline = "20/04/2026"', 'deadline = "15/10/2028"')
    _replace(campaign, "indicator_years = [2024, 2025, 2026]", "indicator_years = [2024, 2025, 2026, 2027, 2028]")
    _replace(campaign, "estimated_years = [2026]", "estimated_years = [2028]")
    _replace(campaign, 'forms = ["PL02", "CHI_TIEU"]', 'forms = ["PL02", "DAO_TAO", "CHI_TIEU"]')
    forms = folder / "forms.toml"
    _replace(forms, '''  key = "y2026"
  header = "Ước thực hiện năm 2026"
  aliases = ["Ước năm 2026", "Năm 2026"]
  type = "number"
  year = 2026
  width = 14
''', '''  key = "y2026"
  header = "Năm 2026"
  type = "number"
  year = 2026

  [[forms.columns]]
  key = "y2027"
  header = "Năm 2027"
  type = "number"
  year = 2027

  [[forms.columns]]
  key = "y2028"
  header = "Ước thực hiện năm 2028"
  type = "number"
  year = 2028
''')
    forms.write_text(forms.read_text(encoding="utf-8") + EXTRA_FORM, encoding="utf-8")
    units = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    (folder / "units.csv").write_text("\n".join(units[:12] + units[-8:]) + "\n", encoding="utf-8")
    return folder


def test_a_five_year_review_runs_the_whole_cycle_without_code_changes(five_year, settings):
    campaign = load_campaign(five_year)
    assert campaign.deadline.year == 2028 and len(campaign.units) == 19
    service = CampaignService(settings, campaign, LocalWorkspace(settings.workspace_dir, campaign), Store(settings.db_path))
    service.provision()
    rng = random.Random(5)
    profiles = assign_profiles(campaign, rng)
    for unit in campaign.units:
        if profiles[unit.code] == "missing":
            continue
        answers = answers_for(campaign, unit, rng)
        if profiles[unit.code] == "invalid":
            answers = spoil(campaign, unit, answers, rng)
        doc = narrative.docx_from_sections(campaign, unit, answers.narrative)
        service.workspace.write_unit(unit, to_blocks(campaign, unit, answers), doc, modified_time(profiles[unit.code], campaign, rng))

    report = service.sync()
    assert report.failed == [] and len(report.accepted) >= 10 and report.invalid
    commune = next(r for r in service.records() if r.unit.group == "DANG_UY" and r.status in ("on_time", "late"))
    assert commune.submission.tables["DAO_TAO"] and {"year", "trainees", "budget"} <= set(commune.submission.tables["DAO_TAO"][0])
    assert set(commune.submission.tables["CHI_TIEU"][0]) >= {"y2027", "y2028"}

    result = service.compile()
    draft = Document(io.BytesIO(Path(result.report.file_id).read_bytes()))
    text = "\n".join(p.text for p in draft.paragraphs)
    assert "(hạn gửi 15/10/2028)" in text
    headers = {cell.text for table in draft.tables for cell in table.rows[0].cells}
    assert {"Năm 2024", "Năm 2025", "Năm 2026", "Năm 2027", "Ước thực hiện năm 2028"} <= headers
    assert list(result.aggregates.indicator_years) == [2024, 2025, 2026, 2027, 2028]
    service.close()

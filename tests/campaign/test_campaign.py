"""The campaign folder is data: it loads, and a bad folder stops with file, place and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN


def test_real_campaign_loads_with_plan_structure(campaign):
    assert campaign.deadline.strftime("%d/%m/%Y %H:%M %Z") == "20/04/2026 23:59 +07"
    assert [g.number for g in campaign.groups] == [1, 2, 3, 4]
    assert 100 <= len(campaign.units) <= 150
    assert [s.number for s in campaign.outline] == ["I", "II", "III", "IV", "V"]
    assert len(campaign.indicators) == 11
    real = [i for i in campaign.indicators if not i.sample]
    assert [i.code for i in real] == ["CT01"] and real[0].target_2030 == 60
    party = campaign.unit("X_XUAN_LOC")
    assert [f.code for f in campaign.forms_for(party)] == ["PL02", "CHI_TIEU"]
    agency = campaign.unit("LHH_KHKT")
    assert [f.code for f in campaign.forms_for(agency)] == ["PL01_VB", "PL01_KT", "CHI_TIEU"]


def test_phu_luc_02_has_the_eight_seed_columns(campaign):
    form = campaign.form("PL02")
    numbers = sorted({c.number for c in form.columns}, key=int)
    assert numbers == [str(n) for n in range(1, 9)]
    assert form.column("good_practices").header == "Những cách làm hay, hiệu quả của đơn vị"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "campaign"
    shutil.copytree(DEFAULT_CAMPAIGN, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_group_names_file_line_and_fix(folder):
    _edit(folder / "units.csv", "SO_NV,Sở Nội vụ,DU_UBND", "SO_NV,Sở Nội vụ,NHOM_LA")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    text = err.value.explain()
    assert "units.csv, dòng 4" in text and "NHOM_LA" in text and "DU_UBND" in text


def test_duplicate_unit_code_points_at_both_lines(folder):
    _edit(folder / "units.csv", "SO_TC,Sở Tài chính", "SO_NV,Sở Tài chính")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "SO_NV" in err.value.message and "dòng 4" in err.value.message and "dòng 5" in err.value.where


def test_group_using_a_form_that_does_not_exist(folder):
    _edit(folder / "campaign.toml", 'forms = ["PL02", "CHI_TIEU"]', 'forms = ["PL03", "CHI_TIEU"]')
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "PL03" in err.value.message and "DANG_UY" in err.value.where


def test_form_column_missing_a_header(folder):
    _edit(folder / "forms.toml", 'header = "Trích yếu nội dung văn bản"\n', "")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "header" in err.value.message and "PL01_VB" in err.value.where and "summary" in err.value.where


def test_malformed_deadline(folder):
    _edit(folder / "campaign.toml", 'deadline = "20/04/2026"', 'deadline = "2026/20/04"')
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "deadline" in err.value.where and "dd/mm/yyyy" in err.value.fix


def test_malformed_min_date_in_a_form(folder):
    _edit(folder / "forms.toml", 'min = "24/11/2023"', 'min = "24-11"')
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "doc_date" in err.value.where


def test_csv_saved_in_a_legacy_encoding_is_explained(folder):
    (folder / "units.csv").write_bytes(b"code,name,group\nA,S\xf0 N\xf4i v\xf5,DU_UBND\n")  # cp1258 bytes
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "UTF-8" in err.value.fix


def test_config_text_is_normalised_to_nfc(folder):
    import unicodedata

    text = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    campaign = load_campaign(folder)
    assert campaign.unit("SO_NV").name == "Sở Nội vụ"

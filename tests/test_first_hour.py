"""What a new user meets in the first hour: every failure is a located Vietnamese message
with the documented exit code (2: fix something; 75: temporary), units are found the way a
person types them, and a unit that never sent shows no "last change"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonket_gsync.app.service import CampaignService
from sonket_gsync.campaign.load import MAX_UNIT_CODE, load_campaign
from sonket_gsync.campaign.lookup import find_unit
from sonket_gsync.cli.main import cli
from sonket_gsync.core.errors import ConfigError, UnknownUnit
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings


def invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), env={"SONKET_BACKEND": "local", **(env or {})})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "campaign"
    shutil.copytree(DEFAULT_CAMPAIGN, target)
    return target


def _append_unit(folder: Path, line: str) -> None:
    with (folder / "units.csv").open("a", encoding="utf-8") as f:
        f.write(line + "\n")


# --- check-config refuses what would fail later --------------------------------------------


@pytest.mark.parametrize("missing", ["units.csv", "indicators.csv", "forms.toml", "outline.toml"])
def test_a_campaign_folder_without_one_of_its_files_is_a_message(folder, missing):
    (folder / missing).unlink()
    result = invoke("--config", str(folder), "check-config")
    assert result.exit_code == 2
    assert missing in result.output and "Cách khắc phục" in result.output


def test_a_unit_code_over_the_documented_limit_is_refused_before_provision(folder):
    _append_unit(folder, f"{'X' * (MAX_UNIT_CODE + 1)},Đơn vị mã dài,DU_UBND,dai@dongnai.example")
    result = invoke("--config", str(folder), "check-config")
    assert result.exit_code == 2
    assert f"{MAX_UNIT_CODE} ký tự" in result.output and "units.csv, dòng 129" in result.output


def test_a_code_at_the_limit_is_accepted(folder):
    _append_unit(folder, f"{'X' * MAX_UNIT_CODE},Đơn vị mã vừa,DU_UBND,vua@dongnai.example")
    assert len(load_campaign(folder).units) == 128


def test_codes_that_differ_only_by_case_collide(folder):
    _append_unit(folder, "vp_ubnd,Văn phòng khác,DU_UBND,khac@dongnai.example")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "VP_UBND" in err.value.message and "dòng 3" in err.value.message


@pytest.mark.parametrize("email", ["=1+1@x.y", "khong-co-a-cong", "a@b", "@dongnai.example", "+cmd@dongnai.example"])
def test_malformed_emails_are_refused(folder, email):
    _append_unit(folder, f"MOI,Đơn vị mới,DU_UBND,{email}")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "Email" in err.value.message and "cột emails" in err.value.where


@pytest.mark.parametrize(
    "emails",
    ["so-nv@dongnai.example", "moi@dongnai.example;MOI@dongnai.example"],
    ids=["used-by-another-unit", "twice-in-one-unit"],
)
def test_duplicate_emails_are_refused(folder, emails):
    _append_unit(folder, f"MOI,Đơn vị mới,DU_UBND,{emails}")
    with pytest.raises(ConfigError) as err:
        load_campaign(folder)
    assert "bị trùng" in err.value.message


# --- finding a unit ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["SO_TP", "so_tp", "Sở Tư pháp", "so tu phap", "tư pháp"])
def test_a_unit_is_found_by_code_in_any_case_or_by_name_without_accents_or_in_part(campaign, typed):
    assert find_unit(campaign, typed).code == "SO_TP"


def test_nothing_matching_suggests_the_closest_units(campaign):
    with pytest.raises(UnknownUnit) as err:
        find_unit(campaign, "So tu phapp")
    assert "SO_TP" in err.value.fix


def test_a_part_matching_several_units_lists_them(campaign):
    with pytest.raises(UnknownUnit) as err:
        find_unit(campaign, "Sở")
    assert "SO_TP" in err.value.fix and "SO_NV" in err.value.fix


def test_status_unit_unknown_is_a_message_with_suggestions(settings):
    CampaignService.open(settings).close()
    result = invoke("--data", str(settings.data_dir), "status", "--unit", "so tu phapp")
    assert result.exit_code == 2 and "Có phải" in result.output and "SO_TP" in result.output


# --- data folders -----------------------------------------------------------------------------


def test_data_pointing_at_a_file_is_a_message(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = invoke("--data", str(tmp_path / "a-file"), "status")
    assert result.exit_code == 2 and "không phải thư mục" in result.output


@pytest.mark.parametrize("command", [["status"], ["status", "--unit", "SO_TP"], ["status", "--errors"], ["links"], ["compile"]])
def test_commands_on_an_empty_data_folder_create_nothing_and_say_so(tmp_path, command):
    data = tmp_path / "trong"
    result = invoke("--data", str(data), *command)
    assert result.exit_code == 2
    assert "Chưa có dữ liệu" in result.output and "--data" in result.output
    assert not data.exists()


def test_the_data_folder_is_resolved_once_to_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({}, data_dir=Path("d"))
    assert settings.data_dir == tmp_path / "d" and settings.data_dir.is_absolute()


# --- what status shows ------------------------------------------------------------------------


def test_a_unit_that_never_sent_shows_no_last_change(settings, campaign):
    service = CampaignService.open(settings)
    service.provision(["SO_TP"])
    service.sync(only=["SO_TP"])  # the blank form is read: nothing sent
    record = next(r for r in service.records() if r.unit.code == "SO_TP")
    assert record.status == "missing" and record.last_modified is None
    service.close()
    result = invoke("--data", str(settings.data_dir), "status", "--unit", "so_tp")
    assert result.exit_code == 0, result.output
    assert "Sở Tư pháp" in result.output and "Sửa lần cuối" not in result.output


def test_sync_of_one_unit_with_nothing_new_does_not_say_it_changed(settings):
    service = CampaignService.open(settings)
    service.provision(["SO_TP"])
    service.close()
    invoke("--data", str(settings.data_dir), "sync", "--unit", "SO_TP")
    result = invoke("--data", str(settings.data_dir), "sync", "--unit", "so_tp")
    assert result.exit_code == 0, result.output
    assert "có thay đổi" not in result.output and "đã đọc 1 đơn vị, 0 phiên bản mới" in result.output

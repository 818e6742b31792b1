"""A new campaign is a new config folder, never a code change. tests/campaigns/tong-ket-chi-thi-05
is genuinely different from 45-NQ/TW: other form codes (BM_DANG_BO, BM_SO_LIEU, BM_DAO_TAO)
and column keys, no Phụ lục 01 (no documents or inspection form), its own five-year
indicator set, another outline, a configured signer. It runs provision → sync (full, the
CLI command that once died with StopIteration) → compile unchanged, and LibreOffice reads
the draft."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.settings import Settings
from sonket_gsync.demo.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks
from sonket_gsync.forms import narrative
from tests.report.test_report_pdf import SOFFICE

FOLDER = Path(__file__).resolve().parent / "campaigns" / "tong-ket-chi-thi-05"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    data = tmp_path_factory.mktemp("chi-thi-05")
    settings = Settings.from_env({}, data_dir=data, campaign_dir=FOLDER)
    campaign = load_campaign(FOLDER)
    service = CampaignService.open(settings)
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
    service.close()
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(data)}
    base = [sys.executable, "-m", "sonket_gsync.cli.main", "--config", str(FOLDER), "--data", str(data)]
    synced = subprocess.run([*base, "sync", "--full"], capture_output=True, text=True, env=env, timeout=300)
    compiled = subprocess.run([*base, "compile"], capture_output=True, text=True, env=env, timeout=300)
    service = CampaignService.open(settings)
    yield campaign, service, synced, compiled, data
    service.close()


def test_the_folder_really_differs_from_45_nq_tw(campaign):
    other = load_campaign(FOLDER)
    assert not {f.code for f in other.forms} & {f.code for f in campaign.forms}
    assert other.form_with_role("documents") is None and other.form_with_role("inspection") is None
    assert {i.code for i in other.indicators}.isdisjoint({i.code for i in campaign.indicators})
    assert other.indicator_years == (2024, 2025, 2026, 2027, 2028)


def test_sync_full_and_compile_run_without_code_changes(cycle):
    _campaign, service, synced, compiled, _ = cycle
    assert synced.returncode == 0, synced.stderr + synced.stdout
    assert "StopIteration" not in synced.stderr
    assert compiled.returncode == 0, compiled.stderr + compiled.stdout
    records = service.records()
    party = next(r for r in records if r.unit.group == "DANG_BO" and r.submission is not None)
    assert {"so_dang_vien_hoc", "ty_le_hoc", "dien_hinh"} <= set(party.submission.tables["BM_DANG_BO"][0])
    agency = next(r for r in records if r.unit.group == "SO_NGANH" and r.submission is not None)
    assert agency.submission.tables["BM_DAO_TAO"]


def test_the_draft_follows_this_campaigns_config(cycle):
    campaign, _, _, _, data = cycle
    path = next((data / "workspace").rglob("bao-cao-so-ket-du-thao.docx"))
    document = docx.Document(io.BytesIO(path.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert campaign.document.subject in paragraphs
    assert "PHỤ LỤC 01" in paragraphs and "TỔNG HỢP TỪ CÁC ĐẢNG BỘ TRỰC THUỘC" in paragraphs
    assert "PHỤ LỤC 02" in paragraphs and "PHỤ LỤC 03" in paragraphs  # status, then the annex
    assert not any("văn bản triển khai" in p for p in paragraphs)  # no documents form: no documents sentence
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    indicator = next(t for t in tables if t[0][-1] == "Đánh giá")
    assert indicator[0][4:9] == ["Năm 2024", "Năm 2025", "Năm 2026", "Năm 2027", "Ước thực hiện năm 2028"]
    assert [r[1] for r in indicator[1:]] == [i.name for i in campaign.indicators]
    party = next(t for t in tables if t[0][1] == "Đảng bộ")
    assert party[0][2] == "Đảng viên học tập chuyên đề (người, tỷ lệ)" and party[1] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    signature = next(t for t in tables if t[0][0].startswith("Nơi nhận:"))[0]
    assert signature[1].split("\n")[:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"] and signature[1].split("\n")[-1] == "Nguyễn Văn Bình"
    text = "\n".join(paragraphs)
    assert "BM_" not in text and "HT01" not in text


@pytest.mark.libreoffice
def test_the_tables_list_the_extra_form_and_libreoffice_reads_the_draft(cycle, tmp_path):
    _, _, _, _, data = cycle
    outputs = next((data / "workspace").rglob("bao-cao-so-ket-du-thao.docx")).parent
    assert [p.name for p in outputs.glob("*.xlsx")] == ["tong-hop.xlsx"]
    book = openpyxl.load_workbook(outputs / "tong-hop.xlsx")
    assert "Đào tạo" in book.sheetnames and "Văn bản" not in book.sheetnames
    assert [c.value for c in book["Đào tạo"][1]][:2] == ["Đơn vị", "Năm"]
    result = subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(outputs / "bao-cao-so-ket-du-thao.docx"),
        ],
        capture_output=True,
        timeout=240,
    )
    assert result.returncode == 0 and (tmp_path / "bao-cao-so-ket-du-thao.pdf").read_bytes().startswith(b"%PDF")

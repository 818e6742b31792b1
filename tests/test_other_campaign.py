"""A new campaign is a new config folder, never a code change. tests/campaigns/tong-ket-chi-thi-05
is genuinely different from 45-NQ/TW: other form codes (BM_DANG_BO, BM_SO_LIEU, BM_DAO_TAO)
and column keys, no Phụ lục 01 (no documents or inspection form), its own five-year
indicator set, another outline, a configured signer. It runs provision → sync (full, the
CLI command that once died with StopIteration) → compile unchanged, and LibreOffice reads
the draft."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import docx
import openpyxl
import pytest

from sonket_gsync.app.service import CampaignService
from sonket_gsync.campaign.load import load_campaign
from sonket_gsync.core.settings import DEFAULT_CAMPAIGN, Settings
from sonket_gsync.demo.synthetic import answers_for, assign_profiles, modified_time, spoil, to_blocks
from sonket_gsync.forms import narrative
from sonket_gsync.report.tables import summary_tabs
from tests.report.test_companion import document_text
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
    assert "PHỤ LỤC 02" not in paragraphs  # the status and the units' texts are in the companion
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
    assert (outputs / "tong-hop-y-kien-cac-don-vi.docx").is_file()
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


# --- nothing of the seed campaign in the code's own words (issue 16) ---------------------------

SHINGLE = 4  # words in a phrase
_WORD = re.compile(r"\w+(?:[-/]\w+)*")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", str(text)))]


def _shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    """Runs of ``size`` words within one clause (no run across “:”, “;”, “.”, a dash)."""
    out = set()
    for clause in re.split(r"[:;.!?()\n]|\s[-–]\s|^\s*-\s", str(text)):
        words = _words(clause)
        out |= {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}
    return out


def _config_text(folder: Path) -> str:
    """Every text value of a campaign folder (toml strings, csv cells), no comments."""
    out = []
    for path in sorted(folder.iterdir()):
        if path.name == "demo.toml":
            continue  # the demo's phrase bank: what its synthetic units write, not the campaign's words
        if path.suffix == ".toml":
            out += list(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".csv":
            out.append(path.read_text(encoding="utf-8"))
    return "\n".join(out)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# Wording any campaign's draft may carry: the indicators' target year is a column of every
# campaign's indicators.csv (target_2030), not one campaign's words.
GENERIC = ("mục tiêu đến năm 2030", "các cơ quan, đơn vị")  # the report's own generic nouns


def _units_text(service) -> str:
    """Everything the units sent: narratives and every cell of their tables."""
    out = []
    for r in service.records():
        if r.submission is None:
            continue
        out += [str(v) for v in r.submission.narrative.values()]
        out += [str(v) for rows in r.submission.tables.values() for row in rows for v in row.values() if v is not None]
    return "\n".join(out)


def _workbook_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str) and not c.value.startswith("=")]
    return "\n".join([*book.sheetnames, *cells])


def test_no_phrase_of_the_seed_campaign_in_the_draft_or_the_workbook(cycle):
    """A phrase of the 45-NQ/TW campaign: four words in a row of its configuration that this
    campaign's configuration does not use, holding a word this campaign's configuration never
    uses (so shared administrative wording — “báo cáo của các cơ quan, đơn vị” — is not one).
    None may appear in this campaign's draft, companion or workbook except inside what its
    units wrote."""
    _campaign, service, _, _, data = cycle
    seed_text, own_text = _config_text(DEFAULT_CAMPAIGN), _config_text(FOLDER)
    own_words = set(_words(own_text))
    seed = {s for s in _shingles(seed_text) - _shingles(own_text) if set(s) - own_words}  # with a word of the seed's own
    seed -= set().union(*(_shingles(g) for g in GENERIC))
    allowed = _shingles(_units_text(service))
    outputs = next((data / "workspace").rglob("bao-cao-so-ket-du-thao.docx")).parent
    found = {}
    for name, text in (
        ("draft", document_text(docx.Document(str(outputs / "bao-cao-so-ket-du-thao.docx")))),
        ("companion", document_text(docx.Document(str(outputs / "tong-hop-y-kien-cac-don-vi.docx")))),
        ("workbook", _workbook_text(outputs / "tong-hop.xlsx")),
    ):
        for line in text.splitlines():
            for phrase in sorted((_shingles(line) & seed) - allowed):
                found.setdefault(" ".join(phrase), f"{name}: {line[:90]}")
    assert not found, "\n".join(f"“{k}” in {v}" for k, v in found.items())
    for words in ("45-NQ/TW", "329-KH/TU", "trí thức", "Đồng Nai"):
        for name in ("bao-cao-so-ket-du-thao.docx", "tong-hop-y-kien-cac-don-vi.docx"):
            text = document_text(docx.Document(str(outputs / name)))
            assert words not in text or words in _units_text(service), (words, name)


def test_every_configured_column_header_appears_in_the_draft_and_the_workbook(cycle):
    campaign, service, _, _, data = cycle
    outputs = next((data / "workspace").rglob("bao-cao-so-ket-du-thao.docx")).parent
    draft = docx.Document(str(outputs / "bao-cao-so-ket-du-thao.docx"))
    cells = {c.text for t in draft.tables for row in t.rows for c in row.cells}
    book = openpyxl.load_workbook(outputs / "tong-hop.xlsx")
    headers = {str(c.value) for ws in book.worksheets for c in ws[1] if c.value is not None}
    for form in campaign.forms:
        if form.appendix and form.role != "indicators":  # the forms the draft's appendices print
            printed: dict[str, str] = {}  # columns sharing a number print the first one's (group) header
            for column in form.columns:
                if column.role:
                    printed.setdefault(column.number or column.key, column.group_header or column.header)
            for header in printed.values():
                assert header in cells, (form.code, header)
        for column in form.columns:
            assert column.header in headers, (form.code, column.header)
    assert set(summary_tabs(campaign, service_aggregates(service))) <= set(book.sheetnames) | {""}


def service_aggregates(service):
    from sonket_gsync.analysis.aggregate import aggregate

    return aggregate(service.campaign, service.records())

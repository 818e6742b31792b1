"""Unit forms a clerk can print and cannot break, on both backends: print set-up, a locked
workbook structure, indicators the unit does not report greyed and locked with a reason
(and figures typed there anyway told, located), province-wide targets labelled."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sonket_gsync.backends.base import UnitSnapshot
from sonket_gsync.backends.google.sheets import FIRST_TAB_ID, NOT_REPORTED, setup_requests
from sonket_gsync.core.text import now
from sonket_gsync.demo.synthetic import answers_for, to_blocks
from sonket_gsync.forms.layout import TARGET_LABEL, sheet_layout, workbook_layout
from sonket_gsync.forms.workbook import LISTS_SHEET, unit_workbook_bytes
from sonket_gsync.ingest.parse import parse_snapshot


def _unit(campaign, code):
    return campaign.unit(code)


def _indicators_layout(campaign, code="SO_NV"):
    return sheet_layout(campaign, _unit(campaign, code), campaign.form("CHI_TIEU"))


def test_every_tab_prints_a4_landscape_fit_to_width_with_repeated_headers(campaign):
    unit = next(u for u in campaign.units if u.group == "DANG_UY")
    wb = load_workbook(io.BytesIO(unit_workbook_bytes(campaign, unit)))
    for layout in workbook_layout(campaign, unit):
        ws = wb[layout.form.sheet]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == f"${layout.header_row}:${layout.first_data_row - 1}"


def test_workbook_structure_is_locked_without_a_password(campaign):
    wb = load_workbook(io.BytesIO(unit_workbook_bytes(campaign, _unit(campaign, "SO_NV"))))
    assert wb.security.lockStructure and not wb.security.workbookPassword
    assert wb[LISTS_SHEET].sheet_state == "hidden"


def test_indicators_the_unit_does_not_report_are_greyed_and_locked_with_a_reason(campaign):
    layout = _indicators_layout(campaign)
    ct01 = campaign.indicator("CT01")
    assert ct01.reported_by == ("LHH_KHKT",)
    index = [i.code for i in campaign.indicators].index("CT01")
    reason = layout.row_lock(index)
    assert "Liên hiệp các Hội" in reason and "không nhập" in reason
    assert [bool(layout.row_lock(i)) for i in range(len(layout.data))].count(True) == 1
    wb = load_workbook(io.BytesIO(unit_workbook_bytes(campaign, _unit(campaign, "SO_NV"))))
    ws = wb[layout.form.sheet]
    row = layout.first_data_row + index
    assert reason in ws.cell(row=row, column=2).value  # the reason is in the indicator's wording
    for col in range(1, len(layout.headers) + 1):
        cell = ws.cell(row=row, column=col)
        assert cell.protection.locked and cell.fill.fgColor.rgb.endswith("D9D9D9")
    assert not ws.cell(row=row + 1, column=5).protection.locked  # the next indicator is open
    # the reporting unit gets the row open, without a reason
    lhh = _indicators_layout(campaign, "LHH_KHKT")
    assert lhh.row_lock(index) == "" and "báo cáo;" not in lhh.data[index][1]


def test_province_targets_are_labelled_and_still_read_back(campaign):
    layout = _indicators_layout(campaign)
    target = [c.key for c in layout.form.columns].index("target_2030")
    assert layout.headers[target].endswith(TARGET_LABEL) and "toàn tỉnh" in layout.note
    unit = _unit(campaign, "SO_NV")
    grid = layout.grid()
    parsed = parse_snapshot(campaign, unit, UnitSnapshot(unit.code, {layout.form.sheet: grid}, None, now()))
    assert not [p for p in parsed.problems if p.code == "missing_column"]


def test_a_figure_typed_in_an_unreported_indicator_is_told_not_silently_dropped(campaign):
    unit = _unit(campaign, "SO_NV")
    layout = _indicators_layout(campaign)
    index = [i.code for i in campaign.indicators].index("CT01")
    grid = layout.grid()
    row = layout.first_data_row - 1 + index
    year = [c.key for c in layout.form.columns].index("y2025")
    grid[row][year] = 55
    parsed = parse_snapshot(campaign, unit, UnitSnapshot(unit.code, {layout.form.sheet: grid}, None, now()))
    [problem] = [p for p in parsed.problems if p.code == "unreported_indicator"]
    assert problem.severity == "warning" and problem.sheet == layout.form.sheet
    assert problem.row == row + 1 and problem.column == "Năm 2025"
    assert "CT01" in problem.message and "Liên hiệp các Hội" in problem.message
    assert not any(r["code"] == "CT01" for r in parsed.submission.tables["CHI_TIEU"])


def test_the_reporting_unit_reads_its_figures_as_before(campaign):
    import random

    unit = _unit(campaign, "LHH_KHKT")
    answers = answers_for(campaign, unit, random.Random(1))
    layout = _indicators_layout(campaign, "LHH_KHKT")
    grid = layout.grid()
    for block in to_blocks(campaign, unit, answers):
        if block.sheet != layout.form.sheet:
            continue
        for r, values in enumerate(block.values):
            for c, value in enumerate(values):
                grid[block.row - 1 + r][block.column - 1 + c] = value
    parsed = parse_snapshot(campaign, unit, UnitSnapshot(unit.code, {layout.form.sheet: grid}, None, now()))
    assert any(r["code"] == "CT01" and r["y2025"] is not None for r in parsed.submission.tables["CHI_TIEU"])
    assert not [p for p in parsed.problems if p.code == "unreported_indicator"]


def test_sheets_requests_protect_each_tab_whole_leaving_only_input_cells_open(campaign):
    unit = _unit(campaign, "SO_NV")
    layouts = workbook_layout(campaign, unit)
    requests = setup_requests(layouts, editors=("service@x.iam.gserviceaccount.com",))
    for offset, layout in enumerate(layouts):
        sheet_id = FIRST_TAB_ID + offset
        whole = [
            r["addProtectedRange"]["protectedRange"]
            for r in requests
            if "addProtectedRange" in r and r["addProtectedRange"]["protectedRange"]["range"] == {"sheetId": sheet_id}
        ]
        assert len(whole) == 1, layout.form.sheet  # a protected tab cannot be deleted or renamed by a unit
        open_ranges = whole[0]["unprotectedRanges"]
        assert whole[0]["editors"]["users"] == ["service@x.iam.gserviceaccount.com"]
        inputs = {i for i, c in enumerate(layout.form.columns) if not c.fixed}
        covered = {c for r in open_ranges for c in range(r["startColumnIndex"], r["endColumnIndex"])}
        assert covered == inputs
        assert all(r["startRowIndex"] >= layout.first_data_row - 1 for r in open_ranges)
        for index in range(len(layout.data)):
            row0 = layout.first_data_row - 1 + index
            is_open = any(r["startRowIndex"] <= row0 < r["endRowIndex"] for r in open_ranges)
            assert is_open == (not layout.row_lock(index)), (layout.form.sheet, index)


def test_sheets_requests_grey_and_protect_unreported_indicator_rows(campaign):
    layouts = workbook_layout(campaign, _unit(campaign, "SO_NV"))
    offset = next(i for i, lay in enumerate(layouts) if lay.form.code == "CHI_TIEU")
    layout, sheet_id = layouts[offset], FIRST_TAB_ID + offset
    index = [i.code for i in campaign.indicators].index("CT01")
    row0 = layout.first_data_row - 1 + index
    requests = setup_requests(layouts)
    row = {"sheetId": sheet_id, "startRowIndex": row0, "endRowIndex": row0 + 1, "startColumnIndex": 0, "endColumnIndex": len(layout.headers)}
    protected = [r["addProtectedRange"]["protectedRange"] for r in requests if "addProtectedRange" in r]
    [mine] = [p for p in protected if p["range"] == row]
    assert mine["description"] == layout.row_lock(index) and mine["warningOnly"]
    greyed = [r["repeatCell"] for r in requests if "repeatCell" in r and r["repeatCell"]["range"] == row]
    assert greyed and greyed[0]["cell"]["userEnteredFormat"]["backgroundColor"] == NOT_REPORTED
    validated = [r for r in requests if "setDataValidation" in r and r["setDataValidation"]["range"]["sheetId"] == sheet_id]
    assert not [r for r in validated if r["setDataValidation"]["range"]["startRowIndex"] == row0]
    # the target header is labelled in the Sheet too (the grid written is the layout's)
    cells = next(r["updateCells"] for r in requests if "updateCells" in r and r["updateCells"]["start"]["sheetId"] == sheet_id)
    header = [c.get("userEnteredValue", {}).get("stringValue") for c in cells["rows"][layout.header_row - 1]["values"]]
    assert any(h and h.endswith(TARGET_LABEL) for h in header)


@pytest.mark.libreoffice
def test_a_party_committee_form_prints_on_one_landscape_page(campaign, tmp_path: Path):
    unit = next(u for u in campaign.units if u.group == "DANG_UY")
    path = tmp_path / "bieu-mau.xlsx"
    path.write_bytes(unit_workbook_bytes(campaign, unit))
    result = subprocess.run(
        ["/usr/bin/soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "bieu-mau.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    info = subprocess.run(["/usr/bin/pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert float(size[2]) > float(size[4])  # landscape
    forms = [lay for lay in workbook_layout(campaign, unit)]
    assert pages == len(forms)  # Phụ lục 02 (one row) and the indicator table: one page each


def test_google_copy_of_a_group_template_keeps_each_units_open_indicators(fake_google, settings, campaign):
    """The Google backend copies one template per group; a unit that reports an indicator
    the rest of its group does not (LHH_KHKT: CT01) must still get that row open."""
    from dataclasses import replace

    from sonket_gsync.backends.google import GoogleWorkspace

    fake_google.set_quota()
    drive = fake_google.create_shared_drive("Sơ kết")
    drive_id = drive if isinstance(drive, str) else drive["id"]
    small = replace(campaign, units=tuple(u for u in campaign.units if u.group == "CAP_TINH"))
    ws = GoogleWorkspace.from_settings(
        settings.with_(
            backend="google",
            google_endpoint=fake_google.endpoint,
            google_token=fake_google.token,
            google_shared_drive_id=drive_id,
            sheets_reads_per_minute=100_000,
            sheets_writes_per_minute=100_000,
        ),
        small,
        sleep=lambda s: None,
    )
    ws.prepare()
    files = {u.code: ws.provision(u) for u in small.units}
    index = [i.code for i in campaign.indicators].index("CT01")
    for unit in small.units:
        layout = _indicators_layout(campaign, unit.code)
        tab = fake_google.state.spreadsheets[files[unit.code].sheet_id].by_title(layout.form.sheet)
        row0 = layout.first_data_row - 1 + index
        year = [c.key for c in layout.form.columns].index("y2025")
        reason = layout.row_lock(index)
        guarded = [p for p in tab.protected if p["range"].get("startRowIndex") == row0 and p.get("description") == reason]
        if unit.code == "LHH_KHKT":
            assert reason == "" and tab.validations.get((row0, year)), "CT01 must be open and validated for its reporter"
        else:
            assert reason and guarded and (row0, year) not in tab.validations

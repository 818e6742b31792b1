"""The aggregated tables: one tab per table (the "Tổng hợp" spreadsheet on Google, the one
tong-hop.xlsx locally), found by form role, with typed values (numbers as numbers, dates as
dates) and, in the .xlsx, formatted: number formats, wrapped text, filters, frozen and
repeated header rows, landscape fit-to-width printing. Rule names are Vietnamese.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from sonket_gsync.analysis.aggregate import Aggregates
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.report.appendix import status_note
from sonket_gsync.report.indicators import AGGREGATE_NAMES, indicator_rows, year_label
from sonket_gsync.forms.submission import STATUS_LABELS
from sonket_gsync.forms.workbook import sheet_title
from sonket_gsync.core.text import clean, parse_date, to_local

XLSX_CELL_LIMIT = 32_000  # Excel holds at most 32.767 characters in a cell
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.0##"


def summary_tabs(campaign: Campaign, aggregates: Aggregates) -> dict[str, list[list]]:
    """Header row + rows per table, for Workspace.write_summary (Google tabs or the .xlsx)."""
    tabs: dict[str, list[list]] = {}
    if campaign.form_with_role("documents"):
        tabs["Văn bản"] = _documents_tab(aggregates)
        tabs["Số văn bản"] = _document_counts_tab(aggregates)
    if campaign.form_with_role("inspection"):
        tabs["Kiểm tra, giám sát"] = _inspection_tab(aggregates)
    if campaign.form_with_role("party_committees"):
        tabs["Đảng ủy trực thuộc"] = _party_tab(campaign, aggregates)
    if not aggregates.indicators.empty:
        tabs["Chỉ tiêu"] = _indicators_tab(campaign, aggregates)
    for form in campaign.forms:
        if form.role == "none":
            tabs[form.sheet] = _other_tab(form, aggregates.other_tables.get(form.code))
    tabs["Tiến độ theo nhóm"] = _groups_tab(aggregates)
    tabs["Trạng thái"] = _status_tab(aggregates)
    return tabs


def _number(value) -> float | int | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else round(value, 4)


def _day(iso: str) -> date | str:
    return parse_date(iso) or iso if iso else ""


def _moment(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return to_local(value).replace(tzinfo=None)


def _documents_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đề mục", "Cơ quan ban hành", "Số văn bản", "Ngày văn bản", "Trích yếu", "Đơn vị báo cáo"]]
    for d in aggregates.documents.to_dict("records"):
        rows.append([d["issuer_numeral"], d["issuer"], d["doc_number"], _day(d["doc_date"]), d["summary"], d["unit_name"]])
    return rows


def _document_counts_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đề mục", "Cơ quan ban hành", "Số văn bản"]]
    rows += [[r["issuer_numeral"], r["issuer"], int(r["count"])] for r in aggregates.document_counts.to_dict("records")]
    return rows


def _inspection_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đơn vị", "Kiểm tra/ giám sát: Có (số đơn vị)", "Kiểm tra/ giám sát: Không (số đơn vị)", "Hình thức kiểm tra/ giám sát (từng đơn vị)",
             "Sơ kết, đánh giá: Có (số đơn vị)", "Sơ kết, đánh giá: Không (số đơn vị)"]]
    for r in aggregates.inspection.to_dict("records"):
        rows.append([r["body"], int(r["inspected_yes"]), int(r["inspected_no"]), "\n".join(r["forms"]), int(r["reviewed_yes"]), int(r["reviewed_no"])])
    return rows


_PARTY_COLUMNS = (
    ("documents", "Các văn bản đã ban hành"), ("members_count", "Số đảng viên tham gia học tập, quán triệt"),
    ("members_rate", "Tỷ lệ (%)"), ("inspection", "Công tác kiểm tra, giám sát; sơ kết, tổng kết"),
    ("good_practices", "Những cách làm hay, hiệu quả"), ("difficulties", "Khó khăn, hạn chế và nguyên nhân"),
    ("recommendations", "Kiến nghị, đề xuất"),
)


def _party_tab(campaign: Campaign, aggregates: Aggregates) -> list[list]:
    form = campaign.form_with_role("party_committees")
    present = [(role, form.column_for(role).header if form.column_for(role) else label) for role, label in _PARTY_COLUMNS if form.column_for(role)]
    rows = [["STT", "Tên đơn vị", "Trạng thái", *(h for _, h in present)]]
    for r in aggregates.party.to_dict("records"):
        values = [_number(r[k]) if k in ("members_count", "members_rate") else r[k] for k, _ in present]
        rows.append([int(r["stt"]), r["unit_name"], STATUS_LABELS[r["status"]], *values])
    t = aggregates.party_totals
    total = {"members_count": _number(t["members_count"]), "members_rate": _number(t["members_rate"])}
    rows.append(["", f"Tổng cộng ({t['units_reported']}/{t['units_total']} đơn vị đã báo cáo)", "", *(total.get(k) for k, _ in present)])
    return rows


def _indicators_tab(campaign: Campaign, aggregates: Aggregates) -> list[list]:
    years = aggregates.indicator_years
    header = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Mục tiêu đến năm 2030"]
    for y in years:
        header += [year_label(campaign, y), f"Số đơn vị có số liệu năm {y}"]
    header += ["Năm gần nhất có số liệu", "Tiến độ so với mục tiêu 2030 (%)", "Đánh giá", "Ghi chú"]
    rows = [header]
    views = indicator_rows(campaign, aggregates)
    for number, (ind, view) in enumerate(zip(aggregates.indicators.to_dict("records"), views), start=1):
        row = [number, ind["code"], ind["name"], ind["unit_of_measure"], AGGREGATE_NAMES[ind["aggregate"]], _number(ind["target_2030"])]
        for y in years:
            row += [_number(ind[f"value_{y}"]), int(ind[f"units_{y}"])]
        latest = None if pd.isna(ind["latest_year"]) else int(ind["latest_year"])
        row += [latest, _number(ind["progress"]), view["status"], "Chỉ tiêu mẫu – chưa phải chỉ tiêu chính thức" if ind["sample"] else ""]
        rows.append(row)
    return rows


def _other_tab(form, frame: pd.DataFrame | None) -> list[list]:
    rows = [["Đơn vị", *(c.header for c in form.columns)]]
    if frame is None or frame.empty:
        return rows
    for record in frame.sort_values("unit_order", kind="stable").to_dict("records"):
        cells = []
        for col in form.columns:
            value = record.get(col.key)
            if col.type in ("integer", "number", "percent", "year"):
                cells.append(_number(value))
            elif col.type == "date":
                cells.append(_day(clean(value)) if value is not None and not pd.isna(value) else None)
            else:
                cells.append("" if value is None or (isinstance(value, float) and pd.isna(value)) else clean(value))
        rows.append([record["unit_name"], *cells])
    return rows


def _groups_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Nhóm", "Đúng hạn", "Trễ hạn", "Có lỗi", "Chưa gửi", "Tổng số"]]
    for g in aggregates.group_completeness.to_dict("records"):
        rows.append([f"{g['number']}. {g['group_name']}", *(int(g[k]) for k in ("on_time", "late", "invalid", "missing", "total"))])
    t = aggregates.totals
    rows.append(["Toàn tỉnh", t["on_time"], t["late"], t["invalid"], t["missing"], t["total"]])
    return rows


def _status_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đơn vị", "Nhóm", "Trạng thái", "Gửi lần đầu", "Thay đổi gần nhất", "Số lỗi", "Ghi chú"]]
    for u in aggregates.completeness.to_dict("records"):
        rows.append([u["name"], u["group_name"], u["status_label"], _moment(u["submitted_at"]), _moment(u["last_modified"]), int(u["error_count"]), status_note(u)])
    return rows


# --- the formatted .xlsx ---------------------------------------------------------------------

def tables_workbook_bytes(tabs: dict[str, list[list[object]]]) -> bytes:
    """One formatted sheet per tab. Every string is stored as text: a unit's "=…" never
    becomes a formula."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for title, grid in tabs.items():
        ws = wb.create_sheet(sheet_title(title, used))
        widths: dict[int, float] = {}
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                value = _cell_value(value)
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                cell.border = _BORDER
                if r == 1:
                    cell.font = Font(bold=True)
                    cell.fill = _HEADER_FILL
                    cell.alignment = _HEADER_ALIGN
                    continue
                cell.alignment = _WRAP
                if isinstance(value, str):
                    cell.data_type = "s"
                    widths[c] = max(widths.get(c, 0), min(60, max((len(p) for p in value.split("\n")), default=0)))
                elif isinstance(value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                    widths[c] = max(widths.get(c, 0), 16)
                elif isinstance(value, date):
                    cell.number_format = "dd/mm/yyyy"
                    widths[c] = max(widths.get(c, 0), 11)
                elif isinstance(value, float):
                    cell.number_format = FLOAT_FORMAT
                    widths[c] = max(widths.get(c, 0), 10)
                elif isinstance(value, int):
                    cell.number_format = INT_FORMAT
                    widths[c] = max(widths.get(c, 0), 8)
        for c in range(1, (max((len(r) for r in grid), default=0)) + 1):
            header = str(grid[0][c - 1]) if grid and c - 1 < len(grid[0]) else ""
            ws.column_dimensions[get_column_letter(c)].width = max(8, min(60, max(widths.get(c, 0), min(len(header), 24)) + 2))
        if grid:
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = f"A1:{get_column_letter(max(len(r) for r in grid))}{len(grid)}"
            ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
    if not wb.worksheets:
        wb.create_sheet("Tổng hợp")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell_value(value: object) -> object:
    if value is None or isinstance(value, bool) or isinstance(value, (int, float)):
        if isinstance(value, float) and value != value:
            return None
        return value
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    text = clean(value)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[:XLSX_CELL_LIMIT] + " …(đã cắt bớt, xem bản đầy đủ trong báo cáo)"
    return text

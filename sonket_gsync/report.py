"""Draft the province's report (.docx, docxtpl) and the aggregated tables (.xlsx, tabs).

Every value reaches the template through the context built here and is escaped by
docxtpl's autoescape: a unit's text such as "{{ 7*7 }}" or "<b>" prints as typed. Numbers
are written 1.234,5 and dates dd/mm/yyyy. Sample indicators (placeholders in
indicators.csv) are marked wherever they appear and never shown as the province's target.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

from . import charts
from .aggregate import Aggregates
from .campaign import Campaign, OutlineItem
from .errors import ReportError
from .submission import STATUS_LABELS
from .text import format_date, format_number, parse_date, to_local
from .workbook import summary_workbook_bytes

SAMPLE_LABEL = "Chỉ tiêu mẫu – chưa phải chỉ tiêu chính thức"
SAMPLE_WARNING = (
    "LƯU Ý: Bảng chỉ tiêu còn {count} chỉ tiêu mẫu ({codes}) – chưa phải chỉ tiêu chính thức của tỉnh. "
    "Số liệu và mục tiêu của các chỉ tiêu này chỉ để thử nghiệm; cần thay bằng chỉ tiêu chính thức "
    "(tệp indicators.csv, cột sample) trước khi sử dụng báo cáo."
)
CHART_WIDTH = Mm(160)
XLSX_CELL_LIMIT = 32_000  # Excel holds at most 32.767 characters in a cell


# --- .docx ----------------------------------------------------------------------------------

def render_report(campaign: Campaign, aggregates: Aggregates, template_path: Path | str, *, compiled_at: datetime) -> bytes:
    template = _load_template(Path(template_path))
    context = report_context(campaign, aggregates, compiled_at=compiled_at)
    context["completeness_chart"] = InlineImage(template, io.BytesIO(charts.completeness_chart(campaign, aggregates)), width=CHART_WIDTH)
    indicator_png = charts.indicator_chart(campaign, aggregates)
    context["indicator_chart"] = InlineImage(template, io.BytesIO(indicator_png), width=CHART_WIDTH) if indicator_png else None
    try:
        template.render(context, autoescape=True)
    except TemplateError as exc:
        raise ReportError(
            f"Mẫu báo cáo có lỗi cú pháp: {exc}.",
            where=str(template_path),
            fix="Tạo lại mẫu bằng lệnh: python templates/make_report_template.py",
        ) from None
    _trim_table_grids(template)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _load_template(path: Path) -> DocxTemplate:
    fix = "Tạo lại mẫu bằng lệnh: python templates/make_report_template.py (hoặc chỉ đúng đường dẫn tới tệp bao-cao-so-ket.docx)."
    if not path.is_file():
        raise ReportError("Không tìm thấy mẫu báo cáo.", where=str(path), fix=fix)
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReportError(f"Mẫu báo cáo hỏng, không mở được ({exc}).", where=str(path), fix=fix) from None
    except Exception as exc:  # python-docx raises assorted errors on a non-Word file
        raise ReportError(f"Mẫu báo cáo không phải tệp Word hợp lệ ({type(exc).__name__}).", where=str(path), fix=fix) from None
    return template


def _trim_table_grids(template: DocxTemplate) -> None:
    """A {%tc %} column loop leaves its tag columns in the table grid; drop the extras."""
    for table in template.docx.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl"):
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        grid = table.find(ns + "tblGrid")
        rows = table.findall(ns + "tr")
        if grid is None or not rows:
            continue
        cells = max(len(r.findall(ns + "tc")) for r in rows)
        columns = grid.findall(ns + "gridCol")
        for extra in columns[cells:]:
            grid.remove(extra)


def report_context(campaign: Campaign, aggregates: Aggregates, *, compiled_at: datetime) -> dict:
    """Everything the template prints, as plain strings, lists and dicts."""
    local = to_local(compiled_at)
    head, _, rest = campaign.report_title.partition(" ")
    if head.upper() != "BÁO" or not rest.upper().startswith("CÁO"):
        head, rest = "BÁO CÁO", campaign.report_title
    else:
        head, rest = "BÁO CÁO", rest[3:].strip()
    indicator_rows = _indicator_rows(campaign, aggregates)
    return {
        "party_committee": f"ĐẢNG BỘ TỈNH {campaign.province.upper()}",
        "compiled_by": campaign.compiled_by.upper(),
        "place_date": f"{campaign.province}, ngày {local:%d} tháng {local:%m} năm {local:%Y}",
        "title_head": head,
        "title_rest": rest,
        "sample_warning": sample_warning(aggregates),
        "opening": opening_sentence(campaign, aggregates, compiled_at),
        "sections": _sections(campaign, aggregates),
        "year_labels": [_year_label(campaign, y) for y in aggregates.indicator_years],
        "indicator_rows": indicator_rows,
        "indicator_title": campaign.form("CHI_TIEU").title,
        "indicator_note": _indicator_note(campaign),
        "doc_groups": _doc_groups(aggregates),
        "inspection_rows": _inspection_rows(aggregates),
        "party_rows": _party_rows(aggregates),
        "party_total": _party_total(aggregates),
        "group_rows": _group_rows(aggregates),
        "totals": aggregates.totals,
        "status_rows": _status_rows(aggregates),
        "status_caption": f"(tính đến {local:%H:%M} ngày {local:%d/%m/%Y}; hạn gửi {format_date(campaign.deadline)})",
    }


def sample_warning(aggregates: Aggregates) -> str:
    codes = aggregates.sample_indicators
    if not codes:
        return ""
    return SAMPLE_WARNING.format(count=len(codes), codes=", ".join(codes))


def opening_sentence(campaign: Campaign, aggregates: Aggregates, compiled_at: datetime) -> str:
    t = aggregates.totals
    local = to_local(compiled_at)
    return (
        f"Tính đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}, {t['sent']}/{t['total']} đơn vị đã gửi báo cáo, "
        f"trong đó {t['on_time']} đơn vị gửi đúng hạn, {t['late']} đơn vị gửi trễ hạn (hạn gửi {format_date(campaign.deadline)}); "
        f"{t['missing']} đơn vị chưa gửi; {t['invalid']} đơn vị có lỗi cần khắc phục "
        "(số liệu của đơn vị có lỗi lấy theo bản hợp lệ gần nhất)."
    )


# --- outline ----------------------------------------------------------------------------------

def _sections(campaign: Campaign, aggregates: Aggregates) -> list[dict]:
    sections = []
    for section in campaign.outline:
        items = []
        for item in section.answerable:
            items.append(
                {
                    "heading": f"{item.number}. {item.title}" if section.items else "",
                    "facts": _facts(item, aggregates),
                    "show_indicators": item.figures == "indicators",
                    "entries": [{"unit": unit, "text": text} for unit, text in aggregates.narrative.get(item.key, [])],
                }
            )
        sections.append({"heading": f"{section.number}. {section.title}", "parts": items})
    return sections


def _facts(item: OutlineItem, aggregates: Aggregates) -> list[str]:
    if item.figures == "party_members":
        return _study_facts(aggregates)
    if item.figures == "documents":
        return _document_facts(aggregates)
    if item.figures == "inspection":
        return _inspection_facts(aggregates)
    if item.figures == "indicators":
        return ["Kết quả thực hiện các chỉ tiêu đến năm 2030 (số liệu toàn tỉnh tổng hợp từ báo cáo của các đơn vị):"]
    return []


def _study_facts(aggregates: Aggregates) -> list[str]:
    totals = aggregates.party_totals
    if not totals["units_reported"]:
        return []
    rate = totals["members_rate"]
    rate_text = f", tỷ lệ {format_number(rate)}% tổng số đảng viên" if rate is not None else ""
    return [
        f"Theo báo cáo của {totals['units_reported']}/{totals['units_total']} đảng ủy trực thuộc tỉnh, "
        f"có {format_number(totals['members_count'])} đảng viên tham gia học tập, quán triệt{rate_text} (chi tiết tại Phụ lục 02)."
    ]


def _document_facts(aggregates: Aggregates) -> list[str]:
    counts = aggregates.document_counts
    total = int(counts["count"].sum())
    parts = "; ".join(f"{n}. {issuer}: {format_number(c)} văn bản" for n, issuer, c in zip(counts["issuer_numeral"], counts["issuer"], counts["count"]))
    return [f"Các cơ quan, đơn vị đã báo cáo {format_number(total)} văn bản triển khai thực hiện, gồm: {parts} (chi tiết tại Phụ lục 01, mục 1)."]


def _inspection_facts(aggregates: Aggregates) -> list[str]:
    facts = []
    for row in aggregates.inspection.itertuples():
        facts.append(
            f"{row.body}: {row.inspected_yes} đơn vị có kiểm tra, giám sát, {row.inspected_no} đơn vị không; "
            f"{row.reviewed_yes} đơn vị có sơ kết, đánh giá, {row.reviewed_no} đơn vị không."
        )
    return facts + ["(Chi tiết tại Phụ lục 01, mục 2.)"] if facts else []


# --- indicators --------------------------------------------------------------------------------

def _year_label(campaign: Campaign, year: int) -> str:
    return f"Ước thực hiện năm {year}" if year in campaign.estimated_years else f"Năm {year}"


def _indicator_note(campaign: Campaign) -> str:
    rules = "tổng (sum), trung bình (mean), trung bình có trọng số (weighted_mean), lớn nhất (max), nhỏ nhất (min)"
    return (
        f"Ghi chú: số liệu toàn tỉnh tính theo cách tổng hợp của từng chỉ tiêu ({rules}); "
        "trong ngoặc là số đơn vị có số liệu. Tiến độ = số liệu năm gần nhất có số liệu so với mục tiêu 2030."
    )


def _indicator_rows(campaign: Campaign, aggregates: Aggregates) -> list[dict]:
    rows = []
    for ind in aggregates.indicators.to_dict("records"):
        values = [format_number(ind[f"value_{y}"]) for y in aggregates.indicator_years]
        counts = [ind[f"units_{y}"] for y in aggregates.indicator_years]
        rows.append(
            {
                "code": ind["code"],
                "name": f"{ind['name']} ({SAMPLE_LABEL})" if ind["sample"] else ind["name"],
                "unit_of_measure": ind["unit_of_measure"],
                "target": _target_text(ind),
                "figures": values,
                "detail": [f"{v} ({c} đv)" if v else "" for v, c in zip(values, counts)],
                "progress": _progress_text(ind),
            }
        )
    return rows


def _target_text(ind: dict) -> str:
    if ind["sample"]:
        return SAMPLE_LABEL
    return format_number(ind["target_2030"]) if pd.notna(ind["target_2030"]) else ""


def _progress_text(ind: dict) -> str:
    if ind["sample"] or pd.isna(ind["progress"]):
        return ""
    return f"{format_number(ind['progress'])}% (năm {ind['latest_year']})"


# --- appendices ----------------------------------------------------------------------------------

def _doc_groups(aggregates: Aggregates) -> list[dict]:
    docs = aggregates.documents
    groups = []
    for heading in aggregates.document_counts.itertuples():
        mine = docs[docs["issuer_index"] == heading.issuer_index]
        groups.append(
            {
                "numeral": heading.issuer_numeral,
                "title": heading.issuer,
                "count_text": f"{format_number(heading.count)} văn bản",
                "docs": [
                    {
                        "stt": f"{i}.",
                        "ref": _document_reference(d["doc_number"], d["doc_date"]),
                        "summary": d["summary"],
                        "unit": d["unit_name"],
                    }
                    for i, d in enumerate(mine.to_dict("records"), start=1)
                ],
            }
        )
    return groups


def _document_reference(number: str, iso_date: str) -> str:
    day = _iso_to_vn(iso_date)
    return f"{number}, ngày {day}" if day else number


def _iso_to_vn(iso_date: str) -> str:
    """A stored ISO date as dd/mm/yyyy (unchanged if it is not a date)."""
    day = parse_date(iso_date) if iso_date else None
    return format_date(day) if day else iso_date


def _inspection_rows(aggregates: Aggregates) -> list[dict]:
    return [
        {
            "body": r["body"],
            "inspected_no": r["inspected_no"],
            "inspected_yes": r["inspected_yes"],
            "forms": "\n".join(f"– {f}" for f in r["forms"]),
            "reviewed_no": r["reviewed_no"],
            "reviewed_yes": r["reviewed_yes"],
        }
        for r in aggregates.inspection.to_dict("records")
    ]


def _members_text(count: float, rate: float) -> str:
    parts = []
    if pd.notna(count):
        parts.append(f"{format_number(count)} đảng viên")
    if pd.notna(rate):
        parts.append(f"{format_number(rate)}%")
    return " – ".join(parts)


def _party_rows(aggregates: Aggregates) -> list[dict]:
    rows = []
    for r in aggregates.party.to_dict("records"):
        rows.append(
            {
                "stt": r["stt"],
                "unit": r["unit_name"],
                "documents": r["documents"],
                "members": _members_text(r["members_count"], r["members_rate"]) if r["reported"] else "Chưa báo cáo",
                "inspection": r["inspection"],
                "good_practices": r["good_practices"],
                "difficulties": r["difficulties"],
                "recommendations": r["recommendations"],
            }
        )
    return rows


def _party_total(aggregates: Aggregates) -> dict:
    t = aggregates.party_totals
    rate = f"; tỷ lệ chung {format_number(t['members_rate'])}%" if t["members_rate"] is not None else ""
    return {
        "units": f"{t['units_reported']}/{t['units_total']} đơn vị đã báo cáo",
        "members": f"{format_number(t['members_count'] or 0)} đảng viên{rate}",
    }


def _group_rows(aggregates: Aggregates) -> list[dict]:
    return [
        {"name": f"{g['number']}. {g['group_name']}", **{k: g[k] for k in ("on_time", "late", "invalid", "missing", "total")}}
        for g in aggregates.group_completeness.to_dict("records")
    ]


def _when(moment) -> str:
    if moment is None or pd.isna(moment):
        return ""
    return to_local(moment).strftime("%d/%m/%Y %H:%M")


def _status_note(unit: dict) -> str:
    notes = []
    if unit["flagged"]:
        notes.append("Lần đọc gần nhất có lỗi: số liệu là bản hợp lệ trước đó")
    if unit["warning_count"]:
        notes.append(f"{unit['warning_count']} cảnh báo")
    return "; ".join(notes)


def _status_rows(aggregates: Aggregates) -> list[dict]:
    return [
        {
            "stt": i,
            "unit": u["name"],
            "group": u["group_number"],
            "status": u["status_label"],
            "submitted": _when(u["submitted_at"]),
            "modified": _when(u["last_modified"]),
            "errors": u["error_count"],
            "note": _status_note(u),
        }
        for i, u in enumerate(aggregates.completeness.to_dict("records"), start=1)
    ]


# --- tables: .xlsx and the "Tổng hợp" spreadsheet -------------------------------------------------

def summary_tabs(campaign: Campaign, aggregates: Aggregates) -> dict[str, list[list]]:
    """Header row + rows per table, for Workspace.write_summary and the .xlsx."""
    return {
        "PL01-1 Văn bản": _documents_tab(aggregates),
        "PL01-1 Số văn bản": _document_counts_tab(aggregates),
        "PL01-2 Kiểm tra": _inspection_tab(aggregates),
        "PL02 Đảng ủy": _party_tab(aggregates),
        "Chỉ tiêu": _indicators_tab(campaign, aggregates),
        "Tiến độ theo nhóm": _groups_tab(aggregates),
        "Trạng thái": _status_tab(aggregates),
    }


def aggregates_workbook(campaign: Campaign, aggregates: Aggregates) -> bytes:
    tabs = {name: [[_xlsx_value(v) for v in row] for row in grid] for name, grid in summary_tabs(campaign, aggregates).items()}
    return summary_workbook_bytes(tabs)


def _xlsx_value(value: object) -> object:
    if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
        return value[:XLSX_CELL_LIMIT] + " …(đã cắt bớt, xem bản đầy đủ trong báo cáo)"
    return value


def _number(value) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 4)


def _documents_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Nhóm", "Cơ quan ban hành", "Số văn bản", "Ngày văn bản", "Trích yếu", "Đơn vị báo cáo"]]
    for d in aggregates.documents.to_dict("records"):
        rows.append([d["issuer_numeral"], d["issuer"], d["doc_number"], _iso_to_vn(d["doc_date"]), d["summary"], d["unit_name"]])
    return rows


def _document_counts_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Nhóm", "Cơ quan ban hành", "Số văn bản"]]
    rows += [[r["issuer_numeral"], r["issuer"], r["count"]] for r in aggregates.document_counts.to_dict("records")]
    return rows


def _inspection_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đơn vị", "Kiểm tra/ giám sát: Có", "Kiểm tra/ giám sát: Không", "Hình thức kiểm tra/ giám sát", "Sơ kết, đánh giá: Có", "Sơ kết, đánh giá: Không"]]
    for r in _inspection_rows(aggregates):
        rows.append([r["body"], r["inspected_yes"], r["inspected_no"], r["forms"], r["reviewed_yes"], r["reviewed_no"]])
    return rows


def _party_tab(aggregates: Aggregates) -> list[list]:
    rows = [[
        "STT", "Tên đơn vị", "Trạng thái", "Các văn bản đã ban hành", "Số lượng đảng viên tham gia học tập, quán triệt",
        "Tỷ lệ (%)", "Công tác kiểm tra, giám sát; sơ kết, tổng kết", "Những cách làm hay, hiệu quả",
        "Khó khăn, hạn chế và nguyên nhân", "Kiến nghị, đề xuất",
    ]]
    for r in aggregates.party.to_dict("records"):
        rows.append([
            r["stt"], r["unit_name"], STATUS_LABELS[r["status"]], r["documents"], _number(r["members_count"]),
            _number(r["members_rate"]), r["inspection"], r["good_practices"], r["difficulties"], r["recommendations"],
        ])
    t = aggregates.party_totals
    rows.append(["", "Tổng cộng", f"{t['units_reported']}/{t['units_total']} đơn vị đã báo cáo", "", _number(t["members_count"]), _number(t["members_rate"]), "", "", "", ""])
    return rows


def _indicators_tab(campaign: Campaign, aggregates: Aggregates) -> list[list]:
    years = aggregates.indicator_years
    header = ["Mã", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Mục tiêu đến năm 2030"]
    for y in years:
        header += [_year_label(campaign, y), f"Số đơn vị có số liệu ({y})"]
    header += ["Năm gần nhất có số liệu", "Tiến độ so với mục tiêu 2030 (%)", "Ghi chú"]
    rows = [header]
    for ind in aggregates.indicators.to_dict("records"):
        row = [ind["code"], ind["name"], ind["unit_of_measure"], ind["aggregate"], None if ind["sample"] else _number(ind["target_2030"])]
        for y in years:
            row += [_number(ind[f"value_{y}"]), int(ind[f"units_{y}"])]
        latest = None if pd.isna(ind["latest_year"]) else int(ind["latest_year"])
        row += [latest, None if ind["sample"] else _number(ind["progress"]), SAMPLE_LABEL if ind["sample"] else ""]
        rows.append(row)
    return rows


def _groups_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Nhóm", "Đúng hạn", "Trễ hạn", "Có lỗi", "Chưa gửi", "Tổng số"]]
    for g in _group_rows(aggregates):
        rows.append([g["name"], g["on_time"], g["late"], g["invalid"], g["missing"], g["total"]])
    t = aggregates.totals
    rows.append(["Toàn tỉnh", t["on_time"], t["late"], t["invalid"], t["missing"], t["total"]])
    return rows


def _status_tab(aggregates: Aggregates) -> list[list]:
    rows = [["Đơn vị", "Nhóm", "Trạng thái", "Thay đổi gần nhất", "Số lỗi", "Ghi chú"]]
    for u in aggregates.completeness.to_dict("records"):
        rows.append([u["name"], u["group_name"], u["status_label"], _when(u["last_modified"]), int(u["error_count"]), _status_note(u)])
    return rows

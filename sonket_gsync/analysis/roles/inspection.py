"""Role "inspection" (Phụ lục 01/2): per body (the form's fixed rows), whether units inspected
or supervised the implementation (and in what form) and whether they reviewed it.

Aggregates: ``inspection``, per body row how many units answered Có/Không for inspection and
for review, and the inspection forms named ("unit: form"). Report: the sentences under the
outline item with ``figures = "inspection"`` and the appendix table with its X marks;
workbook: "Kiểm tra, giám sát".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sonket_gsync.analysis.roles.base import Cell, Grid, Note, Role, Table
from sonket_gsync.analysis.rows import form_rows, text_column
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import fold_accents, header_key

COUNTS = ("inspected_yes", "inspected_no", "reviewed_yes", "reviewed_no")
NOTE = (
    "Ghi chú: dấu X ở ô mà các cơ quan, đơn vị đã đánh dấu, kèm số đơn vị; hình thức kiểm tra, giám sát kèm số lượt được nêu "
    "(danh sách từng đơn vị trong bảng tổng hợp)."
)


class Inspection(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        return {"inspection": _inspection(campaign.form_with_role(self.name), units, submissions)}

    def facts(self, campaign: Campaign, aggregates: Any, names: dict[str, str]) -> list[str]:
        table = aggregates.inspection
        if table.empty:
            return []
        answered = int(table[["inspected_yes", "inspected_no"]].sum(axis=1).max())
        if not answered:
            return []
        inspected = [f"{r.body} ({r.inspected_yes} đơn vị)" for r in table.itertuples() if r.inspected_yes]
        reviewed = [f"{r.body} ({r.reviewed_yes} đơn vị)" for r in table.itertuples() if r.reviewed_yes]
        forms = [f"{label} ({count} lượt)" for label, count in _form_counts(e for entries in table["forms"] for e in entries)[:5]]
        out = [
            f"Theo báo cáo của {answered} cơ quan, đơn vị, hoạt động kiểm tra, giám sát việc thực hiện được ghi nhận ở: " + "; ".join(inspected) + "."
            if inspected
            else f"Theo báo cáo của {answered} cơ quan, đơn vị, chưa ghi nhận hoạt động kiểm tra, giám sát việc thực hiện."
        ]
        if forms:
            out.append("Hình thức kiểm tra, giám sát chủ yếu: " + "; ".join(forms) + ".")
        if reviewed:
            out.append(
                "Việc sơ kết, đánh giá được ghi nhận ở: "
                + "; ".join(reviewed)
                + "."
                + (f" Chi tiết tại {names['inspection']}." if "inspection" in names else "")
            )
        return out

    def appendix(self, campaign: Campaign, form: Form, aggregates: Any, names: dict[str, str]) -> list[Table | Note]:
        widths = [8.0, 3.0, 8.5, 3.0, 3.0]
        header = [
            [Cell("Đơn vị", vmerge="restart"), Cell("Kiểm tra/ giám sát", span=2), Cell("Sơ kết, đánh giá", span=2)],
            [Cell("", vmerge="continue"), Cell("Không"), Cell("Có, nêu rõ hình thức"), Cell("Không"), Cell("Có")],
        ]
        rows = []
        for r in aggregates.inspection.to_dict("records"):
            forms = _top_forms(r["forms"])
            rows.append(
                [
                    Cell(r["body"]),
                    Cell(_mark(r["inspected_no"]), align="center"),
                    Cell(_mark(r["inspected_yes"], forms)),
                    Cell(_mark(r["reviewed_no"]), align="center"),
                    Cell(_mark(r["reviewed_yes"]), align="center"),
                ]
            )
        return [Table(widths, header, rows), Note(NOTE)]

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        if not campaign.form_with_role(self.name):
            return {}
        rows: Grid = [
            [
                "Đơn vị",
                "Kiểm tra/ giám sát: Có (số đơn vị)",
                "Kiểm tra/ giám sát: Không (số đơn vị)",
                "Hình thức kiểm tra/ giám sát (từng đơn vị)",
                "Sơ kết, đánh giá: Có (số đơn vị)",
                "Sơ kết, đánh giá: Không (số đơn vị)",
            ]
        ]
        for r in aggregates.inspection.to_dict("records"):
            rows.append([r["body"], int(r["inspected_yes"]), int(r["inspected_no"]), "\n".join(r["forms"]), int(r["reviewed_yes"]), int(r["reviewed_no"])])
        return {"Kiểm tra, giám sát": rows}


ROLE = Inspection("inspection", figures="inspection", has_appendix=True)


def _inspection(form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    bodies = list(form.fixed_rows) if form else []
    out = pd.DataFrame({"body": bodies})
    frame = form_rows(form, units, submissions, by_role=True)
    if frame.empty or "body" not in frame:
        for column in COUNTS:
            out[column] = 0
        out["forms"] = [[] for _ in bodies]
        return out
    by_key = {header_key(b): b for b in bodies}
    frame["body"] = frame["body"].map(header_key).map(by_key)
    frame = frame.dropna(subset=["body"])
    for key in ("inspected", "reviewed"):
        answers = frame[key].map(fold_accents) if key in frame else pd.Series("", index=frame.index)
        frame[f"{key}_yes"] = answers.eq("co")
        frame[f"{key}_no"] = answers.eq("khong")
    counts = frame.groupby("body")[list(COUNTS)].sum()
    out = out.join(counts, on="body").fillna(0)
    for column in COUNTS:
        out[column] = out[column].astype(int)
    named = frame.assign(form_text=text_column(frame.get("inspection_form", pd.Series("", index=frame.index))))
    named = named[named["inspected_yes"] & named["form_text"].ne("")].sort_values("unit_order", kind="stable")
    named = named.assign(entry=named["unit_name"] + ": " + named["form_text"])
    forms = named.groupby("body")["entry"].agg(list)
    out["forms"] = out["body"].map(forms).map(lambda v: v if isinstance(v, list) else [])
    return out


def _form_counts(entries) -> list[tuple[str, int]]:
    """(form as first written, times named) from "unit: form" entries, most named first."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for entry in entries:
        text = entry.split(": ", 1)[-1].strip().rstrip(".")
        key = text.casefold()
        if key:
            counts[key] = counts.get(key, 0) + 1
            labels.setdefault(key, text)
    return [(labels[k], v) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


def _top_forms(entries: list[str], top: int = 6) -> list[str]:
    ranked = _form_counts(entries)
    out = [f"{label} ({count})" for label, count in ranked[:top]]
    if len(ranked) > top:
        out.append(f"{len(ranked) - top} hình thức khác")
    return out


def _mark(count: int, forms: list[str] | None = None) -> str:
    if not count:
        return ""
    text = f"X ({count} đơn vị)"
    if forms:
        text += ": " + "; ".join(forms)
    return text

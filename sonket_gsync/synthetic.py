"""Synthetic answers for the demo, the tests and the benchmarks: what a unit might type.

``answers_for`` makes a valid, plausible set of answers for a unit; ``spoil`` introduces the
mistakes people really make; ``to_blocks`` turns answers into the cells a unit would type
(through any backend's ``write_unit``); ``to_submission`` is what the engine should read
back from those cells, so tests can check the whole way round.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from .backends.base import CellBlock
from .campaign import Campaign, Form, Unit
from .layout import sheet_layout
from .submission import Submission
from .text import format_date

PROFILE_SHARES = (("on_time", 0.70), ("late", 0.12), ("invalid", 0.08), ("missing", 0.10))

_ISSUERS_BY_GROUP = {
    "DU_UBND": ("Ủy ban nhân dân tỉnh", "Các sở, ban, ngành"),
    "CAP_TINH": ("Tỉnh ủy", "Hội đồng nhân dân tỉnh"),
    "MTTQ": ("Ủy ban MTTQ và các tổ chức chính trị - xã hội tỉnh",),
    "DANG_UY": ("Các Đảng ủy trực thuộc tỉnh",),
}
_SUMMARIES = (
    "Kế hoạch triển khai thực hiện Nghị quyết số 45-NQ/TW của Ban Chấp hành Trung ương",
    "Hướng dẫn tuyên truyền về vai trò của đội ngũ trí thức trong giai đoạn mới",
    "Chương trình hành động thực hiện Kế hoạch số 329-KH/TU của Ban Chấp hành Đảng bộ tỉnh",
    "Quyết định ban hành chính sách thu hút, trọng dụng nhân tài",
    "Kế hoạch kiểm tra, giám sát việc thực hiện Nghị quyết số 45-NQ/TW",
    "Đề án xây dựng cơ sở dữ liệu đội ngũ trí thức của tỉnh",
)
_FORMS_OF_CHECK = ("Kiểm tra chuyên đề", "Giám sát thường xuyên", "Lồng ghép trong kiểm tra định kỳ", "Giám sát qua báo cáo")
_SENTENCES = (
    "{unit} đã tổ chức quán triệt Nghị quyết đến 100% chi bộ trực thuộc.",
    "{unit} ban hành kế hoạch thực hiện và phân công rõ trách nhiệm từng bộ phận.",
    "Đội ngũ trí thức tại {unit} tham gia tích cực các hoạt động tư vấn, phản biện.",
    "{unit} chú trọng ứng dụng chuyển đổi số trong quản lý và đào tạo.",
    "Còn khó khăn về kinh phí và cơ chế thu hút trí thức trẻ về công tác tại {unit}.",
    "Đề nghị tỉnh bổ sung chính sách hỗ trợ nghiên cứu khoa học cho cơ sở.",
    "{unit} phối hợp với Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh tổ chức hội thảo chuyên đề.",
)


@dataclass
class Answers:
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # form code -> input values by key
    narrative: dict[str, str] = field(default_factory=dict)


def assign_profiles(campaign: Campaign, rng: random.Random) -> dict[str, str]:
    """unit code -> on_time | late | invalid | missing, in the shares of PROFILE_SHARES."""
    codes = [u.code for u in campaign.units]
    rng.shuffle(codes)
    profiles, start = {}, 0
    for index, (profile, share) in enumerate(PROFILE_SHARES):
        count = len(codes) - start if index == len(PROFILE_SHARES) - 1 else round(share * len(codes))
        for code in codes[start : start + count]:
            profiles[code] = profile
        start += count
    return profiles


def modified_time(profile: str, campaign: Campaign, rng: random.Random) -> datetime:
    """When a unit of this profile last touched its files."""
    deadline = campaign.deadline
    if profile == "late":
        return deadline + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10))
    return deadline - timedelta(days=rng.randint(0, 40), hours=rng.randint(1, 12))


def answers_for(campaign: Campaign, unit: Unit, rng: random.Random) -> Answers:
    answers = Answers()
    for form in campaign.forms_for(unit):
        answers.tables[form.code] = _FORM_MAKERS[form.rows](campaign, unit, form, rng)
    if campaign.has_narrative(unit):
        for item in campaign.outline_items:
            if rng.random() < 0.8:
                picks = rng.sample(_SENTENCES, k=rng.randint(1, 3))
                answers.narrative[item.key] = "\n".join(s.format(unit=unit.name) for s in picks)
    return answers


def _open_rows(campaign: Campaign, unit: Unit, form: Form, rng: random.Random) -> list[dict[str, object]]:
    issuers = _ISSUERS_BY_GROUP.get(unit.group, form.column("issuer").choices[:1])
    rows = []
    for n in range(1, rng.randint(2, 5) + 1):
        issued = date(2024, 4, 1) + timedelta(days=rng.randint(0, 700))
        rows.append(
            {
                "stt": n,
                "issuer": rng.choice(issuers),
                "doc_number": f"{rng.randint(10, 999)}-KH/{unit.code.replace('_', '')[:6]}",
                "doc_date": issued,
                "summary": rng.choice(_SUMMARIES),
            }
        )
    return rows


def _fixed_rows(campaign: Campaign, unit: Unit, form: Form, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for label in form.fixed_rows:
        inspected = rng.random() < 0.6
        rows.append(
            {
                "body": label,
                "inspected": "Có" if inspected else "Không",
                "inspection_form": rng.choice(_FORMS_OF_CHECK) if inspected else None,
                "reviewed": "Có" if rng.random() < 0.7 else "Không",
            }
        )
    return rows


def _unit_row(campaign: Campaign, unit: Unit, form: Form, rng: random.Random) -> list[dict[str, object]]:
    return [
        {
            "documents": f"Kế hoạch số {rng.randint(10, 300)}-KH/ĐU ngày {format_date(date(2024, 5, 1) + timedelta(days=rng.randint(0, 300)))}",
            "members_count": rng.randint(80, 2500),
            "members_rate": round(rng.uniform(85, 100), 1),
            "inspection": f"Lồng ghép kiểm tra việc thực hiện trong {rng.randint(1, 6)} cuộc kiểm tra định kỳ năm 2025.",
            "good_practices": rng.choice(_SENTENCES).format(unit=unit.name),
            "difficulties": "Nguồn lực và cơ chế thu hút trí thức ở cơ sở còn hạn chế.",
            "recommendations": "Đề nghị tỉnh ban hành chính sách hỗ trợ trí thức trẻ về công tác ở cơ sở.",
        }
    ]


def _indicator_rows(campaign: Campaign, unit: Unit, form: Form, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    year_columns = form.year_columns
    for ind in campaign.indicators:
        if ind.reported_by and unit.code not in ind.reported_by:
            continue
        row: dict[str, object] = {"code": ind.code}
        base = _indicator_base(ind.value_type, ind.code, rng)
        for step, col in enumerate(year_columns):
            value = base * (1 + 0.08 * step)
            if ind.value_type == "percent":
                value = round(min(value, 100.0), 1)
            else:
                value = int(round(value))
            row[col.key] = value
        rows.append(row)
    return rows


def _indicator_base(value_type: str, code: str, rng: random.Random) -> float:
    if value_type == "percent":
        return rng.uniform(1, 3) if code == "CT11" else rng.uniform(45, 85)
    if code == "CT04":
        return rng.randint(40, 1500)
    return rng.randint(0, 25)


_FORM_MAKERS = {"open": _open_rows, "fixed": _fixed_rows, "unit": _unit_row, "indicators": _indicator_rows}


def spoil(campaign: Campaign, unit: Unit, answers: Answers, rng: random.Random) -> Answers:
    """The same answers with one or two mistakes people make."""
    tables = {code: [dict(r) for r in rows] for code, rows in answers.tables.items()}
    mistakes = []
    if "PL02" in tables:
        mistakes += [("PL02", 0, "members_rate", "130"), ("PL02", 0, "members_count", "khoảng 200"), ("PL02", 0, "documents", None)]
    if "PL01_VB" in tables:
        mistakes += [("PL01_VB", 0, "doc_date", "31/02/2025"), ("PL01_VB", 0, "summary", None), ("PL01_VB", 0, "issuer", "Bộ Chính trị")]
    if "PL01_KT" in tables:
        mistakes += [("PL01_KT", 1, "inspected", "Có lẽ")]
    for form_code, index, key, value in rng.sample(mistakes, k=min(2, len(mistakes))):
        tables[form_code][index][key] = value
    return replace(answers, tables=tables)


# --- answers as typed cells, and as the engine should read them ----------------------------

def to_blocks(campaign: Campaign, unit: Unit, answers: Answers) -> list[CellBlock]:
    """The cells a unit types: one block per run of input columns per form."""
    blocks = []
    for form in campaign.forms_for(unit):
        layout = sheet_layout(campaign, unit, form)
        matrix = _matrix(campaign, unit, form, answers.tables.get(form.code, []))
        if not matrix:
            continue
        for first, last in _input_runs(form):
            values = [[_typed(row[i]) for i in range(first, last + 1)] for row in matrix]
            blocks.append(CellBlock(sheet=form.sheet, row=layout.first_data_row, column=first + 1, values=values))
    return blocks


def to_submission(campaign: Campaign, unit: Unit, answers: Answers) -> Submission:
    """The Submission the engine must read back from ``to_blocks`` of valid answers."""
    submission = Submission(unit_code=unit.code, narrative=dict(answers.narrative))
    for form in campaign.forms_for(unit):
        layout = sheet_layout(campaign, unit, form)
        matrix = _matrix(campaign, unit, form, answers.tables.get(form.code, []))
        inputs = {i for i, c in enumerate(form.columns) if not c.fixed}
        rows = []
        for index, row in enumerate(matrix):
            if all(row[i] is None for i in inputs):
                continue
            prefilled = layout.data[index] if index < len(layout.data) else ()
            rows.append({c.key: _stored(row[i] if not c.fixed else prefilled[i], c.type) for i, c in enumerate(form.columns)})
        submission.tables[form.code] = rows
    return submission


def _matrix(campaign: Campaign, unit: Unit, form: Form, rows: list[dict[str, object]]) -> list[list[object]]:
    """Answers laid on the form's data rows (fixed rows matched by their label)."""
    layout = sheet_layout(campaign, unit, form)
    if form.rows == "open":
        return [[row.get(c.key) for c in form.columns] for row in rows]
    by_label = {str(r.get(form.columns[0].key, "")): r for r in rows}
    matrix = []
    for index, prefilled in enumerate(layout.data):
        answer = rows[0] if form.rows == "unit" and rows else by_label.get(str(prefilled[0]), {})
        matrix.append([prefilled[i] if c.fixed else answer.get(c.key) for i, c in enumerate(form.columns)])
    return matrix


def _input_runs(form: Form) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index, col in enumerate(form.columns):
        if col.fixed:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _typed(value: object) -> object:
    """As a person types it: dates as dd/mm/yyyy text."""
    if isinstance(value, date):
        return format_date(value)
    return value


def _stored(value: object, column_type: str) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if column_type == "text":
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


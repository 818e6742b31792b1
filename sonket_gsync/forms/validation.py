"""Cell values against their column's type: one function per type, each returning the clean
value or the reason (in Vietnamese) it cannot be accepted.

Values arrive raw from either backend: str, int, float, bool, datetime/date (openpyxl), or
formula text "=…" (a local workbook nobody recalculated). Values leave JSON-able: str, int,
float, or an ISO date string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sonket_gsync.campaign.model import Column
from sonket_gsync.core.text import clean, fold_accents, format_date, format_number, parse_date
from sonket_gsync.forms.policy import ColumnPolicy, human_number, policy

EXCEL_EPOCH = date(1899, 12, 30)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str


# Text Excel or Sheets would take for a formula: "=" and anything, or "+", "-", "@" opening a
# function call ("=HYPERLINK(…)", "+SUM(…)", "@IMPORTXML(…)"); "- Lưu" or "+84 …" stay plain text.
# (and "-cmd|…", a DDE call).
_FORMULA_TEXT = re.compile(r"^(?:=.|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|])", re.DOTALL)


def looks_like_formula(text: object) -> bool:
    """True for text a spreadsheet would evaluate if typed into a cell (see ``_FORMULA_TEXT``).
    Such text in a text column is kept as text, never evaluated, and flagged to staff."""
    return isinstance(text, str) and bool(_FORMULA_TEXT.match(clean(text)))


def formula_text_message(text: str) -> str:
    return (
        f"Ô chữ bắt đầu như một công thức ('{_show(text)}'). Hệ thống giữ nguyên dưới dạng chữ, không tính và không "
        "mở liên kết; cán bộ tổng hợp cần kiểm tra trước khi đưa vào báo cáo. Nếu không cố ý, hãy xóa dấu đầu dòng "
        "(=, +, -, @) hoặc viết lại nội dung."
    )


def is_blank(raw: object) -> bool:
    """None, or text that ``clean`` leaves empty (spaces, XML-illegal characters)."""
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    text = raw.strip()
    if not text:
        return True
    if text[0] > "\x1f" and text[0] not in "\ufffe\uffff":  # a character clean keeps: not blank
        return False
    return clean(raw) == ""


def convert(column: Column, raw: object, value_type: str | None = None) -> object | Rejection:
    """The accepted value of a non-blank cell, or a Rejection saying what to type instead.
    Bounds come from the column policy (``policy.py``), shared with both sheet renderers."""
    rules = policy(column, value_type)
    if rules.kind == "text":
        return _text(rules, raw)
    if isinstance(raw, str) and clean(raw).startswith("="):
        return Rejection(
            "formula",
            f"Ô chứa công thức '{_show(raw)}' thay vì giá trị. Hãy nhập trực tiếp giá trị (không bắt đầu bằng dấu =).",
        )
    return _CONVERTERS[rules.kind](rules, raw)


def _text(rules: ColumnPolicy, raw: object) -> object | Rejection:
    if isinstance(raw, (datetime, date)):
        text = format_date(raw)
    elif isinstance(raw, float):
        text = format_number(raw, decimals=2)
    else:
        text = clean(raw)
    limit = rules.max_length or 0
    if len(text) > limit:
        return Rejection(
            "too_long",
            f"Nội dung dài {format_number(len(text))} ký tự, vượt mức tối đa {format_number(limit)} ký tự. "
            "Hãy rút gọn, phần chi tiết đưa vào báo cáo thuyết minh.",
        )
    return text


def _number(rules: ColumnPolicy, raw: object) -> float | Rejection:
    if isinstance(raw, (bool, datetime, date)):
        return Rejection("not_a_number", f"Giá trị '{_show(raw)}' không phải là số. Hãy nhập một số, ví dụ 1.234 hoặc 12,5.")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            return Rejection("not_a_number", f"Giá trị '{_show(raw)}' không phải là số. Hãy nhập một số, ví dụ 1.234 hoặc 12,5.")
    else:
        text = clean(raw)
        if rules.kind == "percent":
            text = text.rstrip("%").strip()
        parsed = parse_number(text)
        if parsed is None:
            return Rejection("not_a_number", f"Giá trị '{_show(raw)}' không phải là số. Hãy nhập một số, ví dụ 1.234 hoặc 12,5.")
        value = parsed
    if rules.whole and not value.is_integer():
        what = "năm gồm 4 chữ số, ví dụ 2025" if rules.kind == "year" else "số nguyên, ví dụ 120"
        return Rejection("not_an_integer", f"Giá trị {format_number(value, 2)} phải là số nguyên. Hãy nhập {what}.")
    if not rules.accepts_number(value):
        return _out_of_bounds(rules, value)
    return value


def _out_of_bounds(rules: ColumnPolicy, value: float) -> Rejection:
    if rules.kind == "percent":
        return Rejection(
            "percent_range",
            f"Tỷ lệ {format_number(value)}% nằm ngoài khoảng {human_number(rules.low)}–{human_number(rules.high)}. "  # type: ignore[arg-type]
            f"Hãy nhập tỷ lệ phần trăm{rules.bounds_text}, ví dụ 85,5.",
        )
    if rules.kind == "year":
        return Rejection("not_a_year", f"{format_number(value)} không phải là năm hợp lệ. Hãy ghi năm bốn chữ số, ví dụ 2025.")
    code = "below_min" if rules.low is not None and value < rules.low else "above_max"  # type: ignore[operator]
    what = "số nguyên" if rules.whole else "số"
    return Rejection(code, f"Giá trị {format_number(value)} không hợp lệ: ô này chỉ nhận {what}{rules.bounds_text}. Hãy nhập lại.")


def _integer(rules: ColumnPolicy, raw: object) -> int | Rejection:
    value = _number(rules, raw)
    return value if isinstance(value, Rejection) else int(value)


def _decimal(rules: ColumnPolicy, raw: object) -> float | int | Rejection:
    value = _number(rules, raw)
    if isinstance(value, Rejection):
        return value
    return int(value) if float(value).is_integer() else value


def _date(rules: ColumnPolicy, raw: object) -> str | Rejection:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # a date cell read unformatted (a serial day number, as both spreadsheets store dates)
        if not 0 <= raw < 2_958_466:  # 31/12/9999
            return Rejection("not_a_date", f"'{_show(raw)}' không phải là ngày hợp lệ. Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2024.")
        day = EXCEL_EPOCH + timedelta(days=int(raw))
    else:
        parsed = parse_date(str(raw))
        if parsed is None:
            return Rejection("not_a_date", f"'{_show(raw)}' không phải là ngày hợp lệ. Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2024.")
        day = parsed
    if rules.low is not None and day < rules.low:  # type: ignore[operator]
        return Rejection("date_too_early", f"Ngày {format_date(day)} sớm hơn {format_date(rules.low)}. Hãy kiểm tra lại ngày văn bản.")  # type: ignore[arg-type]
    if rules.high is not None and day > rules.high:  # type: ignore[operator]
        return Rejection("date_too_late", f"Ngày {format_date(day)} muộn hơn {format_date(rules.high)}. Hãy kiểm tra lại ngày.")  # type: ignore[arg-type]
    return day.isoformat()


def _choice(rules: ColumnPolicy, raw: object) -> str | Rejection:
    typed = fold_accents(raw)
    for choice in rules.choices:
        if typed == fold_accents(choice):
            return choice
    options = " / ".join(rules.choices)
    return Rejection("not_a_choice", f"'{_show(raw)}' không có trong danh sách. Hãy chọn một trong: {options}.")


_CONVERTERS = {
    "integer": _integer,
    "number": _decimal,
    "percent": _decimal,
    "date": _date,
    "choice": _choice,
    "year": _integer,
}


def parse_number(text: str) -> float | None:
    """'1.234,5' -> 1234.5, '12,5' -> 12.5, '1.234' -> 1234, '1234.5' -> 1234.5 (Vietnamese first)."""
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        text = text.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not _NUMBER.fullmatch(text):
        return None
    return float(text)


def _show(raw: object, limit: int = 40) -> str:
    text = clean(raw)
    return text if len(text) <= limit else text[:limit] + "…"

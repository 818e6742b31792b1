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

from .campaign import Column
from .text import clean, fold_accents, format_date, format_number, parse_date

EXCEL_EPOCH = date(1899, 12, 30)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and clean(raw) == "")


def convert(column: Column, raw: object, value_type: str | None = None) -> object | Rejection:
    """The accepted value of a non-blank cell, or a Rejection saying what to type instead."""
    kind = value_type or column.type
    if kind == "text":
        return _text(column, raw)
    if isinstance(raw, str) and clean(raw).startswith("="):
        return Rejection(
            "formula",
            f"Ô chứa công thức '{_show(raw)}' thay vì giá trị. Hãy nhập trực tiếp giá trị (không bắt đầu bằng dấu =).",
        )
    return _CONVERTERS[kind](column, raw)


def _text(column: Column, raw: object) -> object | Rejection:
    if isinstance(raw, (datetime, date)):
        text = format_date(raw)
    elif isinstance(raw, float):
        text = format_number(raw, decimals=2)
    else:
        text = clean(raw)
    if len(text) > column.max_length:
        return Rejection(
            "too_long",
            f"Nội dung dài {format_number(len(text))} ký tự, vượt mức tối đa {format_number(column.max_length)} ký tự. "
            "Hãy rút gọn, phần chi tiết đưa vào báo cáo thuyết minh.",
        )
    return text


def _number(column: Column, raw: object) -> float | Rejection:
    if isinstance(raw, bool) or isinstance(raw, (datetime, date)):
        return Rejection("not_a_number", f"Giá trị '{_show(raw)}' không phải là số. Hãy nhập một số, ví dụ 1.234 hoặc 12,5.")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        parsed = parse_number(clean(raw))
        if parsed is None:
            return Rejection("not_a_number", f"Giá trị '{_show(raw)}' không phải là số. Hãy nhập một số, ví dụ 1.234 hoặc 12,5.")
        value = parsed
    return _bounded(column, value)


def _bounded(column: Column, value: float) -> float | Rejection:
    if isinstance(column.min, float) and value < column.min:
        return Rejection("below_min", f"Giá trị {format_number(value)} nhỏ hơn mức tối thiểu {format_number(column.min)}.")
    if isinstance(column.max, float) and value > column.max:
        return Rejection("above_max", f"Giá trị {format_number(value)} lớn hơn mức tối đa {format_number(column.max)}.")
    return value


def _integer(column: Column, raw: object) -> int | Rejection:
    value = _number(column, raw)
    if isinstance(value, Rejection):
        return value
    if not float(value).is_integer():
        return Rejection("not_an_integer", f"Giá trị {format_number(value, 2)} phải là số nguyên. Hãy nhập số nguyên, ví dụ 120.")
    if value < 0 and column.min is None:
        return Rejection("below_min", f"Giá trị {format_number(value)} không được âm.")
    return int(value)


def _decimal(column: Column, raw: object) -> float | int | Rejection:
    value = _number(column, raw)
    if isinstance(value, Rejection):
        return value
    return int(value) if float(value).is_integer() else value


def _percent(column: Column, raw: object) -> float | int | Rejection:
    if isinstance(raw, str):
        raw = clean(raw).rstrip("%").strip()
    value = _decimal(column, raw)
    if isinstance(value, Rejection):
        return value
    if not 0 <= value <= 100:
        return Rejection("percent_range", f"Tỷ lệ {format_number(value)}% nằm ngoài khoảng 0–100. Hãy nhập tỷ lệ phần trăm từ 0 đến 100, ví dụ 85,5.")
    return value


def _date(column: Column, raw: object) -> str | Rejection:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and 20000 < raw < 80000:
        day = EXCEL_EPOCH + timedelta(days=int(raw))  # a date cell read unformatted
    else:
        parsed = parse_date(str(raw))
        if parsed is None:
            return Rejection("not_a_date", f"'{_show(raw)}' không phải là ngày hợp lệ. Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/04/2024.")
        day = parsed
    if isinstance(column.min, date) and day < column.min:
        return Rejection("date_too_early", f"Ngày {format_date(day)} sớm hơn {format_date(column.min)}. Hãy kiểm tra lại ngày văn bản.")
    if isinstance(column.max, date) and day > column.max:
        return Rejection("date_too_late", f"Ngày {format_date(day)} muộn hơn {format_date(column.max)}. Hãy kiểm tra lại ngày.")
    return day.isoformat()


def _choice(column: Column, raw: object) -> str | Rejection:
    typed = fold_accents(raw)
    for choice in column.choices:
        if typed == fold_accents(choice):
            return choice
    options = " / ".join(column.choices)
    return Rejection("not_a_choice", f"'{_show(raw)}' không có trong danh sách. Hãy chọn một trong: {options}.")


def _year(column: Column, raw: object) -> int | Rejection:
    value = _integer(column, raw)
    if isinstance(value, Rejection):
        return value
    if not 1900 <= value <= 2100:
        return Rejection("not_a_year", f"{value} không phải là năm hợp lệ. Hãy ghi năm bốn chữ số, ví dụ 2025.")
    return value


_CONVERTERS = {
    "integer": _integer,
    "number": _decimal,
    "percent": _percent,
    "date": _date,
    "choice": _choice,
    "year": _year,
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

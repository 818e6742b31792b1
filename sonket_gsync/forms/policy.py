"""One column policy: what a unit may type in a column, told once.

For each column (and, in the indicator table, each indicator's value type) ``policy`` gives
the bounds, the input prompt, the error text and the number format. The Excel renderer
(``workbook.py``), the Sheets request builders (``backends/google/sheets.py``) and the engine
(``validation.py``) all read it, so a value is accepted by the sheet's validation exactly
when the engine accepts it (``tests/test_policy.py`` checks this per column type).

The rules:

- integer: a whole number, from ``min`` (default 0: counts are never negative) to ``max``;
- number: any number, from ``min`` (default 0) to ``max``;
- percent: a number from 0 to 100 (narrowed by ``min``/``max`` when given), no % sign needed;
- year: a whole number from 1900 to 2100;
- date: a real date from ``min`` (default 01/03/1900) to ``max`` (default 31/12/2100);
- choice: one of the listed choices;
- text: at most ``max_length`` characters.

The engine is also forgiving in ways a validated cell never needs — a number typed as text
("1.234,5", "85,5%"), a choice typed without accents — it maps such text onto the value the
cell would have held; it never accepts a value outside the bounds above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sonket_gsync.campaign.model import Column
from sonket_gsync.core.text import format_number

MIN_DATE = date(1900, 3, 1)  # day numbers before it differ between Excel and Sheets
MAX_DATE = date(2100, 12, 31)
MIN_YEAR, MAX_YEAR = 1900, 2100
PROMPT_TITLE = "Hướng dẫn nhập"  # Excel caps titles at 32 characters
ERROR_TITLE = "Giá trị không hợp lệ"
NUMERIC = ("integer", "number", "percent", "year")


@dataclass(frozen=True)
class ColumnPolicy:
    kind: str  # text | integer | number | percent | date | choice | year
    low: float | date | None = None  # inclusive
    high: float | date | None = None  # inclusive
    whole: bool = False  # only whole numbers
    max_length: int | None = None  # text
    choices: tuple[str, ...] = ()
    prompt: str = ""  # the input message shown when the cell is selected
    error: str = ""  # the message shown when the sheet refuses a value (and the engine's advice)
    excel_format: str = "General"  # number format code in the .xlsx
    sheets_format: dict | None = None  # Sheets numberFormat, None = automatic

    @property
    def bounds_text(self) -> str:
        return _bounds_text(self.low, self.high, self.kind)

    def accepts_number(self, value: float) -> bool:
        if self.whole and not float(value).is_integer():
            return False
        if self.low is not None and value < self.low:  # type: ignore[operator]
            return False
        return self.high is None or value <= self.high  # type: ignore[operator]

    def accepts_date(self, day: date) -> bool:
        return (self.low is None or day >= self.low) and (self.high is None or day <= self.high)  # type: ignore[operator]


def policy(column: Column, value_type: str | None = None) -> ColumnPolicy:
    """The policy of ``column``; ``value_type`` (integer/number/percent) overrides the type
    of an indicator value column, as each indicator says what its figures are."""
    kind = value_type if (value_type and column.year is not None) else column.type
    return _policy(column, kind)


@lru_cache(maxsize=512)
def _policy(column: Column, kind: str) -> ColumnPolicy:
    if kind == "choice":
        return ColumnPolicy(
            kind,
            choices=column.choices,
            prompt="Chọn một giá trị trong danh sách (bấm vào mũi tên bên phải ô).",
            error="Giá trị này không có trong danh sách. Hãy bấm mũi tên ở ô và chọn một giá trị trong danh sách.",
        )
    if kind == "date":
        first = column.min if isinstance(column.min, date) else MIN_DATE
        last = column.max if isinstance(column.max, date) else MAX_DATE
        since = _bounds_text(first if isinstance(column.min, date) else None, last if isinstance(column.max, date) else None, "date")
        return ColumnPolicy(
            kind,
            low=first,
            high=last,
            prompt=f"Nhập ngày theo dạng dd/mm/yyyy{since}, ví dụ 15/03/2025.",
            error=f"Ô này chỉ nhận ngày hợp lệ{since}, ghi theo dạng dd/mm/yyyy (ví dụ 15/03/2025). Hãy nhập lại.",
            excel_format="dd/mm/yyyy",
            sheets_format={"type": "DATE", "pattern": "dd/mm/yyyy"},
        )
    if kind == "year":
        return ColumnPolicy(
            kind,
            low=float(MIN_YEAR),
            high=float(MAX_YEAR),
            whole=True,
            prompt="Nhập năm gồm 4 chữ số, ví dụ 2025.",
            error=f"Năm phải là số nguyên gồm 4 chữ số, từ {MIN_YEAR} đến {MAX_YEAR}. Hãy nhập lại.",
            excel_format="0",
            sheets_format={"type": "NUMBER", "pattern": "0"},
        )
    if kind in ("integer", "number", "percent"):
        low = float(column.min) if isinstance(column.min, (int, float)) else 0.0
        high = float(column.max) if isinstance(column.max, (int, float)) else None
        if kind == "percent":
            low, high = max(low, 0.0), min(high, 100.0) if high is not None else 100.0
        bounds = _bounds_text(low, high, kind)
        if kind == "integer":
            return ColumnPolicy(
                kind,
                low=low,
                high=high,
                whole=True,
                prompt=f"Nhập số nguyên{bounds}.",
                error=f"Ô này chỉ nhận số nguyên{bounds}, không nhận chữ hay số thập phân. Hãy nhập lại.",
                excel_format="#,##0",
                sheets_format={"type": "NUMBER", "pattern": "#,##0"},
            )
        if kind == "percent":
            return ColumnPolicy(
                kind,
                low=low,
                high=high,
                prompt=f"Nhập tỷ lệ phần trăm{bounds}, không ghi dấu % (ví dụ 85,5).",
                error=f"Tỷ lệ phải là một số{bounds} (không ghi dấu %). Hãy nhập lại.",
            )
        return ColumnPolicy(
            kind,
            low=low,
            high=high,
            prompt=f"Nhập một số{bounds}; phần thập phân dùng dấu phẩy (ví dụ 12,5).",
            error=f"Ô này chỉ nhận số{bounds}, không nhận chữ. Hãy nhập lại.",
        )
    return ColumnPolicy(
        "text",
        max_length=column.max_length,
        prompt=f"Nhập văn bản, tối đa {format_number(column.max_length)} ký tự.",
        error=f"Nội dung dài quá {format_number(column.max_length)} ký tự. Hãy rút gọn, phần chi tiết đưa vào báo cáo thuyết minh.",
        excel_format="@",  # text: Excel keeps "1-2" or "=x" as typed instead of converting it
        sheets_format={"type": "TEXT"},
    )


def human_number(value: float) -> str:
    """A bound as a person reads it, in Vietnamese number format (0,5; 1.000)."""
    text = format_number(value, 6)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _bounds_text(low, high, kind: str) -> str:
    if kind == "date":
        if low is not None and high is not None:
            return f", từ ngày {low:%d/%m/%Y} đến ngày {high:%d/%m/%Y}"
        if low is not None:
            return f", từ ngày {low:%d/%m/%Y}"
        if high is not None:
            return f", đến ngày {high:%d/%m/%Y}"
        return ""
    if low is not None and high is not None:
        return f" từ {human_number(low)} đến {human_number(high)}"
    if low is not None:
        return f" lớn hơn hoặc bằng {human_number(low)}"
    if high is not None:
        return f" nhỏ hơn hoặc bằng {human_number(high)}"
    return ""

"""One column policy: a value is accepted by the sheet's validation — the Excel rule in the
rendered .xlsx and the Sheets condition in the provisioning requests, each evaluated here in
Python — if and only if the engine accepts it, for every column type and for the indicator
table's per-row value types.

Probes are values as a validated cell holds them: numbers as numbers, dates as dates, text
as text. Text the sheet itself would have converted (a number typed "12,5", a date typed
"05/04/2024", a choice typed without accents) is normalised by the engine on top of this.
One thing no sheet rule can tell: Excel and Sheets store a date as a number, so a date typed
into a number cell passes their number rule; the engine refuses it (a date is not a figure).
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter as _letter

from sonket_gsync.backends.google.sheets import setup_requests
from sonket_gsync.campaign.model import Column
from sonket_gsync.forms.layout import sheet_layout
from sonket_gsync.forms.policy import policy
from sonket_gsync.forms.validation import Rejection, convert
from sonket_gsync.forms.workbook import workbook_bytes

EPOCH = date(1899, 12, 30)

COLUMNS = (
    Column(key="count", header="Số lượng", type="integer"),
    Column(key="count_b", header="Số lượng (5–10)", type="integer", min=5.0, max=10.0),
    Column(key="amount", header="Kinh phí", type="number"),
    Column(key="amount_b", header="Chênh lệch", type="number", min=-5.0, max=2.5),
    Column(key="rate", header="Tỷ lệ", type="percent"),
    Column(key="rate_b", header="Tỷ lệ (≤ 50)", type="percent", max=50.0),
    Column(key="day", header="Ngày", type="date"),
    Column(key="day_b", header="Ngày văn bản", type="date", min=date(2023, 11, 24), max=date(2026, 12, 31)),
    Column(key="year", header="Năm", type="year"),
    Column(key="choice", header="Có/Không", type="choice", choices=("Có", "Không", "Các sở, ban, ngành")),
    Column(key="text", header="Nội dung", type="text", max_length=10),
)

NUMBERS = [-1e16, -6, -5, -1, -0.5, 0, 0.5, 1, 2.5, 2.6, 4, 5, 7.5, 10, 10.5, 12, 49.9, 50, 50.5, 99.9, 100, 100.5, 1899, 1900, 2025, 2100, 2101, 45387, 1e16]
DATES = [
    datetime(1900, 2, 28),
    datetime(1900, 3, 1),
    datetime(2020, 1, 1),
    datetime(2023, 11, 23),
    datetime(2023, 11, 24),
    datetime(2024, 4, 5),
    datetime(2026, 12, 31),
    datetime(2027, 1, 1),
    datetime(2100, 12, 31),
    datetime(2101, 1, 1),
]
WORDS = ["abc", "khoảng 200", "Có", "Không", "Có lẽ", "Các sở, ban, ngành", "x" * 10, "x" * 11, "Quyết định", "=1+1"]


def probes(column: Column) -> list[object]:
    kind = column.type
    if kind == "text":
        return list(WORDS)
    if kind == "choice":
        return list(WORDS)
    if kind == "date":
        return [*DATES, 45387, 45254, 45253, 73415, 73416, 61, "hôm qua", "abc"]
    return [*NUMBERS, "abc", "khoảng 200"]


# --- the Excel rule, evaluated -----------------------------------------------------------------


def excel_accepts(wb, ws, cell: str, value: object) -> bool:
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, (ws.title, cell)
    dv = found[0]
    if dv.type == "list":
        sheet, ref = dv.formula1.split("!")
        allowed = [c.value for row in wb[sheet.strip("'")][ref.replace("$", "")] for c in row]
        return isinstance(value, str) and value in allowed
    if dv.type == "textLength":
        text = value if isinstance(value, str) else str(value)
        return _compare(len(text), dv.operator, float(dv.formula1), dv.formula2 and float(dv.formula2))
    if isinstance(value, datetime):
        number = (value.date() - EPOCH).days  # Excel stores dates as day numbers
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    else:
        return False  # text in a number or date cell
    if dv.type == "whole" and not float(number).is_integer():
        return False
    return _compare(number, dv.operator or "between", float(dv.formula1), dv.formula2 and float(dv.formula2))


def _compare(x: float, operator: str, a: float, b: float | None) -> bool:
    return {
        "between": lambda: a <= x <= b,
        "greaterThanOrEqual": lambda: x >= a,
        "lessThanOrEqual": lambda: x <= a,
    }[operator]()


# --- the Sheets condition, evaluated -------------------------------------------------------------


def sheets_accepts(rule: dict, anchor: str, value: object) -> bool:
    condition = rule["condition"]
    kind = condition["type"]
    values = [v["userEnteredValue"] for v in condition.get("values", [])]
    number = _sheets_number(value)
    if kind == "ONE_OF_LIST":
        return isinstance(value, str) and value in values
    if kind.startswith("NUMBER_"):
        if number is None:
            return False
        bounds = [float(v.replace(",", ".")) for v in values]  # vi_VN: decimal comma
        return {
            "NUMBER_BETWEEN": lambda: bounds[0] <= number <= bounds[1],
            "NUMBER_GREATER_THAN_EQ": lambda: number >= bounds[0],
            "NUMBER_LESS_THAN_EQ": lambda: number <= bounds[0],
        }[kind]()
    if kind == "DATE_BETWEEN":
        if number is None:
            return False
        low, high = ((date.fromisoformat(v) - EPOCH).days for v in values)
        return low <= number <= high
    if kind == "CUSTOM_FORMULA":
        return bool(Formula(values[0], anchor, value).evaluate())
    raise AssertionError(f"condition {kind} not evaluated by this test")


def _sheets_number(value: object) -> float | None:
    if isinstance(value, datetime):
        return (value.date() - EPOCH).days
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


class Formula:
    """The few spreadsheet functions the policy's custom formulas use: AND, ISNUMBER, INT,
    LEN, comparisons; arguments separated by ';'."""

    TOKEN = re.compile(r"\s*(?:(\d+(?:,\d+)?)|([A-Z]+\d+)|([A-Z]+)\(|(<=|>=|=|<|>)|([;)]))")

    def __init__(self, text: str, anchor: str, value: object) -> None:
        assert text.startswith("=")
        self.tokens = self._tokens(text[1:])
        self.anchor, self.value, self.at = anchor, value, 0

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        out, pos = [], 0
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            assert m, f"cannot read {text[pos:]!r}"
            kind = next(i for i in range(1, 6) if m.group(i) is not None)
            out.append((("num", "ref", "fn", "op", "punct")[kind - 1], m.group(kind)))
            pos = m.end()
        return out

    def evaluate(self) -> object:
        result = self._comparison()
        assert self.at == len(self.tokens)
        return result

    def _comparison(self):
        left = self._term()
        if self.at < len(self.tokens) and self.tokens[self.at][0] == "op":
            op = self.tokens[self.at][1]
            self.at += 1
            right = self._term()
            if not all(isinstance(x, (int, float)) for x in (left, right)):
                return False if op != "=" else left == right
            return {"<=": left <= right, ">=": left >= right, "=": left == right, "<": left < right, ">": left > right}[op]
        return left

    def _term(self):
        kind, text = self.tokens[self.at]
        self.at += 1
        if kind == "num":
            return float(text.replace(",", "."))
        if kind == "ref":
            assert text == self.anchor, (text, self.anchor)
            return self.value if not isinstance(self.value, datetime) else _sheets_number(self.value)
        assert kind == "fn", text
        args = [self._comparison()]
        while self.tokens[self.at] == ("punct", ";"):
            self.at += 1
            args.append(self._comparison())
        assert self.tokens[self.at] == ("punct", ")")
        self.at += 1
        is_number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
        if text == "AND":
            return all(args)
        if text == "ISNUMBER":
            return is_number(args[0])
        if text == "INT":
            return float(int(args[0] // 1)) if is_number(args[0]) else "#VALUE!"
        if text == "LEN":
            return len(args[0] if isinstance(args[0], str) else str(args[0]))
        raise AssertionError(f"function {text} not evaluated by this test")


# --- the engine ----------------------------------------------------------------------------------


def engine_accepts(column: Column, value: object, value_type: str | None = None) -> bool:
    return not isinstance(convert(column, value, value_type), Rejection)


def _sheets_rules(layout) -> dict[tuple[int, int], tuple[dict, str]]:
    """(row0, col0) -> (rule, anchor) for every validated cell of the one tab."""
    rules = {}
    for request in setup_requests([layout]):
        if "setDataValidation" in request:
            r = request["setDataValidation"]["range"]
            anchor = f"{_letter(r['startColumnIndex'] + 1)}{r['startRowIndex'] + 1}"
            for row in range(r["startRowIndex"], r["endRowIndex"]):
                for col in range(r["startColumnIndex"], r["endColumnIndex"]):
                    rules[(row, col)] = (request["setDataValidation"]["rule"], anchor)
    return rules


@pytest.fixture(scope="module")
def probe_form(campaign):
    form = replace(campaign.form("PL01_VB"), columns=COLUMNS, sheet="Thử", blank_rows=2)
    layout = sheet_layout(campaign, campaign.units[0], form)
    wb = load_workbook(io.BytesIO(workbook_bytes([layout])))
    return layout, wb, _sheets_rules(layout)


@pytest.mark.parametrize("key", [c.key for c in COLUMNS])
def test_sheet_rules_accept_exactly_what_the_engine_accepts(probe_form, key):
    layout, wb, sheets = probe_form
    ws = wb["Thử"]
    col = next(i for i, c in enumerate(layout.form.columns) if c.key == key)
    column = layout.form.columns[col]
    row = layout.first_data_row + 1  # a row below the first: relative references must follow
    cell = f"{_letter(col + 1)}{row}"
    rule, anchor = sheets[(row - 1, col)]
    disagreements = []
    accepted = 0
    for value in probes(column):
        engine = engine_accepts(column, value)
        excel = excel_accepts(wb, ws, cell, value)
        google = sheets_accepts(rule, anchor, value)
        accepted += engine
        if not engine == excel == google:
            disagreements.append((value, engine, excel, google))
    assert not disagreements, f"{key}: (value, engine, excel, sheets) {disagreements}"
    assert 0 < accepted < len(probes(column))  # the probes reach both sides of every bound


def test_indicator_rows_follow_each_indicator_value_type(campaign):
    unit = next(u for u in campaign.units if u.code == "LHH_KHKT")  # reports every indicator
    layout = sheet_layout(campaign, unit, campaign.form("CHI_TIEU"))
    wb = load_workbook(io.BytesIO(workbook_bytes([layout])))
    ws = wb[layout.form.sheet]
    sheets = _sheets_rules(layout)
    checked = set()
    for offset, indicator in enumerate(campaign.indicators):
        row = layout.first_data_row + offset
        for col, column in enumerate(layout.form.columns):
            if column.year is None:
                continue
            rule, anchor = sheets[(row - 1, col)]
            for value in [*NUMBERS, "abc"]:
                engine = engine_accepts(column, value, indicator.value_type)
                excel = excel_accepts(wb, ws, f"{_letter(col + 1)}{row}", value)
                google = sheets_accepts(rule, anchor, value)
                assert engine == excel == google, (indicator.code, column.key, value, engine, excel, google)
            checked.add(indicator.value_type)
    assert checked >= {"integer", "percent"}


def test_a_number_without_min_refuses_negatives_everywhere():
    column = Column(key="y", header="Năm 2025", type="number", year=2025)
    for value_type in ("integer", "number", "percent", None):
        assert not engine_accepts(column, -0.5, value_type) and not engine_accepts(column, -3, value_type)
        assert policy(column, value_type).low == 0


def test_policy_prompts_and_errors_are_vietnamese_and_fit_excel():
    for column in COLUMNS:
        rules = policy(column)
        assert rules.prompt and rules.error and len(rules.prompt) <= 255 and len(rules.error) <= 255
        assert "Hãy" in rules.error
    assert "từ 5 đến 10" in policy(COLUMNS[1]).prompt
    assert "từ -5 đến 2,5" in policy(COLUMNS[3]).prompt
    assert policy(COLUMNS[0]).excel_format == "#,##0" and policy(COLUMNS[0]).sheets_format == {"type": "NUMBER", "pattern": "#,##0"}
    assert policy(COLUMNS[6]).excel_format == "dd/mm/yyyy" and policy(COLUMNS[10]).excel_format == "@"

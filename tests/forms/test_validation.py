"""Cell values by column type: what is accepted, and what each rejection tells the unit."""

from __future__ import annotations

from datetime import datetime

import pytest

from sonket_gsync.campaign.model import Column
from sonket_gsync.core.text import format_number
from sonket_gsync.forms.validation import Rejection, convert, parse_number


def col(type_: str, **kw) -> Column:
    return Column(key="k", header="H", type=type_, **kw)


@pytest.mark.parametrize(
    "text,value",
    [("1.234,5", 1234.5), ("12,5", 12.5), ("1.234", 1234.0), ("1234.5", 1234.5), ("1,234.5", 1234.5), ("-3", -3.0), ("1 234", 1234.0)],
)
def test_numbers_typed_the_vietnamese_way(text, value):
    assert parse_number(text) == value


def test_format_number_writes_vietnamese():
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1234567) == "1.234.567"
    assert format_number(None) == ""


def test_percent_accepts_0_to_100_and_a_percent_sign():
    assert convert(col("percent"), "85,5%") == 85.5
    assert convert(col("percent"), 100) == 100
    rejected = convert(col("percent"), 130)
    assert isinstance(rejected, Rejection) and rejected.code == "percent_range" and "0–100" in rejected.message


def test_integer_rejects_words_fractions_and_negatives():
    assert convert(col("integer"), "1.200") == 1200
    assert convert(col("integer"), "khoảng 200").code == "not_a_number"
    assert convert(col("integer"), 12.5).code == "not_an_integer"
    assert convert(col("integer"), -1).code == "below_min"


def test_formula_in_a_number_cell_is_refused_with_advice():
    rejected = convert(col("number"), "=SUM(A1:A3)")
    assert rejected.code == "formula" and "dấu =" in rejected.message


def test_formula_like_text_stays_text():
    assert convert(col("text"), '=HYPERLINK("http://x")') == '=HYPERLINK("http://x")'
    assert convert(col("text"), "@cmd") == "@cmd"


def test_dates_in_dd_mm_yyyy_cells_and_serials():
    c = col("date")
    assert convert(c, "05/04/2024") == "2024-04-05"
    assert convert(c, datetime(2024, 4, 5, 0, 0)) == "2024-04-05"
    assert convert(c, 45387) == "2024-04-05"  # a date cell read unformatted (Sheets serial)
    assert convert(c, "31/02/2025").code == "not_a_date"
    assert "dd/mm/yyyy" in convert(c, "hôm qua").message


def test_date_before_the_minimum():
    from datetime import date

    rejected = convert(col("date", min=date(2023, 11, 24)), "01/01/2020")
    assert rejected.code == "date_too_early" and "24/11/2023" in rejected.message


def test_choice_is_forgiving_about_accents_and_case():
    c = col("choice", choices=("Có", "Không"))
    assert convert(c, "khong") == "Không"
    assert convert(c, " CÓ ") == "Có"
    assert convert(c, "Có lẽ").code == "not_a_choice"


def test_year_and_text_length():
    assert convert(col("year"), "2025") == 2025
    assert convert(col("year"), 25).code == "not_a_year"
    rejected = convert(col("text", max_length=10), "x" * 30000)
    assert rejected.code == "too_long" and "30.000" in rejected.message


def test_text_is_nfc_and_free_of_xml_breaking_characters():
    assert convert(col("text"), "Quye\u0302\u0301t \x07định") == "Quyết định"

"""Sheets data-validation rules from the one column policy (``policy.py``).

Whole numbers and text lengths have no built-in Sheets condition, so they are CUSTOM_FORMULA
rules; their arguments are separated by ";", which Sheets accepts in every locale, and a
decimal bound is written with a comma, as typed in the spreadsheets' vi_VN locale.
"""

from __future__ import annotations

from sonket_gsync.campaign.model import Column
from sonket_gsync.forms.policy import ColumnPolicy, policy


def validation_rule(column: Column, value_type: str | None = None, *, anchor: str = "A1") -> dict | None:
    """The strict Sheets rule of the column policy, with its Vietnamese input message.
    ``anchor`` is the top-left cell of the range the rule is set on: custom formulas refer to
    it (relatively, so each cell checks itself)."""
    return sheets_rule(policy(column, value_type), anchor)


def sheets_rule(rules: ColumnPolicy, anchor: str) -> dict:
    kind = rules.kind
    if kind == "choice":
        return _rule("ONE_OF_LIST", list(rules.choices), rules.prompt)
    if kind == "text":
        return _rule("CUSTOM_FORMULA", [f"=LEN({anchor})<={rules.max_length}"], rules.prompt)
    if kind == "date":
        return _rule("DATE_BETWEEN", [rules.low.isoformat(), rules.high.isoformat()], rules.prompt)  # type: ignore[union-attr]
    low, high = rules.low, rules.high
    if rules.whole:
        terms = [f"ISNUMBER({anchor})", f"{anchor}=INT({anchor})"]
        if low is not None:
            terms.append(f"{anchor}>={_num(low)}")  # type: ignore[arg-type]
        if high is not None:
            terms.append(f"{anchor}<={_num(high)}")  # type: ignore[arg-type]
        return _rule("CUSTOM_FORMULA", [f"=AND({';'.join(terms)})"], rules.prompt)
    if low is not None and high is not None:
        return _rule("NUMBER_BETWEEN", [_num(low), _num(high)], rules.prompt)  # type: ignore[arg-type]
    if high is not None:
        return _rule("NUMBER_LESS_THAN_EQ", [_num(high)], rules.prompt)  # type: ignore[arg-type]
    if low is not None:
        return _rule("NUMBER_GREATER_THAN_EQ", [_num(low)], rules.prompt)  # type: ignore[arg-type]
    return _rule("CUSTOM_FORMULA", [f"=ISNUMBER({anchor})"], rules.prompt)


def _rule(kind: str, values: list[str], message: str) -> dict:
    condition: dict = {"type": kind}
    if values:
        condition["values"] = [{"userEnteredValue": v} for v in values]
    return {"condition": condition, "inputMessage": message, "strict": True, "showCustomUi": True}


def _num(value: float) -> str:
    """A bound as typed in the spreadsheet's vi_VN locale (decimal comma)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value)).replace(".", ",")

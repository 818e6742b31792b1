"""Text normalisation and Vietnamese formatting: every string enters through ``clean``.

Numbers in documents are written 1.234,5; dates dd/mm/yyyy; times in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Characters that XML 1.0 (and so .docx/.xlsx) cannot hold; a cell carrying one would
# corrupt the report, so they are dropped on the way in.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_RUN = re.compile("[ \t]*[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]+[ \t]*")  # with the spaces around it
_SPACES = re.compile(r"\s+")


def clean(value: object) -> str:
    """NFC-normalise, replace XML-illegal characters by one space (a control character between
    two words must not glue them: "Văn phòng\x01Ủy ban" → "Văn phòng Ủy ban"), unify line ends,
    strip the ends."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL_RUN.sub(" ", text).strip()


def header_key(value: object) -> str:
    """A header's comparison key: NFC, case-folded, whitespace folded, edge punctuation gone."""
    text = _SPACES.sub(" ", clean(value)).casefold()
    return text.strip(" :.*")


def fold_accents(value: object) -> str:
    """'Không' -> 'khong': for forgiving matches of short answers typed without accents."""
    text = unicodedata.normalize("NFD", clean(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").casefold()


def format_number(value: float | int | None, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5'; whole numbers lose their decimals; None -> ''."""
    if value is None or value != value:  # NaN
        return ""
    if float(value).is_integer():
        text = f"{round(value):,}"
        return text.replace(",", ".")
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd; None if not a date."""
    text = clean(text)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text)
        if not m:
            return None
        year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def to_local(moment: datetime) -> datetime:
    """A datetime in Asia/Ho_Chi_Minh; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(TZ)


def now() -> datetime:
    return datetime.now(TZ)

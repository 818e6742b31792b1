"""A table's header cells turned into columns: the kind of each (number, percentage, the
count-and-rate pair, date, Có/Không tick, text) read from the header's own words and the body's
cells; a header listing its parts in brackets split into one column per part. Headers are kept
verbatim; a column made from a header's parts keeps the header as its ``group_header``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sonket_gsync.campaign.plan.model import PlanColumn

YES, NO = "Có", "Không"
TICK_CELLS = frozenset({"[]", "[ ]", "☐", "□", "☒", "❑", "○"})
PLACEHOLDERS = frozenset({"", "...", "…", "-"})

_COUNT_RATE = re.compile(r"^Số lượng và tỷ lệ\s+(.+?)(\s*\(%\))?$", re.IGNORECASE)
_PARTS = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
# First words of a bracket that is an instruction to the person filling, not a list of parts.
_INSTRUCTION_WORDS = frozenset({"ghi", "nêu", "đánh", "điền", "nếu", "có", "không", "kèm", "theo", "chọn", "trong", "đối", "tính", "đơn"})


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def kind_of(header: str) -> tuple[str, bool]:
    """The kind of a column from its header's words; True when unsure (a person should check)."""
    h = re.sub(r"\s+", " ", header.casefold()).strip()
    if h in ("stt", "tt", "số tt", "số thứ tự"):
        return "stt", False
    if h.startswith("tỷ lệ") or h.startswith("tỉ lệ") or "(%)" in h or h.endswith("%"):
        return "percent", False
    if h.startswith("ngày") or h.startswith("thời điểm") or "dd/mm/yyyy" in h:
        return "date", False
    if re.fullmatch(r"năm( \w+)?", h):
        return "year", False
    if h.startswith(("số lượng", "tổng số", "số người")):
        return "integer", False
    if h.startswith(("số tiền", "kinh phí", "giá trị")):
        return "number", False
    if h.startswith(("số văn bản", "số hiệu", "số, ký hiệu", "số ký hiệu")):
        return "text", False
    if h.startswith("số "):
        return "integer", True
    return "text", False


def is_tick_column(values: Sequence[str]) -> bool:
    filled = [v for v in values if v not in PLACEHOLDERS]
    return bool(filled) and all(v in TICK_CELLS for v in filled)


def split_parts(header: str) -> list[str]:
    """The parts a header lists in its closing bracket ("Văn bản (số văn bản, ngày văn bản)"),
    or [] when the bracket is an instruction, a unit or a single thing."""
    m = _PARTS.match(header)
    if not m:
        return []
    parts = [p.strip() for p in m.group(2).split(",")]
    if not 2 <= len(parts) <= 4 or any(not p or len(p.split()) > 4 for p in parts):
        return []
    if any(p.split()[0].casefold() in _INSTRUCTION_WORDS or "%" in p for p in parts):
        return []
    return [upper_first(p) for p in parts]


def leaf_columns(header: str, number: str, values: Sequence[str]) -> list[PlanColumn]:
    """The form columns of one header cell that has no sub-headers."""
    m = _COUNT_RATE.match(header)
    if m:
        what, pct = m.group(1), m.group(2) or ""
        return [
            PlanColumn(header=f"Số lượng {what}", kind="integer", group_header=header, number=number),
            PlanColumn(header=f"Tỷ lệ {what}{pct}", kind="percent", group_header=header, number=number),
        ]
    if is_tick_column(values):
        return [PlanColumn(header=header, kind="tick", number=number, choices=(YES, NO))]
    parts = split_parts(header)
    if parts:
        out = []
        for part in parts:
            kind, _ = kind_of(part)
            out.append(PlanColumn(header=part, kind=kind, group_header=header, number=number, review=True))
        return out
    kind, unsure = kind_of(header)
    return [PlanColumn(header=header, kind=kind, number=number, review=unsure)]


def group_columns(header: str, subs: Sequence[str], number: str, values: Sequence[Sequence[str]]) -> list[PlanColumn]:
    """The form columns of a header cell spanning sub-headers: Có/Không sub-headers become one
    tick column (with a text column when a "Có, nêu rõ …" asks for details); other sub-headers
    are columns of their own under the header."""
    folded = [s.casefold() for s in subs]
    if sorted(folded) == sorted([YES.casefold(), NO.casefold()]):
        return [PlanColumn(header=header, kind="tick", number=number, choices=(YES, NO))]
    detail = [s for s in subs if s.casefold().startswith(YES.casefold() + ",")]
    if len(subs) == 2 and NO.casefold() in folded and len(detail) == 1:
        return [
            PlanColumn(header=header, kind="tick", number=number, choices=(YES, NO)),
            PlanColumn(header=detail[0], kind="text", number=number, required_when=(header, YES)),
        ]
    out: list[PlanColumn] = []
    for sub, vals in zip(subs, values, strict=True):
        for col in leaf_columns(sub, number, vals):
            out.append(col if col.group_header else replace(col, group_header=header))
    return out

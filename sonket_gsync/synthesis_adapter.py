"""The report's access to the statement synthesis (sonket_gsync.synthesis, helper S's module).

Until that module lands, a small exact-match fallback with the same contract keeps the report
working: statements equal after NFC, case and spacing folding are one group; no recipient
split beyond the literal phrases "với Trung ương" / "với Tỉnh ủy".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

try:  # pragma: no cover - which branch runs depends on whether synthesis.py is merged
    from .synthesis import Statement, StatementGroup, group_statements, split_recipients  # noqa: F401
except ImportError:  # pragma: no cover
    from .text import clean

    @dataclass(frozen=True)
    class Statement:  # type: ignore[no-redef]
        unit_code: str
        unit_name: str
        text: str

    @dataclass
    class StatementGroup:  # type: ignore[no-redef]
        representatives: list = field(default_factory=list)
        members: list = field(default_factory=list)
        unit_names: list = field(default_factory=list)

    def group_statements(items: Sequence[Statement], *, threshold: float | None = None) -> list[StatementGroup]:  # type: ignore[no-redef]
        groups: dict[str, StatementGroup] = {}
        for item in items:
            key = re.sub(r"\s+", " ", clean(item.text).casefold()).strip(" .;")
            group = groups.setdefault(key, StatementGroup())
            group.members.append(item)
            if len(group.representatives) < 1:
                group.representatives.append(item)
            if item.unit_name not in group.unit_names:
                group.unit_names.append(item.unit_name)
        return sorted(groups.values(), key=lambda g: -len(g.unit_names))

    _PARTS = re.compile(r"(với Trung ương|với Tỉnh ủy|với tỉnh)", re.IGNORECASE)

    def split_recipients(text: str) -> dict:  # type: ignore[no-redef]
        out = {"trung_uong": "", "tinh_uy": "", "other": ""}
        pieces = _PARTS.split(text)
        current = "other"
        for piece in pieces:
            low = piece.casefold()
            if low == "với trung ương":
                current = "trung_uong"
            elif low in ("với tỉnh ủy", "với tỉnh"):
                current = "tinh_uy"
            elif piece.strip(" :;,.-–"):
                out[current] = (out[current] + " " + piece.strip(" :;,-–")).strip()
        return out

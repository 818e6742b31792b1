"""Find a unit the way a person types it: its code in any case, or its name without accents
or in part; when nothing matches, the closest units are suggested."""

from __future__ import annotations

import difflib

from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import UnknownUnit
from sonket_gsync.core.text import clean, fold_accents

SUGGESTIONS = 5


def find_unit(campaign: Campaign, query: str) -> Unit:
    """The one unit ``query`` names; ``UnknownUnit`` (with suggestions) otherwise."""
    typed = clean(query)
    key = _key(typed)
    if not key:
        raise UnknownUnit("Chưa nhập mã hoặc tên đơn vị.", where="--unit", fix="Nhập mã (ví dụ SO_TP) hoặc tên đơn vị.")
    by_code = [u for u in campaign.units if u.code.casefold() == typed.casefold()]
    if by_code:
        return by_code[0]
    by_name = [u for u in campaign.units if _key(u.name) == key]
    if len(by_name) == 1:
        return by_name[0]
    partial = by_name or [u for u in campaign.units if key in _key(u.name) or key in _key(u.code)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise UnknownUnit(
            f"Có {len(partial)} đơn vị khớp với '{typed}'.",
            where="--unit",
            fix="Ghi rõ hơn, hoặc dùng mã của một trong các đơn vị: " + _listing(partial[:10]),
        )
    close = suggest(campaign, typed)
    raise UnknownUnit(
        f"Không có đơn vị nào có mã hoặc tên '{typed}'.",
        where="--unit",
        fix=f"Có phải: {_listing(close)}?" if close else "Xem danh sách đơn vị bằng 'sonket-gsync status'.",
    )


def suggest(campaign: Campaign, query: str, limit: int = SUGGESTIONS) -> list[Unit]:
    """The units whose code or name (without accents) is closest to ``query``."""
    key = _key(query)
    scored = []
    for unit in campaign.units:
        score = max(
            difflib.SequenceMatcher(None, key, _key(unit.code)).ratio(),
            difflib.SequenceMatcher(None, key, _key(unit.name)).ratio(),
        )
        scored.append((-score, unit.order, unit))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [unit for score, _, unit in scored[:limit] if -score >= 0.4]


def _key(text: str) -> str:
    return " ".join(fold_accents(text).replace("_", " ").replace("-", " ").split())


def _listing(units: list[Unit]) -> str:
    return "; ".join(f"{u.code} ({u.name})" for u in units)

"""Splitting a unit's text into statements, and a recommendation by whom it is addressed to
(re-exported by sonket_gsync.analysis.synthesis, where the report imports them from)."""

from __future__ import annotations

import re
import unicodedata

from sonket_gsync.analysis.cues import is_centre_only, is_formula

_SPACE = re.compile(r"\s+")

_BULLET = re.compile(r"^\s*(?:[-–—•+*]|\d{1,2}[.)]|[a-zđ][.)])\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ỸĐ\"“(])|(?<=;)\s+")


def split_statements(text: str) -> list[str]:
    """A unit's text as separate statements: one per line or bullet, lines cut at sentence
    ends and semicolons (a list of proposals "a; b; c" is three statements). Bullets and
    numbering are dropped, a part's first letter is capitalised; empty parts are left out, and
    so is a line or part that is a spreadsheet formula ("=HYPERLINK(…)": cues.is_formula)."""
    text = unicodedata.normalize("NFC", text or "")
    out = []
    for line in text.splitlines():
        if is_formula(line):
            continue
        line = _BULLET.sub("", line).strip()
        if not line or is_formula(line):
            continue
        for part in _SENTENCE_END.split(line):
            part = part.strip(" ;")
            if part and not is_formula(part):
                out.append(part[:1].upper() + part[1:])
    return out


# "Với Trung ương:", "Kiến nghị với Tỉnh ủy:", "Đối với tỉnh:", "- Đề xuất với TW:" …
_RECIPIENTS = (
    (
        "trung_uong",
        r"trung\s+ương|tw|ban\s+chấp\s+hành\s+trung\s+ương|bch\s+tw|bộ\s+chính\s+trị|ban\s+bí\s+thư|"
        r"chính\s+phủ|quốc\s+hội|(?:các\s+)?bộ\s*,\s*ngành\s+trung\s+ương",
    ),
    (
        "tinh_uy",
        r"ban\s+thường\s+vụ\s+tỉnh\s+ủy|thường\s+trực\s+tỉnh\s+ủy|tỉnh\s+ủy|ubnd\s+tỉnh|ủy\s+ban\s+nhân\s+dân\s+tỉnh|"
        r"hđnd\s+tỉnh|hội\s+đồng\s+nhân\s+dân\s+tỉnh|tỉnh",
    ),
)
_VERB = r"(?:kiến\s+nghị|đề\s+xuất|đề\s+nghị)(?:\s*,\s*(?:kiến\s+nghị|đề\s+xuất|đề\s+nghị))?"
_HEADER = re.compile(
    r"(?:^|(?<=[\n.;]))[ \t]*(?:[-–—•+*]\s*|\d{1,2}[.)]\s*|[a-d][.)]\s*)?"
    rf"(?:{_VERB}\s+)?(?:đối\s+)?với\s+(?P<who>{'|'.join(p for _, p in _RECIPIENTS)})"
    r"(?:\s*,[^:\n.;]{0,60})?\s*:",  # "Đối với Chính phủ, các Bộ, ngành Trung ương:"
    re.IGNORECASE,
)
# A sentence addressed inline: "Đề nghị Trung ương sớm …", "Kiến nghị Tỉnh ủy chỉ đạo …"
_INLINE = re.compile(rf"^\s*{_VERB}\s+(?:(?:đối\s+)?với\s+)?(?P<who>{'|'.join(p for _, p in _RECIPIENTS)})\b", re.IGNORECASE)


def _recipient(who: str) -> str:
    who = _SPACE.sub(" ", who.lower())
    if re.fullmatch(_RECIPIENTS[0][1], who):
        return "trung_uong"
    return "tinh_uy"


def split_recipients(text: str) -> dict[str, str]:
    """A recommendation split by whom the unit addressed it to: keys "trung_uong",
    "tinh_uy" (the Tỉnh ủy or the province) and "other" (not addressed, or addressed
    elsewhere), each the unit's own words ("" when nothing). A part is addressed when the
    unit headed it so ("Với Trung ương: …", "Kiến nghị với Tỉnh ủy: …") or began a sentence
    so ("Đề nghị Trung ương …"); nothing is guessed from the subject matter."""
    text = unicodedata.normalize("NFC", text or "")
    parts: dict[str, list[str]] = {"trung_uong": [], "tinh_uy": [], "other": []}
    headers = list(_HEADER.finditer(text))
    chunks: list[tuple[str | None, str]] = []
    start, current = 0, None
    for m in headers:
        chunks.append((current, text[start : m.start()]))
        current, start = _recipient(m.group("who")), m.end()
    chunks.append((current, text[start:]))
    for who, chunk in chunks:
        for statement in split_statements(chunk):
            if statement.endswith(":"):  # a heading such as "Kiến nghị, đề xuất:"
                continue
            inline = _INLINE.match(statement)
            key = _recipient(inline.group("who")) if inline else (who or "other")
            parts[key].append(statement)
    return {key: "\n".join(lines) for key, lines in parts.items()}


def route_recommendation(statement: str, addressed: str) -> str:
    """Where a recommendation belongs: "trung_uong" when the unit addressed it to the centre
    or when it is a matter only the centre can decide (cues.CENTRE_ONLY: a law, a decree, a
    national pay policy …), whoever the unit addressed it to; otherwise as addressed
    ("tinh_uy" or "other"). A centre-only matter never lands under the province."""
    if addressed == "trung_uong" or is_centre_only(statement):
        return "trung_uong"
    return addressed

"""The draft's language, checked and put right before printing: headings without the outline's
instructions to units, Vietnamese curly quotes, no word sequence typed twice in a row.

``heading_title`` drops a parenthesised instruction from an outline title used as a heading
("(ghi rõ số văn bản, ngày văn bản, trích yếu)", "(nêu cụ thể…)", "(đề nghị ghi…)"): text in
parentheses that opens with a verb addressed to the unit. ``typeset`` turns straight quotes
into curly ones and drops a repeated word sequence of two or more words ("ứng dụng ứng
dụng"; single-word repeats are Vietnamese reduplication, "dần dần", and stay).
``language_problems`` lists what a reader would mark in a text (the tests scan the draft).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sonket_gsync.analysis.cues import is_formula

# Printed in place of a unit's line that is a spreadsheet formula ("=HYPERLINK(…)"): never quoted.
FORMULA_PLACEHOLDER = "(nội dung dạng công thức bảng tính, không trích dẫn)"

# Verbs (and their usual openers) with which an outline tells units what to write.
INSTRUCTION_VERBS = (
    "ghi rõ",
    "ghi cụ thể",
    "ghi",
    "nêu rõ",
    "nêu cụ thể",
    "nêu",
    "đề nghị ghi",
    "đề nghị nêu",
    "đề nghị",
    "liệt kê",
    "đánh giá rõ",
    "làm rõ",
    "phân tích",
    "thống kê",
    "báo cáo rõ",
    "báo cáo cụ thể",
    "chỉ rõ",
    "trong đó nêu",
    "trong đó ghi",
    "nếu có",
    "lưu ý",
    "chú ý",
    "có số liệu",
    "số liệu cụ thể",
    "đơn vị ghi",
    "đơn vị nêu",
    "các đơn vị",
)
_INSTRUCTION = re.compile(
    r"\s*[(\[]\s*(?:" + "|".join(re.escape(v) for v in sorted(INSTRUCTION_VERBS, key=len, reverse=True)) + r")\b[^()\[\]]*[)\]]",
    re.IGNORECASE,
)
_DOUBLED = re.compile(r"(?<!\w)(\w+(?:\s+\w+){1,3})\s+\1(?!\w)", re.IGNORECASE)  # two to four words, twice
_FORMULA = re.compile(r"\([^()]*\)\s*=\s*\S|\w\s*=\s*[\w(]+\s*[/×*]\s*\w")


def heading_title(title: str) -> str:
    """An outline title as the province's heading: the units' instructions removed."""
    cleaned = _INSTRUCTION.sub("", title).strip()
    cleaned = re.sub(r"\s+([,.;:])", r"\1", cleaned)
    return re.sub(r"\s{2,}", " ", cleaned).rstrip(" :;,") or title.strip()


def curly_quotes(text: str) -> str:
    """Straight double and single quotes as Vietnamese curly ones (“…”, ’)."""
    if '"' not in text and "'" not in text:
        return text
    text = re.sub(r'(^|[\s(\[{—–-])"', "\\1“", text)
    text = text.replace('"', "”")
    text = re.sub(r"(^|[\s(\[{—–-])'", "\\1‘", text)
    return text.replace("'", "’")


def drop_doubled(text: str) -> str:
    """A word sequence of two or more words typed twice in a row, once."""
    previous = None
    while previous != text:
        previous, text = text, _DOUBLED.sub(r"\1", text)
    return text


def unquoted(text: str) -> str:
    """A unit's text with every line that is a spreadsheet formula (cues.is_formula) replaced
    by FORMULA_PLACEHOLDER: the draft and the companion never quote one."""
    if not text or not any(ch in text for ch in "=+-@"):
        return text
    lines = text.split("\n")
    return "\n".join(FORMULA_PLACEHOLDER if is_formula(line) or is_formula(line.lstrip(" -–•*")) else line for line in lines)


def typeset(text: str) -> str:
    return drop_doubled(curly_quotes(text)) if text else text


def language_problems(text: str, headings: Iterable[str] = ()) -> list[str]:
    """What a reader would mark: in ``text``, straight quotes, doubled words, formula text and
    titles cut with "…"; in ``headings``, the outline's instructions to units."""
    problems = [f"lời dặn đơn vị trong đề mục: {h[:80]}" for h in headings if _INSTRUCTION.search(h)]
    for line in text.splitlines():
        if '"' in line or "'" in line:
            problems.append(f"dấu nháy thẳng: {line[:80]}")
        doubled = _DOUBLED.search(line)
        if doubled:
            problems.append(f"từ lặp: {doubled.group(0)}")
        if _FORMULA.search(line):
            problems.append(f"công thức: {line[:80]}")
    return problems


__all__ = ["FORMULA_PLACEHOLDER", "curly_quotes", "drop_doubled", "heading_title", "language_problems", "typeset", "unquoted"]

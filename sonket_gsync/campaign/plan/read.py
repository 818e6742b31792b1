"""Read a plan document (.docx, as the Ban Thường vụ issues it) into a ``Plan``.

The plan's paragraphs give the header facts (the line under "KẾ HOẠCH": resolution, plan,
subject; the deadline "trước ngày …"; who compiles, whom the reports go to; the unit groups of
"Tổ chức thực hiện"; the signature), the "ĐỀ CƯƠNG BÁO CÁO" gives the outline (Roman sections,
numbered items, the prompts under them), and each table after a "PHỤ LỤC" heading gives a form
(its title, its "DÀNH CHO …" line, its header cells, its fixed rows and open rows). What is read
is kept verbatim; what is guessed is listed for review with the paragraph it came from.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from sonket_gsync.campaign.plan.columns import PLACEHOLDERS, TICK_CELLS, group_columns, leaf_columns, upper_first
from sonket_gsync.campaign.plan.model import (
    Plan,
    PlanColumn,
    PlanGroup,
    PlanItem,
    PlanSection,
    PlanTable,
    Review,
    Source,
)
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import clean, fold_accents, header_key

_ROMAN = re.compile(r"^([IVXLC]+)\.\s+(.+)$")
_ROMAN_CELL = re.compile(r"^[IVXLC]+\.?$")
_ITEM = re.compile(r"^(\d+)\.\s+(.+)$")
_NUMBER_CELL = re.compile(r"^[\[(]\d+[\])]$")
_BULLET = re.compile(r"^[-+•–]\s*")
_DEADLINE = re.compile(r"trước ngày (\d{1,2})/(\d{1,2})/(\d{4})")
_DOC_KIND = r"(?:Nghị quyết|Chỉ thị|Kết luận|Quy định|Quyết định)"
_RESOLUTION = re.compile(rf"({_DOC_KIND} số \S+ ngày \d{{1,2}}/\d{{1,2}}/\d{{4}} của .+?)(?=,| về |;|”|\)|$)")
_PLAN_REF = re.compile(r"(Kế hoạch số \S+ ngày \d{1,2}/\d{1,2}/\d{4} của .+?)(?=,| về |;|”|\)|$)")
_NAME = re.compile(rf"^(.+?{_DOC_KIND} số \S+)")
_REPORTS_TO = re.compile(r"về ([^*(,;]+?)\s*\*?\(qua ([^)]+)\)")
_COMPILER = re.compile(r"^Giao (.+?) chủ trì")
_ISSUER = re.compile(r"(?:^|,\s*)([^,]+?) xây dựng Kế hoạch")
_APPENDIX = re.compile(r"^PHỤ LỤC(?:\s+(\S+))?$", re.IGNORECASE)
_FOR = re.compile(r"^DÀNH CHO\s+(.+)$", re.IGNORECASE)
_GROUP_VERBS = (" lãnh đạo ", " báo cáo ", " chỉ đạo ", " gửi ", " tiến hành ")
_LOCAL = re.compile(r"\s+trên địa bàn (?:tỉnh|thành phố)$")


@dataclass
class _Par:
    index: int  # paragraph number in the document, 1-based
    text: str
    where: str = ""  # "bảng N" for a line of a layout table

    @property
    def source(self) -> Source:
        words = self.text.split()
        return Source(self.where or f"đoạn {self.index}", " ".join(words[:12]) + (" …" if len(words) > 12 else ""))


@dataclass
class _Tab:
    index: int  # table number in the document, 1-based
    rows: list[list[tuple[str, int, str | None]]]  # (text, grid span, vMerge)
    lines: list[str] = field(default_factory=list)  # its cells' paragraphs, row by row


@dataclass
class _Reviews:
    items: list[Review] = field(default_factory=list)

    def add(self, subject: str, inferred: str, source: Source, check: str) -> None:
        self.items.append(Review(subject, inferred, source, check))


def _text(value: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", clean(unicodedata.normalize("NFC", value))).strip()


_ROMANS = (
    ("M", 1000),
    ("CM", 900),
    ("D", 500),
    ("CD", 400),
    ("C", 100),
    ("XC", 90),
    ("L", 50),
    ("XL", 40),
    ("X", 10),
    ("IX", 9),
    ("V", 5),
    ("IV", 4),
    ("I", 1),
)


def _roman(n: int) -> str:
    out = ""
    for letters, value in _ROMANS:
        while n >= value:
            out, n = out + letters, n - value
    return out


class _Numbering:
    """The numbers Word prints before auto-numbered paragraphs ("1.", "a)", "II."), which the
    paragraph's text does not carry; a bullet gives "- "."""

    def __init__(self, doc: DocxDocument) -> None:
        try:
            self.root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError):
            self.root = None
        self.counts: dict[str, list[int]] = {}

    def _level(self, num_id: str, ilvl: int) -> tuple[str, list[tuple[str, str, int]]] | None:
        """(abstract id, [(format, text, start) per level]) of a numbering, or None."""
        if self.root is None:
            return None
        nums = [n for n in self.root.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
        if not nums or nums[0].find(qn("w:abstractNumId")) is None:
            return None
        abstract_id = nums[0].find(qn("w:abstractNumId")).get(qn("w:val"), "")
        abstract = next((a for a in self.root.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id), None)
        if abstract is None:
            return None
        levels = []
        for lvl in abstract.findall(qn("w:lvl")):
            fmt, text, start = lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText")), lvl.find(qn("w:start"))
            levels.append(
                (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            )
        return (num_id, levels) if ilvl < len(levels) else None

    def prefix(self, par: Paragraph) -> str:
        num_pr = par._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        style = par.style
        while num_pr is None and style is not None:
            num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            style = style.base_style
        num_id = num_pr.find(qn("w:numId")) if num_pr is not None else None
        if num_pr is None or num_id is None or num_id.get(qn("w:val")) in (None, "0"):
            return ""
        level = num_pr.find(qn("w:ilvl"))
        ilvl = int(level.get(qn("w:val"), "0")) if level is not None else 0
        found = self._level(str(num_id.get(qn("w:val"))), ilvl)
        if found is None:
            return ""
        key, levels = found
        fmt, text, start = levels[ilvl]
        if fmt in ("bullet", "none"):
            return "- " if fmt == "bullet" else ""
        counts = self.counts.setdefault(key, [0] * len(levels))
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else start
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            n = counts[k] or levels[k][2]
            kind = levels[k][0]
            return {"upperRoman": _roman(n), "lowerRoman": _roman(n).lower(), "upperLetter": chr(64 + n), "lowerLetter": chr(96 + n)}.get(kind, str(n))

        return re.sub(r"%(\d)", number, text) + " "


def _blocks(path: Path) -> list[_Par | _Tab]:
    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ConfigError(
            f"Không đọc được tệp kế hoạch '{path.name}' ({exc}).",
            where=str(path),
            fix="Chọn tệp Word .docx của kế hoạch (tệp .doc hoặc .pdf: mở bằng Word rồi Lưu thành… .docx).",
        ) from None
    blocks: list[_Par | _Tab] = []
    pars = tables = 0
    numbering = _Numbering(doc)
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            pars += 1
            prefix = numbering.prefix(block) if _text(block.text) else ""
            for line in (prefix + block.text).split("\n"):
                if _text(line):
                    blocks.append(_Par(pars, _text(line)))
        elif isinstance(block, Table):
            tables += 1
            rows, lines = [], []
            for tr in block._tbl.tr_lst:
                cells = [_Cell(tc, block) for tc in tr.tc_lst]
                rows.append([(_text(c.text), int(c._tc.grid_span), c._tc.vMerge) for c in cells])
                lines += [_text(p.text) for c in cells if c._tc.vMerge != "continue" for p in c.paragraphs if _text(p.text)]
            blocks.append(_Tab(tables, rows, lines))
    return blocks


def read_plan(path: Path | str) -> Plan:
    """The plan in ``path`` (.docx) as a ``Plan``; a ConfigError when it has no appendix table."""
    path = Path(path)
    blocks = _blocks(path)
    reviews = _Reviews()
    tables, layout = _tables(blocks, reviews)
    # The text: the paragraphs, and the lines of layout tables (the header "TỈNH ỦY …", the
    # signature block beside "Nơi nhận") where they stand.
    pars: list[_Par] = []
    for b in blocks:
        if isinstance(b, _Par):
            pars.append(b)
        elif b.index in layout:
            pars += [_Par(0, line, f"bảng {b.index}") for line in b.lines]
    if not tables:
        raise ConfigError(
            f"Kế hoạch '{path.name}' không có bảng phụ lục nào: không suy ra được biểu mẫu cho đơn vị.",
            where=str(path),
            fix="Dùng bản kế hoạch có các phụ lục ở dạng bảng Word (Chèn > Bảng), không phải ảnh chụp hay văn bản thường.",
        )
    outline_title, outline = _outline(pars, reviews)
    if not outline:
        reviews.add(
            "Đề cương báo cáo",
            "không tìm thấy đề cương",
            Source("toàn văn"),
            "Kế hoạch không có phần 'ĐỀ CƯƠNG BÁO CÁO' với các mục I, II, …: viết outline.toml bằng tay.",
        )
    head = _header(pars, reviews)
    groups, compiled_by = _organisation(pars, reviews)
    compiled = compiled_by or head.pop("via", "")
    head.pop("via", None)
    return Plan(
        path=str(path),
        outline_title=outline_title,
        outline=outline,
        tables=tuple(tables),
        groups=tuple(groups),
        compiled_by=compiled,
        reviews=tuple(reviews.items),
        **head,
    )


# --- the appendix tables ------------------------------------------------------------------


def _tables(blocks: list[_Par | _Tab], reviews: _Reviews) -> tuple[list[PlanTable], set[int]]:
    """The appendix tables as forms, and the numbers of the tables outside any appendix
    (layout tables: read as text)."""
    out: list[PlanTable] = []
    layout: set[int] = set()
    appendix, for_groups = "", ""
    context: list[_Par] = []
    for block in blocks:
        if isinstance(block, _Par):
            m = _APPENDIX.match(block.text)
            if m:
                appendix, for_groups, context = f"Phụ lục {m.group(1)}" if m.group(1) else "Phụ lục", "", []
                continue
            f = _FOR.match(block.text)
            if f and appendix:
                for_groups = f.group(1)
            context.append(block)
            continue
        if not appendix:
            layout.add(block.index)
            reviews.add(
                f"Bảng {block.index}",
                "đọc như phần chữ, không thành biểu mẫu (bảng đứng trước mọi 'PHỤ LỤC')",
                Source(f"bảng {block.index}", " ".join(block.lines[:2])),
                "Nếu bảng này là biểu mẫu, thêm vào forms.toml bằng tay.",
            )
            continue
        table = _table(block, appendix, for_groups, context, reviews)
        if table is not None:
            out.append(table)
        context = []
    return out, layout


def _expand(row: list[tuple[str, int, str | None]]) -> list[tuple[str, int, int, str | None]]:
    """One entry per grid column: (text, start column of the cell, span, vMerge)."""
    out: list[tuple[str, int, int, str | None]] = []
    for text, span, vmerge in row:
        start = len(out)
        out.extend((text, start, span, vmerge) for _ in range(span))
    return out


def _table(tab: _Tab, appendix: str, for_groups: str, context: list[_Par], reviews: _Reviews) -> PlanTable | None:
    where = Source(f"bảng {tab.index} ({appendix})")
    grid = [_expand(r) for r in tab.rows]
    if not grid or not grid[0]:
        return None
    width = max(len(r) for r in grid)
    grid = [r + [("", len(r), 1, None)] * (width - len(r)) for r in grid]
    caption = ""
    if width > 1 and len(grid) > 2 and all(start == 0 for _, start, _, _ in grid[0]):
        caption, grid = grid[0][0][0], grid[1:]  # a first row merged across the table: its caption
    top = grid[0]
    two_level = len(grid) > 1 and any(span > 1 or vm == "restart" for _, _, span, vm in top)
    body_start = 2 if two_level else 1
    numbers = [""] * width
    if len(grid) > body_start:
        cells = [t for t, *_ in grid[body_start]]
        filled = [c for c in cells if c]
        if filled and all(_NUMBER_CELL.match(c) for c in filled):
            numbers = [c.strip("[]()") for c in cells]
            body_start += 1
    body = grid[body_start:]
    columns: list[PlanColumn] = []
    starts = sorted({start for _, start, _, _ in top})
    for start in starts:
        header, _, span, _ = top[start]
        values = [[row[start + k][0] for row in body] for k in range(span)]
        if two_level and span > 1:
            subs = [grid[1][start + k][0] for k in range(span)]
            columns += group_columns(header, subs, numbers[start], values)
        else:
            columns += leaf_columns(header, numbers[start], values[0])
    columns = _distinct(columns, f"{appendix}: bảng {tab.index}", where, reviews)
    headings, fixed, open_rows = [], [], 0
    for row in body:
        first = row[0][0]
        second = row[1][0] if width > 1 else ""
        rest = [t for t, *_ in row[1:]]
        if _ROMAN_CELL.match(first) and second:
            headings.append(second)
        elif (first in PLACEHOLDERS or re.fullmatch(r"\d+\.?", first)) and all(t in PLACEHOLDERS or t in TICK_CELLS for t in rest):
            open_rows += 1
        else:
            fixed.append(first)
    title, note = _title(context, for_groups, appendix, caption)
    subject = f"{appendix}: {title}"
    review = False
    if fixed and not headings:
        rows = "fixed"
        columns[0] = replace(columns[0], fixed=True, kind="text")
        if open_rows:
            review = True
            reviews.add(subject, f"{len(fixed)} dòng cố định, bỏ {open_rows} dòng trống", where, "Kiểm tra bảng có cần thêm dòng do đơn vị tự ghi không.")
    elif any(c.header.casefold() == "tên đơn vị" for c in columns):
        rows = "unit"
        review = True
        columns = [replace(c, fixed=True) if c.kind == "stt" or c.header.casefold() == "tên đơn vị" else c for c in columns]
        reviews.add(
            subject, 'mỗi đơn vị điền một dòng của mình (rows = "unit")', where, "Bảng có cột 'Tên đơn vị': kiểm tra mỗi đơn vị chỉ điền dòng của mình."
        )
    else:
        rows = "open"
    if headings:
        review = True
        reviews.add(
            subject,
            f"các dòng tiêu đề {', '.join(headings)} thành lựa chọn của cột 'Mục'",
            where,
            "Mỗi dòng đơn vị ghi phải chọn mục (tiêu đề) nó thuộc về; đặt lại tên cột 'Mục' cho sát nội dung.",
        )
    for col in columns:
        if col.review and col.group_header:
            reviews.add(
                subject,
                f"cột '{col.group_header}' tách thành cột '{col.header}' ({col.kind})",
                where,
                "Kiểm tra có nên tách cột này thành các cột riêng như vậy không.",
            )
        elif col.review:
            reviews.add(subject, f"cột '{col.header}' kiểu {col.kind}", where, "Kiểu cột đoán từ tiêu đề: kiểm tra lại.")
    if not for_groups:
        review = True
        reviews.add(
            subject, "không rõ dành cho nhóm đơn vị nào", where, "Phụ lục không có dòng 'DÀNH CHO …': chọn nhóm đơn vị điền biểu mẫu này trong campaign.toml."
        )
    return PlanTable(
        appendix=appendix,
        title=title,
        for_groups=for_groups,
        note=note,
        columns=tuple(columns),
        rows=rows,
        fixed_rows=tuple(fixed) if rows == "fixed" else (),
        headings=tuple(headings),
        source=where,
        review=review,
    )


def _distinct(columns: list[PlanColumn], subject: str, where: Source, reviews: _Reviews) -> list[PlanColumn]:
    """Columns a sheet can be read back by: a column without a header is left out, and a
    sub-header repeated under several headers ("Số lượng" under "Năm 2024" and "Năm 2025") is
    named with its header: "Số lượng (Năm 2024)"."""
    out = []
    for col in columns:
        if not col.header:
            reviews.add(subject, "bỏ một cột không có tiêu đề", where, "Nếu cột này cần thiết, thêm vào forms.toml với tiêu đề của nó.")
        else:
            out.append(col)
    counts = Counter(header_key(c.header) for c in out)
    for i, col in enumerate(out):
        if counts[header_key(col.header)] > 1 and col.group_header:
            named = f"{col.header} ({col.group_header})"
            out[i] = replace(col, header=named, review=True)
            reviews.add(
                subject, f"cột '{col.header}' dưới '{col.group_header}' đặt tên '{named}'", where, "Tiêu đề con lặp lại dưới nhiều tiêu đề: kiểm tra tên cột."
            )
    return out


def _title(context: list[_Par], for_groups: str, appendix: str, caption: str) -> tuple[str, str]:
    """The table's title (the last numbered or sentence-like paragraph before it, else its
    caption row, else its "DÀNH CHO …" line) and a note (a bracketed instruction just before it)."""
    title, note = "", ""
    for par in context:
        t = par.text
        if t.startswith("(") and t.endswith(")"):
            note = upper_first(t[1:-1].strip())
        elif _ITEM.match(t) or (len(t.split()) >= 3 and not t.endswith(":") and "://" not in t and not _FOR.match(t)):
            title = t
    if not title and caption:
        title = caption
    if not title:
        title = f"Dành cho {for_groups}" if for_groups and not for_groups.isupper() else (f"DÀNH CHO {for_groups}" if for_groups else appendix)
    return title, note


# --- the outline (Đề cương báo cáo) ---------------------------------------------------------


def _outline(pars: list[_Par], reviews: _Reviews) -> tuple[str, tuple[PlanSection, ...]]:
    start = next((i for i, p in enumerate(pars) if p.text.casefold().startswith("đề cương báo cáo")), None)
    if start is None:
        return "", ()
    title = pars[start].text
    i = start + 1
    if i < len(pars) and not _ROMAN.match(pars[i].text):
        title = f"{title} {pars[i].text}"
        i += 1
    sections: list[dict] = []
    for par in pars[i:]:
        t = par.text
        m = _ROMAN.match(t)
        if m:
            sections.append({"number": m.group(1), "title": m.group(2), "guidance": [], "items": []})
            continue
        if t.isupper() or _APPENDIX.match(t):
            break  # "TÀI LIỆU GỬI KÈM", "PHỤ LỤC …": the outline ends
        if not sections:
            continue
        sec = sections[-1]
        item = _ITEM.match(t)
        if item:
            sec["items"].append({"number": item.group(1), "title": item.group(2), "guidance": []})
            continue
        prompt = _BULLET.sub("", t)
        (sec["items"][-1]["guidance"] if sec["items"] else sec["guidance"]).append(prompt)
    out = tuple(
        PlanSection(
            number=s["number"],
            title=s["title"],
            guidance=tuple(s["guidance"]),
            items=tuple(PlanItem(it["number"], it["title"], tuple(it["guidance"])) for it in s["items"]),
        )
        for s in sections
    )
    for s in out:
        if not s.items and not s.guidance:
            reviews.add(
                f"Đề cương, mục {s.number}", "mục không có tiểu mục và gợi ý", Source(f"mục {s.number}", s.title), "Đơn vị trả lời cả mục; thêm gợi ý nếu cần."
            )
    return title, out


# --- the header facts and the unit groups ----------------------------------------------------


def _header(pars: list[_Par], reviews: _Reviews) -> dict[str, str]:
    k = next((i for i, p in enumerate(pars) if p.text.casefold() == "kế hoạch"), None)
    title_par = pars[k + 1] if k is not None and k + 1 < len(pars) else (pars[0] if pars else _Par(0, ""))
    title = title_par.text
    all_text = [p.text for p in pars]
    resolutions = [m.group(1) for t in all_text for m in _RESOLUTION.finditer(t)]
    first = _RESOLUTION.search(title)
    resolution = ""
    if first:
        number = first.group(1).split(" ngày ")[0]
        resolution = max((r for r in resolutions if r.startswith(number + " ")), key=len)
    plan_m = _PLAN_REF.search(title) or next((m for t in all_text if (m := _PLAN_REF.search(t))), None)
    plan = plan_m.group(1) if plan_m else ""
    subject = ""
    if " về " in title:
        subject = _LOCAL.sub("", title.split(" về ", 1)[1]).strip(' “”"')
    name_m = _NAME.match(title)
    name = upper_first(name_m.group(1)) if name_m else upper_first(title)
    code = ""
    if first:
        kind_words = "-".join(fold_accents(w).lower() for w in title.split()[:2])
        number = first.group(1).split(" số ", 1)[1].split()[0]
        code = re.sub(r"[^a-z0-9]+", "-", f"{kind_words}-{fold_accents(number).lower()}").strip("-")
    deadlines = Counter(f"{int(d):02d}/{int(m):02d}/{y}" for t in all_text for d, m, y in _DEADLINE.findall(t))
    deadline = deadlines.most_common(1)[0][0] if deadlines else ""
    reports = next((m for t in all_text if (m := _REPORTS_TO.search(t))), None)
    opening = all_text[(k or 0) : (k or 0) + 5]  # "KẾ HOẠCH", its title, "Căn cứ …, X xây dựng Kế hoạch …"
    issuer = next((m.group(1).strip() for t in opening if (m := _ISSUER.search(t))), "")
    t_m = next((i for i, t in enumerate(all_text) if t.startswith("T/M ")), None)
    party = next((m for t in all_text if (m := re.fullmatch(r"(TỈNH ỦY|THÀNH ỦY) (.+)", t))), None)
    province = " ".join(w[:1] + w[1:].lower() for w in party.group(2).split()) if party else _province(all_text)
    document_issuer = f"{upper_first(party.group(1).lower())} {province}" if party else ""
    src = title_par.source
    for label, value, check in (
        ("Tên chiến dịch (name)", name, "Tên ngắn gọn hiện trên trang và email."),
        ("Mã chiến dịch (code)", code, "Mã dùng làm tên thư mục: chữ không dấu, số, '-'."),
        ("Nghị quyết/Chỉ thị (resolution)", resolution, "Số, ngày và cơ quan ban hành, đúng như văn bản gốc."),
        ("Kế hoạch (plan)", plan, "Số và ngày của kế hoạch dẫn trong báo cáo."),
        ("Chủ đề (subject)", subject, "Nội dung sau chữ 'về' của tiêu đề kế hoạch."),
    ):
        reviews.add(label, value or "(không tìm thấy)", src, check if value else "Điền bằng tay trong campaign.toml.")
    if len(deadlines) > 1:
        reviews.add("Hạn nộp (deadline)", f"{deadline} (kế hoạch ghi {len(deadlines)} hạn khác nhau)", Source("toàn văn"), "Chọn hạn chung cho các đơn vị.")
    elif not deadline:
        reviews.add("Hạn nộp (deadline)", "(không tìm thấy 'trước ngày …')", Source("toàn văn"), 'Điền deadline = "dd/mm/yyyy" trong campaign.toml.')
    reviews.add(
        "Tỉnh (province)",
        province or "(không tìm thấy)",
        Source("toàn văn"),
        ("Đọc từ tiêu đề cơ quan ban hành." if party else "Tên tỉnh đoán từ tên cơ quan trong kế hoạch: kiểm tra.")
        if province
        else "Điền province trong campaign.toml (hoặc dùng --province).",
    )
    return {
        "title": title,
        "name": name,
        "code": code,
        "resolution": resolution,
        "plan": plan,
        "subject": subject,
        "province": province,
        "issuing_body": issuer,
        "reports_to": reports.group(1).strip() if reports else "",
        "via": reports.group(2).strip() if reports else "",
        "deadline": deadline,
        "document_issuer": document_issuer,
        "signing_authority": all_text[t_m] if t_m is not None else "",
        "signer_title": all_text[t_m + 1] if t_m is not None and t_m + 1 < len(all_text) else "",
    }


def _province(texts: list[str]) -> str:
    """The province's name as the plan writes it after "tỉnh", "Tỉnh ủy", "Truyền hình"… (the
    most frequent capitalised name found), or ""."""
    found: Counter[str] = Counter()
    for t in texts:
        for m in re.finditer(r"(?:\btỉnh|Tỉnh ủy|Truyền hình|PTTH) ((?:[A-ZĐÂĂÊÔƠƯÀ-Ỹ][^\s,.;:()*]*)(?: [A-ZĐÂĂÊÔƠƯÀ-Ỹ][^\s,.;:()*]*){1,2})", t):
            words = m.group(1).split()
            if all(w[:1].isupper() for w in words) and words[0] not in ("Ban", "Hội", "Ủy", "Báo", "Trường", "Liên"):
                found[m.group(1)] += 1
    return found.most_common(1)[0][0] if found else ""


def _organisation(pars: list[_Par], reviews: _Reviews) -> tuple[list[PlanGroup], str]:
    """The unit groups and the compiling body named in "TỔ CHỨC THỰC HIỆN"."""
    start = next((i for i, p in enumerate(pars) if (m := _ROMAN.match(p.text)) and "tổ chức thực hiện" in m.group(2).casefold()), None)
    if start is None:
        reviews.add("Nhóm đơn vị", "không tìm thấy mục 'TỔ CHỨC THỰC HIỆN'", Source("toàn văn"), "Khai báo [[groups]] trong campaign.toml bằng tay.")
        return [], ""
    groups: list[PlanGroup] = []
    compiled_by = ""
    for par in pars[start + 1 :]:
        if _ROMAN.match(par.text) or par.text.isupper() or par.text.startswith("Nơi nhận"):
            break
        m = _ITEM.match(par.text)
        if not m:
            continue
        text = m.group(2)
        c = _COMPILER.match(text)
        if c:
            compiled_by = c.group(1)
            reviews.add("Cơ quan tổng hợp (compiled_by)", compiled_by, par.source, "Cơ quan được giao chủ trì tổng hợp.")
            continue
        cut = [text.index(":")] if ":" in text else []
        cut += [text.index(v) for v in _GROUP_VERBS if v in text]
        name = text[: min(cut)].strip() if cut else text
        groups.append(PlanGroup(number=len(groups) + 1, name=name, text=text, source=par.source))
        reviews.add(f"Nhóm đơn vị {len(groups)}", name, par.source, "Tên nhóm cắt từ đầu đoạn; kiểm tra tên và biểu mẫu nhóm phải điền.")
    return groups, compiled_by

"""What a plan document says, as read: the campaign's header facts, the outline (Đề cương) and
the appendix tables, each thing with the paragraph it came from and whether it needs a person's
review. Nothing here is invented: every heading and column header is the plan's text."""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of column a plan's table asks for (turned into forms.toml types by write.py).
COLUMN_KINDS = ("text", "integer", "number", "percent", "date", "tick", "year", "stt")


@dataclass(frozen=True)
class Source:
    """Where something was read: the paragraph (its number in the document, 1-based, and its
    first words) or the table."""

    where: str
    text: str = ""


@dataclass(frozen=True)
class Review:
    """One entry of the review list: what was inferred, from where, what to check."""

    subject: str
    inferred: str
    source: Source
    check: str


@dataclass(frozen=True)
class PlanColumn:
    header: str
    kind: str
    group_header: str = ""
    number: str = ""
    choices: tuple[str, ...] = ()
    required_when: tuple[str, str] | None = None  # (header of the tick column, value)
    fixed: bool = False
    review: bool = False


@dataclass(frozen=True)
class PlanTable:
    appendix: str  # "Phụ lục 01"
    title: str
    for_groups: str  # the "DÀNH CHO …" words, as written
    note: str
    columns: tuple[PlanColumn, ...]
    rows: str  # open | fixed | unit
    fixed_rows: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()  # row headings (I, II, … and their names) of an open table
    source: Source = field(default_factory=lambda: Source(""))
    review: bool = False


@dataclass(frozen=True)
class PlanItem:
    number: str
    title: str
    guidance: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanSection:
    number: str
    title: str
    guidance: tuple[str, ...] = ()
    items: tuple[PlanItem, ...] = ()


@dataclass(frozen=True)
class PlanGroup:
    number: int
    name: str
    text: str  # the whole paragraph of "Tổ chức thực hiện"
    source: Source


@dataclass(frozen=True)
class Plan:
    path: str
    title: str  # the line under "KẾ HOẠCH"
    name: str
    code: str
    resolution: str
    plan: str
    subject: str
    province: str
    issuing_body: str
    compiled_by: str
    reports_to: str
    deadline: str  # dd/mm/yyyy or ""
    signing_authority: str
    signer_title: str
    outline_title: str
    outline: tuple[PlanSection, ...]
    tables: tuple[PlanTable, ...]
    groups: tuple[PlanGroup, ...]
    reviews: tuple[Review, ...]
    document_issuer: str = ""  # "Tỉnh ủy Đồng Nai" when the plan's header names it

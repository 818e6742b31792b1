"""The campaign, typed: units and their groups, forms and columns, indicators, the outline.

Built from a campaign folder by ``config.load_campaign``; everything else reads these frozen
objects, never the configuration files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from pathlib import Path

from sonket_gsync.core.errors import UnknownUnit
from sonket_gsync.core.text import header_key

COLUMN_TYPES = ("text", "integer", "number", "percent", "date", "choice", "year")
ROW_MODES = ("open", "fixed", "unit", "indicators")
# How a province figure is made from the units' figures; "unit" = the figure of the unit
# responsible for the indicator (indicators.csv ``responsible``), for a province-level figure.
AGGREGATES = ("sum", "mean", "weighted_mean", "max", "min", "unit")
SHARING_MODES = ("writers", "anyone_with_link")
# Aggregated figures the report can print under an outline item (outline.toml ``figures``).
OUTLINE_FIGURES = ("party_members", "documents", "inspection", "indicators")

# What a form is to the province's report (forms.toml ``role``): aggregation and the report
# find their tables by role, never by form code; each role is one module of
# analysis/roles/ (which checks it has one per name here). Per role, the column roles it
# needs (required) and may use (optional); a column's ``role`` names what the report reads in it.
FORM_ROLES = ("documents", "inspection", "party_committees", "indicators", "none")
FORM_ROLE_NAMES = {  # in error messages
    "documents": "văn bản đã ban hành",
    "inspection": "kiểm tra, giám sát, sơ kết",
    "party_committees": "bảng của các đảng ủy trực thuộc",
    "indicators": "chỉ tiêu",
    "none": "báo cáo không đọc",
}
COLUMN_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "documents": (("issuer", "doc_number", "doc_date", "summary"), ()),
    "inspection": (("body", "inspected", "reviewed"), ("inspection_form",)),
    "party_committees": (
        ("members_count", "members_rate"),
        ("stt", "unit_name", "documents", "inspection", "good_practices", "difficulties", "recommendations"),
    ),
    "indicators": (("code",), ()),
    "none": ((), ()),
}
# Where a text column's answers go in the report's outline: one item, or split by recipient.
RECIPIENT_PARTS = ("trung_uong", "tinh_uy", "other")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = "text"
    required: bool = False
    required_when: tuple[str, str] | None = None  # (column key, value) that makes it required
    choices: tuple[str, ...] = ()
    min: float | date | None = None
    max: float | date | None = None
    max_length: int = 5000
    fixed: bool = False
    year: int | None = None
    number: str = ""
    width: int = 20
    aliases: tuple[str, ...] = ()
    role: str = ""  # what the report reads in this column (COLUMN_ROLES), "" = nothing
    group_header: str = ""  # one header over the columns sharing this column's number
    feeds: tuple[tuple[str, str], ...] = ()  # (recipient part or "", outline item key)

    @property
    def header_keys(self) -> tuple[str, ...]:
        return (header_key(self.header), *(header_key(a) for a in self.aliases))


@dataclass(frozen=True)
class Form:
    code: str
    appendix: str
    title: str
    sheet: str
    rows: str
    columns: tuple[Column, ...]
    note: str = ""
    blank_rows: int = 20
    fixed_rows: tuple[str, ...] = ()
    role: str = "none"  # FORM_ROLES
    appendix_title: str = ""  # the appendix's subtitle in the province's report
    documents_heading: str = ""  # party committees: their heading in the documents form

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def column_for(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def role_column(self, role: str) -> Column:
        """The column with ``role``, one the form's role requires (loading checked it is there)."""
        column = self.column_for(role)
        if column is None:
            raise KeyError(role)
        return column

    @property
    def role_keys(self) -> dict[str, str]:
        """column key -> column role, for the columns that have one."""
        return {c.key: c.role for c in self.columns if c.role}

    @property
    def key_column(self) -> Column | None:
        """The fixed column that labels each row, for fixed / indicator forms."""
        if self.rows in ("fixed", "indicators"):
            return self.columns[0]
        return None

    @property
    def label_column(self) -> Column:
        """``key_column`` of a form whose rows are labelled (fixed / indicators)."""
        column = self.key_column
        if column is None:
            raise KeyError(f"form {self.code} has no row labels (rows = {self.rows})")
        return column

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.fixed)

    @property
    def year_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.year is not None)


@dataclass(frozen=True)
class Group:
    code: str
    number: int
    name: str
    forms: tuple[str, ...]
    narrative: bool = True


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    emails: tuple[str, ...] = ()
    order: int = 0  # position in units.csv: the report lists units in this order


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit_of_measure: str
    value_type: str  # integer | number | percent
    target_2030: float | None
    aggregate: str
    weight: str = ""  # indicator code whose values weight a weighted_mean
    reported_by: tuple[str, ...] = ()  # unit codes; empty = every unit that reports it
    sample: bool = False  # a placeholder staff must replace: never shown as a real target
    responsible: str = ""  # unit code whose figure is the province's (aggregate "unit")


@dataclass(frozen=True)
class DocumentType:
    """A kind of document (checks.toml [[document_types]]): its abbreviation in a document
    number ("NQ" in "35/NQ-HĐND"), the words a trích yếu starts with, and the issuer choices
    (the documents form's issuer column) that may issue it."""

    code: str
    name: str
    issuers: tuple[str, ...]


@dataclass(frozen=True)
class Contradiction:
    """Two answers one unit cannot both give (checks.toml [[contradictions]]): a phrase of
    ``yes`` and a phrase of ``no`` in the same unit's texts."""

    about: str
    yes: tuple[str, ...]
    no: tuple[str, ...]


@dataclass(frozen=True)
class Checks:
    """The campaign's data checks (checks.toml, optional; analysis/checks.py)."""

    document_types: tuple[DocumentType, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    centre_only: tuple[str, ...] | None = None  # words of a matter only the centre decides; None = the default list


@dataclass(frozen=True)
class OutlineItem:
    key: str  # "II.3", or "IV" for a section answered as a whole
    number: str
    title: str
    guidance: tuple[str, ...] = ()
    figures: str = ""  # one of OUTLINE_FIGURES: aggregated figures printed under this item


@dataclass(frozen=True)
class OutlineSection:
    number: str
    title: str
    guidance: tuple[str, ...]
    items: tuple[OutlineItem, ...]

    @property
    def answerable(self) -> tuple[OutlineItem, ...]:
        """The places a unit writes text: its items, or the section itself when it has none."""
        if self.items:
            return self.items
        return (OutlineItem(key=self.number, number=self.number, title=self.title, guidance=self.guidance),)


@dataclass(frozen=True)
class DocumentInfo:
    """The province's report as a Party document (campaign.toml [document]): every element
    printed in its header, title and signature block. Blank fields print as blanks."""

    issuer: str = ""  # top left, e.g. "Tỉnh ủy Đồng Nai"
    number: str = "Số      -BC/TU"
    place: str = ""
    year: str = ""  # of the date line; "" = the year the draft is compiled
    doc_type: str = "BÁO CÁO"
    subject: str = ""  # trích yếu, under the document type
    signing_authority: str = ""  # "T/M BAN THƯỜNG VỤ"
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()
    opening: str = ""  # first paragraph of the body
    template: str = ""  # a .docx in the campaign folder overriding the default template


# How the compile counts a unit's answers (campaign.toml [submission] count):
# "latest_valid" = its latest version without errors (a unit's edits count as they are made);
# "confirmed" = its last version the unit confirmed and staff did not return.
SUBMISSION_COUNTS = ("latest_valid", "confirmed")


@dataclass(frozen=True)
class SubmissionSettings:
    """campaign.toml [submission]: which of a unit's versions the compile counts."""

    count: str = "latest_valid"  # SUBMISSION_COUNTS


@dataclass(frozen=True)
class ReminderSettings:
    """campaign.toml [reminders]: when units that have not submitted are reminded.

    ``before_days``: days before the deadline a reminder goes (7, 3, 1 → a week, three days
    and one day before); ``overdue_every_days``: after the deadline, one every that many days
    (0 = none); ``send_at``: the local time of day (Asia/Ho_Chi_Minh) they are sent.
    """

    before_days: tuple[int, ...] = (7, 3, 1)
    overdue_every_days: int = 2
    send_at: time = time(8, 0)


@dataclass(frozen=True)
class Campaign:
    folder: Path
    code: str
    name: str
    short_name: str
    resolution: str
    plan: str
    subject: str
    province: str
    issuing_body: str
    compiled_by: str
    reports_to: str
    deadline: datetime  # end of the deadline day, Asia/Ho_Chi_Minh
    report_title: str
    indicator_years: tuple[int, ...]
    estimated_years: tuple[int, ...]
    sharing: str
    groups: tuple[Group, ...]
    units: tuple[Unit, ...]
    forms: tuple[Form, ...]
    indicators: tuple[Indicator, ...]
    outline_title: str
    outline: tuple[OutlineSection, ...]
    document: DocumentInfo = DocumentInfo()
    checks: Checks = Checks()
    submission: SubmissionSettings = SubmissionSettings()
    reminders: ReminderSettings | None = None  # None: no [reminders] section, no automatic reminders

    @cached_property
    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def unit(self, code: str) -> Unit:
        try:
            return self._units_by_code[code]
        except KeyError:
            raise UnknownUnit(
                f"Không có đơn vị mã '{code}' trong chiến dịch.",
                where=str(self.folder / "units.csv"),
                fix="Kiểm tra lại mã đơn vị.",
            ) from None

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)

    def form(self, code: str) -> Form:
        return next(f for f in self.forms if f.code == code)

    def form_with_role(self, role: str) -> Form | None:
        """The campaign's form of this role (at most one per role but "none"), or None."""
        return next((f for f in self.forms if f.role == role), None)

    def groups_filling(self, form: Form | None) -> tuple[Group, ...]:
        if form is None:
            return ()
        return tuple(g for g in self.groups if form.code in g.forms)

    def forms_for(self, unit: Unit) -> tuple[Form, ...]:
        wanted = self.group(unit.group).forms
        return tuple(f for f in self.forms if f.code in wanted)

    def has_narrative(self, unit: Unit) -> bool:
        return self.group(unit.group).narrative

    def units_in(self, group_code: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.group == group_code)

    @property
    def outline_items(self) -> tuple[OutlineItem, ...]:
        return tuple(item for section in self.outline for item in section.answerable)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

"""Typed, frozen, serialisable records the store returns. Nothing past the store sees a
database row: every method answers with these (or with the engine's own types such as
Problem, Submission, UnitRecord, UnitFiles)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Record:
    """Mixin: a plain dict with datetimes as ISO strings (JSON-ready)."""

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, (datetime, date)):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value

        return {k: plain(v) for k, v in asdict(self).items()}  # type: ignore[call-overload]


@dataclass(frozen=True)
class ReadOutcome(Record):
    """What recording one unit's read changed."""

    version_added: bool
    accepted: bool
    stale: bool = False  # the read was older than what the store already had: nothing changed


@dataclass(frozen=True)
class RunRecord(Record):
    """One sync run. ``status``: running | ok | failed: … | interrupted."""

    id: int
    trigger: str
    backend: str
    full: bool
    started_at: datetime
    finished_at: datetime | None
    units_changed: int
    units_read: int
    versions_added: int
    units_invalid: int
    units_failed: int
    status: str
    holder: str = ""
    job_id: int | None = None

    # Mapping access keeps older callers (run["status"]) working.
    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key)
        return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class VersionRecord(Record):
    id: int
    unit_code: str
    content_hash: str
    source_modified_at: datetime
    stored_at: datetime
    run_id: int | None

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key)
        return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class OutputRecord(Record):
    id: int
    kind: str  # report | tables | summary | distribution
    name: str
    url: str
    created_at: datetime

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key)
        return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class UnitState(Record):
    """One unit as the store holds it, for the dashboard: its latest read, its first accepted
    version, how many versions it has, its files' links, until when it is reopened. The
    status (on time, late, …) is the caller's: ``forms.submission.unit_status``."""

    unit_code: str
    read_status: str = ""  # ok | invalid | unreadable | empty | gone | "" (never read)
    has_accepted: bool = False  # a valid version is kept (even if the latest read failed)
    first_accepted_at: datetime | None = None
    last_modified_at: datetime | None = None
    error_count: int = 0
    warning_count: int = 0
    versions: int = 0
    sheet_url: str = ""
    doc_url: str = ""
    reopened_until: datetime | None = None
    accepted_modified_at: datetime | None = None  # when the counted (latest valid) version was made (file time)
    latest_version_id: int | None = None  # the unit's current valid version (what "latest_valid" counts), None if none
    acts: tuple[SubmissionEventRecord, ...] = ()  # acts on its submission, oldest first (kind, state, version, at, on_time)


@dataclass(frozen=True)
class LeaseInfo(Record):
    """Who holds the campaign's writer lease, since when, until when (unless renewed)."""

    name: str
    holder: str  # unique id of the holder (host:pid:random)
    label: str  # what a person reads: "sonket-gsync sync (máy X, tiến trình 123)"
    since: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Staff(Record):
    email: str
    name: str
    password_hash: str
    created_at: datetime
    session_version: int = 0  # bumped by sign-out, a new password, disabling: every session ends
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class SigninThrottle(Record):
    """Failed sign-ins counted for one key ("ip:…" or "account:…") and until when it waits."""

    key: str
    failures: int
    last_failure: float  # epoch seconds
    blocked_until: float  # epoch seconds; 0 = not blocked


@dataclass(frozen=True)
class AuditEntry(Record):
    """A security event of the web: a sign-in lockout, a link rotated, an account removed."""

    id: int
    at: datetime
    kind: str
    subject: str
    detail: str
    by: str


@dataclass(frozen=True)
class ChannelInfo(Record):
    """A Drive push-notification channel (changes.watch)."""

    channel_id: str
    resource_id: str
    token: str
    expiration: datetime | None
    address: str
    created_at: datetime
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class Job(Record):
    """A unit of work the worker runs under the writer lease.

    state: pending | running | done | failed | interrupted. ``error`` has category, message,
    where, fix (a SonketError's ``to_dict``). ``progress_label`` is Vietnamese.
    """

    id: int
    kind: str
    state: str
    params: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str = ""
    progress_done: int = 0
    progress_total: int = 0
    progress_label: str = ""
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    requested_by: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    run_after: datetime | None = None
    holder: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "interrupted")


__all__ = [
    "AuditEntry",
    "ChannelInfo",
    "Job",
    "LeaseInfo",
    "OutputRecord",
    "ReadOutcome",
    "Record",
    "RunRecord",
    "SigninThrottle",
    "Staff",
    "UnitState",
    "VersionRecord",
]


# --- the submission workflow (issue 18; store/submissions.py) -------------------------------


@dataclass(frozen=True)
class SubmissionEventRecord(Record):
    """One act on a unit's submission: ``kind`` confirmed | accepted | returned, ``state`` the
    unit's workflow state after it, ``version_id`` the version it is about. A confirmation
    carries who signs (name, position), the unit's số and ngày, and whether it was on time."""

    id: int
    unit_code: str
    kind: str
    state: str
    version_id: int | None
    at: datetime
    by: str = ""
    name: str = ""
    position: str = ""
    doc_number: str = ""
    doc_date: date | None = None
    on_time: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class ReviewCommentRecord(Record):
    """One located comment of a return (form: the sheet title; row 1-based; column header)."""

    id: int
    unit_code: str
    event_id: int
    text: str
    form: str = ""
    row: int | None = None
    column: str = ""
    outline_item: str = ""


@dataclass(frozen=True)
class SignedPdfRecord(Record):
    """A unit's signed report (PDF) as stored: its bytes are read apart (``signed_pdf_data``)."""

    id: int
    unit_code: str
    event_id: int | None
    version_id: int | None
    filename: str
    size: int
    sha256: str
    signer: str
    stored_at: datetime
    by: str = ""

"""What the engine keeps of a unit: its parsed submission, its problems, its status."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sonket_gsync.campaign.model import Unit

Status = Literal["on_time", "late", "invalid", "missing"]
STATUS_LABELS: dict[str, str] = {  # a unit's status (the CLI's status table has one column each)
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "invalid": "Có lỗi",
    "missing": "Chưa gửi",
}
# What a page may show besides: a unit with nothing sent once uploads are closed is "locked".
SHOWN_STATUS_LABELS: dict[str, str] = {**STATUS_LABELS, "locked": "Đã khóa"}
FLAGGING_READS = ("invalid", "unreadable", "gone")  # read statuses that flag a unit (its data shown is older)

# A submission is an act (issue 18): a second column beside the data status above.
# missing: no version yet; entering: versions exist, none confirmed since the last review;
# submitted: the unit confirmed a version; accepted / returned: staff reviewed it.
SubmissionState = Literal["missing", "entering", "submitted", "accepted", "returned"]
SUBMISSION_STATES: tuple[str, ...] = ("missing", "entering", "submitted", "accepted", "returned")
SUBMISSION_STATE_LABELS: dict[str, str] = {
    "missing": "Chưa gửi",
    "entering": "Đang nhập",
    "submitted": "Đã gửi",
    "accepted": "Đã tiếp nhận",
    "returned": "Trả lại",
}


# --- the rules: one function each ------------------------------------------------------------


def is_on_time(submitted_at: datetime | None, deadline: datetime) -> bool:
    """Sent by the deadline: the counted version's file time (or, in "confirmed" mode, its
    confirmation) is not after it. A correction made after the deadline is late."""
    return submitted_at is not None and submitted_at <= deadline


def is_late(submitted_at: datetime | None, deadline: datetime) -> bool:
    """Sent, but after the deadline."""
    return submitted_at is not None and submitted_at > deadline


def is_sent(status: str, submitted_at: datetime | None) -> bool:
    """The unit has an accepted submission: on time or late, or invalid now but with a valid
    version sent before (aggregation still uses it)."""
    return status in ("on_time", "late") or (status == "invalid" and submitted_at is not None)


def unit_status(read_status: str, has_submission: bool, submitted_at: datetime | None, deadline: datetime) -> Status:
    """A unit's status from its latest read and when its counted version was made."""
    if read_status in FLAGGING_READS:
        return "invalid"
    if not has_submission or submitted_at is None:
        return "missing"
    return "on_time" if is_on_time(submitted_at, deadline) else "late"


def submission_state_label(state: str) -> str:
    """The Vietnamese word for a workflow state; unknown states as they are."""
    return SUBMISSION_STATE_LABELS.get(state, state)


def status_label(status: str) -> str:
    """The Vietnamese word for a status (including "locked"); unknown statuses as they are."""
    return SHOWN_STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a unit's files, located for the person who must fix it."""

    unit_code: str
    message: str  # Vietnamese, says what is wrong and how to fix it
    code: str  # machine-readable kind, e.g. "not_a_number", "missing_sheet"
    sheet: str = ""  # tab title, or "Báo cáo thuyết minh" for the narrative
    row: int | None = None  # 1-based sheet row
    column: str = ""  # header text
    severity: Literal["error", "warning"] = "error"

    @property
    def where(self) -> str:
        parts = [p for p in (self.sheet and f"trang '{self.sheet}'", self.row and f"dòng {self.row}", self.column and f"cột '{self.column}'") if p]
        return ", ".join(parts)


@dataclass
class Submission:
    """A unit's answers, parsed. Values are JSON-able: str, int, float, None; dates as ISO
    'YYYY-MM-DD' strings."""

    unit_code: str
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # form code -> rows
    narrative: dict[str, str] = field(default_factory=dict)  # outline item key -> text

    def to_json(self) -> str:
        return json.dumps({"tables": self.tables, "narrative": self.narrative}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, unit_code: str, text: str) -> Submission:
        data = json.loads(text)
        return cls(unit_code=unit_code, tables=data["tables"], narrative=data["narrative"])

    @property
    def is_empty(self) -> bool:
        return not any(self.tables.values()) and not any(t.strip() for t in self.narrative.values())


@dataclass(frozen=True)
class UnitRecord:
    """Everything aggregation needs about one unit."""

    unit: Unit
    status: Status
    submission: Submission | None  # last accepted version (kept even when the unit is now invalid)
    submitted_at: datetime | None  # when the counted version was made (file time; "confirmed" mode: its confirmation)
    last_modified: datetime | None  # the unit's latest change seen
    error_count: int = 0
    warning_count: int = 0
    flagged: bool = False  # the latest read had errors or failed: the data shown is older

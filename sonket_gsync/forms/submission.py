"""What the engine keeps of a unit: its parsed submission, its problems, its status."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sonket_gsync.campaign.model import Unit

Status = Literal["on_time", "late", "invalid", "missing"]
STATUS_LABELS: dict[str, str] = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "invalid": "Có lỗi",
    "missing": "Chưa gửi",
}


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
    def from_json(cls, unit_code: str, text: str) -> "Submission":
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
    submitted_at: datetime | None  # when the first accepted version was made (file time)
    last_modified: datetime | None  # the unit's latest change seen
    error_count: int = 0
    warning_count: int = 0
    flagged: bool = False  # the latest read had errors or failed: the data shown is older

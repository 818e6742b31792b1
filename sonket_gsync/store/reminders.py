"""The reminders log (issue 18): one row per unit per reminder attempt — when, to which
addresses, the subject, the outcome (sent | failed | skipped) and why, what asked for it
(schedule | manual) and who. Campaign-agnostic: units are codes, texts are what was sent.

A row is written by the lease holder (fenced: a holder that lost the lease records nothing).
``day`` is the local date (Asia/Ho_Chi_Minh) of the attempt on the store's clock, so that a
scheduled run can tell which units were already reminded that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select

from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.lease import fence_check
from sonket_gsync.store.records import Record

REMINDER_OUTCOMES = ("sent", "failed", "skipped")
REMINDER_TRIGGERS = ("schedule", "manual")


@dataclass(frozen=True)
class ReminderSent(Record):
    """One reminder attempt for one unit."""

    id: int
    unit_code: str
    at: datetime
    recipients: tuple[str, ...]
    subject: str
    outcome: str  # sent | failed | skipped
    detail: str
    trigger: str  # schedule | manual
    by: str


class SqlReminderLog(StoreBase):
    @guarded
    def record_reminder(
        self,
        unit_code: str,
        *,
        recipients: tuple[str, ...] | list[str],
        subject: str,
        outcome: str,
        detail: str = "",
        trigger: str = "manual",
        by: str = "",
    ) -> ReminderSent:
        """Log one attempt at the store's clock (fenced under the writer lease)."""
        if outcome not in REMINDER_OUTCOMES or trigger not in REMINDER_TRIGGERS:
            raise ValueError(f"reminder outcome {outcome!r} / trigger {trigger!r}")
        at = self.clock.now()
        values = {
            "unit_code": unit_code,
            "at": at.isoformat(),
            "day": at.date().isoformat(),
            "recipients": ",".join(recipients),
            "subject": subject,
            "outcome": outcome,
            "detail": detail,
            "trigger": trigger,
            "by": by,
        }
        with self._write() as conn:
            fence_check(self, conn)
            new_id = conn.execute(insert(s.reminders_sent).values(**values)).inserted_primary_key[0]
        return ReminderSent(int(new_id), unit_code, at, tuple(recipients), subject, outcome, detail, trigger, by)

    @guarded
    def reminders_sent(self, unit_code: str | None = None, limit: int = 200) -> list[ReminderSent]:
        """The log, newest first (one unit's, or every unit's)."""
        r = s.reminders_sent
        stmt = select(r).order_by(r.c.id.desc()).limit(limit)
        if unit_code is not None:
            stmt = stmt.where(r.c.unit_code == unit_code)
        with self._read() as conn:
            return [_record(row) for row in conn.execute(stmt).mappings()]

    @guarded
    def reminded_on(self, day: date, outcome: str = "sent") -> set[str]:
        """The units with a reminder of this outcome on that local day."""
        r = s.reminders_sent
        with self._read() as conn:
            return {row[0] for row in conn.execute(select(r.c.unit_code).where(r.c.day == day.isoformat(), r.c.outcome == outcome).distinct())}


def _record(row) -> ReminderSent:
    recipients = tuple(a for a in row["recipients"].split(",") if a)
    return ReminderSent(row["id"], row["unit_code"], a_time(row["at"]), recipients, row["subject"], row["outcome"], row["detail"], row["trigger"], row["by"])


__all__ = ["REMINDER_OUTCOMES", "REMINDER_TRIGGERS", "ReminderSent", "SqlReminderLog"]

"""The read side for the web and the CLI: typed, serialisable records, cheap enough that the
dashboard of a 1,500-unit campaign is two SQL queries.

    q = service.queries
    q.overview()            Overview: the campaign and one UnitRow per unit
    q.unit_detail(code)     UnitDetail: the row, the latest problems, every stored version
    q.version(id)           the Submission stored as that version
    q.submission(code)      SubmissionInfo: the unit's workflow state, confirmation, PDF, comments
    q.submission_events(code), q.submission_states()
    q.last_run(), q.runs(n), q.jobs(n), q.outputs(kind, n)

Nothing here writes; a store that is missing raises StoreMissing when opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sonket_gsync.app import submissions
from sonket_gsync.app.submissions import SubmissionEvent, SubmissionInfo, counted_status, derive_state
from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.errors import JobNotFound, NotFound
from sonket_gsync.forms.submission import FLAGGING_READS, Problem, Submission, submission_state_label
from sonket_gsync.store.records import AuditEntry, ChannelInfo, Job, LeaseInfo, Record, RunRecord, SigninThrottle, Staff

RunInfo = RunRecord  # id, trigger, backend, full, started_at, finished_at, units_*, versions_added, status


@dataclass(frozen=True)
class UnitRow(Record):
    code: str
    name: str
    group_code: str
    group_name: str
    status: str  # on_time | late | invalid | missing
    last_modified: datetime | None
    submitted_at: datetime | None
    versions: int
    error_count: int
    warning_count: int
    sheet_url: str
    doc_url: str
    reopened_until: datetime | None
    read_status: str = ""  # ok | invalid | unreadable | empty | gone | "" (never read)
    flagged: bool = False  # the latest read failed or had errors: the data shown is older
    state: str = "missing"  # the submission workflow's state (forms.submission.SubmissionState)
    state_label: str = "Chưa gửi"


@dataclass(frozen=True)
class Overview(Record):
    campaign_name: str
    deadline: datetime
    units: list[UnitRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for row in self.units:
            result[row.status] = result.get(row.status, 0) + 1
        return result


@dataclass(frozen=True)
class VersionInfo(Record):
    id: int
    stored_at: datetime
    source_modified_at: datetime
    content_hash: str


@dataclass(frozen=True)
class UnitDetail(Record):
    row: UnitRow
    problems: list[Problem]
    versions: list[VersionInfo]


@dataclass(frozen=True)
class OutputInfo(Record):
    kind: str
    name: str
    url: str
    created_at: datetime


class Queries:
    def __init__(self, store, campaign: Campaign, backend: str) -> None:
        self.store = store
        self.campaign = campaign
        self.backend = backend
        self.where = store.where  # where the data is (for messages)

    def overview(self) -> Overview:
        return Overview(self.campaign.name, self.campaign.deadline, self._rows(None))

    def unit_detail(self, code: str) -> UnitDetail:
        unit = self.campaign.unit(code)  # UnknownUnit (not found) for a code not in the campaign
        [row] = self._rows(unit.code)
        return UnitDetail(
            row=row,
            problems=self.store.problems(unit.code),
            versions=[VersionInfo(v.id, v.stored_at, v.source_modified_at, v.content_hash) for v in self.store.versions(unit.code, newest_first=True)],
        )

    def version(self, version_id: int) -> Submission:
        found = self.store.version_content(version_id)
        if found is None:
            raise NotFound(f"Không có phiên bản số {version_id}.", where="kho dữ liệu", fix="Chọn một phiên bản trong danh sách phiên bản của đơn vị.")
        return Submission.from_json(*found)

    def last_run(self) -> RunInfo | None:
        runs = self.store.runs(limit=1)
        return runs[0] if runs else None

    def runs(self, limit: int = 20) -> list[RunInfo]:
        return self.store.runs(limit=limit)

    def jobs(self, limit: int = 20) -> list[Job]:
        return self.store.jobs(limit)

    def job(self, job_id: int) -> Job:
        job = self.store.job(job_id)
        if job is None:
            raise JobNotFound(f"Không có việc số {job_id}.", where="hàng đợi việc")
        return job

    def outputs(self, kind: str | None = None, limit: int = 20) -> list[OutputInfo]:
        return [OutputInfo(o.kind, o.name, o.url, o.created_at) for o in self.store.outputs(limit=limit, kind=kind)]

    def latest_output(self, kind: str) -> OutputInfo | None:
        found = self.outputs(kind, limit=1)
        return found[0] if found else None

    def problems(self, code: str | None = None) -> list[Problem]:
        """The latest problems of one unit, or of every unit (``code`` None)."""
        return self.store.problems(self.campaign.unit(code).code) if code else self.store.all_problems()

    def writer(self) -> LeaseInfo | None:
        """Who holds the campaign's writer lease now, if anyone."""
        return self.store.lease()

    def reread_due(self) -> dict[str, datetime | None]:
        """Every unit owed a re-read, with when it will be read again (None: at the next sync)."""
        return self.store.reread_due()

    def now(self) -> float:
        """The store's clock (epoch seconds): the time the lease, throttle and due times use."""
        return self.store.clock.time()

    def worker_seen_at(self) -> datetime | None:
        """When a worker last said it was alive."""
        return self.store.last_heartbeat()

    def unit_links(self, code: str) -> UnitFiles | None:
        """Where a unit's files are (links for people), once provisioned."""
        return self.store.unit_files(self.backend).get(self.campaign.unit(code).code)

    # --- the dashboard's rows (two SQL queries, in the store) -------------------------------

    def _rows(self, only: str | None) -> list[UnitRow]:
        states = self.store.unit_states(self.backend, only)
        units = [self.campaign.unit(only)] if only else self.campaign.units
        groups = {g.code: g for g in self.campaign.groups}
        rows = []
        for unit in units:
            state = states.get(unit.code)
            group = groups.get(unit.group)
            read_status = state.read_status if state else ""
            acts = state.acts if state else ()
            status, submitted_at = counted_status(self.campaign, state, acts)
            workflow = derive_state(acts, state)
            rows.append(
                UnitRow(
                    code=unit.code,
                    name=unit.name,
                    group_code=unit.group,
                    group_name=group.name if group else unit.group,
                    status=status,
                    # a unit that never sent anything (its file is the blank form) has no "last change"
                    last_modified=state.last_modified_at if state and status != "missing" else None,
                    submitted_at=submitted_at,
                    versions=state.versions if state else 0,
                    error_count=state.error_count if state else 0,
                    warning_count=state.warning_count if state else 0,
                    sheet_url=state.sheet_url if state else "",
                    doc_url=state.doc_url if state else "",
                    reopened_until=state.reopened_until if state else None,
                    read_status=read_status,
                    flagged=read_status in FLAGGING_READS,
                    state=workflow,
                    state_label=submission_state_label(workflow),
                )
            )
        return rows

    # --- the submission workflow (issue 18; app/submissions.py) --------------------------------

    def submission(self, code: str) -> SubmissionInfo:
        """The unit's SubmissionInfo: state and label, the confirmed version (who, when, số,
        ngày, on time), its signed PDF, the open comments of the last return."""
        return submissions.submission_info(self.store, self.campaign, self.backend, code)

    def submission_events(self, code: str) -> list[SubmissionEvent]:
        """The unit's history (SubmissionEvent: at, by, kind, label, detail), oldest first."""
        return submissions.submission_events(self.store, self.campaign, code)

    def submission_states(self) -> dict[str, str]:
        """code -> workflow state, for every unit of the campaign."""
        return submissions.submission_states(self.store, self.backend, self.campaign)

    # --- what the web reads --------------------------------------------------------------------

    def unit_by_token(self, token: str) -> str | None:
        """The code of the unit whose private page token this is, or None."""
        return self.store.unit_by_token(token)

    def staff_account(self, email: str) -> Staff | None:
        return self.store.staff(email)

    def staff_accounts(self) -> list[Staff]:
        return self.store.list_staff()

    def channels(self) -> list[ChannelInfo]:
        """Every Drive push channel, oldest first (stopped ones too)."""
        return self.store.channels()

    def active_channel(self) -> ChannelInfo | None:
        """The newest Drive push channel neither stopped nor expired."""
        return self.store.active_channel()

    def retired_unit_token(self, token: str) -> tuple[str, datetime] | None:
        """(unit code, when) for a unit link that was replaced by a newer one, else None."""
        return self.store.retired_unit_token(token)

    def unit_link_expires_at(self, code: str, expire_days: int) -> datetime | None:
        """When the unit's link stops working: ``expire_days`` after the deadline or the
        unit's later reopening; None when links never expire (``expire_days`` 0)."""
        if expire_days <= 0:
            return None
        closes = self.campaign.deadline
        reopened = self.store.reopened_until(self.campaign.unit(code).code)
        if reopened is not None and reopened > closes:
            closes = reopened
        return closes + timedelta(days=expire_days)

    def signin_throttle(self, keys: list[str]) -> dict[str, SigninThrottle]:
        """The failed sign-ins counted for each key, and until when each waits."""
        return self.store.signin_throttle(keys)

    def audit(self, limit: int = 50, kind: str | None = None) -> list[AuditEntry]:
        """The web's security events, newest first."""
        return self.store.audit(limit, kind)


__all__ = ["OutputInfo", "Overview", "Queries", "RunInfo", "UnitDetail", "UnitRow", "VersionInfo"]

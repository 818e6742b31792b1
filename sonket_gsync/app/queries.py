"""The read side for the web and the CLI: typed, serialisable records, cheap enough that the
dashboard of a 1,500-unit campaign is two SQL queries.

    q = service.queries
    q.overview()            Overview: the campaign and one UnitRow per unit
    q.unit_detail(code)     UnitDetail: the row, the latest problems, every stored version
    q.version(id)           the Submission stored as that version
    q.last_run(), q.runs(n), q.jobs(n), q.outputs(kind, n)

Nothing here writes; a store that is missing raises StoreMissing when opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, null, select, union_all

from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.errors import JobNotFound, NotFound
from sonket_gsync.store import schema as s
from sonket_gsync.store.base import as_time
from sonket_gsync.store.rows import problem, unit_status
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import Job, Record, RunRecord
from sonket_gsync.forms.submission import Problem, Submission

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
        self.where = store.where  # for errors translated by @guarded

    @guarded
    def overview(self) -> Overview:
        return Overview(self.campaign.name, self.campaign.deadline, self._rows(None))

    @guarded
    def unit_detail(self, code: str) -> UnitDetail:
        unit = self.campaign.unit(code)  # UnknownUnit (not found) for a code not in the campaign
        [row] = self._rows(unit.code)
        v = s.versions
        with self.store._read() as conn:
            versions = conn.execute(
                select(v.c.id, v.c.stored_at, v.c.source_modified_at, v.c.content_hash).where(v.c.unit_code == unit.code).order_by(v.c.id.desc())
            ).all()
            problems = conn.execute(
                select(s.problems)
                .join(s.unit_state, (s.unit_state.c.unit_code == s.problems.c.unit_code) & (s.unit_state.c.last_run_id == s.problems.c.run_id))
                .where(s.problems.c.unit_code == unit.code)
                .order_by(s.problems.c.id)
            ).mappings().all()
        return UnitDetail(
            row=row,
            problems=[problem(p) for p in problems],
            versions=[VersionInfo(r[0], as_time(r[1]), as_time(r[2]), r[3]) for r in versions],  # type: ignore[arg-type]
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

    # --- the two queries behind the dashboard ------------------------------------------------

    def _rows(self, only: str | None) -> list[UnitRow]:
        st, v = s.unit_state, s.versions
        counts = select(v.c.unit_code, func.count().label("n")).group_by(v.c.unit_code)
        if only:
            counts = counts.where(v.c.unit_code == only)
        counts = counts.subquery()
        states = select(
            st.c.unit_code, st.c.read_status, st.c.accepted_version_id, st.c.first_accepted_at, st.c.last_modified_at,
            st.c.error_count, st.c.warning_count, counts.c.n,
        ).select_from(st.outerjoin(counts, counts.c.unit_code == st.c.unit_code))
        f, r = s.unit_files, s.reopened
        links = union_all(
            select(f.c.unit_code, f.c.sheet_url, f.c.doc_url, null().label("until")).where(f.c.backend == self.backend),
            select(r.c.unit_code, literal("").label("sheet_url"), literal("").label("doc_url"), r.c.until),
        )
        if only:
            states = states.where(st.c.unit_code == only)
        with self.store._read() as conn:
            state_rows = {row.unit_code: row for row in conn.execute(states)}
            files: dict[str, tuple[str, str]] = {}
            reopened: dict[str, datetime | None] = {}
            for code, sheet_url, doc_url, until in conn.execute(links):
                if until is None:
                    files[code] = (sheet_url or "", doc_url or "")
                else:
                    reopened[code] = as_time(until)
        units = [self.campaign.unit(only)] if only else self.campaign.units
        groups = {g.code: g for g in self.campaign.groups}
        rows = []
        for unit in units:
            state = state_rows.get(unit.code)
            submitted = as_time(state.first_accepted_at) if state else None
            read_status = state.read_status if state else ""
            sheet_url, doc_url = files.get(unit.code, ("", ""))
            group = groups.get(unit.group)
            status = unit_status(read_status, bool(state.accepted_version_id), submitted, self.campaign.deadline) if state else "missing"
            rows.append(
                UnitRow(
                    code=unit.code,
                    name=unit.name,
                    group_code=unit.group,
                    group_name=group.name if group else unit.group,
                    status=status,
                    # a unit that never sent anything (its file is the blank form) has no "last change"
                    last_modified=as_time(state.last_modified_at) if state and status != "missing" else None,
                    submitted_at=submitted,
                    versions=(state.n or 0) if state else 0,
                    error_count=state.error_count if state else 0,
                    warning_count=state.warning_count if state else 0,
                    sheet_url=sheet_url,
                    doc_url=doc_url,
                    reopened_until=reopened.get(unit.code),
                    read_status=read_status,
                    flagged=read_status in ("invalid", "unreadable", "gone"),
                )
            )
        return rows


__all__ = ["OutputInfo", "Overview", "Queries", "RunInfo", "UnitDetail", "UnitRow", "VersionInfo"]

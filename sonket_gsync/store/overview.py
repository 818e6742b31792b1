"""The dashboard's read: every unit's state with its version count, file links, reopening and
the acts on its submission, in two queries whatever the number of units (it spans the
versions', the web's and the workflow's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text, cast, func, literal, null, select, union_all
from sqlalchemy.sql.elements import Cast

from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time, as_time
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import SubmissionEventRecord, UnitState


def _text() -> Cast[str]:
    return cast(null(), Text)


def _int() -> Cast[int]:
    return cast(null(), Integer)


class SqlOverview(StoreBase):
    @guarded
    def unit_states(self, backend: str, only: str | None = None) -> dict[str, UnitState]:
        """Per unit code: what the store holds of the unit (``only``: that unit alone). A unit
        the store knows nothing of is absent. Links are those of ``backend``'s files.
        ``acts``: the acts on its submission, oldest first, with what the dashboard derives
        its state from (kind, state, version, time, on time; not the signer's details)."""
        st, v = s.unit_state, s.versions
        counts = select(v.c.unit_code, func.count().label("n")).group_by(v.c.unit_code)
        if only:
            counts = counts.where(v.c.unit_code == only)
        counted = counts.subquery()
        states = select(
            st.c.unit_code,
            st.c.read_status,
            st.c.accepted_version_id,
            st.c.first_accepted_at,
            st.c.last_modified_at,
            st.c.error_count,
            st.c.warning_count,
            counted.c.n,
            v.c.source_modified_at.label("accepted_modified_at"),
        ).select_from(st.outerjoin(counted, counted.c.unit_code == st.c.unit_code).outerjoin(v, v.c.id == st.c.accepted_version_id))
        # one union for the rest: (source, unit, t1, t2, t3, i1, i2, i3)
        f, r, e = s.unit_files, s.reopened, s.submission_events
        files_query = select(literal("f").label("source"), f.c.unit_code, f.c.sheet_url, f.c.doc_url, _text(), _int(), _int(), _int()).where(
            f.c.backend == backend
        )
        reopened_query = select(literal("r"), r.c.unit_code, _text(), _text(), r.c.until, _int(), _int(), _int())
        events_query = select(literal("e"), e.c.unit_code, e.c.kind, e.c.state, e.c.at, e.c.id, e.c.version_id, e.c.on_time)
        if only:
            states = states.where(st.c.unit_code == only)
            files_query = files_query.where(f.c.unit_code == only)
            reopened_query = reopened_query.where(r.c.unit_code == only)
            events_query = events_query.where(e.c.unit_code == only)
        with self._read() as conn:
            state_rows = {row.unit_code: row for row in conn.execute(states)}
            files: dict[str, tuple[str, str]] = {}
            reopened: dict[str, datetime | None] = {}
            acts: dict[str, list[SubmissionEventRecord]] = {}
            for source, code, t1, t2, t3, i1, i2, i3 in conn.execute(union_all(files_query, reopened_query, events_query)):
                if source == "f":
                    files[code] = (t1 or "", t2 or "")
                elif source == "r":
                    reopened[code] = as_time(t3)
                else:
                    acts.setdefault(code, []).append(
                        SubmissionEventRecord(id=i1, unit_code=code, kind=t1, state=t2, version_id=i2, at=a_time(t3), on_time=None if i3 is None else bool(i3))
                    )
        result = {}
        for code in sorted({*state_rows, *files, *reopened, *acts}):
            state = state_rows.get(code)
            sheet_url, doc_url = files.get(code, ("", ""))
            result[code] = UnitState(
                unit_code=code,
                read_status=state.read_status if state else "",
                has_accepted=bool(state and state.accepted_version_id),
                first_accepted_at=as_time(state.first_accepted_at) if state else None,
                last_modified_at=as_time(state.last_modified_at) if state else None,
                error_count=state.error_count if state else 0,
                warning_count=state.warning_count if state else 0,
                versions=(state.n or 0) if state else 0,
                sheet_url=sheet_url,
                doc_url=doc_url,
                reopened_until=reopened.get(code),
                accepted_modified_at=as_time(state.accepted_modified_at) if state else None,
                latest_version_id=state.accepted_version_id if state else None,
                acts=tuple(sorted(acts.get(code, ()), key=lambda a: a.id)),
            )
        return result


__all__ = ["SqlOverview"]

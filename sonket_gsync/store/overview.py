"""The dashboard's read: every unit's state with its version count, file links and reopening,
in two queries whatever the number of units (it spans the versions' and the web's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, null, select, union_all

from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, as_time
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import UnitState


class SqlOverview(StoreBase):
    @guarded
    def unit_states(self, backend: str, only: str | None = None) -> dict[str, UnitState]:
        """Per unit code: what the store holds of the unit (``only``: that unit alone). A unit
        the store knows nothing of is absent. Links are those of ``backend``'s files."""
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
        ).select_from(st.outerjoin(counted, counted.c.unit_code == st.c.unit_code))
        f, r = s.unit_files, s.reopened
        files_query = select(f.c.unit_code, f.c.sheet_url, f.c.doc_url, null().label("until")).where(f.c.backend == backend)
        reopened_query = select(r.c.unit_code, literal("").label("sheet_url"), literal("").label("doc_url"), r.c.until)
        if only:
            states = states.where(st.c.unit_code == only)
            files_query = files_query.where(f.c.unit_code == only)
            reopened_query = reopened_query.where(r.c.unit_code == only)
        with self._read() as conn:
            state_rows = {row.unit_code: row for row in conn.execute(states)}
            files: dict[str, tuple[str, str]] = {}
            reopened: dict[str, datetime | None] = {}
            for code, sheet_url, doc_url, until in conn.execute(union_all(files_query, reopened_query)):
                if until is None:
                    files[code] = (sheet_url or "", doc_url or "")
                else:
                    reopened[code] = as_time(until)
        result = {}
        for code in sorted({*state_rows, *files, *reopened}):
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
            )
        return result


__all__ = ["SqlOverview"]

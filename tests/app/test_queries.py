"""The query side: typed, serialisable records, and a 1,500-unit dashboard in two SQL queries,
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from sonket_gsync.app.queries import Overview, Queries, UnitDetail, UnitRow
from sonket_gsync.backends.base import UnitFiles
from sonket_gsync.campaign.model import Unit
from sonket_gsync.core.errors import NotFound
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.submission import Problem, Submission
from sonket_gsync.store import open_store

SIZE = 1500


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else ""
    store = open_store(Settings.from_env({}, data_dir=tmp_path / "data", database_url=url))
    yield store
    store.close()


@pytest.fixture(scope="module")
def big(campaign):
    units = tuple(Unit(f"U{i:04d}", f"Đơn vị {i}", campaign.units[i % len(campaign.units)].group, order=i) for i in range(SIZE))
    return dataclasses.replace(campaign, units=units)


def count_selects(engine):
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_the_dashboard_of_1500_units_is_two_queries(store, big):
    deadline = big.deadline
    run = store.begin_run("manual", "local", False)
    for i, unit in enumerate(big.units[:600]):
        when = deadline - timedelta(days=1) if i % 3 else deadline + timedelta(days=2)
        problems = [Problem(unit.code, "Sai.", "bad", sheet="PL02", row=6)] if i % 10 == 0 else []
        store.record_read(run, Submission(unit.code, tables={"PL02": [{"x": i}]}), problems, when)
        store.save_unit_files("local", UnitFiles(unit.code, "s", f"file:///{unit.code}.xlsx", "d", f"file:///{unit.code}.docx"))
    store.reopen_unit("U0002", deadline + timedelta(days=5), "can.bo@tinh.vn")
    queries = Queries(store, big, "local")
    selects = count_selects(store.engine)
    overview = queries.overview()
    assert len(selects) <= 2, selects
    assert isinstance(overview, Overview) and len(overview.units) == SIZE and all(isinstance(r, UnitRow) for r in overview.units)
    counts = overview.counts()
    assert counts["missing"] == SIZE - 600 and counts["invalid"] == 60 and counts["late"] + counts["on_time"] == 540
    first = overview.units[1]
    assert first.status == "on_time" and first.versions == 1 and first.sheet_url == "file:///U0001.xlsx" and first.group_name
    assert overview.units[2].reopened_until == deadline + timedelta(days=5)
    assert overview.units[0].status == "invalid" and overview.units[0].error_count == 1 and overview.units[0].flagged
    assert overview.units[-1].status == "missing" and overview.units[-1].last_modified is None
    json.dumps(overview.to_dict())  # serialisable as it is


def test_a_units_detail_its_versions_and_one_version(store, big):
    run = store.begin_run("manual", "local", False)
    t0 = datetime(2026, 11, 1, 8, tzinfo=TZ)
    store.record_read(run, Submission("U0001", tables={"PL02": [{"x": 1}]}), [], t0)
    store.record_read(run, Submission("U0001", tables={"PL02": [{"x": 2}]}), [Problem("U0001", "Lưu ý.", "note", severity="warning")], t0 + timedelta(hours=1))
    queries = Queries(store, big, "local")
    detail = queries.unit_detail("U0001")
    assert isinstance(detail, UnitDetail) and detail.row.versions == 2 and detail.row.warning_count == 1
    assert [v.source_modified_at for v in detail.versions] == [t0 + timedelta(hours=1), t0]  # newest first
    assert [p.code for p in detail.problems] == ["note"]
    assert queries.version(detail.versions[1].id).tables == {"PL02": [{"x": 1}]}
    with pytest.raises(NotFound):
        queries.version(999_999)
    store.finish_run(run, backend="local", cursor="c", counts={"changed": 1})
    assert queries.last_run().status == "ok" and len(queries.runs(5)) == 1
    store.save_output("report", "bao-cao.docx", "file:///bao-cao.docx")
    [out] = queries.outputs(kind="report")
    assert out.url == "file:///bao-cao.docx" and queries.outputs(kind="summary") == []
    job = store.enqueue_job("compile", {}, dedupe_key="compile:{}")
    assert queries.jobs(5)[0].id == job.id and queries.job(job.id).state == "pending"
    json.dumps(detail.to_dict())

"""A compile tells its stages as they start: the job's progress and the CLI name each one."""

from __future__ import annotations

from sonket_gsync.app.labels import COMPILE_STEPS, JOB_KINDS
from sonket_gsync.app.service import CampaignService
from sonket_gsync.backends.local import LocalWorkspace
from sonket_gsync.store import open_store
from tests.units import only, type_answers

CODES = ("X_XUAN_LOC", "SO_NV")


def test_a_compile_job_reports_each_named_stage_in_order(campaign, settings, clock):
    small = only(campaign, CODES)
    service = CampaignService(settings, small, LocalWorkspace(settings.workspace_dir, small), open_store(settings, clock=clock))
    try:
        service.provision()
        type_answers(service, "X_XUAN_LOC")
        seen: list[str] = []
        service.compile(step=seen.append)
        assert seen == ["aggregate", "draft", "companion", "tables"]
        assert set(seen) | {"read"} == set(COMPILE_STEPS)

        job = service.enqueue("compile")
        assert service.run_worker(once=True) == 1
        done = service.queries.job(job.id)
        assert done.state == "done" and done.progress_label == JOB_KINDS["compile"]
        assert (done.progress_done, done.progress_total) == (4, 4)
    finally:
        service.close()

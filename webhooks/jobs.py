"""Job kinds the web adds to the worker's table (imported by the worker through
``sonket_gsync.app.jobs.JOB_MODULES``)."""

from __future__ import annotations

from sonket_gsync.app.jobs import register

from sonket_gsync.ingest.upload import accept_upload


@register("accept_upload", "Nhận tệp đơn vị tải lên")
def _accept_upload(service, params: dict, progress) -> dict:
    progress(0, 1, "Nhận tệp đơn vị tải lên", force=True)
    result = accept_upload(service, params)
    progress(1, 1, "Nhận tệp đơn vị tải lên", force=True)
    return result

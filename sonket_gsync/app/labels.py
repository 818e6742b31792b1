"""Every user-facing label of the application layer, defined once: job kinds, job states,
sync-run outcomes. The CLI and the web show these words and no others. A unit's status and
its label, and a submission's workflow state and its label, belong to
``sonket_gsync.forms.submission`` (the analysis and the report print them too); they are
re-exported here so a caller finds every label in one place."""

from __future__ import annotations

from sonket_gsync.forms.submission import STATUS_LABELS, SUBMISSION_STATE_LABELS, status_label, submission_state_label

JOB_KINDS: dict[str, str] = {
    "sync": "Đồng bộ",
    "compile": "Biên soạn báo cáo",
    "provision": "Tạo biểu mẫu",
    "publish_summary": "Cập nhật bảng Tổng hợp",
    "accept_upload": "Nhận tệp đơn vị tải lên",
    "renew_channel": "Gia hạn kênh thông báo Drive",
}

JOB_STATES: dict[str, str] = {
    "pending": "Đang chờ",
    "running": "Đang chạy",
    "done": "Xong",
    "failed": "Lỗi",
    "interrupted": "Bị gián đoạn",
}

RUN_OUTCOMES: dict[str, str] = {
    "ok": "xong",
    "running": "đang chạy",
    "interrupted": "bị gián đoạn, sẽ đồng bộ lại",
    "failed": "lỗi",
}


# What each act on a unit's submission is called in its history (app/submissions.py).
SUBMISSION_EVENTS: dict[str, str] = {
    "confirmed": "Đơn vị xác nhận gửi",
    "accepted": "Tiếp nhận",
    "returned": "Trả lại",
    "pdf": "Đính kèm báo cáo đã ký",
}


def job_kind_label(kind: str) -> str:
    return JOB_KINDS.get(kind, kind)


def job_state_label(state: str) -> str:
    return JOB_STATES.get(state, state)


def run_outcome_label(status: str) -> str:
    return RUN_OUTCOMES.get(status, RUN_OUTCOMES["interrupted"])


__all__ = [
    "JOB_KINDS",
    "JOB_STATES",
    "RUN_OUTCOMES",
    "STATUS_LABELS",
    "SUBMISSION_EVENTS",
    "SUBMISSION_STATE_LABELS",
    "job_kind_label",
    "job_state_label",
    "run_outcome_label",
    "status_label",
    "submission_state_label",
]


# The named steps of a compile, in order (the job's progress label, the CLI's lines): after
# reading the units (the sync's own n/N), one step per stage of app/compile.py.
COMPILE_STEPS: dict[str, str] = {
    "read": "Đọc dữ liệu các đơn vị",
    "aggregate": "Tổng hợp số liệu",
    "draft": "Soạn dự thảo báo cáo",
    "companion": "Soạn tài liệu tổng hợp ý kiến các đơn vị",
    "tables": "Lưu bảng tổng hợp",
}

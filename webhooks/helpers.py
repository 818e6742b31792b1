"""Small things every blueprint uses: the service, Jinja filters. Statuses, job kinds and job
states are labelled by ``sonket_gsync.app.labels`` (the CLI shows the same words)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import Flask, current_app

from sonket_gsync.app.labels import job_kind_label, job_state_label, status_label
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import format_date, format_datetime, format_number, now, to_local
from sonket_gsync.forms.submission import SHOWN_STATUS_LABELS

TRIGGERS = {
    "manual": "thủ công",
    "web": "bấm trên trang",
    "nightly": "lịch hằng đêm",
    "scheduler": "Cloud Scheduler / cron",
    "push": "thông báo từ Drive",
    "upload": "đơn vị tải tệp lên",
    "compile": "biên soạn báo cáo",
    "demo": "chạy thử",
}


def service():
    return current_app.extensions["sonket"]


def settings() -> Settings:
    return current_app.extensions["sonket_settings"]


def days_left(deadline: datetime, moment: datetime | None = None) -> int:
    """Whole days from today to the deadline day (negative once it has passed)."""
    today = to_local(moment or now()).date()
    return (to_local(deadline).date() - today).days


def is_open_for(code: str, deadline: datetime, reopened_until: datetime | None, moment: datetime | None = None) -> bool:
    """May the unit still send files? Before the deadline, or until staff's reopening date."""
    moment = moment or now()
    if moment <= deadline:
        return True
    return reopened_until is not None and moment <= reopened_until


def download_url(url: str, name: str) -> str:
    """A link a browser can open: file:// outputs (local backend) go through the app."""
    if url.startswith("file:"):
        return "/ket-qua/" + quote(name)
    return url


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["dt"] = format_datetime
    app.jinja_env.filters["d"] = format_date
    app.jinja_env.filters["num"] = format_number
    app.jinja_env.filters["pct"] = lambda v: format_number(round(100 * v, 1)) + "%" if v is not None else ""
    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["job_state"] = job_state_label
    app.jinja_env.filters["job_kind"] = job_kind_label
    app.jinja_env.filters["trigger"] = lambda s: TRIGGERS.get(s, s)
    app.jinja_env.globals["SHOWN_STATUS_LABELS"] = SHOWN_STATUS_LABELS  # the four statuses and "locked"

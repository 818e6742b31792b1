"""Small things every blueprint uses: the service, Jinja filters. Statuses, job kinds and job
states are labelled by ``sonket_gsync.app.labels`` (the CLI shows the same words)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request

from sonket_gsync.app.labels import job_kind_label, job_state_label, status_label
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import format_date, format_datetime, format_number, now, to_local
from sonket_gsync.forms.submission import SHOWN_STATUS_LABELS, STATUS_LABELS, SUBMISSION_STATE_LABELS, submission_state_label

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


def wants_json() -> bool:
    """Machines and the page's own fetches get JSON errors; people get a page."""
    return request.path.startswith(("/api/", "/sync", "/drive/")) or request.accept_mimetypes.best == "application/json"


def way_back() -> tuple[str, str]:
    """Where an error page leads back to: a unit's own page for its sub-pages, else the staff
    site's first page ("" for a unit's own page, which has nowhere else to go)."""
    parts = request.path.split("/")
    if len(parts) >= 3 and parts[1] == "u":
        if len(parts) > 3 and parts[2] and len(parts[2]) <= 128:
            return "/u/" + parts[2], "Quay lại trang của đơn vị"
        return "", ""
    return "/", "Về trang chính"


def error_page(status: int, title: str, message: str, fix: str = "") -> Response:
    """An error in Vietnamese with a way back (JSON for machines)."""
    if wants_json():
        response = jsonify(error=title, message=message, fix=fix)
    else:
        back, back_label = way_back()
        contact = service().campaign.compiled_by if request.path.startswith("/u/") else ""
        response = make_response(render_template("error.html", title=title, message=message, fix=fix, back=back, back_label=back_label, contact=contact))
    response.status_code = status
    return response


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
    app.jinja_env.filters["state_label"] = submission_state_label
    app.jinja_env.globals["SHOWN_STATUS_LABELS"] = SHOWN_STATUS_LABELS  # the four statuses and "locked"
    app.jinja_env.globals["STATUS_LABELS"] = STATUS_LABELS  # the four statuses the CLI counts
    app.jinja_env.globals["SUBMISSION_STATE_LABELS"] = SUBMISSION_STATE_LABELS  # the workflow states (issue 18)

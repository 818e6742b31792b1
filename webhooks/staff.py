"""Staff pages: the dashboard, a unit's detail (problems, versions, diff, reopening), the
Biên soạn báo cáo and Đồng bộ ngay buttons with live job progress, drafts, reminders."""

from __future__ import annotations

import csv
import io
import mimetypes
from datetime import datetime
from datetime import time as dtime

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from sonket_gsync.analysis.problem_kinds import kind_label
from sonket_gsync.app.labels import job_kind_label, job_state_label
from sonket_gsync.core.errors import JobNotFound, SonketError
from sonket_gsync.core.text import TZ, format_date, now, parse_date

from .dashboard import diff_versions, filter_rows, rates, rates_svg, rows_html, rows_of
from .helpers import days_left, download_url, service, settings
from .reminders import reminder_rows

bp = Blueprint("staff", __name__)


@bp.before_request
@login_required
def _staff_only():
    return None


@bp.get("/")
def dashboard():
    svc = service()
    overview = svc.queries.overview()
    moment = now()
    rows = rows_of(overview, moment)
    group = request.args.get("nhom", "")
    status = request.args.get("trang_thai", "")
    query = request.args.get("tim", "")
    shown = filter_rows(rows, group=group, status=status, query=query)
    group_rates = rates(svc.campaign, rows)
    return render_template(
        "dashboard.html",
        overview=overview,
        campaign=svc.campaign,
        days_left=days_left(overview.deadline, moment),
        rows=shown,
        total=len(rows),
        group=group,
        status=status,
        query=query,
        rates=group_rates,
        chart=rates_svg(group_rates),
        last_run=svc.queries.last_run(),
        channel=_channel(svc),
        pushes_changes=svc.workspace.capabilities.pushes_changes,
        drafts=_drafts(svc, 1),
        rows_html=rows_html(shown, url_for("staff.unit", code="X")[:-1]),
        jobs=[j for j in svc.queries.jobs(10) if j.kind in ("compile", "sync")][:5],
        data_problems=_data_problems(svc),
    )


def _data_problems(svc) -> dict | None:
    """The data problems of the last finished compile (its job's result), with each kind's
    label; None before any compile."""
    job = next((j for j in svc.queries.jobs(50) if j.kind == "compile" and j.state == "done" and j.result), None)
    if job is None:
        return None
    problems = [{**p, "kind_label": kind_label(p.get("kind", ""))} for p in job.result.get("data_problems") or []]
    return {"problems": problems, "finished_at": job.finished_at, "job_id": job.id}


@bp.get("/don-vi/<code>")
def unit(code: str):
    svc = service()
    detail = _detail(svc, code)
    token = svc.unit_token(code)
    return render_template(
        "staff_unit.html",
        detail=detail,
        row=detail.row,
        unit=svc.campaign.unit(code),
        page_url=_public(url_for("units.page", token=token)),
        link_expires=svc.queries.unit_link_expires_at(code, settings().unit_links_expire_days),
        deadline=svc.campaign.deadline,
        reopened_until=detail.row.reopened_until,
    )


@bp.get("/don-vi/<code>/so-sanh")
def compare(code: str):
    svc = service()
    detail = _detail(svc, code)
    ids = {v.id for v in detail.versions}
    try:
        a, b = int(request.args["a"]), int(request.args["b"])
    except (KeyError, ValueError):
        abort(400)
    if a not in ids or b not in ids:
        abort(404)  # a version of another unit, or none
    old, new = svc.queries.version(a), svc.queries.version(b)
    return render_template("diff.html", row=detail.row, a=a, b=b, changes=diff_versions(svc.campaign, old, new), versions={v.id: v for v in detail.versions})


@bp.post("/don-vi/<code>/mo-lai")
def reopen(code: str):
    svc = service()
    _detail(svc, code)
    day = parse_date(request.form.get("den_ngay", ""))
    if day is None or day < now().date():
        flash("Hãy nhập ngày mở lại hợp lệ (dd/mm/yyyy), từ hôm nay trở đi.", "error")
    else:
        until = datetime.combine(day, dtime(23, 59, 59), tzinfo=TZ)
        svc.reopen_unit(code, until, current_user.get_id())
        flash(f"Đã mở lại cho đơn vị gửi tệp đến hết ngày {format_date(until)}.", "ok")
    return redirect(url_for("staff.unit", code=code))


@bp.post("/don-vi/<code>/doi-duong-dan")
def rotate_link(code: str):
    """A new private link for one unit; the old one then says it was replaced."""
    svc = service()
    _detail(svc, code)
    svc.rotate_unit_links([code], current_user.get_id())
    flash("Đã tạo đường dẫn mới cho đơn vị; đường dẫn và mã QR cũ không còn dùng được. Hãy gửi đường dẫn mới cho đơn vị.", "ok")
    return redirect(url_for("staff.unit", code=code))


@bp.post("/doi-tat-ca-duong-dan")
def rotate_all_links():
    """A new private link for every unit (after a leak, or before a new round)."""
    svc = service()
    if request.form.get("xac_nhan") != "co":
        flash("Hãy đánh dấu xác nhận trước khi đổi đường dẫn của tất cả đơn vị.", "error")
        return redirect(url_for("staff.reminders"))
    fresh = svc.rotate_unit_links(None, current_user.get_id())
    flash(f"Đã tạo đường dẫn mới cho {len(fresh)} đơn vị; các đường dẫn và mã QR cũ không còn dùng được.", "ok")
    return redirect(url_for("staff.reminders"))


# --- jobs -------------------------------------------------------------------------------------


@bp.post("/bien-soan")
def compile_report():
    job = service().enqueue("compile", {}, requested_by=current_user.get_id())
    return _job_answer(job)


@bp.post("/dong-bo")
def sync_now():
    job = service().enqueue("sync", {"trigger": "web"}, requested_by=current_user.get_id())
    return _job_answer(job)


def _job_answer(job):
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(_job_json(job)), 202
    return redirect(url_for("staff.job", job_id=job.id), 303)


@bp.get("/viec/<int:job_id>")
def job(job_id: int):
    job = _job(job_id)
    return render_template("job.html", job=job, data=_job_json(job))


@bp.get("/api/viec/<int:job_id>")
def job_api(job_id: int):
    return jsonify(_job_json(_job(job_id)))


def _job(job_id: int):
    try:
        return service().queries.job(job_id)
    except JobNotFound:
        abort(404)


def _job_json(job) -> dict:
    data = {
        "id": job.id,
        "kind": job.kind,
        "kind_label": job_kind_label(job.kind),
        "state": job.state,
        "state_label": job_state_label(job.state),
        "done": job.progress_done,
        "total": job.progress_total,
        "label": job.progress_label,
        "finished": job.state in ("done", "failed", "interrupted"),
        "url": url_for("staff.job", job_id=job.id),
        "links": [],
        "error": None,
    }
    if job.error:
        data["error"] = " ".join(p for p in (job.error.get("message", ""), job.error.get("fix", "")) if p)
    if job.state == "done" and job.kind == "compile":
        svc = service()
        for kind, label in (("report", "Dự thảo báo cáo"), ("tables", "Bảng tổng hợp")):
            latest = svc.queries.outputs(kind=kind, limit=1)
            if latest:
                data["links"].append({"label": label, "name": latest[0].name, "url": download_url(latest[0].url, latest[0].name)})
    return data


@bp.get("/bao-cao")
def drafts():
    svc = service()
    return render_template("drafts.html", drafts=_drafts(svc, 50), tables=svc.queries.outputs(kind="tables", limit=50))


@bp.get("/ket-qua/<name>")
def output_file(name: str):
    """A compiled output kept as a local file (its file:// link opens in no browser)."""
    svc = service()
    known = [o for o in svc.queries.outputs(limit=200) if o.name == name]
    if not known:
        abort(404)
    if svc.workspace.capabilities.online_files:
        return redirect(known[0].url)
    found = svc.workspace.output_file(name)
    if found is None:
        abort(404)
    return _download(*found)


# --- reminders --------------------------------------------------------------------------------


@bp.get("/nhac-nho")
def reminders():
    svc = service()
    rows = reminder_rows(svc, svc.queries.overview(), _public(url_for("units.page", token="TOKEN")))
    return render_template("reminders.html", rows=rows)


@bp.get("/nhac-nho.csv")
def reminders_csv():
    svc = service()
    rows = reminder_rows(svc, svc.queries.overview(), _public(url_for("units.page", token="TOKEN")))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã đơn vị", "Đơn vị", "Nhóm", "Tình trạng", "Số lỗi", "Email", "Nội dung nhắc"])
    for r in rows:
        writer.writerow([r.code, _cell(r.name), _cell(r.group), r.status_label, r.errors, "; ".join(r.emails), _cell(r.text)])
    data = "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 CSV with Vietnamese intact
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=nhac-nho.csv"})


def _cell(text: str) -> str:
    """No spreadsheet formula injection from a name or a text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- helpers ----------------------------------------------------------------------------------


def _detail(svc, code: str):
    try:
        svc.campaign.unit(code)
    except SonketError:
        abort(404)
    detail = svc.queries.unit_detail(code)
    if detail is None:
        abort(404)
    return detail


def _drafts(svc, limit: int) -> list[dict]:
    """Drafts, newest first. Where the backend ``keeps_output_revisions`` (a folder), a draft
    replaced by a newer one lives in ket-qua/.phien-ban/ (one file per replacement, oldest
    first): older drafts link there."""
    outputs = svc.queries.outputs(kind="report", limit=limit)
    drafts = [{"name": o.name, "created_at": o.created_at, "url": download_url(o.url, o.name)} for o in outputs]
    if svc.workspace.capabilities.keeps_output_revisions and len(drafts) > 1:
        for draft in drafts[1:]:
            draft["url"] = ""
        by_name: dict[str, list[dict]] = {}
        for draft in drafts:
            by_name.setdefault(draft["name"], []).append(draft)
        for name, same in by_name.items():
            revisions = svc.workspace.output_revisions(name)
            for draft, revision in zip(same[1:], reversed(revisions), strict=False):
                draft["url"] = url_for("staff.earlier_output", name=revision)
    return drafts


@bp.get("/ket-qua/phien-ban/<name>")
def earlier_output(name: str):
    """An earlier revision of a compiled output (a backend that ``keeps_output_revisions``)."""
    found = service().workspace.output_revision(name)
    if found is None:
        abort(404)
    return _download(*found)


def _download(name: str, data: bytes):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")


def _channel(svc):
    try:
        return svc.queries.active_channel()
    except SonketError:
        return None


def _public(path: str) -> str:
    base = settings().public_base_url.rstrip("/")
    return (base + path) if base else request.host_url.rstrip("/") + path

"""Staff pages: the dashboard, a unit's detail (problems, versions, diff, reopening), the
Biên soạn báo cáo and Đồng bộ ngay buttons with live job progress, drafts, reminders."""

from __future__ import annotations

import csv
import io
import mimetypes
import re
from datetime import datetime
from datetime import time as dtime

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from sonket_gsync.analysis.problem_kinds import kind_label
from sonket_gsync.app.labels import job_kind_label, job_state_label
from sonket_gsync.core.errors import JobNotFound, SonketError
from sonket_gsync.core.text import TZ, format_date, now, parse_date, to_local

from .dashboard import LOCKED_LABEL, SORTS, diff_versions, filter_rows, rates, rates_svg, rows_html, rows_of, sort_rows, state_counts, status_counts
from .helpers import days_left, download_url, service, settings
from .reminders import reminder_rows, send_now

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
    state = request.args.get("gui", "")
    query = request.args.get("tim", "")
    sort = request.args.get("sap_xep", "")
    sort = sort if sort in SORTS else ""
    shown = sort_rows(filter_rows(rows, group=group, status=status, query=query, state=state), sort)
    group_rates = rates(svc.campaign, rows)
    jobs = [j for j in svc.queries.jobs(10) if j.kind in ("compile", "sync")][:5]
    return render_template(
        "dashboard.html",
        overview=overview,
        campaign=svc.campaign,
        days_left=days_left(overview.deadline, moment),
        rows=shown,
        total=len(rows),
        group=group,
        status=status,
        state=state,
        query=query,
        sort=sort,
        sorts=SORTS,
        status_counts=status_counts(rows),
        state_counts=state_counts(rows),
        has_states=any(r.state for r in rows),
        locked_label=LOCKED_LABEL,
        rates=group_rates,
        chart=rates_svg(group_rates),
        last_run=svc.queries.last_run(),
        channel=_channel(svc),
        pushes_changes=svc.workspace.capabilities.pushes_changes,
        drafts=_drafts(svc, 1),
        rows_html=rows_html(shown, url_for("staff.unit", code="X")[:-1]),
        jobs=jobs,
        running=[_job_json(j) for j in reversed(jobs) if j.state in ("pending", "running")],
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
    unit = svc.campaign.unit(code)
    submission = svc.queries.submission(code)
    return render_template(
        "staff_unit.html",
        detail=detail,
        row=detail.row,
        unit=unit,
        page_url=_public(url_for("units.page", token=token)),
        link_expires=svc.queries.unit_link_expires_at(code, settings().unit_links_expire_days),
        deadline=svc.campaign.deadline,
        reopened_until=detail.row.reopened_until,
        submission=submission,
        events=list(reversed(svc.queries.submission_events(code))),
        since_returned=_since_returned(submission, {v.id for v in detail.versions}),
        forms=svc.campaign.forms_for(unit),
        outline=svc.campaign.outline_items if svc.campaign.has_narrative(unit) else [],
        comment_rows=COMMENT_ROWS,
    )


COMMENT_ROWS = 3  # comment lines on the return form (empty ones are ignored)


def _since_returned(submission, known: set[int]) -> tuple[int, int] | None:
    """(returned version, what the unit sent since) for the diff after a resubmission."""
    returned = submission.returned_version_id
    newer = submission.version_id if submission.state == "submitted" else submission.latest_version_id
    if returned is None or newer is None or newer == returned or not {returned, newer} <= known:
        return None
    return returned, newer


@bp.post("/don-vi/<code>/tiep-nhan")
def accept(code: str):
    """Staff accept the unit's confirmed report."""
    svc = service()
    _detail(svc, code)
    try:
        svc.accept_submission(code, by=current_user.get_id(), note=request.form.get("ghi_chu", ""))
    except SonketError as exc:
        flash(exc.message + (" " + exc.fix if exc.fix else ""), "error")
    else:
        flash("Đã tiếp nhận báo cáo của đơn vị.", "ok")
    return redirect(url_for("staff.unit", code=code) + "#gui-bao-cao", 303)


@bp.post("/don-vi/<code>/tra-lai")
def give_back(code: str):
    """Staff return the unit's confirmed report with comments, each located (form, row,
    column, or outline item) or general; the unit sees them at the top of its page."""
    from sonket_gsync.app.submissions import ReviewComment

    svc = service()
    _detail(svc, code)
    form = request.form
    comments = []
    for text, sheet, row, column, item in zip(
        form.getlist("noi_dung"), form.getlist("bieu"), form.getlist("dong"), form.getlist("cot"), form.getlist("muc"), strict=False
    ):
        if not text.strip():
            continue
        row_number = int(row) if row.strip().isdigit() else None
        comments.append(ReviewComment(text=text, form=sheet, row=row_number, column=column if sheet else "", outline_item=item))
    if not comments:
        flash("Hãy ghi ít nhất một góp ý (điều đơn vị cần sửa) trước khi trả lại.", "error")
        return redirect(url_for("staff.unit", code=code) + "#gui-bao-cao", 303)
    try:
        svc.return_submission(code, by=current_user.get_id(), comments=comments)
    except SonketError as exc:
        flash(exc.message + (" " + exc.fix if exc.fix else ""), "error")
    else:
        flash(f"Đã trả lại báo cáo kèm {len(comments)} góp ý; đơn vị thấy góp ý ở đầu trang của mình.", "ok")
    return redirect(url_for("staff.unit", code=code) + "#gui-bao-cao", 303)


@bp.get("/don-vi/<code>/ban-ky.pdf")
def signed_pdf(code: str):
    """The unit's signed report (PDF) of its last confirmation."""
    svc = service()
    _detail(svc, code)
    found = svc.signed_pdf(code)
    if found is None:
        abort(404)
    name, data = found
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype="application/pdf")


@bp.get("/don-vi/<code>/so-sanh")
def compare(code: str):
    """Two versions side by side; the older is always "Bản cũ". Without a choice: the newest
    change (the newest version against the one before it)."""
    svc = service()
    detail = _detail(svc, code)
    versions = {v.id: v for v in detail.versions}  # newest first
    if "a" not in request.args and "b" not in request.args:
        if len(detail.versions) < 2:
            flash("Đơn vị chưa có hai phiên bản để so sánh.", "error")
            return redirect(url_for("staff.unit", code=code))
        a, b = detail.versions[1].id, detail.versions[0].id
    else:
        try:
            a, b = int(request.args["a"]), int(request.args["b"])
        except (KeyError, ValueError):
            abort(400)
    if a not in versions or b not in versions:
        abort(404)  # a version of another unit, or none
    if (versions[a].stored_at, a) > (versions[b].stored_at, b):
        a, b = b, a
    old, new = svc.queries.version(a), svc.queries.version(b)
    numbers = {v.id: len(detail.versions) - i for i, v in enumerate(detail.versions)}  # #1 = the first version
    return render_template(
        "diff.html", row=detail.row, a=a, b=b, changes=diff_versions(svc.campaign, old, new), versions=versions, numbers=numbers, newest=detail.versions[0].id
    )


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
    """A job as the page shows it: its state, the step it is in (the app's progress label, with
    n/N), and once done what it gave (links, a sentence)."""
    finished = job.state in ("done", "failed", "interrupted")
    step = ""
    if job.progress_label and not finished:
        step = job.progress_label + (f" ({job.progress_done}/{job.progress_total})" if job.progress_total else "")
    data = {
        "id": job.id,
        "kind": job.kind,
        "kind_label": job_kind_label(job.kind),
        "state": job.state,
        "state_label": job_state_label(job.state),
        "done": job.progress_done,
        "total": job.progress_total,
        "label": job.progress_label,
        "step": step,
        "finished": finished,
        "url": url_for("staff.job", job_id=job.id),
        "links": [],
        "error": None,
        "result": "",
    }
    if job.error:
        data["error"] = " ".join(p for p in (job.error.get("message", ""), job.error.get("fix", "")) if p)
    if job.state == "done":
        data["result"] = _job_result(job)
    if job.state == "done" and job.kind == "compile":
        svc = service()
        for kind, label in OUTPUT_LABELS.items():
            latest = svc.queries.outputs(kind=kind, limit=1)
            if latest:
                data["links"].append({"label": label, "name": latest[0].name, "url": _output_link(svc, latest[0])})
    return data


OUTPUT_LABELS = {"report": "Dự thảo báo cáo", "tables": "Bảng tổng hợp", "companion": "Tổng hợp ý kiến các đơn vị"}


def _job_result(job) -> str:
    """What a finished job gave, in one sentence."""
    result = job.result or {}
    sync = result.get("sync", result) if job.kind in ("sync", "compile") else {}
    said = ""
    if sync and "read" in sync:
        said = f"Đã đọc {sync.get('read', 0)} đơn vị, {sync.get('versions_added', 0)} phiên bản mới"
        if sync.get("invalid"):
            said += f", {len(sync['invalid'])} đơn vị có lỗi"
        said += "."
    if job.kind == "compile":
        said += " Đã soạn dự thảo và bảng tổng hợp."
    return said.strip()


@bp.get("/bao-cao")
def drafts():
    svc = service()
    return render_template("drafts.html", compiles=_compiles(svc, 50))


@bp.get("/ket-qua/<name>")
def output_file(name: str):
    """A compiled output kept as a local file (its file:// link opens in no browser), downloaded
    under a name with its date and time (``?luc=yyyymmdd-hhmmss``, else the newest one's)."""
    svc = service()
    known = [o for o in svc.queries.outputs(limit=200) if o.name == name]
    if not known:
        abort(404)
    if svc.workspace.capabilities.online_files:
        return redirect(known[0].url)
    found = svc.workspace.output_file(name)
    if found is None:
        abort(404)
    return _download(_stamped(name, request.args.get("luc", ""), known[0].created_at), found[1])


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
    """Drafts, newest first, each with its link (see ``_output_links``)."""
    outputs = svc.queries.outputs(kind="report", limit=limit)
    links = _output_links(svc, outputs)
    return [{"name": o.name, "created_at": o.created_at, "url": url} for o, url in zip(outputs, links, strict=True)]


def _output_links(svc, outputs: list) -> list[str]:
    """A link per output (outputs of one kind, newest first). Where the backend
    ``keeps_output_revisions`` (a folder), an output replaced by a newer one of the same name lives in
    ket-qua/.phien-ban/ (one file per replacement, oldest first): older ones link there. Every
    local link downloads under a name with the output's date and time."""
    links = [_output_link(svc, o) for o in outputs]
    if not svc.workspace.capabilities.keeps_output_revisions:
        return links
    by_name: dict[str, list[int]] = {}
    for index, output in enumerate(outputs):
        by_name.setdefault(output.name, []).append(index)
    for name, indexes in by_name.items():
        revisions = svc.workspace.output_revisions(name)
        for index in indexes[1:]:
            links[index] = ""
        for index, revision in zip(indexes[1:], reversed(revisions), strict=False):
            links[index] = url_for("staff.earlier_output", name=revision, luc=_stamp(outputs[index].created_at))
    return links


def _output_link(svc, output) -> str:
    url = download_url(output.url, output.name)
    return url + "?luc=" + _stamp(output.created_at) if url.startswith("/ket-qua/") else url


def _compiles(svc, limit: int) -> list[dict]:
    """Each compile's outputs together, newest first: the draft, then the tables (the aggregated
    workbook) and the companion file made with it (saved within seconds of the draft)."""
    entries = [{**d, "parts": []} for d in _drafts(svc, limit)]
    for kind, label in OUTPUT_LABELS.items():
        if kind == "report" or not entries:
            continue
        outputs = svc.queries.outputs(kind=kind, limit=limit)
        for output, url in zip(outputs, _output_links(svc, outputs), strict=True):
            near = min(entries, key=lambda e: abs((e["created_at"] - output.created_at).total_seconds()))
            if abs((near["created_at"] - output.created_at).total_seconds()) <= SAME_COMPILE_SECONDS:
                near["parts"].append({"label": label, "name": output.name, "url": url})
    return entries


SAME_COMPILE_SECONDS = 600  # a compile saves its outputs one after the other, well within this


def _stamp(moment: datetime) -> str:
    return to_local(moment).strftime("%Y%m%d-%H%M%S")


def _stamped(name: str, stamp: str, default: datetime) -> str:
    """``bao-cao.docx`` → ``bao-cao-20261207-081502.docx``: every draft downloads under its own name."""
    if not re.fullmatch(r"\d{8}-\d{6}", stamp):
        stamp = _stamp(default)
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{stamp}.{suffix}" if dot else f"{name}-{stamp}"


@bp.get("/ket-qua/phien-ban/<name>")
def earlier_output(name: str):
    """An earlier revision of a compiled output (a backend that ``keeps_output_revisions``),
    downloaded under its name with the date and time it was made (``?luc=``)."""
    found = service().workspace.output_revision(name)
    if found is None:
        abort(404)
    plain, data = found
    stamp = request.args.get("luc", "")
    return _download(_stamped(plain, stamp, now()) if stamp else plain, data)


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


bp.add_url_rule("/nhac-nho/gui", "send_reminders", send_now, methods=["POST"])  # "Gửi nhắc nhở ngay" (webhooks/reminders.py)

"""A unit's own page, reached from its QR code: /u/<token> (unguessable, one per unit).

The unit sees its status, the deadline and every problem in plain Vietnamese. Where its
files live online (the backend's ``online_files``) it follows links to its Sheet and Doc;
where the backend ``accepts_uploads`` it downloads its files, uploads them back, sees what would be accepted and every problem before anything is stored, and
confirms (acceptance is a job). A token reaches only its own unit: every route resolves the
unit from the token and nothing else. A token replaced by a newer one (``unit-links rotate``)
or past its expiry (``SONKET_UNIT_LINKS_EXPIRE_DAYS`` after the deadline) opens a page saying
so and whom to ask, never the unit's data.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, jsonify, render_template, request, send_file, url_for

from sonket_gsync.app.labels import job_state_label
from sonket_gsync.core.errors import JobNotFound
from sonket_gsync.core.text import format_date, now
from sonket_gsync.ingest.upload import check_file, preview, stage, staged_folder

from .helpers import error_page, is_open_for, service, settings

bp = Blueprint("units", __name__, url_prefix="/u")


def _unit_for(token: str):
    svc = service()
    if not token or len(token) > 128:
        abort(404)
    code = svc.queries.unit_by_token(token)
    if code is None:
        retired = svc.queries.retired_unit_token(token)
        if retired is None:
            abort(404)
        abort(
            error_page(
                410,
                "Đường dẫn đã được thay",
                f"Đường dẫn này đã được thay bằng đường dẫn mới từ ngày {format_date(retired[1])}; đường dẫn cũ không còn dùng được.",
                f"Hãy liên hệ {svc.campaign.compiled_by} để nhận đường dẫn (hoặc mã QR) mới của đơn vị.",
            )
        )
    expires = svc.queries.unit_link_expires_at(code, settings().unit_links_expire_days)
    if expires is not None and now() > expires:
        abort(
            error_page(
                410,
                "Đường dẫn đã hết hiệu lực",
                f"Đợt báo cáo đã kết thúc; đường dẫn của đơn vị chỉ dùng được đến ngày {format_date(expires)}.",
                f"Nếu đơn vị cần xem lại hoặc gửi bổ sung, hãy liên hệ {svc.campaign.compiled_by}.",
            )
        )
    return svc, svc.campaign.unit(code)


def _context(svc, unit, token: str) -> dict:
    detail = svc.queries.unit_detail(unit.code)
    row = detail.row
    return {
        "token": token,
        "unit_page": True,
        "unit": unit,
        "row": row,
        "problems": detail.problems,
        "campaign": svc.campaign,
        "deadline": svc.campaign.deadline,
        "open": is_open_for(unit.code, svc.campaign.deadline, row.reopened_until),
        "reopened_until": row.reopened_until,
        "online_files": svc.workspace.capabilities.online_files,
        "accepts_uploads": svc.workspace.capabilities.accepts_uploads,
        "has_narrative": svc.campaign.has_narrative(unit),
        "max_mb": settings().upload_max_bytes // 1_000_000,
    }


@bp.get("/<token>")
def page(token: str):
    svc, unit = _unit_for(token)
    return render_template("unit.html", **_context(svc, unit, token))


@bp.get("/<token>/bieu-mau.xlsx")
def download_workbook(token: str):
    return _download(token, "workbook")


@bp.get("/<token>/bao-cao.docx")
def download_narrative(token: str):
    return _download(token, "narrative")


def _download(token: str, which: str):
    svc, unit = _unit_for(token)
    if not svc.workspace.capabilities.accepts_uploads:
        abort(404)
    found = svc.workspace.unit_file(unit, which)
    if found is None:
        abort(404)
    name, data = found
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, max_age=0)


@bp.post("/<token>/tai-len")
def upload(token: str):
    svc, unit = _unit_for(token)
    context = _context(svc, unit, token)
    if not svc.workspace.capabilities.accepts_uploads:
        abort(404)
    if not context["open"]:
        return render_template(
            "unit.html",
            **context,
            refused=["Đã hết hạn gửi báo cáo; hệ thống không nhận tệp mới. Nếu cần gửi bổ sung, hãy liên hệ " + svc.campaign.compiled_by + " để được mở lại."],
        ), 403
    limit = settings().upload_max_bytes
    workbook_file = request.files.get("bieu_mau")
    narrative_file = request.files.get("bao_cao")
    refused = []
    if workbook_file is None or not workbook_file.filename:
        refused.append("Hãy chọn tệp biểu mẫu (.xlsx) để tải lên.")
        workbook = b""
    else:
        workbook = workbook_file.stream.read(limit + 1)
        reason = check_file(workbook, workbook_file.filename, "xlsx", limit, unit.code)
        if reason:
            refused.append(reason)
    narrative = None
    if narrative_file is not None and narrative_file.filename:
        if not context["has_narrative"]:
            refused.append("Đơn vị không phải gửi báo cáo thuyết minh; chỉ tải lên tệp biểu mẫu.")
        else:
            narrative = narrative_file.stream.read(limit + 1)
            reason = check_file(narrative, narrative_file.filename, "docx", limit, unit.code)
            if reason:
                refused.append(reason)
    if refused:
        return render_template("unit.html", **context, refused=refused), 400
    current = None
    if narrative is None and context["has_narrative"]:
        found = svc.workspace.unit_file(unit, "narrative")
        current = found[1] if found else None
    result = preview(svc.campaign, unit, workbook, narrative, current)
    if not result.refused and not result.errors:
        result.upload_id = stage(settings().data_dir, unit.code, workbook, narrative)
    status = 200 if result.acceptable else 422
    return render_template("unit.html", **context, preview=result), status


@bp.post("/<token>/xac-nhan")
def confirm(token: str):
    svc, unit = _unit_for(token)
    context = _context(svc, unit, token)
    if not context["open"]:
        abort(403)
    upload_id = request.form.get("upload", "")
    if staged_folder(settings().data_dir, unit.code, upload_id) is None:
        abort(404)  # another unit's upload, or one already accepted
    job = svc.enqueue("accept_upload", {"unit": unit.code, "upload": upload_id}, requested_by=f"unit:{unit.code}")
    return render_template("unit.html", **context, job=job, job_url=url_for("units.job", token=token, job_id=job.id))


@bp.get("/<token>/viec/<int:job_id>")
def job(token: str, job_id: int):
    svc, unit = _unit_for(token)
    try:
        job = svc.queries.job(job_id)
    except JobNotFound:
        abort(404)
    if job.kind != "accept_upload" or job.params.get("unit") != unit.code:
        abort(404)
    data = {
        "id": job.id,
        "state": job.state,
        "state_label": job_state_label(job.state),
        "done": job.progress_done,
        "total": job.progress_total,
        "label": job.progress_label,
        "finished": job.state in ("done", "failed", "interrupted"),
        "error": (job.error or {}).get("message"),
        "accepted": bool((job.result or {}).get("accepted")),
        "links": [{"label": "Xem lại trang của đơn vị", "url": url_for("units.page", token=token)}] if job.state == "done" else [],
    }
    return jsonify(data)

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

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for

from sonket_gsync.app.labels import job_state_label
from sonket_gsync.core.errors import JobNotFound, SonketError
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
    submission = svc.queries.submission(unit.code)
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
        "submission": submission,
        "events": list(reversed(svc.queries.submission_events(unit.code))),  # newest first
        # A valid version not confirmed yet: the unit may confirm it ("Xác nhận gửi báo cáo").
        "can_confirm": _can_confirm(submission, row),
        "today": format_date(now()),
    }


def _can_confirm(submission, row) -> bool:
    """A valid version not confirmed yet: new data, a return to fix, or a correction sent
    after a confirmation (the confirmed version stays what staff review until then)."""
    if submission.latest_version_id is None or row.flagged:
        return False
    if submission.state in ("entering", "returned"):
        return True
    return submission.state in ("submitted", "accepted") and submission.latest_version_id != submission.version_id


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
    """The unit's file; after a version with errors, a fresh form pre-filled with its last
    valid answers (``unit_download``), so a clerk can start again."""
    from sonket_gsync.app.unit_files import unit_download  # the workbook and report writers load on first use

    svc, unit = _unit_for(token)
    if not svc.workspace.capabilities.accepts_uploads:
        abort(404)
    name, data = unit_download(svc, unit.code, which)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, max_age=0)


@bp.get("/<token>/bao-cao-don-vi.docx")
def download_unit_report(token: str):
    """The unit's own report as a Party document (HD 36), ready to sign and issue."""
    from sonket_gsync.app.unit_files import unit_report

    svc, unit = _unit_for(token)
    name, data = unit_report(svc, unit.code)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, max_age=0)


def _read(file, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of an uploaded file, and its real size."""
    data = file.stream.read(limit + 1)
    size = len(data)
    try:
        file.stream.seek(0, io.SEEK_END)
        size = max(size, file.stream.tell())
    except (OSError, ValueError):
        pass
    return data, size


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
    workbook_name = narrative_name = ""
    if workbook_file is None or not workbook_file.filename:
        refused.append("Hãy chọn tệp biểu mẫu (.xlsx) để tải lên.")
        workbook = b""
    else:
        workbook_name = workbook_file.filename
        workbook, size = _read(workbook_file, limit)
        reason = check_file(workbook, workbook_name, "xlsx", limit, unit.code, size=size)
        if reason:
            refused.append(reason)
    narrative = None
    if narrative_file is not None and narrative_file.filename:
        if not context["has_narrative"]:
            refused.append("Đơn vị không phải gửi báo cáo thuyết minh; chỉ tải lên tệp biểu mẫu.")
        else:
            narrative_name = narrative_file.filename
            narrative, size = _read(narrative_file, limit)
            reason = check_file(narrative, narrative_name, "docx", limit, unit.code, size=size)
            if reason:
                refused.append(reason)
    if refused:
        return render_template("unit.html", **context, refused=refused), 400
    current = None
    if narrative is None and context["has_narrative"]:
        found = svc.workspace.unit_file(unit, "narrative")
        current = found[1] if found else None
    result = preview(svc.campaign, unit, workbook, narrative, current, workbook_name=workbook_name, narrative_name=narrative_name)
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


@bp.post("/<token>/xac-nhan-bao-cao")
def confirm_submission(token: str):
    """The unit confirms its latest valid version: who signs, the document's số and ngày, and
    optionally its signed report (PDF). The deadline applies to this act."""
    svc, unit = _unit_for(token)
    form = request.form
    pdf_file = request.files.get("ban_ky")
    pdf, pdf_name = None, ""
    if pdf_file is not None and pdf_file.filename:
        pdf_name = pdf_file.filename
        pdf, _ = _read(pdf_file, settings().upload_max_bytes)
    try:
        svc.confirm_submission(
            unit.code,
            name=form.get("ho_ten", ""),
            position=form.get("chuc_vu", ""),
            doc_number=form.get("so_ky_hieu", ""),
            doc_date=form.get("ngay", ""),
            signed_pdf=pdf,
            pdf_filename=pdf_name,
        )
    except SonketError as exc:
        context = _context(svc, unit, token)
        return render_template("unit.html", **context, confirm_error=exc.message + (" " + exc.fix if exc.fix else ""), confirm_form=form), 422
    flash("Đã xác nhận gửi báo cáo. Cơ quan tổng hợp sẽ xem và tiếp nhận hoặc trả lại kèm góp ý.", "ok")
    return redirect(url_for("units.page", token=token) + "#trang-thai", 303)


@bp.post("/<token>/ban-ky")
def attach_pdf(token: str):
    """The signed report (PDF) attached after the confirmation (signed later in e-office)."""
    svc, unit = _unit_for(token)
    pdf_file = request.files.get("ban_ky")
    if pdf_file is None or not pdf_file.filename:
        flash("Hãy chọn tệp PDF báo cáo đã ký.", "error")
        return redirect(url_for("units.page", token=token) + "#trang-thai", 303)
    data, _ = _read(pdf_file, settings().upload_max_bytes)
    try:
        svc.attach_signed_pdf(unit.code, data, pdf_file.filename)
    except SonketError as exc:
        flash(exc.message + (" " + exc.fix if exc.fix else ""), "error")
    else:
        flash("Đã đính kèm báo cáo đã ký.", "ok")
    return redirect(url_for("units.page", token=token) + "#trang-thai", 303)


@bp.get("/<token>/viec/<int:job_id>")
def job(token: str, job_id: int):
    svc, unit = _unit_for(token)
    try:
        job = svc.queries.job(job_id)
    except JobNotFound:
        abort(404)
    if job.kind != "accept_upload" or job.params.get("unit") != unit.code:
        abort(404)
    finished = job.state in ("done", "failed", "interrupted")
    accepted = bool((job.result or {}).get("accepted"))
    data = {
        "id": job.id,
        "state": job.state,
        "state_label": job_state_label(job.state),
        "done": job.progress_done,
        "total": job.progress_total,
        "label": job.progress_label,
        "step": job.progress_label if not finished else "",
        "finished": finished,
        "error": (job.error or {}).get("message"),
        "accepted": accepted if job.state == "done" else None,
        "result": _upload_outcome(svc, unit.code, job) if job.state == "done" else "",
        "links": [{"label": "Xem lại trang của đơn vị", "url": url_for("units.page", token=token)}] if job.state == "done" else [],
    }
    return jsonify(data)


def _upload_outcome(svc, code: str, job) -> str:
    """Whether the file was taken, in the unit's words (not only "Xong")."""
    result = job.result or {}
    if result.get("accepted"):
        if result.get("versions_added"):
            return "Đã nhận tệp: số liệu được lưu thành phiên bản mới. Bước tiếp theo: xác nhận gửi báo cáo."
        return "Đã nhận tệp; nội dung giống bản đã lưu nên không có phiên bản mới."
    errors = [p.message for p in svc.queries.problems(code) if p.severity == "error"][:3]
    return "Tệp chưa được nhận" + (": " + " ".join(errors) if errors else ".") + " Bản hợp lệ gần nhất vẫn được giữ."

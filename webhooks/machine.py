"""Endpoints machines call: health checks, the nightly ``POST /sync`` trigger, and Drive push
notifications. They are exempt from CSRF and authenticate themselves: a bearer secret or a
Google-signed OIDC token for /sync, a known channel with its token for notifications.
Each answers in milliseconds: at most a few store reads and one enqueue.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import Blueprint, g, jsonify, request

from sonket_gsync.core.text import now

from .helpers import service, settings
from .oidc import TokenRefused, verify_scheduler_token

bp = Blueprint("machine", __name__)
CHANGE_STATES = {"change", "changed", "update", "add", "remove", "trash", "untrash"}


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    cfg = settings()
    checks: dict[str, str] = {}
    ok = True
    svc = service()
    try:
        svc.queries.last_run()
        checks["store"] = "ok"
    except Exception as exc:  # any failure to read means not ready
        checks["store"] = f"không đọc được kho dữ liệu ({type(exc).__name__})"
        ok = False
    try:
        if not svc.campaign.units:
            raise ValueError("no units")
        checks["campaign"] = "ok"
    except Exception:
        checks["campaign"] = "chiến dịch không có đơn vị nào"
        ok = False
    try:
        beat = svc.queries.worker_seen_at()
    except Exception as exc:
        beat, checks["worker"] = None, f"không đọc được nhịp của worker ({type(exc).__name__})"
    if beat is None:
        checks.setdefault("worker", "chưa có worker nào chạy")
        ok = False
    elif now() - beat > timedelta(seconds=cfg.heartbeat_max_seconds):
        checks["worker"] = f"worker im lặng từ {beat.isoformat()}"
        ok = False
    else:
        checks["worker"] = "ok"
    return jsonify(status="ok" if ok else "not ready", checks=checks), 200 if ok else 503


@bp.post("/sync")
def sync_trigger():
    """The nightly trigger: cron with the bearer secret, or Cloud Scheduler with OIDC."""
    cfg = settings()
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _refuse(401, "Thiếu mã xác thực (Authorization: Bearer …).")
    token = token.strip()
    if cfg.sync_secret and hmac.compare_digest(token.encode(), cfg.sync_secret.encode()):
        caller = "bearer"
    elif token.count(".") == 2 and cfg.oidc_audience:
        try:
            claims = verify_scheduler_token(token, cfg)
        except TokenRefused as exc:
            g.log_note = exc.reason  # on the request's one log line
            return _refuse(exc.status, exc.message)
        caller = str(claims.get("email"))
    else:
        return _refuse(401, "Mã xác thực không hợp lệ.")
    job = service().enqueue("sync", {"trigger": "scheduler"}, requested_by=caller)
    return jsonify(job=job.id, state=job.state), 202


def _refuse(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sonket-gsync"'
    return response


@bp.post("/drive/notifications")
def drive_notification():
    """A Drive ``changes.watch`` delivery. Only a known, live channel with its token and
    resource id counts; ``sync`` (the channel's first message) and repeats are acknowledged
    and ignored; a change enqueues one delayed sync that later ones join."""
    headers = request.headers
    channel_id = headers.get("X-Goog-Channel-ID", "")
    token = headers.get("X-Goog-Channel-Token", "")
    resource_id = headers.get("X-Goog-Resource-ID", "")
    state = headers.get("X-Goog-Resource-State", "").lower()
    number = headers.get("X-Goog-Message-Number", "")
    if not channel_id or len(channel_id) > 64 or len(token) > 256:
        return _no("unknown channel")
    svc = service()
    channel = _live_channel(svc, channel_id)
    if channel is None:
        return _no("unknown channel")
    if not (token and hmac.compare_digest(token.encode(), channel.token.encode())):
        return _no("bad channel token", 403)
    if not hmac.compare_digest(resource_id.encode(), channel.resource_id.encode()):
        return _no("wrong resource", 403)
    if state == "sync":
        return ("", 204)
    if state not in CHANGE_STATES:
        return _no("unknown resource state")
    if not number.isdigit():
        return _no("bad message number")
    if not svc.note_notification(channel_id, int(number)):
        return ("", 204)  # a repeat delivery
    delay = settings().notification_delay_seconds
    svc.enqueue("sync", {"trigger": "push"}, requested_by="drive", delay_seconds=delay)
    return ("", 204)


def _live_channel(svc, channel_id: str):
    """The channel if it is known, not stopped and not expired (Google stops delivering at
    its expiration; a late or forged delivery on an expired channel is refused)."""
    moment = now()
    for channel in svc.queries.channels():
        if channel.channel_id == channel_id and channel.stopped_at is None:
            return channel if channel.expiration is None or channel.expiration > moment else None
    return None


def _no(reason: str, status: int = 404):
    g.log_note = reason  # on the request's one log line
    return jsonify(error=reason), status

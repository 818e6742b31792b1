"""The web service staff and units use: a Flask app over CampaignService.

Routes only read through the query side (``service.queries``) and enqueue jobs
(``service.enqueue``); syncing, compiling and accepting uploads run in the worker
(``sonket-gsync worker``, or the worker thread of ``sonket-gsync serve``). No Google call and
no long work happens inside a request.

``create_app(settings=None)``: gunicorn serves ``webhooks:create_app()`` (settings from the
environment); tests and ``serve`` pass their own settings (and may pass a service).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from sonket_gsync.core.errors import SonketError
from sonket_gsync.core.settings import Settings

from .helpers import register_filters

log = logging.getLogger("sonket_gsync.web")
csrf = CSRFProtect()
_TOKEN_PATH = re.compile(r"^/u/[^/]+")
SECURITY_HEADERS = {
    # A unit's link carries its token: never send it on to Google or anywhere else.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


def create_app(settings: Settings | None = None, *, service=None) -> Flask:
    settings = settings or Settings.from_env()
    if not logging.getLogger().handlers:  # under gunicorn: one line per request on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if service is None:
        from sonket_gsync.app.service import CampaignService

        service = CampaignService.open(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or _local_secret(settings.data_dir),
        SESSION_COOKIE_NAME="sonket_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cookies_secure(settings),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=cookies_secure(settings),
        # Two files (workbook + narrative) at most, plus the form fields.
        MAX_CONTENT_LENGTH=2 * settings.upload_max_bytes + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=False,  # SameSite cookies already stop cross-site posts
    )
    app.extensions["sonket"] = service
    app.extensions["sonket_settings"] = settings
    csrf.init_app(app)
    register_filters(app)

    from . import auth, machine, staff, unit_pages

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(unit_pages.bp)
    app.register_blueprint(machine.bp)
    csrf.exempt(machine.bp)  # machine endpoints authenticate with a bearer/OIDC or a channel token

    _request_log(app)
    _error_pages(app)
    return app


def cookies_secure(settings: Settings) -> bool:
    if settings.cookie_secure == "auto":
        return settings.public_base_url.startswith("https://")
    return settings.cookie_secure == "yes"


def _local_secret(data_dir: Path) -> str:
    """A random session key kept beside the store, so sessions survive a restart."""
    path = Path(data_dir) / ".secret-key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = path.with_name(f".secret-key.{secrets.token_hex(4)}")
    tmp.write_text(key, encoding="ascii")
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # atomic: never a half-written key
    except FileExistsError:
        pass  # another process wrote it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def _request_log(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        # One line per request; unit tokens never reach the log.
        path = _TOKEN_PATH.sub("/u/…", request.path)
        ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        note = g.get("log_note", "")
        log.info("%s %s %s %.1fms%s", request.method, path, response.status_code, ms, f" ({note})" if note else "")
        return response


def _error_pages(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith(("/api/", "/sync", "/drive/")) or request.accept_mimetypes.best == "application/json"

    def page(status: int, title: str, message: str, fix: str = ""):
        if wants_json():
            return jsonify(error=title, message=message, fix=fix), status
        return render_template("error.html", title=title, message=message, fix=fix), status

    @app.errorhandler(SonketError)
    def _sonket(exc: SonketError):
        status = getattr(exc, "http_status", None) or (503 if exc.retryable else 400)
        return page(status, "Không thực hiện được", exc.message, exc.fix)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return page(400, "Phiên làm việc đã hết hạn", "Biểu mẫu không còn hợp lệ (thiếu hoặc sai mã bảo vệ CSRF).", "Tải lại trang rồi thử lại.")

    @app.errorhandler(404)
    def _missing(exc):
        return page(404, "Không tìm thấy trang", "Đường dẫn không đúng hoặc đã hết hiệu lực.", "Kiểm tra lại đường dẫn hoặc mã QR.")

    @app.errorhandler(403)
    def _forbidden(exc):
        return page(403, "Không có quyền", "Bạn không có quyền xem trang này.")

    @app.errorhandler(413)
    def _too_large(exc):
        limit = app.extensions["sonket_settings"].upload_max_bytes
        return page(
            413, "Tệp quá lớn", f"Tệp tải lên vượt quá giới hạn {limit // 1_000_000} MB.", "Xóa nội dung thừa (ảnh, trang tính không dùng) rồi tải lên lại."
        )

    @app.errorhandler(429)
    def _throttled(exc):
        return page(429, "Thử lại sau", "Đăng nhập sai quá nhiều lần.", "Chờ 15 phút rồi thử lại, hoặc liên hệ quản trị hệ thống.")

    @app.errorhandler(500)
    def _bug(exc):
        return page(500, "Lỗi hệ thống", "Đã có lỗi không lường trước khi xử lý yêu cầu.", "Thử lại; nếu lỗi lặp lại, báo cho quản trị hệ thống.")

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

from flask import Flask, g, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response as BaseResponse

from sonket_gsync.core.errors import SonketError
from sonket_gsync.core.settings import Settings

from .helpers import error_page, register_filters

log = logging.getLogger("sonket_gsync.web")
csrf = CSRFProtect()
_TOKEN_PATH = re.compile(r"^/u/[^/]+")
# A unit's token wherever a log line carries a path (an access line, a request line, an error).
_TOKEN_IN_TEXT = re.compile(r"/u/[^/\s?#\"']+")
# Loggers whose lines may carry a request path: Werkzeug's (serve), gunicorn's, Flask's own.
_PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "sonket_gsync")
SECURITY_HEADERS = {
    # A unit's link carries its token: never send it on to Google or anywhere else.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


class MaskUnitTokens(logging.Filter):
    """Masks /u/<token> in a log line, whoever writes it (an access log prints the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        masked = _TOKEN_IN_TEXT.sub("/u/…", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


MASK = MaskUnitTokens()


def mask_tokens_in_logs(*names: str) -> None:
    """Install the token mask on the loggers that print request paths (idempotent)."""
    for name in names or _PATH_LOGGERS:
        logger = logging.getLogger(name)
        if MASK not in logger.filters:
            logger.addFilter(MASK)


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler for ``serve``: no ``Server: Werkzeug/… Python/…`` header,
    and the access line with unit tokens masked."""

    server_version = "sonket-gsync"

    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.requestline = _TOKEN_IN_TEXT.sub("/u/…", self.requestline)
        super().log_request(code, size)


class SonketFlask(Flask):
    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """A redirect whose body (seen only if the browser does not follow it) is Vietnamese."""
        response = super().redirect(location, code)
        target = escape(response.headers.get("Location", location))
        response.set_data(f'<!doctype html>\n<html lang="vi"><title>Đang chuyển trang…</title><p>Đang chuyển đến <a href="{target}">{target}</a>.</p></html>\n')
        return response


def create_app(settings: Settings | None = None, *, service=None) -> Flask:
    settings = settings or Settings.from_env()
    if not logging.getLogger().handlers:  # under gunicorn: one line per request on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if service is None:
        from sonket_gsync.app.service import CampaignService

        service = CampaignService.open(settings)
    mask_tokens_in_logs()
    app = SonketFlask(__name__)
    app.logger.addFilter(MASK)  # Flask's "Exception on /u/<token> [GET]"
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
        if request.endpoint != "static":
            # Staff pages show unit links, unit pages a unit's data: never kept in a cache, so
            # Back after sign-out shows nothing.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        note = g.get("log_note", "")
        log.info("%s %s %s %.1fms%s", request.method, path, response.status_code, ms, f" ({note})" if note else "")
        return response


# Every HTTP error a person may meet, in Vietnamese: (title, what happened, what to do).
HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Máy chủ không hiểu yêu cầu (thiếu hoặc sai thông tin).", "Quay lại trang trước rồi thử lại."),
    401: ("Cần xác thực", "Yêu cầu này cần đăng nhập hoặc mã xác thực.", "Đăng nhập rồi thử lại."),
    403: ("Không có quyền", "Bạn không có quyền thực hiện việc này.", ""),
    404: ("Không tìm thấy trang", "Đường dẫn không đúng hoặc đã hết hiệu lực.", "Kiểm tra lại đường dẫn hoặc mã QR."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận cách gửi yêu cầu vừa dùng.", "Mở trang bằng đường dẫn hoặc nút trên trang."),
    410: ("Đường dẫn đã hết hiệu lực", "Đường dẫn này không còn dùng được.", "Liên hệ cơ quan tổng hợp để nhận đường dẫn mới."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt quá giới hạn.", "Xóa nội dung thừa (ảnh, trang tính không dùng) rồi tải lên lại."),
    429: ("Thử lại sau", "Có quá nhiều yêu cầu trong thời gian ngắn.", "Chờ vài phút rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi không lường trước khi xử lý yêu cầu.", "Thử lại; nếu lỗi lặp lại, báo cho quản trị hệ thống."),
}


def _error_pages(app: Flask) -> None:
    @app.errorhandler(SonketError)
    def _sonket(exc: SonketError):
        status = getattr(exc, "http_status", None) or (503 if exc.retryable else 400)
        return error_page(status, "Không thực hiện được", exc.message, exc.fix)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(400, "Phiên làm việc đã hết hạn", "Biểu mẫu không còn hợp lệ (thiếu hoặc sai mã bảo vệ CSRF).", "Tải lại trang rồi thử lại.")

    @app.errorhandler(413)
    def _too_large(exc):
        limit = app.extensions["sonket_settings"].upload_max_bytes
        title, _, fix = HTTP_ERRORS[413]
        return error_page(413, title, f"Tệp tải lên vượt quá giới hạn {limit // 1_000_000} MB mỗi tệp.", fix)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        title, message, fix = HTTP_ERRORS.get(status, (f"Lỗi {status}", "Không xử lý được yêu cầu.", "Quay lại trang trước rồi thử lại."))
        response = error_page(status, title, message, fix)
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def _bug(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        app.logger.error("unexpected error on %s %s", request.method, request.path, exc_info=exc)
        title, message, fix = HTTP_ERRORS[500]
        return error_page(500, title, message, fix)

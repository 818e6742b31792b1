"""Staff sign-in: accounts in the store with Werkzeug-hashed passwords (``sonket-gsync staff
add``), optionally Google sign-in restricted to listed emails (Authlib). A throttle refuses
sign-in after repeated failures from one address or for one account. Units never sign in:
they reach only their own page through its unguessable link.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from .helpers import service, settings

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
GOOGLE_PREFIX = "google:"
# A hash to compare against when the email is unknown, so both refusals take the same time.
_DUMMY_HASH = generate_password_hash("sonket-gsync: no such account")


@dataclass
class StaffUser(UserMixin):
    email: str
    name: str

    def get_id(self) -> str:
        return self.email


class Throttle:
    """At most ``limit`` failed sign-ins per key within ``window`` seconds (per process)."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(time.monotonic())

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        cutoff = time.monotonic() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để xem trang này."
    login_manager.session_protection = "strong"
    app.extensions["sonket_throttle"] = Throttle()
    cfg = app.extensions["sonket_settings"]
    if cfg.staff_google_client_id:
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
        oauth.register(
            "google",
            client_id=cfg.staff_google_client_id,
            client_secret=cfg.staff_google_client_secret,
            server_metadata_url=cfg.staff_google_metadata_url,
            client_kwargs={"scope": "openid email profile"},
        )
        app.extensions["sonket_oauth"] = oauth


@login_manager.user_loader
def _load(user_id: str) -> StaffUser | None:
    if user_id.startswith(GOOGLE_PREFIX):
        email = user_id[len(GOOGLE_PREFIX) :]
        if email.casefold() in settings().staff_google_email_list:
            return _GoogleUser(email, email)
        return None  # removed from the list: the session ends
    staff = service().queries.staff_account(user_id)
    return StaffUser(staff.email, staff.name) if staff else None


class _GoogleUser(StaffUser):
    def get_id(self) -> str:
        return GOOGLE_PREFIX + self.email


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    google = "sonket_oauth" in current_app.extensions
    if request.method == "GET":
        return render_template("login.html", google=google)
    email = (request.form.get("email") or "").strip().casefold()
    password = request.form.get("password") or ""
    throttle: Throttle = current_app.extensions["sonket_throttle"]
    keys = ("ip:" + (request.remote_addr or ""), "email:" + email)
    if throttle.blocked(*keys):
        g.log_note = "sign-in throttled"
        abort(429)
    staff = service().queries.staff_account(email) if email else None
    ok = check_password_hash(staff.password_hash if staff else _DUMMY_HASH, password)
    if not (staff and ok):
        throttle.fail(*keys)
        flash("Email hoặc mật khẩu không đúng.", "error")
        return render_template("login.html", google=google, email=email), 401
    throttle.reset(keys[1])
    login_user(StaffUser(staff.email, staff.name))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/dang-nhap/google")
def google_login():
    oauth = current_app.extensions.get("sonket_oauth")
    if oauth is None:
        abort(404)
    base = settings().public_base_url.rstrip("/")  # behind a proxy (Cloud Run) the request says http
    callback = base + url_for("auth.google_callback") if base else url_for("auth.google_callback", _external=True)
    return oauth.google.authorize_redirect(callback)


@bp.route("/dang-nhap/google/xong")
def google_callback():
    oauth = current_app.extensions.get("sonket_oauth")
    if oauth is None:
        abort(404)
    try:
        token = oauth.google.authorize_access_token()
    except Exception as exc:  # Authlib raises its own errors for a refused or forged answer
        g.log_note = f"google sign-in refused: {type(exc).__name__}"
        flash("Đăng nhập Google không thành công. Hãy thử lại.", "error")
        return redirect(url_for("auth.login"))
    info = token.get("userinfo") or {}
    email = str(info.get("email", "")).casefold()
    if not (email and info.get("email_verified") is True and email in settings().staff_google_email_list):
        flash("Tài khoản Google này không có trong danh sách cán bộ được phép đăng nhập.", "error")
        return redirect(url_for("auth.login"))
    login_user(_GoogleUser(email, info.get("name") or email))
    return redirect(url_for("staff.dashboard"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("staff.dashboard")

"""Staff sign-in: accounts in the store with Werkzeug-hashed passwords (``sonket-gsync staff
add``), optionally Google sign-in restricted to listed emails (Authlib). Units never sign in:
they reach only their own page through its unguessable link.

Sessions can be ended: each account has a session version in the store, kept in the session
at sign-in and checked on every request; sign-out, a new password, ``staff disable`` and
``staff remove`` move it on (or remove the account), so every session of the account ends,
on every device.

The sign-in throttle lives in the store, so every process and worker shares it and a restart
does not lift it. It slows rather than locks: failures are counted per address and per
account; past a few, the key waits an exponentially growing time (an address up to 15
minutes, an account at most a minute). The account's wait applies only to devices that have
not signed in to that account before (a signed ``sonket_device`` cookie set at each
successful sign-in), so a stranger's wrong passwords cannot keep the real user out. Each
lockout is written to the log and to the store's audit trail.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .helpers import error_page, service, settings

log = logging.getLogger("sonket_gsync.web.auth")
bp = Blueprint("auth", __name__)
login_manager = LoginManager()
GOOGLE_PREFIX = "google:"
SESSION_VERSION = "sonket_sv"  # the account's session version when this session signed in
DEVICE_COOKIE = "sonket_device"
DEVICE_DAYS = 180
# A hash to compare against when the email is unknown, so both refusals take the same time.
_DUMMY_HASH = generate_password_hash("sonket-gsync: no such account")


@dataclass(frozen=True)
class Backoff:
    """After ``free`` failures within ``window`` seconds, each further failure makes the key
    wait ``first`` seconds, doubled each time, at most ``cap``."""

    free: int
    first: float
    cap: float
    window: float = 900.0

    def __call__(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.cap, self.first * 2 ** min(failures - self.free, 30))


ADDRESS_BACKOFF = Backoff(free=5, first=15.0, cap=900.0)
ACCOUNT_BACKOFF = Backoff(free=5, first=5.0, cap=60.0)


@dataclass
class StaffUser(UserMixin):
    email: str
    name: str

    def get_id(self) -> str:
        return self.email


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để xem trang này."
    login_manager.session_protection = "strong"
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
    google = user_id.startswith(GOOGLE_PREFIX)
    email = user_id[len(GOOGLE_PREFIX) :] if google else user_id
    if google and email.casefold() not in settings().staff_google_email_list:
        return None  # removed from the list: the session ends
    staff = service().queries.staff_account(email)
    if staff is None or staff.disabled_at is not None or session.get(SESSION_VERSION) != staff.session_version:
        return None  # removed, disabled, signed out elsewhere or a new password: the session ends
    return _GoogleUser(staff.email, staff.name) if google else StaffUser(staff.email, staff.name)


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
    svc = service()
    address = request.remote_addr or ""
    known_device = bool(email) and _device_email() == email
    address_key, account_key = "ip:" + address, "account:" + email
    keys = [address_key] if known_device or not email else [address_key, account_key]
    moment = svc.queries.now()
    wait = max((t.blocked_until - moment for t in svc.queries.signin_throttle(keys).values()), default=0.0)
    if wait > 0:
        g.log_note = "sign-in throttled"
        seconds = math.ceil(wait)
        response = error_page(
            429,
            "Thử lại sau",
            "Đăng nhập sai nhiều lần liên tiếp nên tạm thời phải chờ.",
            f"Chờ khoảng {_duration(seconds)} rồi thử lại; nếu quên mật khẩu, liên hệ quản trị hệ thống.",
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    staff = svc.queries.staff_account(email) if email else None
    ok = check_password_hash(staff.password_hash if staff and staff.password_hash else _DUMMY_HASH, password)
    if not (staff and staff.password_hash and ok):  # a Google sign-in account has no password
        _count_failure(svc, address_key, ADDRESS_BACKOFF, moment)
        if email:
            _count_failure(svc, account_key, ACCOUNT_BACKOFF, moment)
        flash("Email hoặc mật khẩu không đúng.", "error")
        return render_template("login.html", google=google, email=email), 401
    if staff.disabled_at is not None:
        g.log_note = "disabled account"
        flash("Tài khoản này đã bị vô hiệu hóa. Liên hệ quản trị hệ thống.", "error")
        return render_template("login.html", google=google, email=email), 403
    svc.clear_signin_failures([address_key] if known_device else [address_key, account_key])
    login_user(StaffUser(staff.email, staff.name))
    session[SESSION_VERSION] = staff.session_version
    signed_in = redirect(_safe_next(request.args.get("next")))
    _remember_device(signed_in, staff.email)
    return signed_in


def _count_failure(svc, key: str, policy: Backoff, moment: float) -> None:
    state = svc.note_signin_failure(key, window=policy.window, backoff=policy)
    if state.blocked_until > moment:
        wait = round(state.blocked_until - moment)
        log.warning("sign-in lockout: %s waits %ds after %d failed attempts", key, wait, state.failures)
        svc.audit("signin_lockout", key, f"{state.failures} lần sai; chờ {wait} giây", by="ip:" + (request.remote_addr or ""))


def _duration(seconds: int) -> str:
    return f"{seconds} giây" if seconds < 90 else f"{math.ceil(seconds / 60)} phút"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sonket-device")


def _device_email() -> str:
    """The account this browser signed in to before (a signed cookie), or ""."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw:
        return ""
    try:
        return str(_devices().loads(raw, max_age=DEVICE_DAYS * 86400))
    except BadSignature:
        return ""


def _remember_device(response, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(email),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        path=url_for("auth.login"),
    )


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    service().end_staff_sessions(current_user.email)  # every session of this account, on every device (Google ones too)
    logout_user()
    session.pop(SESSION_VERSION, None)
    flash("Đã đăng xuất.", "ok")
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
    staff = service().google_staff(email, str(info.get("name") or email))
    if staff.disabled_at is not None:
        flash("Tài khoản này đã bị vô hiệu hóa. Liên hệ quản trị hệ thống.", "error")
        return redirect(url_for("auth.login"))
    login_user(_GoogleUser(staff.email, staff.name))
    session[SESSION_VERSION] = staff.session_version
    return redirect(url_for("staff.dashboard"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect, never a header split."""
    fallback = url_for("staff.dashboard")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(c) < 33 or ord(c) == 127 for c in target):  # CR, LF, other controls, spaces
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:
        return fallback
    return target if not (parts.scheme or parts.netloc) else fallback

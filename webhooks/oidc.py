"""Verifying the OIDC ID token Cloud Scheduler sends with ``POST /sync``.

google-auth checks the signature against the certificates at ``oidc_certs_url`` and the
expiry; it checks the audience only when one is given (``audience=None`` skips it), and it
checks neither the issuer (with ``verify_token``) nor ``email``/``email_verified``: those
are checked here.

Before any certificate is fetched, the token must parse as a JWT that could be Google's (an
RS256 header with a key id, Google's issuer, an audience): anything else is refused without a
network call. Certificates are kept in process for as long as Google's ``Cache-Control:
max-age`` says (an hour when it says nothing), and fetched again early only for an unknown key
id, at most once a minute.
"""

from __future__ import annotations

import base64
import json
import re
import threading

from google.auth import exceptions as google_exceptions
from google.auth import jwt
from google.auth.transport import requests as google_requests

from sonket_gsync.core.clock import SYSTEM, Clock
from sonket_gsync.core.settings import Settings

ISSUERS = {"accounts.google.com", "https://accounts.google.com"}
DEFAULT_CERTS_SECONDS = 3600.0
UNKNOWN_KID_REFETCH_SECONDS = 60.0
_session = None
_certs: dict[str, tuple[dict, float, float]] = {}  # url → (certs, fetched at, good for seconds)
_certs_lock = threading.Lock()
clock: Clock = SYSTEM


class TokenRefused(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason  # English, for the log (never the token)
        self.message = message  # Vietnamese, for the caller


def verify_scheduler_token(token: str, settings: Settings) -> dict:
    if not settings.oidc_audience:  # never verify without an audience
        raise TokenRefused(401, "no audience configured", "Máy chủ chưa cấu hình xác thực OIDC.")
    kid = _google_shaped(token)
    try:
        certs = _certificates(settings.oidc_certs_url, kid)
        claims = dict(jwt.decode(token, certs=certs, audience=settings.oidc_audience, clock_skew_in_seconds=10))
    except google_exceptions.TransportError:
        raise TokenRefused(503, "certificates unreachable", "Không tải được chứng chỉ để kiểm tra mã; thử lại sau.") from None
    except (ValueError, google_exceptions.GoogleAuthError) as exc:
        raise TokenRefused(401, f"invalid token ({type(exc).__name__}: {str(exc)[:80]})", "Mã OIDC không hợp lệ hoặc đã hết hạn.") from None
    if claims.get("iss") not in ISSUERS:
        raise TokenRefused(401, "wrong issuer", "Mã OIDC không do Google cấp.")
    email = str(claims.get("email", "")).casefold()
    if not email or email not in settings.oidc_email_list:
        raise TokenRefused(403, "email not allowed", "Tài khoản gọi không có trong danh sách được phép.")
    if claims.get("email_verified") is not True:
        raise TokenRefused(403, "email not verified", "Email của tài khoản gọi chưa được xác minh.")
    return claims


def _google_shaped(token: str) -> str:
    """The token's key id if it parses as a JWT Google could have issued; else refused."""
    parts = token.split(".")
    try:
        header, payload = (json.loads(_b64(p)) for p in parts[:2])
    except (ValueError, UnicodeDecodeError):
        header = payload = None
    if not (len(parts) == 3 and isinstance(header, dict) and isinstance(payload, dict)):
        raise TokenRefused(401, "not a JWT", "Mã xác thực không hợp lệ.")
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise TokenRefused(401, "not a Google-signed JWT", "Mã OIDC không do Google cấp.")
    if payload.get("iss") not in ISSUERS or not payload.get("aud"):
        raise TokenRefused(401, "wrong issuer", "Mã OIDC không do Google cấp.")
    return kid


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _certificates(url: str, kid: str) -> dict:
    """Google's certificates, from the in-process cache while they are fresh."""
    with _certs_lock:
        moment = clock.monotonic()
        cached = _certs.get(url)
        if cached is not None:
            certs, fetched, good_for = cached
            fresh = moment - fetched < good_for
            if fresh and (kid in certs or moment - fetched < UNKNOWN_KID_REFETCH_SECONDS):
                return certs
        response = _request()(url, method="GET")
        if response.status != 200:
            raise google_exceptions.TransportError(f"certificates answered {response.status}")
        certs = json.loads(response.data.decode("utf-8"))
        _certs[url] = (certs, moment, _max_age(response.headers.get("Cache-Control", "")))
        return certs


def _max_age(cache_control: str) -> float:
    found = re.search(r"max-age=(\d+)", cache_control or "")
    return float(found.group(1)) if found else DEFAULT_CERTS_SECONDS


def _request():
    global _session
    if _session is None:
        import requests

        _session = requests.Session()
    return google_requests.Request(session=_session)

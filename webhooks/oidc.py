"""Verifying the OIDC ID token Cloud Scheduler sends with ``POST /sync``.

google-auth checks the signature against the certificates at ``oidc_certs_url`` and the
expiry; it checks the audience only when one is given (``audience=None`` skips it), and it
checks neither the issuer (with ``verify_token``) nor ``email``/``email_verified``: those
are checked here.
"""

from __future__ import annotations

from google.auth import exceptions as google_exceptions
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

from sonket_gsync.core.settings import Settings

ISSUERS = {"accounts.google.com", "https://accounts.google.com"}
_session = None


class TokenRefused(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason  # English, for the log (never the token)
        self.message = message  # Vietnamese, for the caller


def verify_scheduler_token(token: str, settings: Settings) -> dict:
    if not settings.oidc_audience:  # never verify without an audience
        raise TokenRefused(401, "no audience configured", "Máy chủ chưa cấu hình xác thực OIDC.")
    try:
        claims = dict(id_token.verify_token(token, _request(), audience=settings.oidc_audience, certs_url=settings.oidc_certs_url, clock_skew_in_seconds=10))
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


def _request():
    global _session
    if _session is None:
        import requests

        _session = requests.Session()
    return google_requests.Request(session=_session)

"""Credentials for the Google backend (google-auth).

Sources, in order:

1. Emulator (``SONKET_GOOGLE_ENDPOINT`` set): a static bearer token
   (``SONKET_GOOGLE_TOKEN``), no OAuth exchange at all.
2. A service-account key file (``SONKET_GOOGLE_CREDENTIALS``), optionally impersonating a
   user with domain-wide delegation (``SONKET_GOOGLE_SUBJECT``).
3. Application Default Credentials (``gcloud auth application-default login``, the metadata
   server, workload identity), also with an optional subject when they are a service account.

Scopes — least privilege:

* ``drive.file`` instead of ``drive``: the service only ever touches files it created itself
  (the campaign folder tree, the units' Sheets and Docs, the outputs), and finds them again by
  ``appProperties``. ``drive.file`` grants exactly that: the rest of the Shared Drive and of
  anybody's Drive stays invisible to it, so a leaked key cannot read other documents. Files
  stay "created by this app" when units edit them, so listing, exporting and updating keep
  working. The price: files created by another OAuth client / another service account are not
  seen — moving a campaign to new credentials means re-provisioning (or widening the scope).
* ``spreadsheets``: Sheets v4 calls (batchUpdate, values.batchGet/batchUpdate). The Sheets API
  also accepts ``drive.file`` for app-created files, but ``spreadsheets`` keeps reads working
  when staff replace a unit's spreadsheet by hand (restored from a copy, fixed offline and
  re-uploaded by a person) — files the app did not create. It gives no Drive access (no
  listing, no sharing, no deleting), so it widens only what a key can read in Sheets.
"""

from __future__ import annotations

from typing import Any

from sonket_gsync.core.errors import AuthError
from sonket_gsync.core.settings import Settings

SCOPES = (
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/spreadsheets",
)


def load_credentials(settings: Settings, scopes: tuple[str, ...] = SCOPES) -> Any:
    """google-auth credentials for ``settings``; raises ``AuthError`` (Vietnamese) on failure."""
    if settings.google_endpoint:
        from google.oauth2.credentials import Credentials

        return Credentials(token=settings.google_token)
    subject = settings.google_subject.strip() or None
    if settings.google_credentials:
        return _from_key_file(str(settings.google_credentials), scopes, subject)
    return _from_adc(scopes, subject)


def _from_key_file(path: str, scopes: tuple[str, ...], subject: str | None) -> Any:
    from google.oauth2 import service_account

    try:
        return service_account.Credentials.from_service_account_file(path, scopes=list(scopes), subject=subject)
    except FileNotFoundError:
        raise AuthError(
            "Không tìm thấy tệp khóa tài khoản dịch vụ Google.",
            where=f"SONKET_GOOGLE_CREDENTIALS = {path}",
            fix="Tải tệp khóa JSON của tài khoản dịch vụ từ Google Cloud Console và chỉ đường dẫn đúng tới tệp.",
        ) from None
    except (ValueError, KeyError, OSError):
        # The exception text may quote the key: never pass it on.
        raise AuthError(
            "Tệp khóa tài khoản dịch vụ Google không hợp lệ (không phải khóa JSON của tài khoản dịch vụ).",
            where=f"SONKET_GOOGLE_CREDENTIALS = {path}",
            fix="Tạo khóa mới dạng JSON cho tài khoản dịch vụ (IAM > Service accounts > Keys) và dùng tệp đó.",
        ) from None


def _from_adc(scopes: tuple[str, ...], subject: str | None) -> Any:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _project = google.auth.default(scopes=list(scopes))
    except DefaultCredentialsError:
        raise AuthError(
            "Không tìm thấy thông tin xác thực Google (Application Default Credentials).",
            where="SONKET_GOOGLE_CREDENTIALS (chưa đặt)",
            fix="Đặt SONKET_GOOGLE_CREDENTIALS là đường dẫn tệp khóa tài khoản dịch vụ, hoặc chạy 'gcloud auth application-default login' trên máy chủ.",
        ) from None
    if subject:
        if not hasattr(credentials, "with_subject"):
            raise AuthError(
                "Ủy quyền toàn miền (SONKET_GOOGLE_SUBJECT) chỉ dùng được với tài khoản dịch vụ.",
                where="SONKET_GOOGLE_SUBJECT",
                fix="Đặt SONKET_GOOGLE_CREDENTIALS là tệp khóa tài khoản dịch vụ, hoặc bỏ SONKET_GOOGLE_SUBJECT.",
            )
        credentials = credentials.with_subject(subject)
    return credentials


def account_email(credentials: Any, settings: Settings) -> str:
    """The account the service acts as (for protected-range editors); '' if unknown."""
    if settings.google_endpoint:
        return ""
    if settings.google_subject.strip():
        return settings.google_subject.strip()
    email = getattr(credentials, "service_account_email", "") or ""
    return email if "@" in email else ""

"""Email through the configured SMTP server (SONKET_SMTP_*): Workspace's SMTP relay or any
mail server. The standard library only (smtplib, email.message.EmailMessage): UTF-8 bodies,
encoded headers, a Message-ID and a Date; STARTTLS, SSL or none, and a login when one is set.

One ``Mailer`` is one connection for a run of messages. What can go wrong, and what it means:

- the server cannot be reached, drops the connection, or answers 4xx (a passing condition):
  ``MailUnavailable`` (temporary): the run stops and is tried again later;
- the server refuses a message's recipients or content with 5xx: ``MailRefused`` for that one
  message (the caller records it failed and goes on with the next);
- the server refuses the login or the sender: ``MailConfigError`` (the settings must change).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from types import TracebackType

from sonket_gsync.core.errors import ConfigError, PermanentError, RetryableError
from sonket_gsync.core.settings import Settings

TIMEOUT_SECONDS = 30.0


class MailUnavailable(RetryableError):
    """The mail server could not be reached or asked to try later (4xx)."""


class MailRefused(PermanentError):
    """The mail server refused this message for good (5xx): its recipients or its content."""


class MailConfigError(ConfigError):
    """The mail settings are missing or refused (login, sender)."""


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(settings: Settings, mail: Mail, *, when=None) -> EmailMessage:
    """The message as it goes on the wire: UTF-8 text, encoded Vietnamese headers."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    if when is not None:
        message["Date"] = format_datetime(when)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.body, charset="utf-8")
    return message


def _where(settings: Settings) -> str:
    return f"máy chủ thư {settings.smtp_host}:{settings.smtp_port} (SONKET_SMTP_HOST, SONKET_SMTP_PORT)"


def unavailable(settings: Settings, detail: str) -> MailUnavailable:
    return MailUnavailable(
        f"Chưa gửi được thư nhắc: máy chủ thư không nhận lúc này ({detail}).",
        where=_where(settings),
        fix="Hệ thống sẽ tự thử lại sau; nếu lỗi kéo dài, kiểm tra máy chủ thư và các thiết lập SONKET_SMTP_*.",
    )


class Mailer:
    """One SMTP connection for a run of messages: ``with Mailer(settings) as m: m.send(mail)``."""

    def __init__(self, settings: Settings) -> None:
        if not mail_configured(settings):
            raise MailConfigError(
                "Chưa cấu hình máy chủ gửi thư nên không gửi được thư nhắc.",
                where="SONKET_SMTP_HOST",
                fix="Đặt SONKET_SMTP_HOST, SONKET_SMTP_FROM (và SONKET_SMTP_USER, SONKET_SMTP_PASSWORD nếu máy chủ yêu cầu đăng nhập); "
                "hoặc sao chép nội dung nhắc để gửi qua Zalo.",
            )
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        try:
            if s.smtp_security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS)
            self._smtp = smtp
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise MailConfigError(
                f"Máy chủ thư từ chối đăng nhập ({exc.smtp_code} {_text(exc.smtp_error)}).",
                where=_where(s) + ", tài khoản SONKET_SMTP_USER",
                fix="Kiểm tra SONKET_SMTP_USER và SONKET_SMTP_PASSWORD (với Google Workspace: mật khẩu ứng dụng, hoặc dùng SMTP relay theo địa chỉ IP).",
            ) from None
        except smtplib.SMTPNotSupportedError:
            self._close()
            raise MailConfigError(
                "Máy chủ thư không hỗ trợ STARTTLS hoặc đăng nhập như đã cấu hình.",
                where=_where(s) + ", SONKET_SMTP_SECURITY",
                fix="Dùng SONKET_SMTP_SECURITY=ssl (cổng 465) hoặc 'none' cho máy chủ thư nội bộ tin cậy.",
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._close()
            if 400 <= exc.smtp_code < 500:
                raise unavailable(s, f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
            raise MailConfigError(
                f"Máy chủ thư từ chối kết nối ({exc.smtp_code} {_text(exc.smtp_error)}).",
                where=_where(s),
                fix="Kiểm tra các thiết lập SONKET_SMTP_* với người quản trị máy chủ thư.",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, TLS failed, dropped
            self._close()
            raise unavailable(s, _describe(exc)) from None
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
        self._close()

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def send(self, mail: Mail, *, when=None) -> tuple[str, ...]:
        """Send one message; the recipients refused (the others got it). Raises MailRefused
        when every recipient or the message is refused for good, MailUnavailable when the
        server asks to try later or goes away."""
        if self._smtp is None:
            raise RuntimeError("Mailer.send outside its with-block")
        message = build_message(self.settings, mail, when=when)
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in exc.recipients.items())
            if all(code >= 500 for code in codes):
                raise MailRefused(f"Máy chủ thư từ chối người nhận ({detail}).", where=", ".join(mail.to), fix="Kiểm tra địa chỉ email của đơn vị.") from None
            raise unavailable(self.settings, detail) from None
        except smtplib.SMTPSenderRefused as exc:
            if 400 <= exc.smtp_code < 500:
                raise unavailable(self.settings, f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
            raise MailConfigError(
                f"Máy chủ thư từ chối địa chỉ người gửi {exc.sender} ({exc.smtp_code} {_text(exc.smtp_error)}).",
                where="SONKET_SMTP_FROM",
                fix="Dùng một địa chỉ người gửi máy chủ thư cho phép (thường là địa chỉ của tài khoản đăng nhập hoặc tên miền của cơ quan).",
            ) from None
        except smtplib.SMTPResponseException as exc:  # DATA refused, or another answer
            if 400 <= exc.smtp_code < 500:
                raise unavailable(self.settings, f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
            raise MailRefused(f"Máy chủ thư từ chối thư ({exc.smtp_code} {_text(exc.smtp_error)}).", where=", ".join(mail.to)) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise unavailable(self.settings, _describe(exc)) from None
        return tuple(sorted(refused))


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "không kết nối được"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "hết thời gian chờ"
    return f"{type(exc).__name__}: {exc}"


def valid_address(text: str) -> bool:
    """A plain ``name@domain`` address the message headers can carry."""
    try:
        Address(addr_spec=text)
    except (ValueError, IndexError):
        return False
    return "@" in text


def addresses(emails: Sequence[str]) -> tuple[str, ...]:
    return tuple(e for e in (x.strip() for x in emails) if e and valid_address(e))


__all__ = ["Mail", "MailConfigError", "MailRefused", "MailUnavailable", "Mailer", "addresses", "build_message", "mail_configured"]

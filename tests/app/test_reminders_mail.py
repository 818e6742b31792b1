"""Email for reminders (app/mail.py) against a real SMTP server on loopback (aiosmtpd): a
UTF-8 message with Vietnamese headers, STARTTLS or SSL with a login (a certificate made for
the test and trusted through SSL_CERT_FILE), a refused login, a temporary 4xx, a refused
recipient among others, a refused message."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sonket_gsync.app.mail import Mail, MailConfigError, Mailer, MailRefused, MailUnavailable
from sonket_gsync.core.settings import Settings
from tests.net import free_port

SENDER = "nhacnho@tinhuy.example"
USER, PASSWORD = "nhacnho", "mat-khau-thu-1"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.rcpt_answers: dict[str, str] = {}  # address → answer other than 250
        self.data_answer = "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_answers:
            return self.rcpt_answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answer.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return self.data_answer


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for 127.0.0.1 (its key beside it): the server's, and the client's only trusted one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def settings_for(port: int, **changes) -> Settings:
    values = dict(smtp_host="127.0.0.1", smtp_port=port, smtp_from=f"Ban Tuyên giáo <{SENDER}>", smtp_security="none")
    values.update(changes)
    return Settings.from_env({}, **values)


@pytest.fixture
def plain():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


MAIL = Mail(("du-ca@dongnai.example",), "Nhắc gửi báo cáo: Sơ kết 03 năm", "Kính gửi Đảng ủy Công an tỉnh: đề nghị gửi sớm.\nXin cảm ơn.")


def test_starttls_with_a_login_delivers_the_message_in_utf8(certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the client trusts the test's certificate, and only it
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_context(certificate), require_starttls=True, authenticator=authenticate)
    controller.start()
    try:
        with Mailer(settings_for(port, smtp_security="starttls", smtp_user=USER, smtp_password=PASSWORD)) as mailer:
            assert mailer.send(MAIL) == ()
        with pytest.raises(MailConfigError) as err, Mailer(settings_for(port, smtp_security="starttls", smtp_user=USER, smtp_password="sai")):
            pass
        assert "từ chối đăng nhập" in err.value.message and "SONKET_SMTP_PASSWORD" in err.value.fix
    finally:
        controller.stop()
    [(to, message)] = inbox.messages
    assert to == ["du-ca@dongnai.example"] and message["To"] == "du-ca@dongnai.example"
    assert message["Subject"] == "Nhắc gửi báo cáo: Sơ kết 03 năm" and message["From"] == f"Ban Tuyên giáo <{SENDER}>"
    assert message["Message-ID"].endswith("@tinhuy.example>")
    assert message.get_content_charset() == "utf-8" and message.get_content().splitlines() == MAIL.body.splitlines()


def test_ssl_from_the_start(certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_context(certificate))
    controller.start()
    try:
        with Mailer(settings_for(port, smtp_security="ssl")) as mailer:
            mailer.send(MAIL)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_a_server_that_is_down_or_asks_to_wait_is_temporary(plain):
    with pytest.raises(MailUnavailable) as err, Mailer(settings_for(free_port())):
        pass
    assert err.value.retryable and "không kết nối được" in err.value.message
    inbox, port = plain
    inbox.rcpt_answers = {"du-ca@dongnai.example": "451 4.7.1 Try again later"}
    with Mailer(settings_for(port)) as mailer, pytest.raises(MailUnavailable) as err:
        mailer.send(MAIL)
    assert "451" in err.value.message and inbox.messages == []


def test_refused_recipients_and_messages(plain):
    inbox, port = plain
    inbox.rcpt_answers = {"sai@dongnai.example": "550 5.1.1 No such mailbox"}
    with Mailer(settings_for(port)) as mailer:
        partly = mailer.send(Mail(("sai@dongnai.example", "du-ca@dongnai.example"), "Nhắc", "Nội dung"))
        assert partly == ("sai@dongnai.example",) and inbox.messages[-1][0] == ["du-ca@dongnai.example"]
        with pytest.raises(MailRefused) as err:
            mailer.send(Mail(("sai@dongnai.example",), "Nhắc", "Nội dung"))
        assert "550" in err.value.message and not err.value.retryable
        inbox.data_answer = "554 5.6.0 Message rejected"
        with pytest.raises(MailRefused):
            mailer.send(MAIL)
        inbox.data_answer = "250 OK"
        mailer.send(MAIL)  # the connection goes on after a refusal
    assert len(inbox.messages) == 2


def test_no_server_set_says_what_to_set():
    with pytest.raises(MailConfigError) as err:
        Mailer(Settings.from_env({}))
    assert err.value.where == "SONKET_SMTP_HOST"
    with pytest.raises(Exception) as bad:
        Settings.from_env({"SONKET_SMTP_SECURITY": "tls"})
    assert "SONKET_SMTP_SECURITY" in str(bad.value)

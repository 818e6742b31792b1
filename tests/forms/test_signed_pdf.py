"""The signed report (PDF): real PDFs made with pypdf, one signed with pyHanko by a
self-signed certificate made with cryptography; the signer's name is read from it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pypdf import PdfWriter

from sonket_gsync.forms.signed_pdf import SignedPdfError, check_signed_pdf

LIMIT = 2_000_000
SIGNER = "Nguyễn Văn An"


def plain_pdf(pages: int = 1, password: str | None = None, owner_only: bool = False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None or owner_only:
        writer.encrypt(user_password=password or "", owner_password="chu-so-huu", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def self_signed(tmp_path, common_name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Đảng ủy xã Xuân Lộc")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def signed_pdf(tmp_path, common_name: str = SIGNER) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key_file, cert_file = self_signed(tmp_path, common_name)
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file))
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(plain_pdf())),
        signers.PdfSignatureMetadata(field_name="ChuKy1"),
        signer=signer,
    )
    return out.getvalue()


def test_a_digitally_signed_pdf_shows_its_signer(tmp_path):
    data = signed_pdf(tmp_path)
    check = check_signed_pdf(data, "bao-cao-da-ky.pdf", max_bytes=LIMIT)
    assert check.signed and check.signer == SIGNER
    assert check.sha256 == hashlib.sha256(data).hexdigest() and check.size == len(data) and check.pages == 1


def test_a_scanned_pdf_has_no_signer():
    check = check_signed_pdf(plain_pdf(pages=3), "ban-quet.pdf", max_bytes=LIMIT)
    assert check.pages == 3 and check.signer == "" and not check.signed


def test_a_pdf_locked_only_against_editing_is_accepted():
    assert check_signed_pdf(plain_pdf(owner_only=True), "khoa-sua.pdf", max_bytes=LIMIT).pages == 1


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "rong.pdf", "rỗng"),
        (b"PK\x03\x04 a Word file", "bao-cao.docx", "không phải tệp PDF"),
        (b"%PDF-1.7\n1 0 obj <<< broken", "hong.pdf", "bị hỏng"),
    ],
)
def test_what_is_not_a_readable_pdf_is_refused_naming_the_file(data, name, words):
    with pytest.raises(SignedPdfError) as refused:
        check_signed_pdf(data, f"C:\\Users\\van.thu\\{name}", max_bytes=LIMIT)
    assert words in refused.value.message and f"'{name}'" in refused.value.message and refused.value.fix
    assert refused.value.http_status == 400


def test_a_pdf_that_needs_a_password_is_refused():
    with pytest.raises(SignedPdfError) as refused:
        check_signed_pdf(plain_pdf(password="mat-khau"), "mat-khau.pdf", max_bytes=LIMIT)
    assert "mật khẩu" in refused.value.message


def test_a_pdf_over_the_limit_is_refused_with_its_real_size():
    data = plain_pdf() + b"%" + b"0" * 12_600_000
    with pytest.raises(SignedPdfError) as refused:
        check_signed_pdf(data, "lon.pdf", max_bytes=10_000_000)
    assert "nặng 12,6 MB" in refused.value.message and "giới hạn 10 MB" in refused.value.message

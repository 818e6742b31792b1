"""A unit's signed report (PDF): checked before it is kept, its digital signer read.

``check_signed_pdf(data, filename, max_bytes=…)`` refuses what is not a readable PDF (not a
PDF, damaged, encrypted so that it cannot be opened, larger than the limit) with a
Vietnamese message naming the file, and answers the file's size, SHA-256 and the signer of
its digital signature if it has one: the subject's common name (CN) of the first
certificate in each signature field's PKCS#7 (/FT /Sig → /V /Contents). A scanned report has
no signature: signer "". The signature is shown, not verified against a trust list.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from sonket_gsync.core.errors import PermanentError
from sonket_gsync.core.text import clean, format_number

log = logging.getLogger(__name__)


class SignedPdfError(PermanentError):
    """The file given as the signed report is not a PDF that can be kept."""

    category = "bad_input"


@dataclass(frozen=True)
class PdfCheck:
    size: int
    sha256: str
    pages: int
    signer: str = ""  # the digital signatures' signers (CN), "; "-joined; "" when none
    signed: bool = False  # the PDF has a filled signature field


def check_signed_pdf(data: bytes | None, filename: str = "", *, max_bytes: int) -> PdfCheck:
    """Check ``data`` is a PDF that opens, no larger than ``max_bytes``; read its signers."""
    name = clean(filename).replace("\\", "/").rsplit("/", 1)[-1] or "tệp PDF"
    if not data:
        raise SignedPdfError(f"Tệp '{name}' rỗng.", where=name, fix="Chọn lại tệp PDF báo cáo đã ký.")
    if len(data) > max_bytes:
        raise SignedPdfError(
            f"Tệp '{name}' nặng {_megabytes(len(data))} MB, quá giới hạn {_megabytes(max_bytes)} MB.",
            where=name,
            fix="Xuất lại PDF với độ phân giải thấp hơn (khi quét, chọn 150–200 dpi, đen trắng) rồi tải lên lại.",
        )
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise SignedPdfError(
            f"Tệp '{name}' không phải tệp PDF.",
            where=name,
            fix="Tải lên bản PDF của báo cáo đã ký (ký số, hoặc bản giấy đã ký quét thành PDF), không phải tệp Word hay ảnh.",
        )
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise SignedPdfError(
                f"Tệp '{name}' được đặt mật khẩu nên không mở được.",
                where=name,
                fix="Lưu lại PDF không đặt mật khẩu mở tệp rồi tải lên lại.",
            )
        pages = len(reader.pages)
        signers = _signers(reader)
    except SignedPdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        log.info("unreadable PDF %s: %s", name, exc)
        raise SignedPdfError(
            f"Tệp '{name}' bị hỏng, không đọc được như một PDF.",
            where=name,
            fix="Xuất lại PDF từ phần mềm ký số hoặc máy quét, mở thử trên máy rồi tải lên lại.",
        ) from None
    if pages == 0:
        raise SignedPdfError(f"Tệp '{name}' không có trang nào.", where=name, fix="Tải lên bản PDF đầy đủ của báo cáo đã ký.")
    return PdfCheck(
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
        signer="; ".join(s for s in signers if s),
        signed=bool(signers),
    )


def _opens_without_password(reader) -> bool:
    """An encrypted PDF that opens with the empty password (permissions only) is readable."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _signers(reader) -> list[str]:
    """The CN of each filled signature field's signer, in field order ("" if unreadable)."""
    signers: list[str] = []
    fields = reader.get_fields() or {}
    for value in fields.values():
        if value.get("/FT") != "/Sig":
            continue
        signature = value.get("/V")
        if signature is None:
            continue
        signature = signature.get_object()
        contents = signature.get("/Contents")
        if contents is None:
            continue
        signers.append(_common_name(bytes(contents.original_bytes if hasattr(contents, "original_bytes") else contents)))
    return signers


def _common_name(der: bytes) -> str:
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    der = _der_only(der)  # /Contents is padded with zeros to its reserved size
    try:
        certificates = pkcs7.load_der_pkcs7_certificates(der)
    except Exception as exc:  # a signature whose PKCS#7 we cannot read: signed, signer unknown
        log.info("unreadable PKCS#7 signature: %s", exc)
        return ""
    if not certificates:
        return ""
    # the signer's certificate is the one no other listed certificate was issued by…
    # …usually the first; a chain lists issuers after it. Prefer a leaf (not a CA's subject).
    issuers = {c.issuer for c in certificates}
    leaves = [c for c in certificates if c.subject not in issuers or c.subject == c.issuer] or certificates
    names = leaves[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return clean(str(names[0].value)) if names else leaves[0].subject.rfc4514_string()


def _der_only(data: bytes) -> bytes:
    """The DER structure at the start of ``data`` (its length from its header), without the padding after it."""
    if len(data) < 2 or data[0] != 0x30:
        return data
    if data[1] < 0x80:
        return data[: 2 + data[1]]
    count = data[1] & 0x7F
    return data[: 2 + count + int.from_bytes(data[2 : 2 + count], "big")]


def _megabytes(size: int) -> str:
    return format_number(size / 1_000_000, 1)


__all__ = ["PdfCheck", "SignedPdfError", "check_signed_pdf"]

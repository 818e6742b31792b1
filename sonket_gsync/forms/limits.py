"""Limits on what a unit sends, checked before anything is parsed.

A unit's .xlsx and .docx are zip packages of XML. A hostile or broken one can be small on
disk and enormous once unpacked (a "zip bomb"), or hold a million valid rows. So, before a
parser sees a package:

1. its size on disk is checked (``max_file_mb``);
2. its zip central directory is read (a few KB, nothing unpacked) and refused when the
   declared unpacked total exceeds ``max_unpacked_mb`` or a large member's declared
   compression ratio exceeds ``max_compression_ratio``;
3. every member is then read through a bounded reader: Python's ``zipfile`` never inflates
   more than a member's *declared* size (and fails on the CRC if the data does not match),
   and ``read_member`` stops at the limit itself, so a lying header cannot blow memory
   either;
4. while a tab is read, more than ``max_rows_per_form`` filled rows stops the reading.

Any limit crossed raises a located ``UnitFileError`` for that unit only: the sync flags the
unit, keeps its last valid version and goes on with the others.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from defusedxml import ElementTree as DefusedET

from sonket_gsync.core.errors import UnitFileError
from sonket_gsync.core.text import format_number

MB = 1024 * 1024
# Small members compress as they like (a 400 KB styles.xml can be 30:1): the ratio is only
# judged on members that unpack to more than this.
RATIO_FLOOR_BYTES = 1 * MB
_CHUNK = 256 * 1024
# The header rows above a form's data (title, unit line, note, header, numbering) and a
# little room for rows a unit inserts: not counted against max_rows_per_form.
HEADER_ALLOWANCE = 20


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 25.0
    max_unpacked_mb: float = 60.0
    max_compression_ratio: float = 100.0
    max_rows_per_form: int = 5000

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        return cls(
            max_file_mb=float(getattr(settings, "max_file_mb", cls.max_file_mb)),
            max_unpacked_mb=float(getattr(settings, "max_unpacked_mb", cls.max_unpacked_mb)),
            max_compression_ratio=float(getattr(settings, "max_compression_ratio", cls.max_compression_ratio)),
            max_rows_per_form=int(getattr(settings, "max_rows_per_form", cls.max_rows_per_form)),
        )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * MB)


DEFAULT_LIMITS = Limits()

_KIND = {"xlsx": "tệp biểu mẫu (Excel .xlsx)", "docx": "tệp báo cáo thuyết minh (Word .docx)"}
# Whom a unit asks when a limit is truly too small: words for people, never a setting name.
ASK_ADMIN = "liên hệ cơ quan tổng hợp báo cáo để đề nghị người quản trị hệ thống nâng giới hạn"
_FIX_SMALLER = (
    "Mở tệp, xóa các dòng, hình ảnh hoặc nội dung thừa (chỉ giữ số liệu và nội dung báo cáo), lưu lại "
    f"rồi gửi lại; nếu tệp thật sự cần lớn hơn, hãy {ASK_ADMIN}."
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def mb_text(size: float, mb: int = MB) -> str:
    """A size in MB with a Vietnamese decimal comma and one decimal, none when whole:
    13_212_057 → "12,6 MB", 10 MB → "10 MB". ``mb``: the MB the limit it is compared with is
    counted in (these limits: 1.048.576 byte; the upload limit: 1.000.000 byte)."""
    value = round(size / mb, 1)
    return format_number(value, 0 if value.is_integer() else 1) + " MB"


_mb = mb_text


def check_file_size(size: int, *, unit_code: str, where: str, kind: str, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise UnitFileError(
            f"{_cap(_KIND[kind])} nặng {_mb(size)}, vượt giới hạn {_mb(limits.max_file_bytes)} nên không được đọc. "
            "Nếu đơn vị đã có bản hợp lệ trước đó, bản đó vẫn được giữ.",
            unit_code=unit_code,
            where=where,
            fix=_FIX_SMALLER,
        )


def check_package(source: str | os.PathLike | bytes, *, unit_code: str, where: str, kind: str, limits: Limits) -> None:
    """Refuse a package whose size, declared unpacked size or compression ratio is over the
    limits. Reads only the zip central directory. A file that is not a zip is left to the
    parser, which explains it in its own words."""
    if isinstance(source, (bytes, bytearray)):
        size = len(source)
        opener = lambda: zipfile.ZipFile(io.BytesIO(source))  # noqa: E731
    else:
        size = os.stat(source).st_size
        opener = lambda: zipfile.ZipFile(source)  # noqa: E731
    check_file_size(size, unit_code=unit_code, where=where, kind=kind, limits=limits)
    try:
        with opener() as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    total = 0
    for info in members:
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise UnitFileError(
                f"{_cap(_KIND[kind])} khi giải nén sẽ chiếm hơn {_mb(limits.max_unpacked_bytes)} "
                f"(khai báo {_mb(sum(i.file_size for i in members))}), vượt giới hạn nên không được đọc "
                "(tệp bất thường, có thể là tệp “bom nén”). Nếu đơn vị đã có bản hợp lệ trước đó, bản đó vẫn được giữ.",
                unit_code=unit_code,
                where=f"{where}, phần {info.filename}",
                fix=_FIX_SMALLER,
            )
        if info.file_size > RATIO_FLOOR_BYTES:
            ratio = info.file_size / max(1, info.compress_size)
            if ratio > limits.max_compression_ratio:
                raise UnitFileError(
                    f"{_cap(_KIND[kind])} có phần {info.filename} nén với tỷ lệ {format_number(ratio, 0)}:1, "
                    f"vượt giới hạn {format_number(limits.max_compression_ratio, 0)}:1 (tệp bất thường, có thể là "
                    "tệp “bom nén”), nên không được đọc. Nếu đơn vị đã có bản hợp lệ trước đó, bản đó vẫn được giữ.",
                    unit_code=unit_code,
                    where=f"{where}, phần {info.filename}",
                    fix=_FIX_SMALLER,
                )


class MemberTooLarge(ValueError):
    """A package member unpacked to more than allowed (its header lied, or no check ran)."""


def read_member(package: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, read in chunks, never more than ``limit`` (else MemberTooLarge)."""
    parts: list[bytes] = []
    total = 0
    with package.open(name) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise MemberTooLarge(name)
            parts.append(chunk)
    return b"".join(parts)


def too_many_rows(count: int, *, unit_code: str, where: str, limits: Limits) -> UnitFileError:
    return UnitFileError(
        f"Trang tính có hơn {format_number(limits.max_rows_per_form)} dòng có dữ liệu (đã đếm đến "
        f"{format_number(count)}), vượt giới hạn số dòng của một biểu mẫu nên tệp không được đọc. "
        "Nếu đơn vị đã có bản hợp lệ trước đó, bản đó vẫn được giữ.",
        unit_code=unit_code,
        where=where,
        fix="Xóa các dòng thừa hoặc dán nhầm (chỉ giữ các dòng báo cáo của đơn vị), lưu lại rồi gửi lại; nếu thật sự "
        f"cần nhiều hơn {format_number(limits.max_rows_per_form)} dòng, hãy {ASK_ADMIN}.",
    )


def bounded_rows(rows: Iterable[Iterable[object]], *, unit_code: str, where: str, limits: Limits) -> Iterator[list[object]]:
    """Rows as they come, stopping with a located UnitFileError once more than
    ``max_rows_per_form`` (+ the header allowance) rows hold a value. Empty rows are passed
    on (the caller trims them) but are not counted."""
    allowed = limits.max_rows_per_form + HEADER_ALLOWANCE
    filled = 0
    for row in rows:
        cells = list(row)
        if any(v is not None and v != "" for v in cells):
            filled += 1
            if filled > allowed:
                raise too_many_rows(filled, unit_code=unit_code, where=where, limits=limits)
        yield cells


_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")
# A formula (<f>, prefixed or not) or an error cell (t="e"): what a values-only reader loses.
_FORMULA_OR_ERROR = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?f[\s/>]|\st\s*=\s*["']e["']""")


def prescan_rows(source: str | os.PathLike | bytes, *, unit_code: str, where: str, limits: Limits) -> bool:
    """A quick count of the rows holding cells in each worksheet part, inflated as a stream
    (nothing kept) before any parser sees it: a tab with far more rows than allowed is
    refused after a few MB instead of being parsed row by row up to the limit. Generous (a
    row of empty styled cells counts here): the exact count is ``bounded_rows``'.

    Returns True when a worksheet holds a formula or an error cell (which a values-only
    reader would turn into its cached value), or when a part could not be scanned: the
    caller then reads the workbook with a parser that keeps formulas."""
    stop = 2 * (limits.max_rows_per_form + HEADER_ALLOWANCE)
    try:
        package = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return True  # the parser explains a file that is not a zip
    formulas = False
    with package:
        for info in package.infolist():
            name = info.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            count, tail = 0, b""
            try:
                with package.open(info) as stream:
                    while True:
                        chunk = stream.read(_CHUNK)
                        if not chunk:
                            break
                        data = tail + chunk
                        cut = data.rfind(b"<")  # a tag split between chunks is counted next time
                        cut = cut if cut >= 0 else len(data)
                        count += len(_ROW_END.findall(data, 0, cut))
                        if not formulas and _FORMULA_OR_ERROR.search(data, 0, cut):
                            formulas = True
                        tail = data[cut:]
                        if count > stop:
                            titles = _sheet_titles(package)  # the tab's title, for the message only
                            tab = f"trang tính '{titles[name]}'" if name in titles else f"phần {name}"
                            raise too_many_rows(count, unit_code=unit_code, where=f"{where}, {tab}", limits=limits)
                if tail and not formulas and _FORMULA_OR_ERROR.search(tail):
                    formulas = True
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
                return True  # a broken part: the parser explains it
    return formulas


def _sheet_titles(package: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> tab title, from workbook.xml and its relationships (both
    small, parsed with defusedxml); {} when anything is off."""
    try:
        cap = 4 * MB
        rels = DefusedET.fromstring(read_member(package, "xl/_rels/workbook.xml.rels", cap))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        book = DefusedET.fromstring(read_member(package, "xl/workbook.xml", cap))
        titles = {}
        for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            target = targets.get(sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"), "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            titles[part] = sheet.get("name", "")
        return titles
    except Exception:
        return {}


def inside(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """True when ``path`` (links followed) lies within ``root`` (links followed)."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)

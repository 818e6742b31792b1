"""Files a unit uploads on its page (backends with ``accepts_uploads``): checked and validated
from the uploaded bytes before anything is stored, staged, then accepted by a job.

Checks, in order: size, name and type (an .xlsx / .docx is a zip package holding its main
part), the hostile-file limits sync applies (zip bombs, huge sheets), then the same parsing
and validation as sync. Nothing touches the unit's files until staff-free confirmation
enqueues ``accept_upload``; that job puts the staged files into the workspace
(``Workspace.replace_unit_files``) and syncs that unit, so the store records them exactly as
a sync would (late if after the deadline).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sonket_gsync.backends.base import UnitSnapshot
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import SonketError, UnitFileError
from sonket_gsync.core.text import now
from sonket_gsync.forms.limits import ASK_ADMIN, DEFAULT_LIMITS, check_package, mb_text
from sonket_gsync.forms.reading import read_workbook
from sonket_gsync.forms.submission import Problem
from sonket_gsync.ingest.parse import NARRATIVE_SHEET, parse_snapshot

UPLOADS_DIR = "uploads"
KINDS = {
    "xlsx": ("xl/workbook.xml", "tệp biểu mẫu (Excel .xlsx)"),
    "docx": ("word/document.xml", "tệp báo cáo thuyết minh (Word .docx)"),
}
MAX_MEMBERS = 2000
STAGED_FOR_SECONDS = 24 * 3600  # an upload checked but not confirmed is dropped after this
MAX_UNPACKED = 100_000_000  # declared unpacked bytes; the shared limits (limits.py) are stricter
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Preview:
    """What an upload would give: the accepted content in brief, and every problem."""

    upload_id: str = ""
    refused: list[str] = field(default_factory=list)  # why a file was refused outright
    problems: list[Problem] = field(default_factory=list)
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (what, how much)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def acceptable(self) -> bool:
        return bool(self.upload_id) and not self.refused and not self.errors


UPLOAD_MB = 1_000_000  # the upload limit (settings.upload_max_bytes) counts decimal MB, as phones show sizes


def check_file(data: bytes, filename: str, kind: str, max_bytes: int, unit_code: str, *, size: int | None = None) -> str | None:
    """None when the bytes may be parsed; else why not (Vietnamese, naming the file by its
    own name). ``size``: the file's real size when ``data`` was cut at the limit."""
    member, label = KINDS[kind]
    shown = _safe_name(filename)
    named = f"{label.capitalize()} '{shown}'" if shown else label.capitalize()
    real = max(size or 0, len(data))
    if not real:
        return f"{named} trống (0 byte). Hãy chọn lại đúng tệp."
    if real > max_bytes:
        return (
            f"{named} nặng {mb_text(real, UPLOAD_MB)}, vượt giới hạn {mb_text(max_bytes, UPLOAD_MB)} cho mỗi tệp. "
            "Hãy xóa nội dung thừa (ảnh, trang tính không dùng) rồi tải lên lại; nếu tệp thật sự cần lớn hơn, "
            f"hãy {ASK_ADMIN}."
        )
    if not filename.lower().endswith("." + kind):
        return f"Tệp '{_safe_name(filename)}' không phải {label}. Hãy chọn tệp có đuôi .{kind} đã tải về từ trang này."
    if not data.startswith(b"PK\x03\x04"):
        return f"Tệp '{_safe_name(filename)}' không phải {label} (có thể là tệp khác đổi đuôi, hoặc tệp .xls/.doc cũ). Hãy mở bằng Excel/Word và lưu lại dạng .{kind}."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            names = {info.filename for info in infos}
            if any(info.flag_bits & 0x1 for info in infos):
                return f"{named} đang được đặt mật khẩu. Hãy bỏ mật khẩu rồi tải lên lại."
            if len(infos) > MAX_MEMBERS or sum(info.file_size for info in infos) > MAX_UNPACKED:
                return f"{named} khi giải nén quá lớn hoặc có quá nhiều phần (tệp bất thường, có thể là “bom nén”), nên không được đọc. Hãy lưu lại tệp từ biểu mẫu gốc rồi tải lên lại."
    except (zipfile.BadZipFile, ValueError, EOFError):
        return f"{named} bị hỏng, không mở được. Hãy mở bằng Excel/Word, lưu lại rồi tải lên lại."
    if member not in names:
        return f"Tệp '{_safe_name(filename)}' không phải {label}. Hãy chọn đúng tệp đã tải về từ trang này."
    try:  # the hostile-file limits shared with sync
        check_package(data, unit_code=unit_code, where=_safe_name(filename), kind=kind, limits=DEFAULT_LIMITS)
    except UnitFileError as exc:
        return exc.explain()
    return None


def preview(
    campaign: Campaign,
    unit: Unit,
    workbook: bytes,
    narrative: bytes | None,
    current_narrative: bytes | None,
    *,
    workbook_name: str = "",
    narrative_name: str = "",
) -> Preview:
    """Parse and validate the uploaded bytes exactly as sync would (nothing stored).
    ``workbook_name`` / ``narrative_name``: the files' own names, for the messages. Another
    unit's file is refused outright (``refused``), naming both units."""
    result = Preview()
    workbook_shown = _safe_name(workbook_name) or "tệp biểu mẫu vừa tải lên"
    with tempfile.TemporaryDirectory(prefix="sonket-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(workbook)
        try:
            sheets = read_workbook(path, unit.code, name=workbook_shown)
        except SonketError as exc:
            result.refused.append(_told(exc, workbook_shown))
            return result
    snapshot = UnitSnapshot(unit.code, sheets, narrative if narrative is not None else current_narrative, now())
    try:
        parsed = parse_snapshot(campaign, unit, snapshot)
    except SonketError as exc:
        result.refused.append(_told(exc, _safe_name(narrative_name) if narrative is not None else ""))
        return result
    foreign = [p for p in parsed.problems if p.code == "foreign_file"]
    if foreign:
        for problem in foreign:
            shown = _safe_name(narrative_name) if problem.sheet == NARRATIVE_SHEET else workbook_shown
            result.refused.append(f"Tệp '{shown}': {problem.message}" if shown else problem.message)
        return result
    result.problems = parsed.problems
    for form in campaign.forms_for(unit):
        rows = parsed.submission.tables.get(form.code, [])
        result.accepted.append((f"{form.appendix} – {form.title}", f"{len(rows)} dòng số liệu"))
    if campaign.has_narrative(unit):
        filled = len(parsed.submission.narrative)
        source = "tệp vừa tải lên" if narrative is not None else "tệp hiện có"
        result.accepted.append(("Báo cáo thuyết minh", f"{filled}/{len(campaign.outline_items)} mục có nội dung ({source})"))
    return result


def stage(data_dir: Path, unit_code: str, workbook: bytes, narrative: bytes | None) -> str:
    folder = Path(data_dir) / UPLOADS_DIR / unit_code
    folder.mkdir(parents=True, exist_ok=True)
    stale = time.time() - STAGED_FOR_SECONDS
    for old in folder.iterdir():  # checked but never confirmed
        if old.is_dir() and old.stat().st_mtime < stale:
            shutil.rmtree(old, ignore_errors=True)
    upload_id = secrets.token_urlsafe(18)
    target = folder / upload_id
    target.mkdir()
    (target / "workbook.xlsx").write_bytes(workbook)
    if narrative is not None:
        (target / "narrative.docx").write_bytes(narrative)
    (target / "meta.json").write_text(json.dumps({"unit": unit_code, "staged_at": now().isoformat()}), encoding="utf-8")
    return upload_id


def staged_folder(data_dir: Path, unit_code: str, upload_id: str) -> Path | None:
    """The staged upload of this unit, or None (another unit's id, or a made-up one)."""
    if not _ID.match(upload_id or ""):
        return None
    folder = Path(data_dir) / UPLOADS_DIR / unit_code / upload_id
    return folder if (folder / "workbook.xlsx").is_file() else None


def accept_upload(service, params: dict, progress=None) -> dict:
    """Job handler: put a staged upload into the unit's files, then sync that unit."""
    unit = service.campaign.unit(str(params["unit"]))
    folder = staged_folder(service.settings.data_dir, unit.code, str(params["upload"]))
    if folder is None:
        raise UnitFileError(
            "Không tìm thấy tệp đã tải lên (có thể đã được nhận trước đó).",
            unit_code=unit.code,
            fix="Tải tệp lên lại trên trang của đơn vị.",
        )
    workspace = service.workspace
    if not workspace.capabilities.accepts_uploads:
        raise UnitFileError("Chỉ nhận tệp tải lên khi dùng thư mục làm việc cục bộ.", unit_code=unit.code, fix="Sửa trực tiếp trên Google Sheets/Docs.")
    staged_narrative = folder / "narrative.docx"
    workspace.replace_unit_files(
        unit,
        (folder / "workbook.xlsx").read_bytes(),
        staged_narrative.read_bytes() if staged_narrative.is_file() else None,
    )
    shutil.rmtree(folder, ignore_errors=True)
    report = service.sync(only=[unit.code], trigger="upload")
    return {"unit": unit.code, "accepted": unit.code in report.accepted, "versions_added": report.versions_added}


def _told(exc: SonketError, name: str = "") -> str:
    """The error for the person uploading: what, and how to fix it, naming the file."""
    text = exc.message + (" " + exc.fix if exc.fix else "")
    return text if not name or name in text else f"Tệp '{name}': {text}"


def _safe_name(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/"))
    return (name[:80] + "…") if len(name) > 80 else name

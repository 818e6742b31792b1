"""The local backend: a folder of .xlsx/.docx files, one folder per unit.

    <root>/don-vi/<CODE>/<CODE>_bieu-mau.xlsx    the unit's forms (one tab per form)
    <root>/don-vi/<CODE>/<CODE>_bao-cao.docx     the narrative (when the unit's group writes one)
    <root>/ket-qua/<name>                        compiled outputs; tong-hop.xlsx is the summary
    <root>/ket-qua/.phien-ban/<time>-<name>      earlier versions of an output

Changes are found from file modification times and sizes alone (``os.stat``), so a poll of
a large campaign where nothing changed costs a few milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sonket_gsync.backends.base import Capabilities, CellBlock, ChangeSet, Grid, OutputRef, UnitChange, UnitFiles, UnitSnapshot, Workspace
from sonket_gsync.campaign.model import Campaign, Unit
from sonket_gsync.core.errors import BadRequest, UnitFileError, WorkspaceUnavailable
from sonket_gsync.core.text import TZ
from sonket_gsync.forms.limits import DEFAULT_LIMITS, Limits, check_package, inside
from sonket_gsync.forms.reading import read_workbook, unreadable_workbook

UNITS_DIR = "don-vi"
OUTPUTS_DIR = "ket-qua"
REVISIONS_DIR = ".phien-ban"
SUMMARY_NAME = "tong-hop.xlsx"
_ABSENT = [0, 0]  # fingerprint of a file that does not exist


class LocalWorkspace(Workspace):
    kind = "local"
    capabilities = Capabilities(accepts_uploads=True, keeps_output_revisions=True)

    def __init__(self, root: Path, campaign: Campaign, limits: Limits | None = None) -> None:
        super().__init__(campaign)
        self.root = Path(root).absolute()  # links are file:// URIs, which need absolute paths
        self.limits = limits or DEFAULT_LIMITS
        self.units_dir = self.root / UNITS_DIR
        self.outputs_dir = self.root / OUTPUTS_DIR
        # Plain strings, built once: changes() stats thousands of them per poll.
        units = str(self.units_dir)
        self._paths: dict[str, tuple[str, str | None]] = {}
        for unit in campaign.units:
            folder = os.path.join(units, unit.code)
            docx = os.path.join(folder, f"{unit.code}_bao-cao.docx") if campaign.has_narrative(unit) else None
            self._paths[unit.code] = (os.path.join(folder, f"{unit.code}_bieu-mau.xlsx"), docx)

    # --- paths --------------------------------------------------------------------------

    def xlsx_path(self, unit: Unit) -> Path:
        return Path(self._unit_paths(unit)[0])

    def docx_path(self, unit: Unit) -> Path | None:
        docx = self._unit_paths(unit)[1]
        return Path(docx) if docx else None

    def _unit_paths(self, unit: Unit) -> tuple[str, str | None]:
        paths = self._paths.get(unit.code)
        if paths is None:  # a unit not in the campaign this workspace was opened with
            self.campaign.unit(unit.code)  # raises the ConfigError that explains it
        return paths  # type: ignore[return-value]

    # --- provisioning -------------------------------------------------------------------

    def prepare(self) -> None:
        for folder in (self.units_dir, self.outputs_dir):
            _mkdir(folder)

    def provision(self, unit: Unit) -> UnitFiles:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        self._refuse_links_out(unit, xlsx.parent, xlsx, docx)
        _mkdir(xlsx.parent)
        from sonket_gsync.forms.narrative import build_docx  # python-docx and openpyxl: only when files are made
        from sonket_gsync.forms.workbook import unit_workbook_bytes

        created = False
        if not xlsx.exists():
            created |= _create_new(xlsx, unit_workbook_bytes(self.campaign, unit))
        if docx is not None and not docx.exists():
            created |= _create_new(docx, build_docx(self.campaign, unit))
        return self._files(unit, created)

    def links(self, unit: Unit) -> UnitFiles | None:
        if not self.xlsx_path(unit).exists():
            return None
        return self._files(unit, created=False)

    def _files(self, unit: Unit, created: bool) -> UnitFiles:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        if docx is not None and not docx.exists():
            docx = None
        return UnitFiles(
            unit_code=unit.code,
            sheet_id=str(xlsx),
            sheet_url=xlsx.as_uri(),
            doc_id=str(docx) if docx is not None else "",
            doc_url=docx.as_uri() if docx is not None else "",
            created=created,
        )

    # --- changes ------------------------------------------------------------------------

    def changes(self, cursor: str | None) -> ChangeSet:
        before = _load_cursor(cursor)
        now: dict[str, list[list[int]]] = {}
        changed: list[UnitChange] = []
        missing: list[str] = []
        stat = os.stat
        for code, (xlsx, docx) in self._paths.items():
            try:
                st = stat(xlsx)
            except FileNotFoundError:
                missing.append(code)
                continue
            except OSError as exc:
                raise _unavailable(xlsx, exc) from None
            print_x = [st.st_mtime_ns, st.st_size]
            print_d = _ABSENT
            newest = st.st_mtime_ns
            if docx is not None:
                try:
                    sd = stat(docx)
                    print_d = [sd.st_mtime_ns, sd.st_size]
                    newest = max(newest, sd.st_mtime_ns)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise _unavailable(docx, exc) from None
            fingerprint = [print_x, print_d]
            now[code] = fingerprint
            if before is None or before.get(code) != fingerprint:
                changed.append(UnitChange(code, datetime.fromtimestamp(newest / 1e9, TZ)))
        return ChangeSet(changed=tuple(changed), cursor=json.dumps(now, separators=(",", ":")), missing=tuple(missing))

    # --- reading ------------------------------------------------------------------------

    def read_unit(self, unit: Unit) -> UnitSnapshot:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        self._refuse_links_out(unit, xlsx.parent, xlsx, docx)
        try:
            st = os.stat(xlsx)
        except FileNotFoundError:
            raise UnitFileError(
                f"Đơn vị chưa có tệp biểu mẫu {xlsx.name} (chưa có tệp / tệp đã bị xóa).",
                unit_code=unit.code,
                where=str(xlsx),
                fix="Chạy `sonket-gsync provision` để tạo lại tệp biểu mẫu trống cho đơn vị, rồi báo đơn vị điền lại.",
            ) from None
        _regular(st, xlsx, unit)
        sheets = read_workbook(xlsx, unit.code, self.limits)
        newest = st.st_mtime_ns
        narrative = None
        if docx is not None:
            try:
                sd = os.stat(docx)
                _regular(sd, docx, unit)
                where = str(docx)
                check_package(docx, unit_code=unit.code, where=where, kind="docx", limits=self.limits)
                narrative = docx.read_bytes()
                newest = max(newest, sd.st_mtime_ns)
            except FileNotFoundError:
                narrative = None
        return UnitSnapshot(
            unit_code=unit.code,
            sheets=sheets,
            narrative=narrative,
            modified_at=datetime.fromtimestamp(newest / 1e9, TZ),
        )

    # --- uploads ------------------------------------------------------------------------

    def unit_file(self, unit: Unit, which: str) -> tuple[str, bytes] | None:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        if which == "workbook":
            path: Path | None = xlsx
        elif which == "narrative":
            path = docx
        else:
            raise ValueError(f"unit_file: which={which!r}, expected 'workbook' or 'narrative'")
        if path is None:
            return None
        self._refuse_links_out(unit, xlsx.parent, path)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _unavailable(str(path), exc) from None
        if not stat.S_ISREG(st.st_mode):
            return None
        try:
            return path.name, path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _unavailable(str(path), exc) from None

    def replace_unit_files(self, unit: Unit, workbook: bytes, narrative: bytes | None = None) -> None:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        self._refuse_links_out(unit, xlsx.parent, xlsx, docx)
        _mkdir(xlsx.parent)
        _write_atomic(xlsx, workbook)
        if narrative is not None and docx is not None:  # a group without narrative keeps no document
            _write_atomic(docx, narrative)

    # --- writing ------------------------------------------------------------------------

    def write_unit(
        self,
        unit: Unit,
        blocks: Sequence[CellBlock],
        narrative: bytes | None = None,
        modified_at: datetime | None = None,
    ) -> None:
        xlsx, docx = self.xlsx_path(unit), self.docx_path(unit)
        self._refuse_links_out(unit, xlsx.parent, xlsx, docx)
        if blocks:
            wb = _open_for_edit(xlsx, unit.code)
            for block in blocks:
                ws = wb[block.sheet] if block.sheet in wb.sheetnames else wb.create_sheet(block.sheet)
                for r, row in enumerate(block.values):
                    for c, value in enumerate(row):
                        # ws.cell(..., value=None) would leave the old value: clearing is typing too
                        ws.cell(row=block.row + r, column=block.column + c).value = value
            wb.save(xlsx)
            wb.close()
        if narrative is not None and docx is not None:  # a group without narrative has no document
            _mkdir(docx.parent)
            _write_atomic(docx, narrative)
        if modified_at is not None:
            ns = int(modified_at.timestamp() * 1_000_000) * 1000
            for path in (xlsx, docx):
                if path is not None and path.exists():
                    os.utime(path, ns=(ns, ns))

    def _refuse_links_out(self, unit: Unit, *paths: Path | None) -> None:
        """A unit's folder or file replaced by a symbolic link leading outside the
        workspace is never followed: not read, not written."""
        for path in paths:
            if path is None or inside(path, self.root):
                continue
            raise UnitFileError(
                f"{'Thư mục' if path == self.xlsx_path(unit).parent else 'Tệp'} {path.name} của đơn vị là một liên kết "
                f"(symlink) trỏ ra ngoài thư mục làm việc ({os.path.realpath(path)}), nên không được đọc hay ghi.",
                unit_code=unit.code,
                where=str(path),
                fix="Xóa liên kết và đặt tệp thật của đơn vị vào đúng chỗ (hoặc chạy `sonket-gsync provision` để tạo lại tệp trống).",
            )

    def write_output(self, name: str, data: bytes, mime: str) -> OutputRef:
        target = self._output_path(name)
        if target.exists():  # keep the earlier one as a revision; the name never points at nothing
            revisions = self.outputs_dir / REVISIONS_DIR
            _mkdir(revisions)
            _keep_copy(target, revisions, name)
        _write_atomic(target, data)
        return OutputRef(name=name, url=target.as_uri(), file_id=str(target))

    def output_file(self, name: str) -> tuple[str, bytes] | None:
        return _plain_file(self.outputs_dir, name)

    def output_revisions(self, name: str) -> list[str]:
        folder = self.outputs_dir / REVISIONS_DIR
        return sorted(p.name for p in folder.glob(f"*-{name}")) if folder.is_dir() else []

    def output_revision(self, revision: str) -> tuple[str, bytes] | None:
        found = _plain_file(self.outputs_dir / REVISIONS_DIR, revision)
        return (revision.split("-", 3)[-1], found[1]) if found else None

    def write_summary(self, tabs: dict[str, Grid]) -> OutputRef:
        # Rebuilt from the store at every sync: replaced whole, no revisions kept.
        target = self._output_path(SUMMARY_NAME)
        from sonket_gsync.forms.workbook import summary_workbook_bytes  # openpyxl: only when a summary is written

        _write_atomic(target, summary_workbook_bytes(tabs))
        return OutputRef(name=SUMMARY_NAME, url=target.as_uri(), file_id=str(target))

    def _output_path(self, name: str) -> Path:
        if not name or name != Path(name).name or name.startswith("."):
            raise BadRequest(
                f"Tên tệp kết quả '{name}' không hợp lệ.",
                where=str(self.outputs_dir),
                fix="Dùng một tên tệp đơn giản, không chứa thư mục (ví dụ bao-cao-so-ket.docx).",
            )
        _mkdir(self.outputs_dir)
        return self.outputs_dir / name


def _plain_file(folder: Path, name: str) -> tuple[str, bytes] | None:
    """A regular file directly inside ``folder`` (no path in ``name``), or None."""
    folder = folder.resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return name, path.read_bytes()


def _regular(st: os.stat_result, path: Path, unit: Unit) -> None:
    """A pipe or a device in place of a unit's file would block or never end: refused."""
    if not stat.S_ISREG(st.st_mode):
        raise UnitFileError(
            f"{path.name} không phải là một tệp bình thường (có thể là thư mục, đường ống hoặc thiết bị), nên không được đọc.",
            unit_code=unit.code,
            where=str(path),
            fix="Xóa mục này và đặt lại tệp thật của đơn vị (hoặc chạy `sonket-gsync provision` để tạo lại tệp trống).",
        )


def _open_for_edit(path: Path, unit_code: str):
    if not path.exists():
        raise UnitFileError(
            f"Đơn vị chưa có tệp biểu mẫu {path.name} (chưa có tệp / tệp đã bị xóa).",
            unit_code=unit_code,
            where=str(path),
            fix="Chạy `sonket-gsync provision` để tạo tệp biểu mẫu cho đơn vị.",
        )
    try:
        from openpyxl import load_workbook

        return load_workbook(path)
    except Exception as exc:
        raise unreadable_workbook(path, unit_code, exc) from None


# --- files --------------------------------------------------------------------------------


def _load_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        data = json.loads(cursor)
    except ValueError:
        return None  # not ours (another backend's cursor): everything counts as changed
    return data if isinstance(data, dict) else None


def _create_new(path: Path, data: bytes) -> bool:
    """Write ``path`` only if it does not exist yet; True when written."""
    tmp = _tmp_path(path)
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)  # atomic, and fails rather than overwrite a file made meanwhile
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if path.exists():
            return False
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _tmp_path(path: Path) -> Path:
    """A temporary name no other process or thread uses at the same time."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def _keep_copy(path: Path, folder: Path, name: str) -> None:
    """Keep ``path`` as a revision in ``folder``; ``path`` itself stays in place."""
    for _ in range(100):
        copy = _revision_path(folder, name)
        try:
            os.link(path, copy)  # same bytes, no copy
            return
        except FileExistsError:
            continue  # another thread took that name in the same microsecond
        except FileNotFoundError:
            return  # replaced meanwhile: nothing to keep
        except OSError:  # a file system without hard links
            with contextlib.suppress(FileNotFoundError):
                shutil.copy2(path, copy)
            return


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = _tmp_path(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _unavailable(str(path), exc) from None
    _sweep_tmp(path)


def _sweep_tmp(path: Path) -> None:
    """Remove temporary files a killed process left beside ``path`` (its pid is gone)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            pid = int(leftover.name[len(path.name) + 2 :].split(".")[0])
            os.kill(pid, 0)  # still running: its file is in use
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def _revision_path(folder: Path, name: str) -> Path:
    while True:
        stamp = datetime.now(TZ).strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"{stamp}-{name}"
        if not path.exists():
            return path


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unavailable(str(folder), exc) from None


def _unavailable(path: str, exc: OSError) -> WorkspaceUnavailable:
    return WorkspaceUnavailable(
        f"Không truy cập được thư mục làm việc: {exc.strerror or exc}.",
        where=path,
        fix="Kiểm tra ổ đĩa còn chỗ trống, quyền ghi của thư mục, hoặc thư mục mạng đã kết nối; rồi chạy lại.",
    )

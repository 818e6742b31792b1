"""Every error sonket-gsync raises, under one root.

Each error carries what went wrong, where (file, unit, sheet, row, column) and how to fix it,
in Vietnamese because a person reads it. ``retryable`` tells a caller whether trying again
later can succeed (rate limits, 5xx, timeouts) or not (bad config, missing file, no access).
Edges (CLI, HTTP) turn these into output; nothing below them prints.
"""

from __future__ import annotations


class SonketError(Exception):
    """Root of all sonket-gsync errors."""

    retryable: bool = False

    def __init__(self, message: str, *, where: str = "", fix: str = "") -> None:
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.explain())

    def explain(self) -> str:
        parts = [self.message]
        if self.where:
            parts.append(f"Vị trí: {self.where}.")
        if self.fix:
            parts.append(f"Cách khắc phục: {self.fix}")
        return " ".join(parts)


class PermanentError(SonketError):
    """Trying again will not help until someone changes something."""

    retryable = False


class RetryableError(SonketError):
    """A passing condition; the same call may succeed later."""

    retryable = True


# --- configuration -------------------------------------------------------------------------

class ConfigError(PermanentError):
    """The campaign folder or the settings are wrong."""


# --- reading a unit's files ----------------------------------------------------------------

class UnitFileError(PermanentError):
    """A unit's file is missing, unreadable or not the kind of file expected."""

    def __init__(self, message: str, *, unit_code: str, where: str = "", fix: str = "") -> None:
        self.unit_code = unit_code
        super().__init__(message, where=where or f"đơn vị {unit_code}", fix=fix)


# --- workspace backends (local folder, Google) ---------------------------------------------

class WorkspaceError(SonketError):
    """A backend call failed."""


class WorkspaceUnavailable(WorkspaceError, RetryableError):
    """The backend answered with a temporary failure (5xx, timeout, connection reset)."""


class RateLimited(WorkspaceError, RetryableError):
    """The backend refused for quota or rate (HTTP 429, 403 rateLimitExceeded)."""

    def __init__(self, message: str, *, retry_after: float | None = None, where: str = "", fix: str = "") -> None:
        self.retry_after = retry_after
        super().__init__(message, where=where, fix=fix)


class NotFound(WorkspaceError, PermanentError):
    """A file, sheet or folder does not exist (any more)."""


class AccessDenied(WorkspaceError, PermanentError):
    """The service account or user has no permission on the file."""


class StorageQuotaExceeded(WorkspaceError, PermanentError):
    """Google refuses to create files because the owner has no Drive storage.

    Service accounts own no storage: files must live in a Shared Drive (or be created as a
    delegated user).
    """


class AuthError(WorkspaceError, PermanentError):
    """Credentials are missing, malformed or refused."""


class BadRequest(WorkspaceError, PermanentError):
    """The backend rejected a request as malformed (a bug on our side, or an API change)."""


# --- store and report ----------------------------------------------------------------------

class StoreError(PermanentError):
    """The SQLite store is unusable (locked, corrupt, from a newer version)."""


class ReportError(PermanentError):
    """The report could not be drafted (template broken, nothing to compile)."""


class UnitNotFound(PermanentError):
    """No unit of the campaign has the code or name a person typed."""


class StoreMissing(PermanentError):
    """A command that only reads was pointed at a data folder where nothing was ever
    provisioned or synced."""

    def __init__(self, data_dir) -> None:
        from pathlib import Path

        data_dir = Path(data_dir)
        self.data_dir = data_dir
        found = _stores_near(data_dir)
        hint = f" Thư mục có dữ liệu gần đây: {', '.join(found)}." if found else ""
        super().__init__(
            "Thư mục dữ liệu này chưa có dữ liệu: chưa tạo biểu mẫu (provision) hay đồng bộ (sync) lần nào ở đây.",
            where=str(data_dir),
            fix=(
                "Chỉ đến đúng thư mục dữ liệu bằng --data THƯ_MỤC hoặc biến SONKET_DATA_DIR "
                "(mặc định ./data, cũng là nơi 'sonket-gsync demo' ghi), "
                "hoặc chạy 'sonket-gsync provision' để bắt đầu chiến dịch ở thư mục này." + hint
            ),
        )

    def __reduce__(self):
        return (type(self), (self.data_dir,))


def _stores_near(data_dir) -> list[str]:
    """Data folders next to the current one that do hold a store (sonket.db)."""
    from pathlib import Path

    seen = []
    for base in {Path.cwd(), data_dir.parent}:
        try:
            seen += [str(p.parent) for p in sorted(base.glob("*/sonket.db"))[:5]]
        except OSError:
            pass
    return sorted(set(seen))[:5]

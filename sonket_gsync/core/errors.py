"""Every error sonket-gsync raises, under one root.

Each error carries what went wrong, where (file, unit, sheet, row, column) and how to fix it,
in Vietnamese because a person reads it. ``category`` says what kind of failure it is, and
both the CLI's exit code and the web app's HTTP status derive from it:

=========== ========================================== ========= ======
category    meaning                                     exit code HTTP
=========== ========================================== ========= ======
config      settings or campaign folder wrong           2         500
not_found   a unit, store, file or job does not exist   2         404
forbidden   no permission / credentials refused         2         403
temporary   try again later (busy, 5xx, quota, lease)   75        503
bad_input   what a person sent is wrong                 2         400
bug         a fault in sonket-gsync itself              70        500
=========== ========================================== ========= ======

``retryable`` (category temporary) tells a caller whether trying again later can succeed.
Errors pickle with their fields (jobs carry them between processes); ``to_dict`` gives the
serialisable form a job records. Edges (CLI, HTTP) turn these into output; nothing below
them prints.
"""

from __future__ import annotations

from collections.abc import Callable

CATEGORIES = ("config", "not_found", "forbidden", "temporary", "bad_input", "bug")
EXIT_CODES = {"temporary": 75, "bug": 70}  # everything else: 2
HTTP_STATUS = {"config": 500, "not_found": 404, "forbidden": 403, "temporary": 503, "bad_input": 400, "bug": 500}


class SonketError(Exception):
    """Root of all sonket-gsync errors."""

    retryable: bool = False
    category: str = "bug"

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

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.category, 2)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.category, 500)

    def to_dict(self) -> dict[str, str]:
        return {"category": self.category, "message": self.message, "where": self.where, "fix": self.fix, "type": type(self).__name__}

    def __reduce__(self) -> tuple[Callable[..., SonketError], tuple[object, ...]]:
        # Subclasses have their own keyword-only constructors: rebuild from the fields.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[SonketError], state: dict[str, object]) -> SonketError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.explain())
    return error


class PermanentError(SonketError):
    """Trying again will not help until someone changes something."""

    retryable = False
    category = "bad_input"


class RetryableError(SonketError):
    """A passing condition; the same call may succeed later."""

    retryable = True
    category = "temporary"


class Bug(SonketError):
    """Something sonket-gsync did not foresee (an exception that is not a SonketError)."""

    category = "bug"

    @classmethod
    def from_exception(cls, exc: BaseException, where: str = "") -> Bug:
        return cls(
            f"Lỗi không lường trước trong sonket-gsync ({type(exc).__name__}: {exc}).",
            where=where,
            fix="Chạy lại; nếu lỗi lặp lại, gửi nội dung này cho quản trị hệ thống.",
        )


# --- configuration -------------------------------------------------------------------------


class ConfigError(PermanentError):
    """The campaign folder or the settings are wrong."""

    category = "config"


class UnknownUnit(ConfigError):
    """A unit code that is not in the campaign (asked by a person or a URL)."""

    category = "not_found"


# --- reading a unit's files ----------------------------------------------------------------


class UnitFileError(PermanentError):
    """A unit's file is missing, unreadable or not the kind of file expected."""

    category = "bad_input"

    def __init__(self, message: str, *, unit_code: str, where: str = "", fix: str = "") -> None:
        self.unit_code = unit_code
        super().__init__(message, where=where or f"đơn vị {unit_code}", fix=fix)


# --- workspace backends (local folder, Google) ---------------------------------------------


class WorkspaceError(SonketError):
    """A backend call failed."""

    # Set on errors translated from a Google HTTP error (backends/google/client.py), only there.
    status: int
    reasons: frozenset[str]
    google_message: str


class WorkspaceUnavailable(WorkspaceError, RetryableError):
    """The backend answered with a temporary failure (5xx, timeout, connection reset)."""


class RateLimited(WorkspaceError, RetryableError):
    """The backend refused for quota or rate (HTTP 429, 403 rateLimitExceeded)."""

    def __init__(self, message: str, *, retry_after: float | None = None, where: str = "", fix: str = "") -> None:
        self.retry_after = retry_after
        super().__init__(message, where=where, fix=fix)


class NotFound(WorkspaceError, PermanentError):
    """A file, sheet or folder does not exist (any more)."""

    category = "not_found"


class AccessDenied(WorkspaceError, PermanentError):
    """The service account or user has no permission on the file."""

    category = "forbidden"


class StorageQuotaExceeded(WorkspaceError, PermanentError):
    """Google refuses to create files because the owner has no Drive storage.

    Service accounts own no storage: files must live in a Shared Drive (or be created as a
    delegated user).
    """

    category = "config"


class AuthError(WorkspaceError, PermanentError):
    """Credentials are missing, malformed or refused."""

    category = "forbidden"


class BadRequest(WorkspaceError, PermanentError):
    """The backend rejected a request as malformed (a bug on our side, or an API change)."""

    category = "bug"


# --- store, jobs and report ----------------------------------------------------------------


class StoreError(PermanentError):
    """The store is unusable (corrupt, from a newer version, refused our query)."""

    category = "config"


class StoreBusy(StoreError, RetryableError):
    """The store is locked by another writer, timed out, or cannot be reached right now."""

    retryable = True
    category = "temporary"


class StoreMissing(StoreError):
    """A read-only command found no store: nothing was provisioned or synced there."""

    category = "not_found"


class LeaseHeld(RetryableError):
    """Another process holds the campaign's writer lease."""

    def __init__(self, message: str, *, holder: str = "", since: str = "", where: str = "", fix: str = "") -> None:
        self.holder = holder
        self.since = since
        super().__init__(message, where=where, fix=fix)


class LeaseLost(RetryableError):
    """This process's writer lease expired (it stalled); another may have taken over."""


class JobNotFound(PermanentError):
    category = "not_found"


class ReportError(PermanentError):
    """The report could not be drafted (template broken, nothing to compile)."""

    category = "config"

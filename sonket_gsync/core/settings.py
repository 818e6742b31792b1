"""The one settings object. Read from the environment (and CLI overrides) here and nowhere else.

Every field is documented in the README's settings table; ``tests/test_settings.py`` keeps
the table and this class in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from sonket_gsync.core.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]  # a source checkout (tests, bench)
# Shipped inside the package (sonket_gsync/resources links to config/ and templates/), so an
# installed wheel or a container has them without a source checkout.
_RESOURCES = Path(str(files("sonket_gsync.resources")))
DEFAULT_CAMPAIGN = (_RESOURCES / "campaigns" / "so-ket-45-nq-tw").resolve()
DEFAULT_TEMPLATES = (_RESOURCES / "templates").resolve()


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Environment variable = ``SONKET_`` + field name in upper case."""

    campaign_dir: Path = DEFAULT_CAMPAIGN
    """Campaign folder: campaign.toml, units.csv, forms.toml, indicators.csv, outline.toml."""
    data_dir: Path = Path("data")
    """Where the SQLite store (sonket.db), the local workspace and outputs live."""
    backend: str = "local"
    """Workspace backend: ``local`` (a folder of .xlsx/.docx) or ``google`` (Drive + Sheets)."""
    templates_dir: Path = DEFAULT_TEMPLATES
    """Folder holding the report template (bao-cao-so-ket.docx)."""
    google_credentials: Path | None = None
    """Service-account key file; unset = Application Default Credentials."""
    google_subject: str = ""
    """User to impersonate with domain-wide delegation (optional)."""
    google_shared_drive_id: str = ""
    """Shared Drive that holds the campaign (service accounts own no Drive storage)."""
    google_endpoint: str = ""
    """Emulator origin, e.g. http://127.0.0.1:8089: every Google call goes there, no OAuth."""
    google_token: str = "emulator-token"
    """Static bearer token sent to the emulator (only with google_endpoint)."""
    sheets_reads_per_minute: int = 60
    """Client-side limit on Sheets read calls (Google's default per-user quota is 60)."""
    sheets_writes_per_minute: int = 60
    """Client-side limit on Sheets write calls."""
    # --- Google at scale (issue 10) ---
    drive_calls_per_minute: int = 12000
    """Client-side limit on Drive calls (Google's per-user Drive limit)."""
    google_workers: int = 8
    """Google calls run at once when reading or provisioning many units (1 = one at a time)."""
    google_export_sheets: str = "xlsx"
    """How a changed Sheet is read: ``xlsx`` (Drive export, Sheets API as fallback) or ``values``."""
    google_unit_cells: str = "auto"
    """Unit name in a copied Sheet: ``write`` (one Sheets write per unit), ``title`` (file name only), or ``auto`` (write up to 300 units, title beyond)."""
    # --- end Google at scale ---
    max_attempts: int = 6
    """Attempts for a retryable Google call before the unit is flagged and the sync moves on."""
    backoff_cap_seconds: float = 64.0
    """Upper bound of one exponential-backoff wait."""
    # --- store, jobs and the writer lease (issue 7) -------------------------------------------
    database_url: str = ""
    """Empty: the SQLite file <data_dir>/sonket.db. ``postgresql://user@host:port/db``: PostgreSQL (several processes or machines)."""
    lease_seconds: float = 60.0
    """The writer lease lasts this long unless its holder renews it (every third of it); a dead holder's lease expires after it."""
    worker_poll_seconds: float = 1.0
    """How often an idle ``sonket-gsync worker`` looks for queued jobs."""

    # --- limits on what a unit sends (sonket_gsync/limits.py; README "Giới hạn") ---------
    max_file_mb: float = 25.0
    """Largest unit file (.xlsx/.docx) read, in MB; a larger one flags the unit."""
    max_unpacked_mb: float = 60.0
    """Largest total a unit file may unpack to (zip central directory), in MB."""
    max_compression_ratio: float = 100.0
    """Largest compression ratio of a package part over 1 MB (zip bombs are ~1000:1)."""
    max_rows_per_form: int = 5000
    """Most filled rows read from one form's tab; more flags the unit."""
    # --- web service (issue 8: webhooks/, serve, worker schedule) ---------------------------
    secret_key: str = ""
    """Key signing the staff session cookie; unset = a random key kept in <data_dir>/.secret-key."""
    public_base_url: str = ""
    """The service's public address (https://…): unit pages /u/<token> and QR codes point here."""
    cookie_secure: str = "auto"
    """Cookies only over HTTPS: ``yes``, ``no``, or ``auto`` (yes when public_base_url is https)."""
    sync_secret: str = ""
    """Bearer secret that authorises POST /sync (cron on a VM); unset = no bearer accepted."""
    oidc_audience: str = ""
    """Audience a Cloud Scheduler OIDC token for POST /sync must carry; unset = OIDC refused."""
    oidc_emails: str = ""
    """Comma-separated service-account emails whose OIDC tokens may call POST /sync."""
    oidc_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    """Where Google's token-signing certificates are fetched (tests point it at loopback)."""
    nightly_sync_time: str = "02:00"
    """Local time (Asia/Ho_Chi_Minh, HH:MM) of the in-process nightly sync; empty = none."""
    notification_delay_seconds: float = 3.0
    """A Drive notification waits this long so a burst of edits makes one sync."""
    heartbeat_max_seconds: int = 45
    """/readyz fails when the worker's last heartbeat is older than this (it beats every 10 s, also
    during a long job; a dead or stuck worker shows within this time)."""
    upload_max_bytes: int = 10_000_000
    """Largest workbook or narrative a unit may upload on its page."""
    unit_links_expire_days: int = 0
    """Unit links (/u/<token>) stop working this many days after the deadline (or a later reopening); 0 = never."""
    staff_google_client_id: str = ""
    """OAuth client id for staff Google sign-in (optional; unset = passwords only)."""
    staff_google_client_secret: str = ""
    """OAuth client secret for staff Google sign-in."""
    staff_google_emails: str = ""
    """Comma-separated emails allowed to sign in with Google as staff."""
    staff_google_metadata_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    """OpenID provider metadata for staff Google sign-in (tests use a fake on loopback)."""
    # --- reminders sent by email (issue 18) ---------------------------------------------------
    smtp_host: str = ""
    """SMTP server reminders are sent through (e.g. smtp-relay.gmail.com); unset = reminders are not emailed."""
    smtp_port: int = 587
    """Port of the SMTP server (587 STARTTLS, 465 SSL, 25 plain)."""
    smtp_user: str = ""
    """Login on the SMTP server (unset = no login, e.g. a relay that trusts the server's address)."""
    smtp_password: str = ""
    """Password of the SMTP login."""
    smtp_from: str = ""
    """Sender address of reminders, e.g. ``Ban Tuyên giáo <nhacnho@tinhuy.example>``."""
    smtp_security: str = "starttls"
    """``starttls`` (upgrade a plain connection), ``ssl`` (TLS from the start) or ``none`` (a trusted loopback relay)."""

    def __post_init__(self) -> None:
        # Folders are resolved once, here, to absolute paths: every later use (a worker
        # thread, a subprocess, a web request) means the same folder whatever its cwd.
        for name in ("campaign_dir", "data_dir", "templates_dir"):
            object.__setattr__(self, name, Path(getattr(self, name)).expanduser().resolve())

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sonket.db"

    @property
    def workspace_dir(self) -> Path:
        return self.data_dir / "workspace"

    @property
    def oidc_email_list(self) -> frozenset[str]:
        return _email_list(self.oidc_emails)

    @property
    def staff_google_email_list(self) -> frozenset[str]:
        return _email_list(self.staff_google_emails)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``SONKET_*`` variables, then apply non-None overrides."""
        env = os.environ if env is None else env
        # Any: each value has its own field's type (``_convert`` made it from the field's type).
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("SONKET_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.backend not in ("local", "google"):
            raise ConfigError(
                f"Backend '{self.backend}' không được hỗ trợ.",
                where="SONKET_BACKEND / --backend",
                fix="Dùng 'local' (thư mục .xlsx/.docx) hoặc 'google' (Google Drive và Sheets).",
            )
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise ConfigError(
                "Thư mục dữ liệu đang trỏ vào một tệp, không phải thư mục.",
                where=f"{self.data_dir} (--data / SONKET_DATA_DIR)",
                fix="Chọn một thư mục (có thể chưa tồn tại), ví dụ --data data.",
            )
        if self.database_url and not self.database_url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://", "sqlite:///")):
            raise ConfigError(
                "SONKET_DATABASE_URL phải là địa chỉ PostgreSQL (postgresql://người-dùng@máy:cổng/tên-csdl) hoặc để trống (SQLite).",
                where="SONKET_DATABASE_URL",
                fix="Để trống để dùng tệp SQLite trong thư mục dữ liệu, hoặc nhập địa chỉ PostgreSQL đúng dạng.",
            )
        if self.lease_seconds < 1 or self.worker_poll_seconds <= 0:
            raise ConfigError(
                "Thời hạn khóa ghi và chu kỳ kiểm tra việc phải là số dương (khóa ghi ít nhất 1 giây).",
                where="SONKET_LEASE_SECONDS / SONKET_WORKER_POLL_SECONDS",
            )
        if self.sheets_reads_per_minute < 1 or self.sheets_writes_per_minute < 1:
            raise ConfigError("Hạn mức gọi Sheets API phải là số dương.", where="SONKET_SHEETS_*_PER_MINUTE")
        if min(self.max_file_mb, self.max_unpacked_mb, self.max_compression_ratio, self.max_rows_per_form) <= 0:
            raise ConfigError(
                "Các giới hạn tệp của đơn vị phải là số dương.",
                where="SONKET_MAX_FILE_MB / SONKET_MAX_UNPACKED_MB / SONKET_MAX_COMPRESSION_RATIO / SONKET_MAX_ROWS_PER_FORM",
                fix="Ghi một số lớn hơn 0, hoặc bỏ biến môi trường để dùng giá trị mặc định.",
            )
        if self.drive_calls_per_minute < 1 or self.google_workers < 1:
            raise ConfigError(
                "Hạn mức gọi Drive API và số luồng gọi Google phải là số dương.",
                where="SONKET_DRIVE_CALLS_PER_MINUTE / SONKET_GOOGLE_WORKERS",
                fix="Ví dụ SONKET_GOOGLE_WORKERS=8, SONKET_DRIVE_CALLS_PER_MINUTE=12000.",
            )
        for name, value, allowed in (
            ("google_export_sheets", self.google_export_sheets, ("xlsx", "values")),
            ("google_unit_cells", self.google_unit_cells, ("auto", "write", "title")),
        ):
            if value not in allowed:
                raise ConfigError(
                    f"Giá trị '{value}' không hợp lệ cho SONKET_{name.upper()}.",
                    where=f"SONKET_{name.upper()}",
                    fix="Dùng một trong: " + ", ".join(f"'{a}'" for a in allowed) + ".",
                )
        if self.unit_links_expire_days < 0:
            raise ConfigError(
                "Số ngày đường dẫn của đơn vị còn hiệu lực sau hạn gửi không được âm.",
                where="SONKET_UNIT_LINKS_EXPIRE_DAYS",
                fix="Ghi 0 (không bao giờ hết hạn) hoặc một số ngày, ví dụ 30.",
            )
        if self.cookie_secure not in ("auto", "yes", "no"):
            raise ConfigError(
                f"Giá trị '{self.cookie_secure}' không hợp lệ cho SONKET_COOKIE_SECURE.",
                where="SONKET_COOKIE_SECURE",
                fix="Dùng 'auto', 'yes' hoặc 'no'.",
            )
        if self.smtp_security not in ("starttls", "ssl", "none"):
            raise ConfigError(
                f"Giá trị '{self.smtp_security}' không hợp lệ cho SONKET_SMTP_SECURITY.",
                where="SONKET_SMTP_SECURITY",
                fix="Dùng 'starttls' (cổng 587), 'ssl' (cổng 465) hoặc 'none' (máy chủ thư tin cậy trong mạng nội bộ).",
            )
        if self.smtp_host and not self.smtp_from:
            raise ConfigError(
                "Đã đặt máy chủ gửi thư (SONKET_SMTP_HOST) nhưng chưa có địa chỉ người gửi.",
                where="SONKET_SMTP_FROM",
                fix="Đặt SONKET_SMTP_FROM, ví dụ nhacnho@tinhuy.example.",
            )
        if self.nightly_sync_time and not _is_hhmm(self.nightly_sync_time):
            raise ConfigError(
                f"Giờ đồng bộ hằng đêm '{self.nightly_sync_time}' không hợp lệ.",
                where="SONKET_NIGHTLY_SYNC_TIME",
                fix="Nhập giờ dạng HH:MM theo giờ Việt Nam, ví dụ 02:00; để trống nếu không muốn tự đồng bộ.",
            )

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _is_hhmm(text: str) -> bool:
    hour, _, minute = text.partition(":")
    return hour.isdigit() and minute.isdigit() and len(minute) == 2 and int(hour) < 24 and int(minute) < 60


def _email_list(text: str) -> frozenset[str]:
    return frozenset(e.strip().casefold() for e in text.replace(";", ",").split(",") if e.strip())


def _convert(name: str, type_: object, raw: str) -> object:
    type_name = str(type_)
    try:
        if "Path" in type_name:
            return Path(raw)
        if "int" in type_name:
            return int(raw)
        if "float" in type_name:
            return float(raw)
    except ValueError:
        raise ConfigError(
            f"Giá trị '{raw}' không hợp lệ cho SONKET_{name.upper()}.",
            where=f"biến môi trường SONKET_{name.upper()}",
            fix="Nhập một số.",
        ) from None
    return raw

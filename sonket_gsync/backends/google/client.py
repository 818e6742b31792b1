"""The one HTTP client for every Google call (Drive v3, Sheets v4).

``GoogleClient`` builds the googleapiclient services and runs every request through
``execute``, which

* paces calls client-side, one limiter per Google quota (Sheets reads, Sheets writes, Drive
  queries: per-minute budgets as in Google's per-user quota), so a sync of 1,500 units queues
  instead of being refused;
* retries 429, 5xx, 408 and 403 ``rateLimitExceeded`` / ``userRateLimitExceeded`` (and
  timeouts / connection resets) with truncated exponential backoff and full jitter, at most
  ``max_attempts`` attempts, each wait at most ``backoff_cap`` seconds;
* never retries 400, 401, 404, 403 permission or 403 ``storageQuotaExceeded``;
* translates ``HttpError`` into ``sonket_gsync.core.errors`` types with Vietnamese messages.

Threads: httplib2 is not thread-safe, so every thread that calls Google gets its OWN
transport (AuthorizedHttp) and its own service objects (``client.drive`` / ``client.sheets``
are per-thread, built on first use); the limiters and counters are shared and locked, so a
pool of readers stays inside one quota together.

googleapiclient's own ``num_retries`` is never used (it is always 0 here), so this is the
single place that decides about retries. Clock, sleep and random are injectable for tests.

Emulator: when an endpoint is given, every request is sent to that origin over plain http
with Google's own paths. googleapiclient honours ``api_endpoint`` for normal calls, but
media uploads keep the discovery document's ``https`` scheme (it only swaps the host, see
``_fix_up_media_path_base_url`` in googleapiclient.discovery); ``_Transport`` rewrites
every request URL to the endpoint origin so uploads go there too.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from typing import Any

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from sonket_gsync.core.errors import (
    AccessDenied,
    AuthError,
    BadRequest,
    NotFound,
    RateLimited,
    SonketError,
    StorageQuotaExceeded,
    WorkspaceError,
    WorkspaceUnavailable,
)

log = logging.getLogger(__name__)

RETRY_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BASE_DELAY = 1.0
# Google's Sheets quota is per minute. The limiter stamps a call when it lets it go; Google
# counts it when it arrives, a little later. One second of margin keeps the 61st call out of
# the minute Google counts the 1st in (without it, the benchmark saw 429s at exactly 60/min).
WINDOW = 61.0
HTTP_TIMEOUT = 120  # seconds for one HTTP request


class MinuteLimiter:
    """At most ``limit`` calls in any sliding WINDOW (a minute plus a margin). Thread-safe:
    one limiter is shared by every worker thread that spends the same quota."""

    def __init__(self, limit: int, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.limit = max(1, int(limit))
        self.clock = clock
        self.sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self.granted = 0  # calls let go so far (diagnostics)

    def acquire(self) -> float:
        """Wait until a call is allowed, record it; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                while self._calls and self._calls[0] <= now - WINDOW:
                    self._calls.popleft()
                if len(self._calls) < self.limit:
                    self._calls.append(now)
                    self.granted += 1
                    return waited
                pause = self._calls[0] + WINDOW - now
                if pause <= 0:  # a clock that does not move (tests): drop the oldest call
                    self._calls.popleft()
                    continue
            self.sleep(pause)  # outside the lock: the others wait on the same window
            waited += pause


class _Transport:
    """Wraps the authorized httplib2 object for two things googleapiclient does not do:

    * a ``str`` body (googleapiclient's JSON) is sent as UTF-8 bytes, so http.client writes
      headers and body in ONE send: with two sends, Nagle + delayed ACK cost ~40 ms per POST;
    * with an emulator endpoint, every request URL is rewritten to that origin (uploads too).
    """

    def __init__(self, inner: Any, endpoint: str = "") -> None:
        parsed = urllib.parse.urlsplit(endpoint) if endpoint else None
        self._scheme = (parsed.scheme or "http") if parsed else ""
        self._netloc = parsed.netloc if parsed else ""
        self._inner = inner

    def request(self, uri: str, method: str = "GET", body: Any = None, *args: Any, **kwargs: Any) -> Any:
        if self._netloc:
            parts = urllib.parse.urlsplit(uri)
            uri = urllib.parse.urlunsplit(parts._replace(scheme=self._scheme, netloc=self._netloc))
        if isinstance(body, str):
            body = body.encode("utf-8")
        return self._inner.request(uri, method, body, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Collections:
    """A googleapiclient resource whose collections (``drive.files()``,
    ``sheets.spreadsheets().values()``) are built once, then reused.

    googleapiclient builds a new collection on every call, and with it every method of the
    collection from the discovery document: tens of milliseconds, more than the request
    itself, for each of the thousands of calls of a sync. A collection keeps no state of a
    request (each method call builds its own ``HttpRequest``), and a service is used by one
    thread only (see ``GoogleClient``), so the collections can be shared by every call of
    that thread. Anything else (methods, ``new_batch_http_request``) is the resource's own.
    """

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self._built: dict[str, _Collections] = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._resource, name)
        if not getattr(attr, "__is_resource__", False):  # googleapiclient's mark on a collection
            return attr

        def collection() -> _Collections:
            built = self._built.get(name)
            if built is None:
                built = self._built[name] = _Collections(attr())
            return built

        return collection


class GoogleClient:
    """Builds the Drive and Sheets services and executes every request with pacing and retries."""

    def __init__(
        self,
        credentials: Any,
        *,
        endpoint: str = "",
        reads_per_minute: int = 60,
        writes_per_minute: int = 60,
        drive_per_minute: int = 12_000,
        max_attempts: int = 6,
        backoff_cap: float = 64.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        timeout: float = HTTP_TIMEOUT,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_cap = float(backoff_cap)
        self.clock = clock
        self.sleep = sleep
        self.rand = rand
        self.read_limiter = MinuteLimiter(reads_per_minute, clock, sleep)
        self.write_limiter = MinuteLimiter(writes_per_minute, clock, sleep)
        self.drive_limiter = MinuteLimiter(drive_per_minute, clock, sleep)
        self.attempts = 0  # every HTTP attempt made (diagnostics)
        self.retries = 0  # attempts that were retries
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self.transports: dict[int, Any] = {}  # thread ident -> its transport (diagnostics)
        self._services()  # build the calling thread's services now: errors surface here

    def _services(self) -> Any:
        """This thread's transport and services (httplib2 is not thread-safe)."""
        local = self._local
        if getattr(local, "drive", None) is None:
            http = _Transport(AuthorizedHttp(self.credentials, http=httplib2.Http(timeout=self.timeout)), self.endpoint)
            local.drive = self._build("drive", "v3", "/drive/v3/", http)
            local.sheets = self._build("sheets", "v4", "/", http)
            with self._count_lock:
                self.transports[threading.get_ident()] = http
        return local

    @property
    def drive(self) -> Any:
        return self._services().drive

    @property
    def sheets(self) -> Any:
        return self._services().sheets

    def _build(self, name: str, version: str, service_path: str, http: Any) -> Any:
        options = {"api_endpoint": self.endpoint + service_path} if self.endpoint else None
        service = build(
            name,
            version,
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )
        return _Collections(service)

    # --- execution ---------------------------------------------------------------------

    def execute(self, request: Any, *, what: str, where: str = "", sheets: str | None = None) -> Any:
        """Run one googleapiclient request.

        ``what`` names the call for messages ("Drive files.create"); ``where`` locates it for
        a person (unit, file). ``sheets`` = "read" or "write" paces a Sheets call; any other
        call is paced as a Drive query. The request must have been built in this thread.
        """
        last: SonketError | None = None
        for attempt in range(1, self.max_attempts + 1):
            if sheets == "read":
                self.read_limiter.acquire()
            elif sheets == "write":
                self.write_limiter.acquire()
            else:
                self.drive_limiter.acquire()
            with self._count_lock:
                self.attempts += 1
                if attempt > 1:
                    self.retries += 1
            try:
                return request.execute(num_retries=0)
            except HttpError as exc:
                error = translate_http_error(exc, what=what, where=where)
                if not _retryable_http(exc):
                    raise error from None
            except (TimeoutError, ConnectionError, ssl.SSLError, httplib2.HttpLib2Error, TransportError) as exc:
                error = WorkspaceUnavailable(
                    f"Không kết nối được tới Google khi gọi {what} ({type(exc).__name__}).",
                    where=where or what,
                    fix="Kiểm tra kết nối mạng rồi đồng bộ lại; lỗi tạm thời sẽ tự hết.",
                )
            except RefreshError:
                raise AuthError(
                    "Google từ chối thông tin xác thực (không lấy được mã truy cập).",
                    where="SONKET_GOOGLE_CREDENTIALS / SONKET_GOOGLE_SUBJECT",
                    fix="Kiểm tra tệp khóa tài khoản dịch vụ còn hiệu lực; nếu dùng ủy quyền toàn miền, "
                    "kiểm tra quản trị viên đã cấp quyền cho tài khoản dịch vụ với đúng phạm vi.",
                ) from None
            last = error
            if attempt == self.max_attempts:
                break
            delay = self._backoff(attempt, getattr(error, "retry_after", None))
            log.warning("Google tạm thời từ chối %s (lần %d/%d), thử lại sau %.1f giây.", what, attempt, self.max_attempts, delay)
            self.sleep(delay)
        assert last is not None
        raise last

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]; honours Retry-After."""
        ceiling = min(self.backoff_cap, BASE_DELAY * (2 ** (attempt - 1)))
        delay = self.rand() * ceiling
        if retry_after is not None:
            delay = max(delay, min(self.backoff_cap, retry_after))
        return delay


# --- errors ----------------------------------------------------------------------------


def error_details(exc: HttpError) -> tuple[int, set[str], str]:
    """(status, reasons, Google's message) from an HttpError's JSON body."""
    status = int(getattr(exc.resp, "status", 0) or 0)
    reasons: set[str] = set()
    message = ""
    try:
        body = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
    except (ValueError, AttributeError, UnicodeDecodeError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        if error.get("status"):
            reasons.add(str(error["status"]))
        for item in error.get("errors") or ():
            if isinstance(item, dict) and item.get("reason"):
                reasons.add(str(item["reason"]))
        for item in error.get("details") or ():
            if isinstance(item, dict) and item.get("reason"):
                reasons.add(str(item["reason"]))
    elif isinstance(error, str):
        message = error
    return status, reasons, message


def _retryable_http(exc: HttpError) -> bool:
    status, reasons, _ = error_details(exc)
    if status in RETRY_STATUSES:
        return True
    return status == 403 and bool(reasons & RETRY_REASONS)


def _retry_after(exc: HttpError) -> float | None:
    try:
        value = exc.resp.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError, AttributeError):
        return None


def translate_http_error(exc: HttpError, *, what: str, where: str = "") -> SonketError:
    """Our error type for a Google HTTP error. Never carries credentials (URLs hold none)."""
    status, reasons, message = error_details(exc)
    detail = f" Google trả lời: {message}" if message else ""
    at = where or what
    error: WorkspaceError
    if status == 429 or (status == 403 and reasons & RETRY_REASONS):
        error = RateLimited(
            f"Google giới hạn tốc độ gọi {what} (HTTP {status}).{detail}",
            retry_after=_retry_after(exc),
            where=at,
            fix="Chờ vài phút rồi đồng bộ lại, hoặc giảm SONKET_SHEETS_READS_PER_MINUTE / SONKET_SHEETS_WRITES_PER_MINUTE.",
        )
    elif status == 403 and "storageQuotaExceeded" in reasons:
        error = StorageQuotaExceeded(
            f"Google không cho tạo tệp: tài khoản dịch vụ không có dung lượng Drive riêng (storageQuotaExceeded) khi gọi {what}.",
            where=at,
            fix="Chiến dịch phải nằm trong một Bộ nhớ dùng chung (Shared Drive): tạo Shared Drive, thêm "
            "tài khoản dịch vụ làm Người quản lý nội dung và đặt SONKET_GOOGLE_SHARED_DRIVE_ID là mã của "
            "Shared Drive đó; hoặc dùng ủy quyền toàn miền (domain-wide delegation) với "
            "SONKET_GOOGLE_SUBJECT là email một người dùng có dung lượng Drive.",
        )
    elif status == 403:
        error = AccessDenied(
            f"Không có quyền truy cập khi gọi {what} (HTTP 403).{detail}",
            where=at,
            fix="Kiểm tra tệp vẫn được chia sẻ cho tài khoản dịch vụ (hoặc tài khoản dịch vụ là thành viên "
            "Shared Drive) và các API Google Drive, Google Sheets đã được bật cho dự án.",
        )
    elif status == 401:
        error = AuthError(
            f"Google không chấp nhận thông tin xác thực khi gọi {what} (HTTP 401).",
            where="SONKET_GOOGLE_CREDENTIALS / SONKET_GOOGLE_SUBJECT",
            fix="Kiểm tra tệp khóa tài khoản dịch vụ (hoặc Application Default Credentials) còn hiệu lực.",
        )
    elif status == 404:
        error = NotFound(
            f"Không tìm thấy tệp hoặc thư mục trên Google Drive khi gọi {what}.{detail}",
            where=at,
            fix="Tệp có thể đã bị xóa, chuyển đi hoặc bị thu hồi quyền: khôi phục tệp từ Thùng rác hoặc chia sẻ lại cho tài khoản dịch vụ; "
            "hệ thống tự đọc lại đơn vị ở các lần đồng bộ sau.",
        )
    elif status in RETRY_STATUSES or status >= 500:
        error = WorkspaceUnavailable(
            f"Google tạm thời lỗi khi gọi {what} (HTTP {status}).{detail}",
            where=at,
            fix="Lỗi tạm thời phía Google; đồng bộ lại sau ít phút.",
        )
    else:
        error = BadRequest(
            f"Google từ chối yêu cầu {what} (HTTP {status}).{detail}",
            where=at,
            fix="Đây thường là lỗi của chương trình hoặc tệp đã bị sửa cấu trúc; báo cho người quản trị kèm thông báo này.",
        )
    error.status = status
    error.reasons = frozenset(reasons)
    error.google_message = message
    return error

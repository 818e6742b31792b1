"""The campaign's writer lease, held by one process at a time (in the store, so it holds
across processes and machines). The holder renews it from a background thread; a holder that
dies stops renewing and its lease expires after ``Settings.lease_seconds``. Its waits (the
renewer's beat, the poll of ``acquire(wait=True)``) read an injectable clock: tests pass a
ManualClock and advance it instead of sleeping.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from sonket_gsync.core.clock import SYSTEM, Clock
from sonket_gsync.core.errors import LeaseHeld, LeaseLost
from sonket_gsync.core.text import format_datetime
from sonket_gsync.store.protocol import LeaseStore
from sonket_gsync.store.records import LeaseInfo

log = logging.getLogger(__name__)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def holder_label(what: str) -> str:
    return f"{what} (máy {socket.gethostname()}, tiến trình {os.getpid()})"


class WriterLease:
    def __init__(self, store: LeaseStore, label: str, ttl: float, *, clock: Clock = SYSTEM) -> None:
        self.store = store
        self.clock = clock
        self.label = label
        self.ttl = ttl
        self.holder = holder_id()
        self.info: LeaseInfo | None = None
        self.token = 0  # the fencing token of this holding (grows with every new holder)
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, *, wait: bool = False, timeout: float | None = None, poll: float = 0.5) -> WriterLease:
        """Take the lease, or raise LeaseHeld naming who holds it since when. ``wait``: poll
        until it is free (or ``timeout`` seconds pass)."""
        deadline = None if timeout is None else self.clock.monotonic() + timeout
        while True:
            taken, info = self.store.acquire_lease(self.holder, self.label, self.ttl)
            if taken:
                self.info = info
                self.token = self.store.lease_token(self.holder) or 0
                self._thread = threading.Thread(target=self._renew, name="sonket-lease", daemon=True)
                self._thread.start()
                return self
            if not wait or (deadline is not None and self.clock.monotonic() >= deadline):
                raise held_error(info, self.ttl)
            self.clock.sleep(poll)

    def _renew(self) -> None:
        while not self.clock.wait(self._stop, self.ttl / 3):
            try:
                if not self.store.renew_lease(self.holder, self.ttl):
                    self.lost = True
                    log.warning("writer lease lost: it expired and was taken by another process")
                    return
            except Exception:  # a busy store: try again at the next beat, the lease still runs
                log.warning("could not renew the writer lease", exc_info=True)

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(
                "Tiến trình này đã mất quyền ghi vào chiến dịch (bị treo quá lâu nên khóa ghi đã hết hạn và được tiến trình khác nhận).",
                fix="Chạy lại lệnh; các dữ liệu đã ghi trước đó vẫn được giữ.",
            )

    def verify(self) -> None:
        """Ask the store whether this holding is still current (its token, unexpired): LeaseLost
        if not. Cheap enough before each write outside the store (a draft, the summary)."""
        self.check()
        with self.store.fence(self.holder, self.token):
            self.store.check_fence()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.lost:
            self.store.release_lease(self.holder)


def held_error(info: LeaseInfo | None, ttl: float) -> LeaseHeld:
    who = info.label if info else "một tiến trình khác"
    since = format_datetime(info.since) if info and info.since else ""
    return LeaseHeld(
        f"Đang có tiến trình khác ghi vào chiến dịch: {who}" + (f", từ {since}." if since else "."),
        holder=who,
        since=info.since.isoformat() if info and info.since else "",
        fix="Chờ tiến trình đó xong rồi chạy lại, hoặc thêm --wait để tự chờ đến lượt. "
        f"Nếu tiến trình đó đã bị tắt, khóa ghi tự hết hạn sau khoảng {int(ttl)} giây.",
    )

"""Time as a dependency. Leases, heartbeats, debounce, staging and schedules read the time
from a ``Clock`` handed to them, never from ``time.time()`` directly, so a test can move time
forward instead of sleeping.

``SYSTEM`` is the real clock; tests pass a ``ManualClock`` and ``advance`` it.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from sonket_gsync.core.text import TZ


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch (what the store records)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals within one process)."""

    def now(self) -> datetime:
        """The current moment, aware, in Asia/Ho_Chi_Minh."""

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until ``event`` is set or ``seconds`` pass; True if the event was set."""

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (a polling loop's pause)."""


class SystemClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(TZ)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when told (tests).

    ``advance(s)`` moves it. ``sleep(s)`` is the caller's own time passing: it advances the
    clock at once (a polling loop in the test's thread runs through its pauses without
    waiting). ``wait(event, s)`` is a background thread's pause (a lease renewer, a worker's
    heartbeat): it blocks until the event is set or someone advances the clock by ``s``, so
    the thread beats once per ``advance`` instead of spinning. ``waiting`` counts the threads
    blocked in ``wait`` (a test can advance once they are all there).
    """

    def __init__(self, start: float | datetime = 1_767_225_600.0) -> None:  # 01/01/2026 07:00 (+07)
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self._changed = threading.Condition()
        self._waiting = 0

    def time(self) -> float:
        with self._changed:
            return self._now

    def monotonic(self) -> float:
        return self.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC).astimezone(TZ)

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += max(0.0, seconds)
            self._changed.notify_all()

    def set(self, when: float | datetime) -> None:
        """Move the clock to ``when`` (never backwards)."""
        target = when.timestamp() if isinstance(when, datetime) else float(when)
        self.advance(target - self.time())

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        with self._changed:
            until = self._now + max(0.0, seconds)
            self._waiting += 1
            try:
                while not event.is_set() and self._now < until:
                    self._changed.wait(0.01)  # a set event is seen within 10 ms
            finally:
                self._waiting -= 1
        return event.is_set()

    @property
    def waiting(self) -> int:
        with self._changed:
            return self._waiting


SYSTEM: Clock = SystemClock()

__all__ = ["SYSTEM", "Clock", "ManualClock", "SystemClock"]

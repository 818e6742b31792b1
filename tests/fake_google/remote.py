"""The fake in a child process, driven through a pipe: for benchmarks, so that the fake's own
CPU (building .xlsx exports, serving HTTP) runs on another core instead of competing for the
client's interpreter lock, as Google's servers would.

    fake = RemoteFake(latency=0.1, sheets_reads_per_minute=60)
    fake.endpoint, fake.count(api="sheets"), fake.requests, fake.edit_cells(...), fake.stop()

Every public method of ``FakeGoogle`` is called in the child; ``requests`` returns a copy of
the request log. Linux only (fork).
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from .server import FakeGoogle


class RemoteFake:
    def __init__(self, **kwargs: Any) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._lock = threading.Lock()
        self._proc = ctx.Process(target=_serve, args=(child, kwargs), name="fake-google", daemon=True)
        self._proc.start()
        child.close()
        self.endpoint, self.token = self._conn.recv()

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._conn.send((name, args, kwargs))
            ok, value = self._conn.recv()
        if not ok:
            raise value
        return value

    @property
    def requests(self) -> list:
        return self._call("_requests")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._call(name, *args, **kwargs)

    def stop(self) -> None:
        if self._proc.is_alive():
            self._call("stop")
            self._proc.join(timeout=10)


def _serve(conn, kwargs: dict) -> None:
    fake = FakeGoogle(**kwargs).start()
    conn.send((fake.endpoint, fake.token))
    while True:
        name, args, kwargs = conn.recv()
        try:
            value = list(fake.requests) if name == "_requests" else getattr(fake, name)(*args, **kwargs)
            conn.send((True, value))
        except Exception as exc:  # handed back to the caller
            conn.send((False, exc))
        if name == "stop":
            return

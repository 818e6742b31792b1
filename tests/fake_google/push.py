"""Drive push notifications in the fake: ``changes.watch``, ``channels.stop`` and the
deliveries Google makes to a channel's address.

As Google (https://developers.google.com/workspace/drive/api/guides/push):
- ``changes.watch?pageToken=…`` with a Channel body ``{"id", "type": "web_hook", "address",
  "token", "expiration"}`` answers the channel with a ``resourceId``, a ``resourceUri`` and
  its ``expiration`` (ms since the epoch; default one hour, at most one week here);
- the address must be HTTPS — except that the fake accepts ``http://`` on loopback
  (127.0.0.1, localhost, ::1) so tests can run a tiny receiver;
- right after the watch a ``sync`` message (number 1) is POSTed, then, after each change of
  a file in the watched feed, a ``change`` message with a larger message number (increasing,
  not consecutive); the POST has no body and carries X-Goog-Channel-ID,
  X-Goog-Channel-Token (when set), X-Goog-Resource-ID, X-Goog-Resource-State,
  X-Goog-Message-Number, X-Goog-Resource-URI and X-Goog-Channel-Expiration;
- a 500/502/503/504 answer is retried with backoff; 200/201/202/204/102 is success;
- ``channels.stop`` ``{"id", "resourceId"}`` ends deliveries (404 for an unknown pair); an
  expired channel gets nothing.
Deliveries run on one background thread, in order; ``FakeGoogle.push.deliveries`` records
each attempt and ``FakeGoogle.push.wait_idle()`` waits until the queue is empty.
"""

from __future__ import annotations

import email.utils
import http.client
import queue
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from .errors import drive_error

DEFAULT_LIFETIME = 3600.0
MAX_LIFETIME = 7 * 24 * 3600.0
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
RETRY_STATUSES = {500, 502, 503, 504}
RETRY_DELAYS = (0.05, 0.2, 0.5)


@dataclass
class Channel:
    id: str
    resource_id: str
    address: str
    token: str | None
    expiration: float  # seconds since the epoch
    drive_id: str | None
    all_drives: bool
    resource_uri: str
    number: int = 1
    stopped: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Delivery:
    channel_id: str
    number: int
    state: str
    status: int  # HTTP status answered, 0 when the address could not be reached
    headers: dict


class Push:
    def __init__(self, fake) -> None:
        self.fake = fake
        self.channels: dict[str, Channel] = {}
        self.deliveries: list[Delivery] = []
        self.rng = random.Random(45)
        self.clock = time.time  # channels expire in real time (tests may replace it)
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ---- API --------------------------------------------------------------------
    def watch(self, body: dict, drive_id: str | None, all_drives: bool, page_token: str) -> dict:
        if body.get("type") not in ("web_hook", "webhook"):
            raise drive_error(400, "Invalid value for type: must be web_hook.", "invalid", location="type")
        channel_id = body.get("id") or ""
        if not channel_id or len(channel_id) > 64:
            raise drive_error(400, "Channel id must be 1-64 characters.", "invalid", location="id")
        address = body.get("address") or ""
        parts = urllib.parse.urlsplit(address)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise drive_error(400, f"WebHook callback must be HTTPS: {address}", "push.webhookUrlNotHttps")
        token = body.get("token")
        if token is not None and len(token) > 256:
            raise drive_error(400, "Channel token must be at most 256 characters.", "invalid", location="token")
        with self._lock:
            if channel_id in self.channels and not self.channels[channel_id].stopped:
                raise drive_error(400, f"Channel id {channel_id} not unique", "channelIdNotUnique")
        now = self.clock()
        wanted = body.get("expiration")
        lifetime = DEFAULT_LIFETIME if not wanted else int(wanted) / 1000 - now
        expiration = now + max(1.0, min(lifetime, MAX_LIFETIME))
        query = {"alt": "json", "pageToken": page_token, "supportsAllDrives": "true"}
        if drive_id:
            query["driveId"] = drive_id
        if all_drives:
            query["includeItemsFromAllDrives"] = "true"
        channel = Channel(
            id=channel_id,
            resource_id="".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(27)),
            address=address,
            token=token,
            expiration=expiration,
            drive_id=drive_id,
            all_drives=all_drives,
            resource_uri="https://www.googleapis.com/drive/v3/changes?" + urllib.parse.urlencode(query),
        )
        with self._lock:
            self.channels[channel_id] = channel
        self._start()
        self._queue.put((channel, "sync", 1))
        out = {
            "kind": "api#channel",
            "id": channel.id,
            "resourceId": channel.resource_id,
            "resourceUri": channel.resource_uri,
            "expiration": str(int(expiration * 1000)),
        }
        if token is not None:
            out["token"] = token
        return out

    def stop(self, body: dict) -> None:
        with self._lock:
            channel = self.channels.get(body.get("id") or "")
            if channel is None or channel.stopped or channel.resource_id != body.get("resourceId"):
                raise drive_error(404, f"Channel '{body.get('id')}' not found for project", "notFound")
            channel.stopped = True

    def on_change(self, drive_id: str | None) -> None:
        """Called by the fake's state for every change-log entry (under the state lock)."""
        if not self.channels:
            return
        now = self.clock()
        with self._lock:
            live = [c for c in self.channels.values() if not c.stopped and c.expiration > now]
        for channel in live:
            if channel.drive_id is not None and drive_id != channel.drive_id:
                continue
            if channel.drive_id is None and drive_id is not None and not channel.all_drives:
                continue
            with channel.lock:
                channel.number += self.rng.randint(1, 3)  # increasing, not consecutive
                number = channel.number
            self._queue.put((channel, "change", number))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued notification has been delivered (or given up)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    # ---- delivery ---------------------------------------------------------------
    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fake-google-push", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            finally:
                self._queue.task_done()

    def _deliver(self, channel: Channel, state: str, number: int) -> None:
        if channel.stopped or channel.expiration <= self.clock():
            return
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Message-Number": str(number),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-State": state,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Channel-Expiration": email.utils.formatdate(channel.expiration, usegmt=True),
            "Content-Length": "0",
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        for delay in (*RETRY_DELAYS, None):
            status = _post(channel.address, headers)
            with self._lock:
                self.deliveries.append(Delivery(channel.id, number, state, status, dict(headers)))
            if status not in RETRY_STATUSES or delay is None:
                return
            time.sleep(delay)


def _post(address: str, headers: dict) -> int:
    """POST with no body; header names sent exactly as Google spells them."""
    parts = urllib.parse.urlsplit(address)
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn = conn_type(parts.hostname, parts.port, timeout=5)
        try:
            conn.request("POST", path, body=b"", headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return 0

"""Drive push notifications: registering the campaign's ``changes.watch`` channel and
renewing it before it expires (Google renews nothing by itself).

``sonket-gsync watch`` registers; the worker's schedule enqueues ``renew_channel`` when the
active channel is close to expiry; the job watches again with a new id and token, stores
the new channel, then stops the old one.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sonket_gsync.errors import ConfigError, SonketError
from sonket_gsync.text import now

log = logging.getLogger("sonket_gsync.web")
NOTIFICATION_PATH = "/drive/notifications"
RENEW_BEFORE = timedelta(hours=12)
WATCH_FOR = timedelta(days=7)  # asked for; Google may grant less and says so in its answer


def notification_address(settings) -> str:
    base = settings.public_base_url.rstrip("/")
    if not base:
        raise ConfigError(
            "Chưa cấu hình địa chỉ công khai của dịch vụ nên Google không biết gửi thông báo về đâu.",
            where="SONKET_PUBLIC_BASE_URL",
            fix="Đặt SONKET_PUBLIC_BASE_URL=https://… (địa chỉ HTTPS có chứng chỉ hợp lệ của dịch vụ) rồi chạy lại.",
        )
    parts = urlsplit(base)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not loopback:
        raise ConfigError(
            f"Địa chỉ nhận thông báo phải là HTTPS (đang là '{base}').",
            where="SONKET_PUBLIC_BASE_URL",
            fix="Dùng địa chỉ https:// có chứng chỉ hợp lệ; Google không gửi thông báo tới http hoặc chứng chỉ tự ký.",
        )
    return base + NOTIFICATION_PATH


def register_channel(service, address: str | None = None):
    """Watch the campaign's changes feed; store and return the new channel."""
    from sonket_gsync.store import ChannelInfo

    address = address or notification_address(service.settings)
    token = secrets.token_urlsafe(32)
    channel_id = "sonket-" + uuid.uuid4().hex
    wanted = now() + WATCH_FOR
    answer = service.workspace.watch_changes(address, token, channel_id, expiration=wanted)
    info = ChannelInfo(
        channel_id=answer.get("channel_id", channel_id),
        resource_id=answer["resource_id"],
        token=token,
        expiration=_moment(answer.get("expiration")),
        address=address,
        created_at=now(),
    )
    service.store.save_channel(info)
    log.info("drive channel registered, expires %s", info.expiration)
    return info


def renew_channel(service, params: dict | None = None, progress=None) -> dict:
    """Job handler: a new channel first (no gap), then the old one stopped."""
    old = service.store.active_channel()
    new = register_channel(service, old.address if old else None)
    if old is not None:
        try:
            service.workspace.stop_channel(old.channel_id, old.resource_id)
        except SonketError as exc:  # it expires by itself anyway
            log.warning("stopping the old drive channel failed: %s", exc.message)
        service.store.mark_channel_stopped(old.channel_id)
    return {"channel": new.channel_id, "expiration": new.expiration.isoformat() if new.expiration else None}


def needs_renewal(channel, moment: datetime | None = None) -> bool:
    if channel is None or channel.expiration is None:
        return False
    return channel.expiration - (moment or now()) < RENEW_BEFORE


def _moment(value) -> datetime | None:
    """Google gives expiration as milliseconds since the epoch (a string); a backend may
    already have made it a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)

"""Drive push notifications: registering the campaign's ``changes.watch`` channel and
renewing it before it expires (Google renews nothing by itself).

``sonket-gsync watch`` registers; the worker's schedule enqueues ``renew_channel`` when the
active channel is close to expiry; the job (``CampaignService.renew_channel``) watches again
with a new id and token, stores the new channel, then stops the old one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import now

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


def register_channel(service, address: str | None = None) -> dict:
    """Watch the campaign's changes feed with a fresh id and random token (the service keeps
    the channel in the store and stops the ones it replaces)."""
    address = address or notification_address(service.settings)
    answer = service.renew_channel(address=address, ttl_seconds=WATCH_FOR.total_seconds())
    log.info("drive channel registered")
    return answer


def renewal_params(channel) -> dict:
    """What the scheduled ``renew_channel`` job gets: the same address. The new channel's
    token is made by the job itself, so it never sits in the jobs list."""
    return {"address": channel.address, "ttl_seconds": WATCH_FOR.total_seconds()}


def needs_renewal(channel, moment: datetime | None = None) -> bool:
    if channel is None or channel.expiration is None:
        return False
    return channel.expiration - (moment or now()) < RENEW_BEFORE

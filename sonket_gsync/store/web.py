"""What the web app keeps: staff accounts, each unit's private upload token, units reopened
after the deadline, Drive push channels with the notifications already seen."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update

from sonket_gsync.core.text import now
from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time, as_time, iso
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import ChannelInfo, Staff


class SqlWebTables(StoreBase):
    # --- staff ---------------------------------------------------------------------------

    @guarded
    def add_staff(self, email: str, name: str, password_hash: str) -> Staff:
        """Add a staff account, or update its name and password hash."""
        email = email.strip().lower()
        values = {"email": email, "name": name, "password_hash": password_hash, "created_at": now().isoformat()}
        with self._write() as conn:
            self._upsert(conn, s.staff, values, ["email"], ["name", "password_hash"])
            row = conn.execute(select(s.staff).where(s.staff.c.email == email)).mappings().one()
        return _staff(row)

    @guarded
    def staff(self, email: str) -> Staff | None:
        with self._read() as conn:
            row = conn.execute(select(s.staff).where(s.staff.c.email == email.strip().lower())).mappings().first()
        return _staff(row) if row else None

    @guarded
    def list_staff(self) -> list[Staff]:
        with self._read() as conn:
            return [_staff(r) for r in conn.execute(select(s.staff).order_by(s.staff.c.email)).mappings()]

    # --- unit tokens -----------------------------------------------------------------------

    @guarded
    def unit_token(self, code: str) -> str:
        """The unit's private token (random, made on first ask, then always the same)."""
        with self._read() as conn:
            token = conn.execute(select(s.unit_tokens.c.token).where(s.unit_tokens.c.unit_code == code)).scalar()
        if token:
            return token
        with self._write() as conn:
            self._insert_ignore(conn, s.unit_tokens, {"unit_code": code, "token": secrets.token_urlsafe(24), "created_at": now().isoformat()}, ["unit_code"])
            return conn.execute(select(s.unit_tokens.c.token).where(s.unit_tokens.c.unit_code == code)).scalar_one()

    @guarded
    def unit_by_token(self, token: str) -> str | None:
        if not token:
            return None
        with self._read() as conn:
            return conn.execute(select(s.unit_tokens.c.unit_code).where(s.unit_tokens.c.token == token)).scalar()

    # --- reopened units ----------------------------------------------------------------------

    @guarded
    def reopen_unit(self, code: str, until: datetime, by: str) -> None:
        values = {"unit_code": code, "until": until.isoformat(), "by": by, "at": now().isoformat()}
        with self._write() as conn:
            self._upsert(conn, s.reopened, values, ["unit_code"], ["until", "by", "at"])

    @guarded
    def reopened_until(self, code: str) -> datetime | None:
        with self._read() as conn:
            return as_time(conn.execute(select(s.reopened.c.until).where(s.reopened.c.unit_code == code)).scalar())

    @guarded
    def reopened(self) -> dict[str, datetime]:
        with self._read() as conn:
            return {r[0]: a_time(r[1]) for r in conn.execute(select(s.reopened.c.unit_code, s.reopened.c.until))}

    # --- Drive channels and notifications ------------------------------------------------

    @guarded
    def save_channel(self, channel: ChannelInfo) -> None:
        values = {
            "channel_id": channel.channel_id,
            "resource_id": channel.resource_id,
            "token": channel.token,
            "expiration": iso(channel.expiration),
            "address": channel.address,
            "created_at": iso(channel.created_at) or now().isoformat(),
            "stopped_at": iso(channel.stopped_at),
        }
        with self._write() as conn:
            self._upsert(conn, s.drive_channels, values, ["channel_id"], [k for k in values if k != "channel_id"])

    @guarded
    def channels(self) -> list[ChannelInfo]:
        with self._read() as conn:
            return [_channel(r) for r in conn.execute(select(s.drive_channels).order_by(s.drive_channels.c.created_at)).mappings()]

    def active_channel(self) -> ChannelInfo | None:
        """The newest channel not stopped and not expired."""
        t = now()
        live = [c for c in self.channels() if c.stopped_at is None and (c.expiration is None or c.expiration > t)]
        return live[-1] if live else None

    @guarded
    def mark_channel_stopped(self, channel_id: str) -> None:
        with self._write() as conn:
            conn.execute(update(s.drive_channels).where(s.drive_channels.c.channel_id == channel_id).values(stopped_at=now().isoformat()))

    @guarded
    def note_notification(self, channel_id: str, message_number: str | int) -> bool:
        """Remember a delivered notification; False if it was seen already (a redelivery)."""
        with self._write() as conn:
            values = {"channel_id": channel_id, "message_number": str(message_number), "seen_at": now().isoformat()}
            return self._insert_ignore(conn, s.notifications, values, ["channel_id", "message_number"]) == 1


def _staff(row) -> Staff:
    return Staff(row["email"], row["name"], row["password_hash"], a_time(row["created_at"]))


def _channel(row) -> ChannelInfo:
    return ChannelInfo(
        channel_id=row["channel_id"],
        resource_id=row["resource_id"],
        token=row["token"],
        expiration=as_time(row["expiration"]),
        address=row["address"],
        created_at=a_time(row["created_at"]),
        stopped_at=as_time(row["stopped_at"]),
    )

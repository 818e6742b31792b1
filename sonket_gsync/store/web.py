"""What the web app keeps: staff accounts (with a session version and a disabled mark), each
unit's private upload token and the tokens it replaced, units reopened after the deadline,
Drive push channels with the notifications already seen, the sign-in throttle, an audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from sonket_gsync.core.text import now
from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time, as_time, changed, iso
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.records import AuditEntry, ChannelInfo, SigninThrottle, Staff


class SqlWebTables(StoreBase):
    # --- staff ---------------------------------------------------------------------------

    @guarded
    def add_staff(self, email: str, name: str, password_hash: str) -> Staff:
        """Add a staff account, or update its name and password hash. A new password ends
        every session of the account and enables it again if it was disabled."""
        email = email.strip().lower()
        with self._write() as conn:
            row = conn.execute(select(s.staff).where(s.staff.c.email == email)).mappings().first()
            if row is None:
                values = {"email": email, "name": name, "password_hash": password_hash, "created_at": now().isoformat(), "session_version": 0}
                conn.execute(insert(s.staff).values(**values))
            else:
                new_password = row["password_hash"] != password_hash
                changes: dict = {"name": name, "password_hash": password_hash, "disabled_at": None}
                if new_password or row["disabled_at"]:
                    changes["session_version"] = row["session_version"] + 1
                conn.execute(update(s.staff).where(s.staff.c.email == email).values(**changes))
            row = conn.execute(select(s.staff).where(s.staff.c.email == email)).mappings().one()
        return _staff(row)

    @guarded
    def google_staff(self, email: str, name: str) -> Staff:
        """The account of a listed Google sign-in email, made on its first sign-in with no
        password (it signs in only through Google): it holds the session version, so signing
        out ends every session of the account, and ``staff disable`` / ``remove`` apply."""
        email = email.strip().lower()
        with self._write() as conn:
            values = {"email": email, "name": name or email, "password_hash": "", "created_at": now().isoformat(), "session_version": 0}
            self._insert_ignore(conn, s.staff, values, ["email"])
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

    @guarded
    def end_staff_sessions(self, email: str) -> bool:
        """Every session of the account ends (its session version moves on); False if unknown."""
        stmt = update(s.staff).where(s.staff.c.email == email.strip().lower()).values(session_version=s.staff.c.session_version + 1)
        with self._write() as conn:
            return changed(conn, stmt) == 1

    @guarded
    def set_staff_disabled(self, email: str, disabled: bool) -> bool:
        """Disable (every session ends, sign-in refused) or enable an account; False if unknown."""
        stmt = (
            update(s.staff)
            .where(s.staff.c.email == email.strip().lower())
            .values(disabled_at=now().isoformat() if disabled else None, session_version=s.staff.c.session_version + 1)
        )
        with self._write() as conn:
            return changed(conn, stmt) == 1

    @guarded
    def remove_staff(self, email: str) -> bool:
        with self._write() as conn:
            return changed(conn, delete(s.staff).where(s.staff.c.email == email.strip().lower())) == 1

    # --- unit tokens -----------------------------------------------------------------------

    @guarded
    def unit_token(self, code: str) -> str:
        """The unit's private token (random, made on first ask, then the same until rotated)."""
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

    @guarded
    def rotate_unit_tokens(self, codes: list[str], by: str) -> dict[str, str]:
        """A new token for each unit; the old one is kept as retired (its link then says it
        was replaced). One transaction: all the units change or none."""
        at = now().isoformat()
        fresh: dict[str, str] = {}
        with self._write() as conn:
            for code in codes:
                old = conn.execute(select(s.unit_tokens.c.token).where(s.unit_tokens.c.unit_code == code)).scalar()
                token = secrets.token_urlsafe(24)
                if old:
                    self._insert_ignore(conn, s.retired_unit_tokens, {"token": old, "unit_code": code, "retired_at": at, "by": by}, ["token"])
                    conn.execute(update(s.unit_tokens).where(s.unit_tokens.c.unit_code == code).values(token=token, created_at=at))
                else:
                    conn.execute(insert(s.unit_tokens).values(unit_code=code, token=token, created_at=at))
                fresh[code] = token
        return fresh

    @guarded
    def retired_unit_token(self, token: str) -> tuple[str, datetime] | None:
        """(unit code, when it was replaced) for a token that was rotated away, else None."""
        if not token:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(s.retired_unit_tokens.c.unit_code, s.retired_unit_tokens.c.retired_at).where(s.retired_unit_tokens.c.token == token)
            ).first()
        return (row[0], a_time(row[1])) if row else None

    # --- the sign-in throttle (shared by every process) -------------------------------------

    @guarded
    def signin_throttle(self, keys: list[str]) -> dict[str, SigninThrottle]:
        with self._read() as conn:
            rows = conn.execute(select(s.signin_throttle).where(s.signin_throttle.c.key.in_(keys))).mappings()
            return {r["key"]: _throttle(r) for r in rows}

    @guarded
    def note_signin_failure(self, key: str, *, window: float, backoff: Callable[[int], float]) -> SigninThrottle:
        """Count one failed sign-in for ``key`` (failures older than ``window`` seconds are
        forgotten) and set how long the key waits: ``backoff(failures)`` seconds."""
        t = self.clock.time()
        with self._write() as conn:
            row = conn.execute(select(s.signin_throttle).where(s.signin_throttle.c.key == key)).mappings().first()
            failures = 1 if row is None or t - row["last_failure"] > window else row["failures"] + 1
            values = {"key": key, "failures": failures, "last_failure": t, "blocked_until": t + backoff(failures)}
            self._upsert(conn, s.signin_throttle, values, ["key"], ["failures", "last_failure", "blocked_until"])
        return _throttle(values)

    @guarded
    def clear_signin_failures(self, keys: list[str]) -> None:
        with self._write() as conn:
            conn.execute(delete(s.signin_throttle).where(s.signin_throttle.c.key.in_(keys)))

    # --- audit ----------------------------------------------------------------------------------

    @guarded
    def add_audit(self, kind: str, subject: str = "", detail: str = "", by: str = "") -> None:
        with self._write() as conn:
            conn.execute(insert(s.audit_log).values(at=now().isoformat(), kind=kind, subject=subject, detail=detail, by=by))

    @guarded
    def audit(self, limit: int = 50, kind: str | None = None) -> list[AuditEntry]:
        stmt = select(s.audit_log).order_by(s.audit_log.c.id.desc()).limit(limit)
        if kind:
            stmt = stmt.where(s.audit_log.c.kind == kind)
        with self._read() as conn:
            return [AuditEntry(r["id"], a_time(r["at"]), r["kind"], r["subject"], r["detail"], r["by"]) for r in conn.execute(stmt).mappings()]

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
    return Staff(row["email"], row["name"], row["password_hash"], a_time(row["created_at"]), row["session_version"], as_time(row["disabled_at"]))


def _throttle(row) -> SigninThrottle:
    return SigninThrottle(row["key"], row["failures"], row["last_failure"], row["blocked_until"])


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

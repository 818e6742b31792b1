"""The store's tables as they are at the newest migration (the migrations in migrations/
build them; this module only describes them for queries). Times are ISO-8601 text with the
offset (as the first SQLite store kept them); lease and scheduling times are epoch seconds,
compared in SQL."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, Table, Text, UniqueConstraint

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trigger", Text, nullable=False),
    Column("backend", Text, nullable=False),
    Column("full", Integer, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("units_changed", Integer, server_default="0"),
    Column("units_read", Integer, server_default="0"),
    Column("versions_added", Integer, server_default="0"),
    Column("units_invalid", Integer, server_default="0"),
    Column("units_failed", Integer, server_default="0"),
    Column("status", Text, nullable=False, server_default="running"),
    Column("holder", Text, nullable=False, server_default=""),  # 0002
    Column("job_id", Integer),  # 0002
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("source_modified_at", Text, nullable=False),
    Column("stored_at", Text, nullable=False),
    Column("run_id", Integer, ForeignKey("sync_runs.id")),
    UniqueConstraint("unit_code", "content_hash"),
)

unit_state = Table(
    "unit_state",
    metadata,
    Column("unit_code", Text, primary_key=True),
    Column("read_status", Text, nullable=False),  # ok | invalid | unreadable | empty | gone
    Column("accepted_version_id", Integer, ForeignKey("versions.id")),
    Column("first_accepted_at", Text),
    Column("last_modified_at", Text),
    Column("last_read_at", Text),
    Column("last_run_id", Integer),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("warning_count", Integer, nullable=False, server_default="0"),
    Column("retry", Integer, nullable=False, server_default="0"),
    Column("read_started_at", Text),  # 0002: when the recorded read began (older reads lose)
    Column("retry_after", Float),  # 0003: a re-read is owed, not before this epoch (backoff)
    Column("failures", Integer, nullable=False, server_default="0"),  # 0003: reads failed in a row
)

problems = Table(
    "problems",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("severity", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("sheet", Text, nullable=False, server_default=""),
    Column("row", Integer),
    Column("column", Text, nullable=False, server_default=""),
    Column("message", Text, nullable=False),
    Index("problems_by_unit", "unit_code", "run_id"),
)

unit_files = Table(
    "unit_files",
    metadata,
    Column("unit_code", Text, primary_key=True),
    Column("backend", Text, primary_key=True),
    Column("sheet_id", Text, nullable=False),
    Column("sheet_url", Text, nullable=False),
    Column("doc_id", Text, nullable=False, server_default=""),
    Column("doc_url", Text, nullable=False, server_default=""),
    Column("provisioned_at", Text, nullable=False),
)

outputs = Table(
    "outputs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

# --- 0002: one writer at a time, and the web ----------------------------------------------

leases = Table(
    "leases",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text),
    Column("label", Text, nullable=False, server_default=""),
    Column("since", Text),
    Column("expires_at", Float, nullable=False, server_default="0"),
    Column("token", Integer, nullable=False, server_default="0"),  # 0003: fencing, +1 per new holder
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("params", Text, nullable=False, server_default="{}"),
    Column("dedupe_key", Text, nullable=False, server_default=""),
    Column("progress_done", Integer, nullable=False, server_default="0"),
    Column("progress_total", Integer, nullable=False, server_default="0"),
    Column("progress_label", Text, nullable=False, server_default=""),
    Column("result", Text),
    Column("error", Text),
    Column("requested_by", Text, nullable=False, server_default=""),
    Column("created_at", Text, nullable=False),
    Column("started_at", Text),
    Column("finished_at", Text),
    Column("run_after", Float, nullable=False, server_default="0"),
    Column("holder", Text, nullable=False, server_default=""),
    Column("attempts", Integer, nullable=False, server_default="0"),  # 0003: times claimed
    Column("max_attempts", Integer, nullable=False, server_default="1"),  # 0003: re-queued while below
    Index("jobs_by_state", "state", "run_after"),
    Index("jobs_by_key", "dedupe_key", "state"),
)

workers = Table(
    "workers",
    metadata,
    Column("worker_id", Text, primary_key=True),
    Column("last_seen", Text, nullable=False),
    Column("last_seen_epoch", Float, nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("email", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("session_version", Integer, nullable=False, server_default="0"),  # 0004: bumped to end every session
    Column("disabled_at", Text),  # 0004
)

unit_tokens = Table(
    "unit_tokens",
    metadata,
    Column("unit_code", Text, primary_key=True),
    Column("token", Text, nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
)

reopened = Table(
    "reopened",
    metadata,
    Column("unit_code", Text, primary_key=True),
    Column("until", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", Text, nullable=False),
)

drive_channels = Table(
    "drive_channels",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("resource_id", Text, nullable=False),
    Column("token", Text, nullable=False),
    Column("expiration", Text),
    Column("address", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("stopped_at", Text),
)

notifications = Table(
    "notifications",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("message_number", Text, primary_key=True),
    Column("seen_at", Text, nullable=False),
)

# --- 0003: fencing, re-reads, re-queue, persisted schedules --------------------------------

schedules = Table(
    "schedules",
    metadata,
    Column("name", Text, primary_key=True),
    Column("last_slot", Text),  # ISO time of the last slot claimed (run once, by one process)
    Column("claimed_at", Text),
    Column("claimed_by", Text, nullable=False, server_default=""),
    Column("job_id", Integer),
)

# --- 0004: sessions and links that can be ended -------------------------------------------

retired_unit_tokens = Table(
    "retired_unit_tokens",
    metadata,
    Column("token", Text, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("retired_at", Text, nullable=False),
    Column("by", Text, nullable=False, server_default=""),
)

signin_throttle = Table(
    "signin_throttle",
    metadata,
    Column("key", Text, primary_key=True),  # "ip:<address>" or "account:<email>"
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_failure", Float, nullable=False, server_default="0"),  # epoch seconds
    Column("blocked_until", Float, nullable=False, server_default="0"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),
    Column("by", Text, nullable=False, server_default=""),
)

# --- 0005: a submission is an act (issue 18) ---------------------------------------------

submission_events = Table(
    "submission_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("kind", Text, nullable=False),  # confirmed | accepted | returned
    Column("state", Text, nullable=False),  # the unit's workflow state after this act
    Column("version_id", Integer, ForeignKey("versions.id")),  # the version the act is about
    Column("at", Text, nullable=False),
    Column("by", Text, nullable=False, server_default=""),
    Column("name", Text, nullable=False, server_default=""),  # confirmed: who signs
    Column("position", Text, nullable=False, server_default=""),
    Column("doc_number", Text, nullable=False, server_default=""),  # số văn bản
    Column("doc_date", Text, nullable=False, server_default=""),  # ngày văn bản, ISO date
    Column("on_time", Integer),  # confirmed: 1 before the deadline (or the reopen), 0 late
    Column("note", Text, nullable=False, server_default=""),
    Index("submission_events_by_unit", "unit_code", "id"),
)

review_comments = Table(
    "review_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("event_id", Integer, ForeignKey("submission_events.id"), nullable=False),  # the return
    Column("form", Text, nullable=False, server_default=""),
    Column("row", Integer),
    Column("column", Text, nullable=False, server_default=""),
    Column("outline_item", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Index("review_comments_by_event", "event_id"),
)

signed_pdfs = Table(
    "signed_pdfs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("event_id", Integer, ForeignKey("submission_events.id")),  # the confirmation it signs
    Column("version_id", Integer, ForeignKey("versions.id")),
    Column("filename", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("signer", Text, nullable=False, server_default=""),  # the digital signature's CN, "" if none
    Column("data", LargeBinary, nullable=False),  # the bytes, in the database (capped by upload_max_bytes)
    Column("stored_at", Text, nullable=False),
    Column("by", Text, nullable=False, server_default=""),
    Index("signed_pdfs_by_unit", "unit_code", "id"),
)

# --- 0006: reminders that are sent (issue 18) ----------------------------------------------

reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_code", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("day", Text, nullable=False),  # local date (Asia/Ho_Chi_Minh) of ``at``, ISO
    Column("recipients", Text, nullable=False, server_default=""),  # addresses, comma-separated
    Column("subject", Text, nullable=False, server_default=""),
    Column("outcome", Text, nullable=False),  # sent | failed | skipped
    Column("detail", Text, nullable=False, server_default=""),
    Column("trigger", Text, nullable=False, server_default="manual"),  # schedule | manual
    Column("by", Text, nullable=False, server_default=""),
    Index("reminders_sent_by_unit", "unit_code", "day"),
)

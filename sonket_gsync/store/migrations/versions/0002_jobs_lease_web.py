"""One writer at a time and the web: the writer lease, jobs, worker heartbeats, runs tied to
their holder; staff, unit tokens, reopened units, Drive channels and seen notifications.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.add_column(sa.Column("holder", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("job_id", sa.Integer))
    with op.batch_alter_table("unit_state") as batch:
        batch.add_column(sa.Column("read_started_at", sa.Text))  # when the recorded read began
    op.create_table(
        "leases",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("holder", sa.Text),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("since", sa.Text),
        sa.Column("expires_at", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False, server_default="{}"),
        sa.Column("dedupe_key", sa.Text, nullable=False, server_default=""),
        sa.Column("progress_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_label", sa.Text, nullable=False, server_default=""),
        sa.Column("result", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("requested_by", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text),
        sa.Column("finished_at", sa.Text),
        sa.Column("run_after", sa.Float, nullable=False, server_default="0"),
        sa.Column("holder", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("jobs_by_state", "jobs", ["state", "run_after"])
    op.create_index("jobs_by_key", "jobs", ["dedupe_key", "state"])
    op.create_table(
        "workers",
        sa.Column("worker_id", sa.Text, primary_key=True),
        sa.Column("last_seen", sa.Text, nullable=False),
        sa.Column("last_seen_epoch", sa.Float, nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "unit_tokens",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("token", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "reopened",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("until", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_table(
        "drive_channels",
        sa.Column("channel_id", sa.Text, primary_key=True),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("expiration", sa.Text),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("stopped_at", sa.Text),
    )
    op.create_table(
        "notifications",
        sa.Column("channel_id", sa.Text, primary_key=True),
        sa.Column("message_number", sa.Text, primary_key=True),
        sa.Column("seen_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("notifications", "drive_channels", "reopened", "unit_tokens", "staff", "workers", "jobs", "leases"):
        op.drop_table(table)
    with op.batch_alter_table("unit_state") as batch:
        batch.drop_column("read_started_at")
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("job_id")
        batch.drop_column("holder")

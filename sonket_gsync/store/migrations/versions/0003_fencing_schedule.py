"""Running for months unattended: a fencing token on the lease (a holder that lost it writes
nothing), re-reads owed with a backoff (a unit whose read failed, even permanently, is read
again), bounded automatic re-queue of interrupted jobs, and persisted schedules (the last slot
each ran, claimed in the store so two processes never both run it).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leases") as batch:
        batch.add_column(sa.Column("token", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("unit_state") as batch:
        batch.add_column(sa.Column("retry_after", sa.Float))  # epoch: not re-read before (backoff)
        batch.add_column(sa.Column("failures", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("max_attempts", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "schedules",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("last_slot", sa.Text),  # ISO time of the last slot claimed
        sa.Column("claimed_at", sa.Text),
        sa.Column("claimed_by", sa.Text, nullable=False, server_default=""),
        sa.Column("job_id", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("schedules")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("max_attempts")
        batch.drop_column("attempts")
    with op.batch_alter_table("unit_state") as batch:
        batch.drop_column("failures")
        batch.drop_column("retry_after")
    with op.batch_alter_table("leases") as batch:
        batch.drop_column("token")

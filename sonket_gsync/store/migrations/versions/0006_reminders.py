"""Reminders that are sent (issue 18): one row per unit per reminder attempt — when, to which
addresses, the subject, the outcome (sent | failed | skipped) and why, what asked for it
(schedule | manual) and who. ``day`` is the local date (Asia/Ho_Chi_Minh) of ``at``: a unit
is sent at most one scheduled reminder a day.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("trigger", sa.Text, nullable=False, server_default="manual"),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("reminders_sent_by_unit", "reminders_sent", ["unit_code", "day"])


def downgrade() -> None:
    op.drop_index("reminders_sent_by_unit", table_name="reminders_sent")
    op.drop_table("reminders_sent")

"""Sessions and links that can be ended: a session version and a disabled mark on each staff
account, unit tokens that were replaced (so an old link can say so), the sign-in throttle
shared by every process, and an audit trail of the web's security events.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("disabled_at", sa.Text))
    op.create_table(
        "retired_unit_tokens",
        sa.Column("token", sa.Text, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("retired_at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure", sa.Float, nullable=False, server_default="0"),
        sa.Column("blocked_until", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    for table in ("audit_log", "signin_throttle", "retired_unit_tokens"):
        op.drop_table(table)
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("disabled_at")
        batch.drop_column("session_version")

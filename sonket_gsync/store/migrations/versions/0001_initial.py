"""The first store (schema version 1 of the SQLite-only store): runs, versions, unit state,
problems, provisioned files, outputs, and a key/value table for the cursor.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text, nullable=False))
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("backend", sa.Text, nullable=False),
        sa.Column("full", sa.Integer, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("units_changed", sa.Integer, server_default="0"),
        sa.Column("units_read", sa.Integer, server_default="0"),
        sa.Column("versions_added", sa.Integer, server_default="0"),
        sa.Column("units_invalid", sa.Integer, server_default="0"),
        sa.Column("units_failed", sa.Integer, server_default="0"),
        sa.Column("status", sa.Text, nullable=False, server_default="running"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("source_modified_at", sa.Text, nullable=False),
        sa.Column("stored_at", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("sync_runs.id")),
        sa.UniqueConstraint("unit_code", "content_hash"),
    )
    op.create_table(
        "unit_state",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("read_status", sa.Text, nullable=False),
        sa.Column("accepted_version_id", sa.Integer, sa.ForeignKey("versions.id")),
        sa.Column("first_accepted_at", sa.Text),
        sa.Column("last_modified_at", sa.Text),
        sa.Column("last_read_at", sa.Text),
        sa.Column("last_run_id", sa.Integer),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("retry", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=False, server_default=""),
        sa.Column("row", sa.Integer),
        sa.Column("column", sa.Text, nullable=False, server_default=""),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("problems_by_unit", "problems", ["unit_code", "run_id"])
    op.create_table(
        "unit_files",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("backend", sa.Text, primary_key=True),
        sa.Column("sheet_id", sa.Text, nullable=False),
        sa.Column("sheet_url", sa.Text, nullable=False),
        sa.Column("doc_id", sa.Text, nullable=False, server_default=""),
        sa.Column("doc_url", sa.Text, nullable=False, server_default=""),
        sa.Column("provisioned_at", sa.Text, nullable=False),
    )
    op.create_table(
        "outputs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("outputs", "unit_files", "problems", "unit_state", "versions", "sync_runs", "meta"):
        op.drop_table(table)

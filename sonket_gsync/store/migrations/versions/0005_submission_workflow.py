"""A submission is an act (issue 18): the unit confirms a version (who, position, số, ngày),
staff accept or return it with located comments, and a signed PDF may go with it.

- ``submission_events``: one row per act (kind confirmed | accepted | returned), the unit's
  workflow state after it, the version it is about, and for a confirmation the signer's
  details and whether it came before the deadline.
- ``review_comments``: the located comments of a return (form, row, column or outline item).
- ``signed_pdfs``: the signed PDF of a confirmation; its bytes are kept in the database (one
  place to back up, SQLite and PostgreSQL alike; the size is capped by upload_max_bytes).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id")),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("position", sa.Text, nullable=False, server_default=""),
        sa.Column("doc_number", sa.Text, nullable=False, server_default=""),
        sa.Column("doc_date", sa.Text, nullable=False, server_default=""),
        sa.Column("on_time", sa.Integer),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("submission_events_by_unit", "submission_events", ["unit_code", "id"])
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("submission_events.id"), nullable=False),
        sa.Column("form", sa.Text, nullable=False, server_default=""),
        sa.Column("row", sa.Integer),
        sa.Column("column", sa.Text, nullable=False, server_default=""),
        sa.Column("outline_item", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("review_comments_by_event", "review_comments", ["event_id"])
    op.create_table(
        "signed_pdfs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.Text, nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("submission_events.id")),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id")),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("signer", sa.Text, nullable=False, server_default=""),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("stored_at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("signed_pdfs_by_unit", "signed_pdfs", ["unit_code", "id"])


def downgrade() -> None:
    for table in ("signed_pdfs", "review_comments", "submission_events"):
        op.drop_table(table)

"""recorded sanctions: the imposition date's precision, the item category, who recorded a sanction and
the document behind it, corrections as new versions, and the sanction_event table (waivers, renewals,
terminations... recorded from notices or written by the pathway when a relief takes effect)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = (
    ("imposed_precision", sa.String(12), "exact"),
    ("category", sa.String(4), None),
    ("origin", sa.String(20), None),
    ("document_id", sa.Integer(), None),
    ("recorded_by", sa.String(120), None),
    ("supersedes_id", sa.Integer(), None),
    ("superseded_by_id", sa.Integer(), None),
)


def upgrade() -> None:
    for name, kind, default in COLUMNS:
        op.add_column("sanction", sa.Column(name, kind, nullable=default is None, server_default=default))
    # Sanctions without an imposition date were taken as "always in force": now an unverified fact.
    op.execute("UPDATE sanction SET imposed_precision = 'unknown' WHERE imposed_on IS NULL")
    op.create_index("ix_sanction_superseded_by_id", "sanction", ["superseded_by_id"])
    op.create_table(
        "sanction_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sanction_id", sa.Integer(), sa.ForeignKey("sanction.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("relief_id", sa.Integer(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("releasability", sa.String(200), nullable=True),
        sa.Column("originator", sa.String(40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_sanction_event_sanction_id", "sanction_event", ["sanction_id"])
    op.create_index("ix_sanction_event_relief_id", "sanction_event", ["relief_id"])
    op.create_index("ix_sanction_event_superseded_by_id", "sanction_event", ["superseded_by_id"])


def downgrade() -> None:
    op.drop_table("sanction_event")
    op.drop_index("ix_sanction_superseded_by_id", "sanction")
    with op.batch_alter_table("sanction") as batch:
        for name, _, _ in reversed(COLUMNS):
            batch.drop_column(name)

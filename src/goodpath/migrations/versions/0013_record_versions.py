"""record versions: optimistic concurrency on edited records (a version column on consultations,
pledges, cases, cooperation projects, dossiers and pathway proposals; existing rows are version 1)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


# The records users edit through forms: each carries the version its edit forms are drawn from.
TABLES = ("consultation", "pledge", "violation_case", "cooperation_project", "dossier", "pathway_proposal")


def upgrade() -> None:
    for table in TABLES:  # existing rows are version 1
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")

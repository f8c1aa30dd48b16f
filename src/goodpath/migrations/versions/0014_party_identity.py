"""party identity: one party per real-world entity across lists (merges, their undo, analysts' decisions)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""record versions: optimistic concurrency on edited records

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

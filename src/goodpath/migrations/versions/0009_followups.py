"""followups: the transactional outbox of post-commit work

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('followup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('reaction', sa.String(length=60), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('caused_by', sa.String(length=200), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup'))
    )
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_dedupe_key'), ['dedupe_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_followup_status_run_after', ['status', 'run_after'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_status_run_after')
        batch_op.drop_index(batch_op.f('ix_followup_event_id'))
        batch_op.drop_index(batch_op.f('ix_followup_dedupe_key'))

    op.drop_table('followup')

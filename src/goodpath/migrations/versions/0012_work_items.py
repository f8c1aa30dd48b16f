"""work items: assignments, due dates and comments

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _marking() -> list:
    return [
        sa.Column('classification', sa.String(length=16), nullable=False),
        sa.Column('releasability', sa.String(length=200), nullable=True),
        sa.Column('originator', sa.String(length=40), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('work_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('assigned_by', sa.String(length=120), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('party_id', sa.String(length=24), nullable=True),
    *_marking(),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_work_assignment_party_id_party'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_assignment')),
    sa.UniqueConstraint('record_type', 'record_id', name='uq_work_assignment_record')
    )
    with op.batch_alter_table('work_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_assignment_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_assignment_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_assignment_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_assignment_record_type'), ['record_type'], unique=False)

    op.create_table('work_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('party_id', sa.String(length=24), nullable=True),
    *_marking(),
    sa.ForeignKeyConstraint(['parent_id'], ['work_comment.id'], name=op.f('fk_work_comment_parent_id_work_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_work_comment_party_id_party'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_comment'))
    )
    with op.batch_alter_table('work_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_comment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_comment_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_comment_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_comment_record_type'), ['record_type'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_comment_record_type'))
        batch_op.drop_index(batch_op.f('ix_work_comment_record_id'))
        batch_op.drop_index(batch_op.f('ix_work_comment_party_id'))
        batch_op.drop_index(batch_op.f('ix_work_comment_parent_id'))
    op.drop_table('work_comment')

    with op.batch_alter_table('work_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_assignment_record_type'))
        batch_op.drop_index(batch_op.f('ix_work_assignment_record_id'))
        batch_op.drop_index(batch_op.f('ix_work_assignment_party_id'))
        batch_op.drop_index(batch_op.f('ix_work_assignment_assignee'))
    op.drop_table('work_assignment')

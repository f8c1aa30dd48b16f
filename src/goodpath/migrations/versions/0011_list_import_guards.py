"""list import guards and import jobs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('list_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restored_from', sa.Integer(), nullable=True))

    op.create_table('list_import_job',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('filenames', sa.JSON(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('dataset', sa.String(length=120), nullable=True),
    sa.Column('accept_removals', sa.Boolean(), nullable=False),
    sa.Column('restore', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_list_import_job_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_import_job'))
    )
    with op.batch_alter_table('list_import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_import_job_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_import_job_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_import_job_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('list_import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_import_job_user_id'))
        batch_op.drop_index(batch_op.f('ix_list_import_job_status'))
        batch_op.drop_index(batch_op.f('ix_list_import_job_dataset'))

    op.drop_table('list_import_job')

    with op.batch_alter_table('list_version', schema=None) as batch_op:
        batch_op.drop_column('restored_from')

"""cable versions (pending re-ingested copies)

Every stored cable gets version 1 (current) from what is stored: the parsed record, its hash and
warnings. The file's bytes were not kept before this revision, so version 1 has none (``raw`` and
``content_hash`` empty, origin ``migration``); ingesting the same file again supplies them (the copy
is matched by its parsed record) and reports it unchanged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cable_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cable_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('paragraph_count', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('source_name', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by', sa.String(length=120), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('classification', sa.String(length=16), nullable=False),
    sa.Column('releasability', sa.String(length=200), nullable=True),
    sa.Column('originator', sa.String(length=40), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['cable_id'], ['cable.id'], name=op.f('fk_cable_version_cable_id_cable'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cable_version')),
    sa.UniqueConstraint('cable_id', 'number', name=op.f('uq_cable_version_cable_id'))
    )
    with op.batch_alter_table('cable_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cable_version_cable_id'), ['cable_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cable_version_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('uq_cable_version_one_current', ['cable_id'], unique=True,
                              sqlite_where=sa.text("status = 'current'"), postgresql_where=sa.text("status = 'current'"))

    with op.batch_alter_table('cable_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stale_since_version', sa.Integer(), nullable=True))

    _version_one_of_every_cable()


def _version_one_of_every_cable() -> None:
    connection = op.get_bind()
    cable = sa.table(
        'cable', sa.column('id', sa.Integer()), sa.column('data', sa.JSON()), sa.column('content_hash', sa.String()),
        sa.column('source_name', sa.String()), sa.column('ingested_by', sa.String()),
        sa.column('updated_at', sa.DateTime(timezone=True)), sa.column('classification', sa.String()),
        sa.column('releasability', sa.String()), sa.column('originator', sa.String()),
    )
    version = sa.table(
        'cable_version', *(sa.column(name) for name in (
            'cable_id', 'number', 'status', 'origin', 'content_hash', 'data_hash', 'raw', 'paragraph_count',
            'source_name', 'created_by', 'created_at', 'accepted_by', 'accepted_at', 'classification',
            'releasability', 'originator', 'published')),
        sa.column('data', sa.JSON()), sa.column('warnings', sa.JSON()),
    )
    for row in connection.execute(sa.select(cable)).mappings():
        data = row['data'] or {}
        connection.execute(version.insert().values(
            cable_id=row['id'], number=1, status='current', origin='migration', content_hash=None,
            data_hash=row['content_hash'], raw=None, data=data, paragraph_count=len(data.get('paragraphs') or []),
            warnings=list(data.get('warnings') or []), source_name=row['source_name'], created_by=row['ingested_by'],
            created_at=row['updated_at'], accepted_by=row['ingested_by'], accepted_at=row['updated_at'],
            classification=row['classification'], releasability=row['releasability'], originator=row['originator'],
            published=False,
        ))


def downgrade() -> None:
    with op.batch_alter_table('cable_draft', schema=None) as batch_op:
        batch_op.drop_column('stale_since_version')

    with op.batch_alter_table('cable_version', schema=None) as batch_op:
        batch_op.drop_index('uq_cable_version_one_current')
        batch_op.drop_index(batch_op.f('ix_cable_version_content_hash'))
        batch_op.drop_index(batch_op.f('ix_cable_version_cable_id'))

    op.drop_table('cable_version')

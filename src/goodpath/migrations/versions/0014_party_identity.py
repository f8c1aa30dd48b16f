"""party identity: one party per real-world entity across lists (a party's merged_into, the merges and
their undo, analysts' decisions that two parties are distinct,
the deterministic keys of list entries)

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


def _marking() -> list[sa.Column]:
    return [
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("releasability", sa.String(length=200), nullable=True),
        sa.Column("originator", sa.String(length=40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(length=24), nullable=True))
        batch.create_index(batch.f("ix_party_merged_into"), ["merged_into"], unique=False)
    op.create_table(
        "party_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.String(length=24), nullable=False),
        sa.Column("merged_id", sa.String(length=24), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.String(length=120), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=120), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        *_marking(),
        sa.ForeignKeyConstraint(["kept_id"], ["party.id"], name=op.f("fk_party_merge_kept_id_party")),
        sa.ForeignKeyConstraint(["merged_id"], ["party.id"], name=op.f("fk_party_merge_merged_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_merge")),
    )
    with op.batch_alter_table("party_merge") as batch:
        batch.create_index(batch.f("ix_party_merge_kept_id"), ["kept_id"], unique=False)
        batch.create_index(batch.f("ix_party_merge_merged_id"), ["merged_id"], unique=False)
    op.create_table(
        "identity_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_a", sa.String(length=24), nullable=False),
        sa.Column("party_b", sa.String(length=24), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        *_marking(),
        sa.ForeignKeyConstraint(["party_a"], ["party.id"], name=op.f("fk_identity_decision_party_a_party")),
        sa.ForeignKeyConstraint(["party_b"], ["party.id"], name=op.f("fk_identity_decision_party_b_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_decision")),
    )
    with op.batch_alter_table("identity_decision") as batch:
        batch.create_index(batch.f("ix_identity_decision_party_a"), ["party_a"], unique=False)
        batch.create_index(batch.f("ix_identity_decision_party_b"), ["party_b"], unique=False)
    op.create_table(
        "entry_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.String(length=300), nullable=False),
        *_marking(),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entry.id"], name=op.f("fk_entry_key_entry_id_list_entry"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_key")),
    )
    with op.batch_alter_table("entry_key") as batch:
        batch.create_index(batch.f("ix_entry_key_entry_id"), ["entry_id"], unique=False)
        batch.create_index(batch.f("ix_entry_key_key"), ["key"], unique=False)


def downgrade() -> None:
    op.drop_table("entry_key")
    op.drop_table("identity_decision")
    op.drop_table("party_merge")
    with op.batch_alter_table("party") as batch:
        batch.drop_index(batch.f("ix_party_merged_into"))
        batch.drop_column("merged_into")

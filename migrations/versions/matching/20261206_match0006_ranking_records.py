"""matching: ranking records (what a consultant was shown, and did) and each CV's language

Revision ID: match0006
Revises: match0005
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'match0006'
down_revision: str | Sequence[str] | None = 'match0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_candidate") as batch_op:
        batch_op.add_column(sa.Column("cv_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    op.create_table(
        "matching_ranking_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("vacancy_version", sa.Integer(), nullable=False),
        sa.Column("order_event_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("model_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("weights_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("considered", sa.Integer(), nullable=False),
        sa.Column("indexed", sa.Integer(), nullable=False),
        sa.Column("pool_groups", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("matching_ranking_record") as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_vacancy_id"), ["vacancy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_order_id"), ["order_id"], unique=False)
    op.create_table(
        "matching_ranking_record_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("candidate_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["matching_ranking_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("matching_ranking_record_entry") as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_entry_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_entry_candidate_ref"), ["candidate_ref"],
                              unique=False)
    op.create_table(
        "matching_ranking_record_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("candidate_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("acted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["matching_ranking_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("matching_ranking_record_action") as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_action_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_action_candidate_ref"), ["candidate_ref"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_matching_ranking_record_action_acted_at"), ["acted_at"], unique=False)


def downgrade() -> None:
    op.drop_table("matching_ranking_record_action")
    op.drop_table("matching_ranking_record_entry")
    op.drop_table("matching_ranking_record")
    with op.batch_alter_table("matching_candidate") as batch_op:
        batch_op.drop_column("cv_language")

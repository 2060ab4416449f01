"""matching: the ESCO occupation a consultant chose for a vacancy whose title matching misread

Revision ID: match0007
Revises: match0006
Create Date: 2026-12-06 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = 'match0007'
down_revision: str | Sequence[str] | None = 'match0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.add_column(sa.Column("occupation_uri", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("occupation_chosen_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occupation_chosen_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.drop_column("occupation_chosen_at")
        batch_op.drop_column("occupation_chosen_by")
        batch_op.drop_column("occupation_uri")

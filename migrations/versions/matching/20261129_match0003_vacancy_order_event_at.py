"""matching: when the last order event applied to a vacancy happened, so a late one changes nothing

Revision ID: match0003
Revises: match0002
Create Date: 2026-11-29 19:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = 'match0003'
down_revision: str | Sequence[str] | None = 'match0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.add_column(sa.Column("order_event_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.drop_column("order_event_at")

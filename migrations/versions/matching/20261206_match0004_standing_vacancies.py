"""matching: standing vacancies for company centres' free places (one per centre and scheme)

Revision ID: match0004
Revises: match0003
Create Date: 2026-12-06 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'match0004'
down_revision: str | Sequence[str] | None = 'match0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.add_column(sa.Column("centre_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("standing", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("free_places", sa.Integer(), nullable=True))
        batch_op.create_index("ix_matching_vacancy_centre_id", ["centre_id"], unique=False)
        batch_op.create_unique_constraint("uq_vacancy_centre_scheme", ["centre_id", "scheme"])


def downgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.drop_constraint("uq_vacancy_centre_scheme", type_="unique")
        batch_op.drop_index("ix_matching_vacancy_centre_id")
        batch_op.drop_column("free_places")
        batch_op.drop_column("standing")
        batch_op.drop_column("centre_id")

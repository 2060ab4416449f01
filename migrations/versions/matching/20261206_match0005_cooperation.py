"""matching: the recruitment cooperation (issue 15): a job seeker's consent to being proposed to
other jobcentres and the CV summary they agreed to share; vacancies of orders partners shared

Revision ID: match0005
Revises: match0004
Create Date: 2026-12-06 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = 'match0005'
down_revision: str | Sequence[str] | None = 'match0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_candidate") as batch_op:
        batch_op.add_column(sa.Column("consent_cooperation", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("cooperation_summary", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.add_column(sa.Column("shared_order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cooperation_partner", AutoString(length=200), nullable=True))
        batch_op.create_unique_constraint("uq_matching_vacancy_shared_order_id", ["shared_order_id"])


def downgrade() -> None:
    with op.batch_alter_table("matching_vacancy") as batch_op:
        batch_op.drop_constraint("uq_matching_vacancy_shared_order_id", type_="unique")
        batch_op.drop_column("cooperation_partner")
        batch_op.drop_column("shared_order_id")
    with op.batch_alter_table("matching_candidate") as batch_op:
        batch_op.drop_column("cooperation_summary")
        batch_op.drop_column("consent_cooperation")

"""crm: company centres (virksomhedscentre) with fixed places per scheme; a placement may occupy one

Revision ID: crm0007
Revises: crm0006
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'crm0007'
down_revision: str | Sequence[str] | None = 'crm0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "centre_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("mentor_contact_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"]),
        sa.ForeignKeyConstraint(["mentor_contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["consultant_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_centre_agreement_company_id"), "centre_agreement", ["company_id"], unique=False)
    op.create_index(op.f("ix_centre_agreement_starts_on"), "centre_agreement", ["starts_on"], unique=False)
    op.create_index(op.f("ix_centre_agreement_ends_on"), "centre_agreement", ["ends_on"], unique=False)
    op.create_table(
        "centre_places",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["centre_agreement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agreement_id", "scheme"),
    )
    with op.batch_alter_table("placement") as batch_op:
        batch_op.add_column(sa.Column("centre_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_placement_centre_id", "centre_agreement", ["centre_id"], ["id"])
        batch_op.create_index("ix_placement_centre_id", ["centre_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placement") as batch_op:
        batch_op.drop_index("ix_placement_centre_id")
        batch_op.drop_constraint("fk_placement_centre_id", type_="foreignkey")
        batch_op.drop_column("centre_id")
    op.drop_table("centre_places")
    op.drop_index(op.f("ix_centre_agreement_ends_on"), table_name="centre_agreement")
    op.drop_index(op.f("ix_centre_agreement_starts_on"), table_name="centre_agreement")
    op.drop_index(op.f("ix_centre_agreement_company_id"), table_name="centre_agreement")
    op.drop_table("centre_agreement")

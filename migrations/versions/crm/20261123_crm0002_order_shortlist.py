"""order shortlist (kortliste)

The candidates a consultant has picked for an order before proposing them, shared by the consultants.

Revision ID: crm0002
Revises: crm0001
Create Date: 2026-11-23 12:38:53.063318
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'crm0002'
down_revision: str | Sequence[str] | None = 'crm0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('shortlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('candidate_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['recruitment_order.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id', 'candidate_ref', name='uq_shortlist_order_candidate')
    )
    op.create_index(op.f('ix_shortlist_entry_candidate_ref'), 'shortlist_entry', ['candidate_ref'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_shortlist_entry_candidate_ref'), table_name='shortlist_entry')
    op.drop_table('shortlist_entry')

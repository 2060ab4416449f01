"""crm: satisfaction surveys, one per closed recruitment order (docs/satisfaction.md)

Revision ID: crm0006
Revises: crm0005
Create Date: 2026-12-06 06:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'crm0006'
down_revision: str | Sequence[str] | None = 'crm0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('satisfaction_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('closed_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['recruitment_order.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id'),
    )
    op.create_index(op.f('ix_satisfaction_survey_company_id'), 'satisfaction_survey', ['company_id'], unique=False)
    op.create_index(op.f('ix_satisfaction_survey_contact_id'), 'satisfaction_survey', ['contact_id'], unique=False)
    op.create_index(op.f('ix_satisfaction_survey_sent_at'), 'satisfaction_survey', ['sent_at'], unique=False)
    op.create_index('ix_satisfaction_survey_answered_at', 'satisfaction_survey', ['answered_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_satisfaction_survey_answered_at', table_name='satisfaction_survey')
    op.drop_index(op.f('ix_satisfaction_survey_sent_at'), table_name='satisfaction_survey')
    op.drop_index(op.f('ix_satisfaction_survey_contact_id'), table_name='satisfaction_survey')
    op.drop_index(op.f('ix_satisfaction_survey_company_id'), table_name='satisfaction_survey')
    op.drop_table('satisfaction_survey')

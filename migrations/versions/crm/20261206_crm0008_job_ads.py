"""open job ads (åbne jobopslag) bound to recruitment orders

An order published for jobseekers and job boards: the ad's own public text and when it was
published and withdrawn (docs/job-ads.md).

Revision ID: crm0008
Revises: crm0007
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'crm0008'
down_revision: str | Sequence[str] | None = 'crm0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_ad',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('how_to_apply', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('name_company', sa.Boolean(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['recruitment_order.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by'], ['app_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id')
    )
    op.create_index(op.f('ix_job_ad_published_at'), 'job_ad', ['published_at'], unique=False)
    op.create_index(op.f('ix_job_ad_updated_at'), 'job_ad', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_job_ad_updated_at'), table_name='job_ad')
    op.drop_index(op.f('ix_job_ad_published_at'), table_name='job_ad')
    op.drop_table('job_ad')

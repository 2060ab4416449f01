"""crm: sign-in with OpenID Connect (issue 13)

Users get an external identity (issuer + subject) and may have no password; ID tokens already
exchanged are remembered until they expire; unknown CVRs that tried to sign in are kept for the
consultants.

Revision ID: crm0010
Revises: crm0009
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'crm0010'
down_revision: str | Sequence[str] | None = 'crm0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
                              nullable=True)
        batch_op.add_column(sa.Column('external_issuer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('external_subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_unique_constraint('uq_app_user_external_identity', ['external_issuer', 'external_subject'])
    op.create_table(
        'unknown_company_signin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cvr', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('org_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('first_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cvr'),
    )
    op.create_index('ix_unknown_company_signin_last_at', 'unknown_company_signin', ['last_at'])
    op.create_table(
        'oidc_used_token',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_oidc_used_token_expires_at', 'oidc_used_token', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_oidc_used_token_expires_at', table_name='oidc_used_token')
    op.drop_table('oidc_used_token')
    op.drop_index('ix_unknown_company_signin_last_at', table_name='unknown_company_signin')
    op.drop_table('unknown_company_signin')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_app_user_external_identity', type_='unique')
        batch_op.drop_column('external_subject')
        batch_op.drop_column('external_issuer')
        batch_op.alter_column('password_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
                              nullable=False)

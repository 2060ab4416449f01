"""crm: the request id that caused an outbox event

Carried onto the stream so that a consumer's log lines share the request id of the request that
made the change (issue 6: one request id across services and jobs).

Revision ID: crm0004
Revises: crm0003
Create Date: 2026-11-23 13:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'crm0004'
down_revision: str | Sequence[str] | None = 'crm0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_column('request_id')

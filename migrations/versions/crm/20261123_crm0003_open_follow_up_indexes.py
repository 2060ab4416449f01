"""crm: partial indexes on open follow-ups (the task list)

A consultant's task list asks for their open follow-ups, soonest first. Of ~500,000 activities
in the large demo data set ~124,000 carry a follow-up date and ~11,500 of those are still open;
of ~400,000 campaign targets ~73,000 have a follow-up date. Indexes holding only those rows,
ordered as the list is, let the list and its count read a consultant's own rows and nothing
else (the list's count reads the indexes alone), and they cost nothing on inserting an activity
without a follow-up (most of them).
The partial predicates use plain SQL that PostgreSQL and SQLite both accept.

Revision ID: crm0003
Revises: crm0002
Create Date: 2026-11-23 13:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'crm0003'
down_revision: str | Sequence[str] | None = 'crm0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY_OPEN = sa.text('follow_up_on IS NOT NULL AND follow_up_done_at IS NULL')
TARGET_WITH_FOLLOW_UP = sa.text('follow_up_on IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_open_follow_up', ['consultant_id', 'follow_up_on', 'id'], unique=False,
                              postgresql_where=ACTIVITY_OPEN, sqlite_where=ACTIVITY_OPEN)
    with op.batch_alter_table('campaign_target', schema=None) as batch_op:
        # status carried in the index (PostgreSQL): counting a consultant's open targets is then an
        # index-only scan, without tying the index to today's list of final statuses.
        batch_op.create_index('ix_campaign_target_follow_up', ['consultant_id', 'follow_up_on', 'id'], unique=False,
                              postgresql_include=['status'], postgresql_where=TARGET_WITH_FOLLOW_UP,
                              sqlite_where=TARGET_WITH_FOLLOW_UP)


def downgrade() -> None:
    with op.batch_alter_table('campaign_target', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_target_follow_up')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_open_follow_up')

"""matching owns its data: its audit log, outbox and erasure ledger in its own database

Revision ID: match0002
Revises: match0001
Create Date: 2026-11-29 18:45:00
"""
from collections.abc import Sequence

revision: str = 'match0002'
down_revision: str | Sequence[str] | None = 'match0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from migrations import common_tables

    common_tables.audit_log()
    common_tables.outbox_event()
    common_tables.erasure_request()


def downgrade() -> None:
    pass  # shared with nothing: the tables stay with the data they hold

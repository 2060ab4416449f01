"""crm: the ledger of erasures other services confirm (shared/erasure.py)

Revision ID: crm0005
Revises: crm0004
Create Date: 2026-11-29 18:40:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'crm0005'
down_revision: str | Sequence[str] | None = 'crm0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from migrations import common_tables

    common_tables.erasure_request()


def downgrade() -> None:
    op.drop_table("erasure_request")

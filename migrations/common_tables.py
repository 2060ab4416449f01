"""The tables every service keeps in its own database (shared/audit.py, shared/events.py,
shared/erasure.py), created by each service's history when its database lacks them.

crm's first revisions made them when one database held every service; a service migrating a
database of its own (or one where they already are) gets them exactly once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def audit_log() -> None:
    if _exists("audit_log"):
        return
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", AutoString(), nullable=True),
        sa.Column("actor_role", AutoString(), nullable=True),
        sa.Column("service", AutoString(length=30), nullable=False),
        sa.Column("action", AutoString(length=30), nullable=False),
        sa.Column("entity", AutoString(length=40), nullable=False),
        sa.Column("entity_id", AutoString(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for col in ("actor_id", "at", "entity", "entity_id"):
        op.create_index(f"ix_audit_log_{col}", "audit_log", [col])


def outbox_event() -> None:
    if _exists("outbox_event"):
        return
    op.create_table(
        "outbox_event",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("type", AutoString(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_event_published_at", "outbox_event", ["published_at"])


def erasure_request() -> None:
    if _exists("erasure_request"):
        return
    op.create_table(
        "erasure_request",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("owner", AutoString(length=30), nullable=False),
        sa.Column("subject", AutoString(length=30), nullable=False),
        sa.Column("subject_key", AutoString(length=64), nullable=False),
        sa.Column("waiting_for", sa.JSON(), nullable=False),
        sa.Column("confirmations", sa.JSON(), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("republished_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for col in ("owner", "subject_key", "requested_at", "completed_at"):
        op.create_index(f"ix_erasure_request_{col}", "erasure_request", [col])

"""crm: the recruitment cooperation across municipal borders (issue 15): key pair, partners,
signed message outbox and received ids, shared and received orders, proposals across, consents

Revision ID: crm0009
Revises: crm0008
Create Date: 2026-12-06 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = 'crm0009'
down_revision: str | Sequence[str] | None = 'crm0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cooperation_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("private_key", AutoString(length=200), nullable=False),
        sa.Column("public_key", AutoString(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cooperation_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("base_url", AutoString(length=500), nullable=False),
        sa.Column("public_key", AutoString(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cooperation_partner_municipality_code", "cooperation_partner", ["municipality_code"])
    op.create_table(
        "cooperation_outbox",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("cooperation_partner.id"), nullable=False),
        sa.Column("type", AutoString(length=40), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cooperation_outbox_partner_id", "cooperation_outbox", ["partner_id"])
    op.create_index("ix_cooperation_outbox_created_at", "cooperation_outbox", ["created_at"])
    op.create_index("ix_cooperation_outbox_delivered_at", "cooperation_outbox", ["delivered_at"])
    op.create_table(
        "cooperation_inbox",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("cooperation_partner.id"), nullable=False),
        sa.Column("type", AutoString(length=40), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cooperation_inbox_partner_id", "cooperation_inbox", ["partner_id"])
    op.create_table(
        "cooperation_shared_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("recruitment_order.id"), nullable=False),
        sa.Column("shared_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("shared_at", UTCDateTime(), nullable=False),
        sa.Column("unshared_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_table(
        "cooperation_received_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("cooperation_partner.id"), nullable=False),
        sa.Column("remote_order_id", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scheme", AutoString(length=30), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=True),
        sa.Column("postcode", AutoString(length=4), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partner_id", "remote_order_id", name="uq_coop_received_order"),
    )
    op.create_index("ix_cooperation_received_order_partner_id", "cooperation_received_order", ["partner_id"])
    op.create_index("ix_cooperation_received_order_status", "cooperation_received_order", ["status"])
    op.create_table(
        "cooperation_outgoing_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_order_id", sa.Integer(), sa.ForeignKey("cooperation_received_order.id"), nullable=False),
        sa.Column("candidate_ref", AutoString(length=64), nullable=True),
        sa.Column("pseudonym", AutoString(length=40), nullable=False),
        sa.Column("cv_summary", sa.Text(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pseudonym"),
        sa.UniqueConstraint("received_order_id", "candidate_ref", name="uq_coop_outgoing_candidate"),
    )
    op.create_index("ix_cooperation_outgoing_proposal_received_order_id", "cooperation_outgoing_proposal",
                    ["received_order_id"])
    op.create_index("ix_cooperation_outgoing_proposal_candidate_ref", "cooperation_outgoing_proposal",
                    ["candidate_ref"])
    op.create_table(
        "cooperation_incoming_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("cooperation_partner.id"), nullable=False),
        sa.Column("remote_proposal_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("recruitment_order.id"), nullable=False),
        sa.Column("pseudonym", AutoString(length=40), nullable=False),
        sa.Column("cv_summary", sa.Text(), nullable=False),
        sa.Column("consultant", sa.JSON(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("placement_id", sa.Integer(), sa.ForeignKey("placement.id", ondelete="SET NULL"), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partner_id", "remote_proposal_id", name="uq_coop_incoming_proposal"),
    )
    op.create_index("ix_cooperation_incoming_proposal_partner_id", "cooperation_incoming_proposal", ["partner_id"])
    op.create_index("ix_cooperation_incoming_proposal_order_id", "cooperation_incoming_proposal", ["order_id"])
    op.create_table(
        "cooperation_candidate_consent",
        sa.Column("candidate_ref", AutoString(length=64), nullable=False),
        sa.Column("cv_summary", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("candidate_ref"),
    )


def downgrade() -> None:
    for table in ("cooperation_candidate_consent", "cooperation_incoming_proposal", "cooperation_outgoing_proposal",
                  "cooperation_received_order", "cooperation_shared_order", "cooperation_inbox", "cooperation_outbox",
                  "cooperation_partner", "cooperation_key"):
        op.drop_table(table)

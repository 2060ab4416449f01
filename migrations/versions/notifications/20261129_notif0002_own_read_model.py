"""notifications owns its data: its read model of recipients and orders, no foreign key into crm

`delivery.contact_id` keeps crm's contact id without a foreign key (crm's tables are crm's);
`recipient*` and `order_view` are built from crm's events (services/notifications/recipients).

Revision ID: notif0002
Revises: notif0001
Create Date: 2026-11-29 18:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = 'notif0002'
down_revision: str | Sequence[str] | None = 'notif0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _delivery_fks() -> list[dict]:
    return [fk for fk in sa.inspect(op.get_bind()).get_foreign_keys("delivery") if fk["referred_table"] == "contact"]


def upgrade() -> None:
    from migrations import common_tables

    common_tables.audit_log()
    common_tables.outbox_event()
    # Databases made when notif0001 still pointed a foreign key at crm's contact table lose it.
    fks = _delivery_fks()
    if fks:
        if op.get_bind().dialect.name == "sqlite":
            # SQLite's foreign keys have no name: batch mode names them by convention to drop one.
            with op.batch_alter_table("delivery", naming_convention=FK_NAMES) as batch_op:
                batch_op.drop_constraint("fk_delivery_contact_id_contact", type_="foreignkey")
        else:
            op.drop_constraint(fks[0]["name"], "delivery", type_="foreignkey")

    op.create_table(
        "recipient",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=True),
        sa.Column("newsletter_consent", sa.Boolean(), nullable=False),
        sa.Column("unsubscribed_at", UTCDateTime(), nullable=True),
        sa.Column("event_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_index("ix_recipient_company_id", "recipient", ["company_id"])
    op.create_index("ix_recipient_company_consent", "recipient", ["company_id", "newsletter_consent"])
    op.create_table(
        "recipient_company",
        sa.Column("company_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("sector", AutoString(length=20), nullable=True),
        sa.Column("industry_code", AutoString(length=10), nullable=True),
        sa.Column("postcode", AutoString(length=4), nullable=True),
        sa.Column("event_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company_id"),
    )
    op.create_index("ix_recipient_company_sector", "recipient_company", ["sector"])
    op.create_index("ix_recipient_company_industry_code", "recipient_company", ["industry_code"])
    op.create_table(
        "recipient_agreement",
        sa.Column("agreement_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("event_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id"),
    )
    op.create_index("ix_recipient_agreement_company_id", "recipient_agreement", ["company_id"])
    op.create_table(
        "recipient_campaign",
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("event_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "recipient_campaign_target",
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "company_id"),
    )
    op.create_table(
        "order_view",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("company_name", AutoString(length=200), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("scheme", AutoString(length=30), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("positions_filled", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("consultant_email", AutoString(length=254), nullable=True),
        sa.Column("consultant_name", AutoString(length=200), nullable=True),
        sa.Column("event_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_order_view_deadline", "order_view", ["deadline"])


def downgrade() -> None:
    for table in ("order_view", "recipient_campaign_target", "recipient_campaign", "recipient_agreement",
                  "recipient_company", "recipient"):
        op.drop_table(table)

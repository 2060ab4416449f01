from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Delivery(SQLModel, table=True):
    """One e-mail to one recipient: the database's truth about what was, and will be, sent.

    `dedupe_key` is unique, so whatever triggers a message twice (a repeated send, an event
    delivered twice) finds the row that is already there instead of making a second one.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_newsletter_status", "newsletter_id", "status"),
        Index("ix_delivery_status_enqueued", "status", "enqueued_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20, index=True)
    newsletter_id: int | None = Field(default=None, foreign_key="newsletter.id", ondelete="CASCADE")
    # crm's contact id (no foreign key: crm's data is crm's). Erasing the contact in crm
    # (`contact.erased`) takes the name and address off its delivery trail (recipients/service.py).
    contact_id: int | None = Field(default=None, index=True)
    user_id: int | None = Field(default=None, index=True)  # a consultant recipient (app_user)
    to_email: str = Field(max_length=254)
    to_name: str | None = Field(default=None, max_length=200)
    # Transactional mails carry their own text; newsletter deliveries take the newsletter's.
    subject: str | None = Field(default=None, max_length=300)
    body_markdown: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    enqueued_at: datetime | None = None
    claim_token: str | None = Field(default=None, max_length=36)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    smtp_code: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    unsubscribed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

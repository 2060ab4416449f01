"""notifications' own read model of who may be mailed, built from crm's events (docs/events.md).

crm owns contacts, companies, agreements and campaigns; notifications keeps the few fields it
sends by and segments filter on, so it never reads crm's tables and keeps working while crm is
away. `event_at` is the time of the last event applied to a row: an older event arriving late
(at-least-once delivery, several consumers) never overwrites a newer state, in particular not a
consent withdrawn by a one-click unsubscribe here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Recipient(SQLModel, table=True):
    """A contact person at a company, as far as mail goes."""

    __tablename__ = "recipient"
    __table_args__ = (Index("ix_recipient_company_consent", "company_id", "newsletter_consent"),)

    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    company_id: int = Field(index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    newsletter_consent: bool = False
    # Set when the person unsubscribed here (one click); crm hears of it by `contact.unsubscribed`.
    unsubscribed_at: datetime | None = None
    event_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RecipientCompany(SQLModel, table=True):
    """The company attributes newsletter segments filter on, and its name for the mails."""

    __tablename__ = "recipient_company"

    company_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=200)
    sector: str | None = Field(default=None, max_length=20, index=True)
    industry_code: str | None = Field(default=None, max_length=10, index=True)
    postcode: str | None = Field(default=None, max_length=4)
    event_at: datetime = Field(default_factory=utcnow)


class RecipientAgreement(SQLModel, table=True):
    """A partnership agreement's period: the `partners` segment is the companies with one running."""

    __tablename__ = "recipient_agreement"

    agreement_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    company_id: int = Field(index=True)
    signed_on: date
    ends_on: date | None = None
    event_at: datetime = Field(default_factory=utcnow)


class RecipientCampaign(SQLModel, table=True):
    __tablename__ = "recipient_campaign"

    campaign_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=200)
    event_at: datetime = Field(default_factory=utcnow)


class RecipientCampaignTarget(SQLModel, table=True):
    """A company a campaign targets: the `campaign` segment."""

    __tablename__ = "recipient_campaign_target"

    campaign_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    company_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class OrderView(SQLModel, table=True):
    """An open recruitment order, for deadline reminders to its consultant."""

    __tablename__ = "order_view"

    order_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    company_id: int
    company_name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    scheme: str = Field(max_length=30)
    positions: int = 1
    positions_filled: int = 0
    status: str = Field(max_length=20)
    deadline: date | None = Field(default=None, index=True)
    consultant_id: int | None = None
    consultant_email: str | None = Field(default=None, max_length=254)
    consultant_name: str | None = Field(default=None, max_length=200)
    event_at: datetime = Field(default_factory=utcnow)

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    description: str | None = Field(default=None, max_length=4000)
    starts_on: date
    ends_on: date | None = None
    segment: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class CampaignTarget(SQLModel, table=True):
    __tablename__ = "campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "company_id", name="uq_campaign_company"),
        # Only targets with a follow-up date (migration crm0003): the task list reads a consultant's.
        Index("ix_campaign_target_follow_up", "consultant_id", "follow_up_on", "id", postgresql_include=["status"],
              postgresql_where=text("follow_up_on IS NOT NULL"), sqlite_where=text("follow_up_on IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True, ondelete="CASCADE")
    company_id: int = Field(foreign_key="company.id", index=True)
    status: str = Field(default="planlagt", max_length=20)
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    follow_up_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)

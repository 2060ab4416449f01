from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_company_occurred", "company_id", "occurred_at"),
        Index("ix_activity_followup_open", "consultant_id", "follow_up_on"),
        # Only open follow-ups (migration crm0003): the task list reads a consultant's, soonest first.
        Index("ix_activity_open_follow_up", "consultant_id", "follow_up_on", "id",
              postgresql_where=text("follow_up_on IS NOT NULL AND follow_up_done_at IS NULL"),
              sqlite_where=text("follow_up_on IS NOT NULL AND follow_up_done_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    channel: str = Field(max_length=20)
    purposes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = Field(index=True)
    summary: str = Field(max_length=4000)
    follow_up_on: date | None = None
    follow_up_done_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)

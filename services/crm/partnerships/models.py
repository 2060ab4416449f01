from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Partnership(SQLModel, table=True):
    """A partnership agreement (partnerskabsaftale). A renewal is a new row pointing back."""

    __tablename__ = "partnership"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    signed_on: date = Field(index=True)
    ends_on: date | None = Field(default=None, index=True)
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    renews_id: int | None = Field(default=None, foreign_key="partnership.id")
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class PartnershipGoal(SQLModel, table=True):
    """One Verdensmål tag on an agreement (a row each, so reports group by goal in SQL)."""

    __tablename__ = "partnership_goal"

    partnership_id: int = Field(foreign_key="partnership.id", primary_key=True, ondelete="CASCADE")
    goal: int = Field(primary_key=True, ge=1, le=17)

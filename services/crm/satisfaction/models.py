from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class SatisfactionSurvey(SQLModel, table=True):
    """The satisfaction survey sent when a recruitment order closes: one per order, ever.

    The unique `order_id` is what makes the survey (and its mail) happen once, however often the
    order is closed, reopened and closed again. `comment` is the contact person's personal data:
    erasing the contact clears it and the link to them (services/crm/privacy/service.py); the score
    stays, as an anonymous answer about the order.
    """

    __tablename__ = "satisfaction_survey"
    __table_args__ = (Index("ix_satisfaction_survey_answered_at", "answered_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="recruitment_order.id", unique=True, ondelete="CASCADE")
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True, ondelete="SET NULL")
    # The status the order closed with (besat, annulleret, udloebet).
    closed_status: str = Field(max_length=20)
    sent_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    score: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = None
    answers: int = 0  # how many times it was answered (the latest answer is the one kept)

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class CentreAgreement(SQLModel, table=True):
    """A company centre (virksomhedscenter): a standing agreement with a company to keep a number
    of fixed places per scheme for internships and other company-directed offers. A place is not an
    order: it is occupied by one placement after another (`placement.centre_id`)."""

    __tablename__ = "centre_agreement"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    name: str = Field(max_length=200)
    # The work the places offer, as matching ranks candidates for it (title + description).
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    starts_on: date = Field(index=True)
    ends_on: date | None = Field(default=None, index=True)
    target_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mentor_contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CentrePlaces(SQLModel, table=True):
    """How many fixed places an agreement keeps in one scheme."""

    __tablename__ = "centre_places"

    agreement_id: int = Field(foreign_key="centre_agreement.id", primary_key=True, ondelete="CASCADE")
    scheme: str = Field(max_length=30, primary_key=True)
    places: int = Field(ge=1, le=500)

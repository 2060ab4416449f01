from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Company(SQLModel, table=True):
    __tablename__ = "company"

    id: int | None = Field(default=None, primary_key=True)
    cvr: str = Field(max_length=8, unique=True, index=True)
    name: str = Field(max_length=200, index=True)
    sector: str = Field(max_length=20, index=True)
    industry_code: str | None = Field(default=None, max_length=10, index=True)
    # Ordinary employees in FTE: the ratio rule and the cooperation rate count from it.
    employees: int | None = Field(default=None, ge=0)
    postcode: str = Field(max_length=4)
    municipality_code: int | None = Field(default=None)
    address: str | None = Field(default=None, max_length=200)
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Workplace(SQLModel, table=True):
    """A P-unit (produktionsenhed) of a company: one per physical workplace."""

    __tablename__ = "workplace"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    p_number: str = Field(max_length=10, unique=True)
    name: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=4)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=30)
    title: str | None = Field(default=None, max_length=120)
    newsletter_consent: bool = Field(default=False, index=True)
    consent_given_at: datetime | None = None
    consent_method: str | None = Field(default=None, max_length=20)
    unsubscribed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

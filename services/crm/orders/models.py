from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Order(SQLModel, table=True):
    """A recruitment order (rekrutteringsordre)."""

    __tablename__ = "recruitment_order"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=8000)
    scheme: str = Field(max_length=30)
    positions: int = Field(ge=1)
    positions_filled: int = 0
    hours_per_week: float | None = None
    postcode: str = Field(max_length=4)
    received_via: str = Field(max_length=20)
    received_on: date = Field(index=True)
    deadline: date | None = Field(default=None, index=True)
    status: str = Field(default="modtaget", max_length=20, index=True)
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Proposal(SQLModel, table=True):
    """A candidate put forward to the company for an order."""

    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("order_id", "candidate_ref", name="uq_proposal_order_candidate"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="recruitment_order.id", index=True)
    candidate_ref: str = Field(max_length=64, index=True)
    proposed_on: date
    status: str = Field(default="foreslaaet", max_length=20)
    decided_on: date | None = None
    placement_id: int | None = Field(default=None, foreign_key="placement.id")
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ShortlistEntry(SQLModel, table=True):
    """A candidate a consultant has put on an order's shortlist (kortliste), before proposing them.

    Shared by every consultant working on the order; proposing the candidate takes them off it.
    """

    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("order_id", "candidate_ref", name="uq_shortlist_order_candidate"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="recruitment_order.id", ondelete="CASCADE")  # the unique key indexes it
    candidate_ref: str = Field(max_length=64, index=True)
    created_by: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

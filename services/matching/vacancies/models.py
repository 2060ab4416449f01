from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Vacancy(SQLModel, table=True):
    """A position to fill: from a crm order (order.received) or posted directly."""

    __tablename__ = "matching_vacancy"
    __table_args__ = (UniqueConstraint("centre_id", "scheme", name="uq_vacancy_centre_scheme"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, unique=True, index=True)
    # Issue 15: an order a partner jobcentre shared (crm's received-order id) and who shared it;
    # ranked among the job seekers who consented to being proposed to other jobcentres only.
    shared_order_id: int | None = Field(default=None, unique=True)
    cooperation_partner: str | None = Field(default=None, max_length=200)
    # When the last order event applied here happened in crm: an older one delivered late (the
    # outbox relay, a redelivery) changes nothing.
    order_event_at: datetime | None = None
    company_id: int | None = Field(default=None, index=True)
    company_name: str | None = Field(default=None, max_length=200)
    title: str = Field(max_length=200)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    scheme: str = Field(max_length=30, index=True)
    hours_per_week: float | None = None
    postcode: str | None = Field(default=None, max_length=4)
    municipality_code: int | None = None
    sector: str | None = Field(default=None, max_length=20)
    starts_on: date | None = None
    duration_weeks: int | None = None
    requirements: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="aaben", max_length=20, index=True)
    features: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=0, index=True)
    # A company centre's fixed places in one scheme (crm's `centre.places_changed`): a standing
    # vacancy, open while a place is free; `order_event_at` then holds the last centre event applied.
    centre_id: int | None = Field(default=None, index=True)
    standing: bool = Field(default=False)
    free_places: int | None = None
    # The ESCO occupation a consultant chose for this vacancy when matching misread its title
    # (EU AI Act art. 14: the person who knows the order overrides the model); it stands over
    # later text changes until the consultant clears it.
    occupation_uri: str | None = Field(default=None, max_length=255)
    occupation_chosen_by: int | None = None
    occupation_chosen_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Outcome(SQLModel, table=True):
    """What happened to a ranked candidate (proposed, hired, rejected): the data weights are fitted on."""

    __tablename__ = "matching_outcome"

    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: int = Field(foreign_key="matching_vacancy.id", index=True, ondelete="CASCADE")
    candidate_id: int = Field(foreign_key="matching_candidate.id", index=True, ondelete="CASCADE")
    outcome: str = Field(max_length=20)
    parts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)

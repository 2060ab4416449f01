from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import services.crm.centres.models  # noqa: F401  (placement.centre_id refers to its table)
from shared.models_base import utcnow


class Placement(SQLModel, table=True):
    """A person placed at a company in a scheme (or hired ordinarily)."""

    __tablename__ = "placement"
    __table_args__ = (
        Index("ix_placement_period", "starts_on", "ends_on"),
        Index("ix_placement_company_period", "company_id", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    order_id: int | None = Field(default=None, foreign_key="recruitment_order.id", index=True)
    # Pseudonymous reference from the case system: never a CPR number.
    candidate_ref: str = Field(max_length=64, index=True)
    scheme: str = Field(max_length=30, index=True)
    target_group: str | None = Field(default=None, max_length=40)
    starts_on: date
    ends_on: date | None = None
    outcome: str | None = Field(default=None, max_length=30)
    outcome_reason: str | None = Field(default=None, max_length=200)
    candidate_municipality_code: int | None = None
    candidate_birth_year: int | None = None
    hours_per_week: float | None = None
    consultant_id: int | None = Field(default=None, foreign_key="app_user.id")
    override_reason: str | None = Field(default=None, max_length=1000)
    # The company centre whose fixed place this placement occupies (services/crm/centres).
    centre_id: int | None = Field(default=None, foreign_key="centre_agreement.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HoursFollowUp(SQLModel, table=True):
    """A recorded weekly-hours figure for a (fleksjob) placement on a date."""

    __tablename__ = "placement_hours"
    __table_args__ = (UniqueConstraint("placement_id", "on", name="uq_hours_placement_on"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True, ondelete="CASCADE")
    on: date
    hours_per_week: float = Field(ge=0, le=80)
    created_at: datetime = Field(default_factory=utcnow)

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.crm.placements.schemas import BirthYear, MunicipalityCode, OverrideReason, PlacementHours
from shared.glossary import OrderStatus, ProposalStatus, ReceivedVia, Scheme, TargetGroup
from shared.validators import clean_candidate_ref, clean_postcode

Postcode = Annotated[str, AfterValidator(clean_postcode)]
CandidateRef = Annotated[str, Field(max_length=64), AfterValidator(clean_candidate_ref)]

MAX_WEEKLY_HOURS = 37


def hours_problem(scheme: str | None, hours: float | None) -> str | None:
    """The rule for an order's weekly hours, or None when they are fine.

    Full time in Denmark is 37 hours; a fleksjob may be a few hours a week (no legal minimum), every
    other job at least one.
    """
    if hours is None:
        return None
    if scheme == Scheme.fleksjob:
        if not 0 < hours <= MAX_WEEKLY_HOURS:
            return f"Timer pr. uge skal for fleksjob være over 0 og højst {MAX_WEEKLY_HOURS}; fik {hours:g}"
    elif not 1 <= hours <= MAX_WEEKLY_HOURS:
        return f"Timer pr. uge skal være mellem 1 og {MAX_WEEKLY_HOURS}; fik {hours:g}"
    return None


def deadline_problem(received_on: date | None, deadline: date | None) -> str | None:
    if received_on is not None and deadline is not None and deadline < received_on:
        return (f"Fristen {deadline.isoformat()} ligger før datoen ordren blev modtaget "
                f"({received_on.isoformat()})")
    return None


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int | None = Field(default=None, description="Udelades af en virksomhedsbruger (egen virksomhed)")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=8000)
    scheme: Scheme
    positions: int = Field(ge=1, le=1000, description="Antal stillinger")
    hours_per_week: float | None = None
    postcode: Postcode
    received_via: ReceivedVia = Field(default=ReceivedVia.hotline, description="Tvinges til 'portal' for virksomheder")
    received_on: date | None = Field(default=None, description="Dags dato hvis udeladt")
    deadline: date | None = None
    consultant_id: int | None = None
    contact_id: int | None = None

    @field_validator("hours_per_week")
    @classmethod
    def _hours(cls, value: float | None, info: ValidationInfo) -> float | None:
        problem = hours_problem(info.data.get("scheme"), value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, value: date | None, info: ValidationInfo) -> date | None:
        problem = deadline_problem(info.data.get("received_on"), value)
        if problem:
            raise ValueError(problem)
        return value


class OrderUpdate(BaseModel):
    """Field changes; the status changes through `POST /orders/{id}/status`."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=8000)
    scheme: Scheme | None = None
    positions: int | None = Field(default=None, ge=1, le=1000)
    hours_per_week: float | None = None
    postcode: Postcode | None = None
    received_via: ReceivedVia | None = None
    received_on: date | None = None
    deadline: date | None = None
    consultant_id: int | None = None
    contact_id: int | None = None


# What a company's portal user may change on its own order.
ORDER_SELF_EDITABLE = {"title", "description", "positions", "hours_per_week", "postcode", "deadline", "contact_id"}
# Fields that cannot be emptied once set.
ORDER_REQUIRED = {"title", "scheme", "positions", "postcode", "received_via", "received_on"}


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    company_name: str | None = None
    title: str
    description: str
    scheme: Scheme
    positions: int
    positions_filled: int
    hours_per_week: float | None
    postcode: str
    received_via: ReceivedVia
    received_on: date
    deadline: date | None
    status: OrderStatus
    consultant_id: int | None
    contact_id: int | None
    created_at: datetime
    updated_at: datetime


ORDER_COLUMNS = ["id", "company_id", "company_name", "title", "scheme", "positions", "positions_filled",
                 "hours_per_week", "postcode", "received_via", "received_on", "deadline", "status",
                 "consultant_id"]


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrderStatus
    reason: str | None = Field(default=None, max_length=500)


class HireDetails(BaseModel):
    """What the placement needs beyond the order when a proposed candidate is hired."""

    model_config = ConfigDict(extra="forbid")

    starts_on: date | None = Field(default=None, description="Dags dato hvis udeladt")
    ends_on: date | None = None
    target_group: TargetGroup | None = None
    hours_per_week: PlacementHours | None = Field(default=None, description="Ordrens timetal hvis udeladt")
    candidate_municipality_code: MunicipalityCode = None
    candidate_birth_year: BirthYear | None = None
    consultant_id: int | None = None
    override_reason: OverrideReason | None = None


RankingRecordId = Annotated[int | None, Field(default=None, ge=1, description=(
    "matchningens rangering, kandidaten blev valgt fra (ordresiden sender den); går videre i ranking.action"))]
ChoiceReason = Annotated[str | None, Field(default=None, max_length=500, description=(
    "konsulentens begrundelse, når kandidaten ikke var blandt de øverste i rangeringen"))]


class ProposalCreate(HireDetails):
    candidate_ref: CandidateRef
    proposed_on: date | None = Field(default=None, description="Dags dato hvis udeladt")
    status: ProposalStatus = ProposalStatus.foreslaaet
    ranking_record_id: RankingRecordId = None
    reason: ChoiceReason = None


class ProposalUpdate(HireDetails):
    status: ProposalStatus
    decided_on: date | None = Field(default=None, description="Dags dato hvis udeladt")


class ProposalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    candidate_ref: str
    proposed_on: date
    status: ProposalStatus
    decided_on: date | None
    placement_id: int | None
    created_at: datetime


class ShortlistAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_ref: CandidateRef
    ranking_record_id: RankingRecordId = None
    reason: ChoiceReason = None


class ShortlistRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    candidate_ref: str
    created_by: int | None
    created_by_name: str | None = None
    created_at: datetime

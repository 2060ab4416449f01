from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.glossary import MatchOutcome, Scheme, Sector, VacancyStatus
from shared.validators import clean_municipality_code, clean_postcode

Postcode = Annotated[str, AfterValidator(clean_postcode)]


class Requirements(BaseModel):
    model_config = ConfigDict(extra="forbid")

    driving_licences: list[str] = Field(default_factory=list, max_length=14)
    languages: list[str] = Field(default_factory=list, max_length=20)


class VacancyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    text: str = Field(default="", max_length=2_500_000)
    scheme: Scheme = Scheme.ordinaer
    hours_per_week: float | None = Field(default=None, gt=0, le=60)
    postcode: Postcode | None = None
    municipality_code: Annotated[int | None, AfterValidator(clean_municipality_code)] = None
    sector: Sector | None = None
    starts_on: date | None = None
    duration_weeks: int | None = Field(default=None, ge=1, le=520)
    company_id: int | None = None
    company_name: str | None = Field(default=None, max_length=200)
    # The crm order the vacancy stands for, when a consultant posts it by hand rather than the
    # order.received event creating it.
    order_id: int | None = Field(default=None, ge=1)
    requirements: Requirements = Field(default_factory=Requirements)


class VacancyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=2, max_length=200)
    text: str | None = Field(default=None, max_length=2_500_000)
    scheme: Scheme | None = None
    hours_per_week: float | None = Field(default=None, gt=0, le=60)
    postcode: Postcode | None = None
    sector: Sector | None = None
    starts_on: date | None = None
    duration_weeks: int | None = Field(default=None, ge=1, le=520)
    status: VacancyStatus | None = None
    requirements: Requirements | None = None


class VacancyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int | None
    shared_order_id: int | None = None
    cooperation_partner: str | None = None
    company_id: int | None
    company_name: str | None
    title: str
    text: str
    scheme: str
    hours_per_week: float | None
    postcode: str | None
    municipality_code: int | None
    sector: str | None
    starts_on: date | None
    duration_weeks: int | None
    requirements: dict[str, Any]
    status: str
    centre_id: int | None = None
    standing: bool = False
    free_places: int | None = None
    occupations: list[dict[str, Any]] = []
    essential_skills: list[str] = []
    occupation_uri: str | None = Field(default=None, description="Stillingen en konsulent har valgt (ESCO-URI); "
                                       "null: matchningen læser selv titlen")
    occupation_chosen_by: int | None = None
    occupation_chosen_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class OccupationChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uri: str | None = Field(max_length=255, description="ESCO-stillingens URI; null: matchningen læser selv titlen igen")


class OccupationOption(BaseModel):
    uri: str
    label: str
    current: bool = Field(description="Stillingen matchningen læser vakancen som nu")


class AdHocMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=2_500_000)
    title: str = Field(default="", max_length=200)
    scheme: Scheme = Scheme.ordinaer
    hours_per_week: float | None = Field(default=None, gt=0, le=60)
    postcode: Postcode | None = None
    starts_on: date | None = None
    duration_weeks: int | None = Field(default=None, ge=1, le=520)
    limit: int = Field(default=20, ge=1, le=200)


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_ref: str = Field(min_length=1, max_length=64)
    outcome: MatchOutcome

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.glossary import Outcome, Scheme, TargetGroup
from shared.validators import clean_candidate_ref, clean_municipality_code

CandidateRef = Annotated[str, Field(max_length=64), AfterValidator(clean_candidate_ref)]
MunicipalityCode = Annotated[int | None, AfterValidator(clean_municipality_code)]
# An override is a decision someone must be able to read later: a word or two is not a reason.
OverrideReason = Annotated[str, Field(min_length=10, max_length=1000)]
# 48 h is the EU working-time ceiling; schemes with a lower one are checked in the service.
PlacementHours = Annotated[float, Field(gt=0, le=48)]


def _clean_birth_year(value: int | None) -> int | None:
    if value is None:
        return None
    this_year = date.today().year
    if not 1900 <= value <= this_year:
        raise ValueError(f"Fødselsåret {value} skal ligge mellem 1900 og {this_year}")
    return value


BirthYear = Annotated[int, AfterValidator(_clean_birth_year)]


def end_problem(starts_on: date | None, ends_on: date | None) -> str | None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        return f"Slutdatoen {ends_on.isoformat()} ligger før startdatoen {starts_on.isoformat()}"
    return None


class PlacementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int
    order_id: int | None = None
    candidate_ref: CandidateRef
    scheme: Scheme
    target_group: TargetGroup | None = Field(default=None, description="Kræves for alle ordninger undtagen ordinær ansættelse")
    starts_on: date
    ends_on: date | None = None
    outcome: Outcome | None = None
    outcome_reason: str | None = Field(default=None, max_length=200)
    candidate_municipality_code: MunicipalityCode = None
    candidate_birth_year: BirthYear | None = None
    hours_per_week: PlacementHours | None = None
    consultant_id: int | None = None
    override_reason: OverrideReason | None = Field(
        default=None, description="Begrundelse for at oprette trods regelbrud (konsulent/leder, mindst 10 tegn)")

    @field_validator("ends_on")
    @classmethod
    def _end(cls, value: date | None, info: ValidationInfo) -> date | None:
        problem = end_problem(info.data.get("starts_on"), value)
        if problem:
            raise ValueError(problem)
        return value


class PlacementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: int | None = Field(default=None, description="null fjerner koblingen til ordren")
    candidate_ref: CandidateRef | None = None
    scheme: Scheme | None = None
    target_group: TargetGroup | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    outcome: Outcome | None = None
    outcome_reason: str | None = Field(default=None, max_length=200)
    candidate_municipality_code: MunicipalityCode = None
    candidate_birth_year: BirthYear | None = None
    hours_per_week: PlacementHours | None = None
    consultant_id: int | None = None
    override_reason: OverrideReason | None = None


PLACEMENT_REQUIRED = {"candidate_ref", "scheme", "starts_on"}


class PlacementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    order_id: int | None
    candidate_ref: str
    scheme: Scheme
    target_group: TargetGroup | None
    starts_on: date
    ends_on: date | None
    outcome: Outcome | None
    outcome_reason: str | None
    candidate_municipality_code: int | None
    candidate_birth_year: int | None
    hours_per_week: float | None
    consultant_id: int | None
    override_reason: str | None
    centre_id: int | None = Field(default=None, description="Virksomhedscentret hvis faste plads placeringen optager")
    created_at: datetime
    updated_at: datetime


PLACEMENT_COLUMNS = ["id", "company_id", "order_id", "candidate_ref", "scheme", "target_group", "starts_on",
                     "ends_on", "outcome", "outcome_reason", "candidate_municipality_code", "candidate_birth_year",
                     "hours_per_week", "consultant_id", "override_reason"]


class Breach(BaseModel):
    rule: str
    message: str
    law: str
    figures: dict[str, Any]


class RuleCheck(BaseModel):
    ok: bool
    breaches: list[Breach]


class HoursCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date
    hours_per_week: float = Field(gt=0, le=37, description="Ugentlige timer på datoen (fleksjob: over 0, højst 37)")


class HoursRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    placement_id: int
    on: date
    hours_per_week: float
    created_at: datetime

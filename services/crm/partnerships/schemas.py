from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.glossary import VERDENSMAAL, PartnershipStatus


def clean_goals(goals: list[int] | None) -> list[int] | None:
    if goals is None:
        return None
    bad = [g for g in goals if g not in VERDENSMAAL]
    if bad:
        raise ValueError(
            f"Verdensmål skal være tal fra 1 til 17; {', '.join(str(g) for g in bad)} findes ikke"
        )
    # A goal tags an agreement once; repeating it in the request is harmless.
    return sorted(set(goals))


def _end_not_before_start(ends_on: date | None, info: ValidationInfo) -> date | None:
    start = info.data.get("signed_on")
    if ends_on is not None and start is not None and ends_on < start:
        raise ValueError(f"Slutdatoen {ends_on.isoformat()} ligger før startdatoen {start.isoformat()}")
    return ends_on


class PartnershipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int
    signed_on: date
    ends_on: date | None = None
    sdg_goals: list[int] = Field(min_length=1, max_length=17, description="Verdensmål 1-17")
    consultant_id: int | None = Field(default=None, description="Fast kontaktperson i jobcentret")
    contact_id: int | None = Field(default=None, description="Fast kontaktperson i virksomheden")
    note: str | None = Field(default=None, max_length=2000)

    _goals = field_validator("sdg_goals")(clean_goals)
    _dates = field_validator("ends_on")(_end_not_before_start)


class PartnershipUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed_on: date | None = None
    ends_on: date | None = None
    sdg_goals: list[int] | None = Field(default=None, min_length=1, max_length=17)
    consultant_id: int | None = None
    contact_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)

    _goals = field_validator("sdg_goals")(clean_goals)
    _dates = field_validator("ends_on")(_end_not_before_start)


class PartnershipRenew(BaseModel):
    """A renewal; anything left out is carried over from the agreement it renews."""

    model_config = ConfigDict(extra="forbid")

    signed_on: date | None = Field(default=None, description="Standard: dagen efter den gamle aftales slutdato")
    ends_on: date | None = None
    sdg_goals: list[int] | None = Field(default=None, min_length=1, max_length=17)
    consultant_id: int | None = None
    contact_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)

    _goals = field_validator("sdg_goals")(clean_goals)
    _dates = field_validator("ends_on")(_end_not_before_start)


class GoalRead(BaseModel):
    goal: int
    name: str
    colour: str


class PartnershipRead(BaseModel):
    id: int
    company_id: int
    company_name: str | None = None
    signed_on: date
    ends_on: date | None
    status: PartnershipStatus
    status_label: str
    sdg_goals: list[int]
    goals: list[GoalRead]
    consultant_id: int | None
    contact_id: int | None
    renews_id: int | None
    renewed_by_id: int | None = None
    note: str | None
    created_at: datetime

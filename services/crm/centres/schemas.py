from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.glossary import Scheme, TargetGroup
from shared.validators import clean_candidate_ref

CandidateRef = Annotated[str, Field(max_length=64), AfterValidator(clean_candidate_ref)]


def _places(value: dict[Scheme, int] | None) -> dict[Scheme, int] | None:
    if value is None:
        return None
    if Scheme.ordinaer in value:
        raise ValueError("Faste pladser gælder virksomhedsrettede tilbud, ikke ordinær ansættelse")
    bad = [f"{s.value}: {n}" for s, n in value.items() if not 0 <= n <= 500]
    if bad:
        raise ValueError("Antal pladser skal være 0-500 (" + ", ".join(bad) + ")")
    if not any(value.values()):
        raise ValueError("Angiv mindst én fast plads")
    return value


def _end(ends_on: date | None, info: ValidationInfo) -> date | None:
    start = info.data.get("starts_on")
    if ends_on is not None and start is not None and ends_on < start:
        raise ValueError(f"Slutdatoen {ends_on.isoformat()} ligger før startdatoen {start.isoformat()}")
    return ends_on


def _groups(value: list[TargetGroup] | None) -> list[TargetGroup] | None:
    return None if value is None else sorted(set(value))


class CentreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int
    name: str = Field(min_length=2, max_length=200, description="Fx 'Bisca virksomhedscenter'")
    title: str = Field(min_length=2, max_length=200, description="Arbejdet pladserne byder på, fx 'Lager og pakning'")
    description: str = Field(default="", max_length=20_000, description="Opgaver og kompetencer (bruges til matchning)")
    starts_on: date
    ends_on: date | None = None
    places: dict[Scheme, int] = Field(description="Faste pladser pr. ordning, fx {\"virksomhedspraktik\": 10}")
    target_groups: list[TargetGroup] = Field(default_factory=list, description="Målgrupper; tom = alle")
    mentor_contact_id: int | None = Field(default=None, description="Mentor/kontaktperson i virksomheden")
    consultant_id: int | None = Field(default=None, description="Ansvarlig konsulent i jobcentret")

    _places = field_validator("places")(_places)
    _end = field_validator("ends_on")(_end)
    _groups = field_validator("target_groups")(_groups)


class CentreUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=200)
    title: str | None = Field(default=None, min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    starts_on: date | None = None
    ends_on: date | None = None
    places: dict[Scheme, int] | None = None
    target_groups: list[TargetGroup] | None = None
    mentor_contact_id: int | None = None
    consultant_id: int | None = None

    _places = field_validator("places")(_places)
    _end = field_validator("ends_on")(_end)
    _groups = field_validator("target_groups")(_groups)


class SchemePlaces(BaseModel):
    scheme: Scheme
    scheme_label: str
    places: int
    occupied_now: int
    free_now: int


class CentreRead(BaseModel):
    id: int
    company_id: int
    company_name: str
    name: str
    title: str
    description: str
    starts_on: date
    ends_on: date | None
    active: bool
    target_groups: list[TargetGroup]
    mentor_contact_id: int | None
    mentor_name: str | None
    consultant_id: int | None
    places: list[SchemePlaces]
    places_total: int
    free_now: int
    created_at: datetime


class WeekFree(BaseModel):
    week: str = Field(description="ISO-uge, fx 2026-W50")
    starts_on: date
    ends_on: date
    places: int
    occupied: int
    free: int = Field(description="Pladser ledige hele ugen")
    bookable: int = Field(description="Ledige pladser der også holder rimelighedskravet hele ugen")


class SchemeAvailability(BaseModel):
    scheme: Scheme
    scheme_label: str
    weeks: list[WeekFree]


class Availability(BaseModel):
    centre_id: int
    from_: date = Field(alias="from")
    weeks: int
    ratio_headroom: list[int | None] = Field(
        description="Pr. uge: hvor mange flere i praktik/løntilskud/nytteindsats virksomheden kan have "
                    "(rimelighedskravet, hele virksomheden); null når antal ansatte ikke kendes")
    schemes: list[SchemeAvailability]

    model_config = ConfigDict(populate_by_name=True)


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_ref: CandidateRef
    scheme: Scheme
    target_group: TargetGroup
    starts_on: date
    ends_on: date = Field(description="Sidste dag; ordningens maksimale varighed gælder")
    candidate_birth_year: int | None = Field(default=None, ge=1900, le=2100)
    hours_per_week: float | None = Field(default=None, gt=0, le=37)
    override_reason: str | None = Field(default=None, min_length=10, max_length=1000)

    _end = field_validator("ends_on")(_end)


class OccupancyRow(BaseModel):
    month: str
    centre_id: int
    centre_name: str
    company_id: int
    company_name: str
    available_place_days: int
    occupied_place_days: int
    occupancy: float | None = Field(description="Belagte pladsdage / tilgængelige pladsdage (0-1)")


class OccupancyReport(BaseModel):
    from_: date = Field(alias="from")
    to: date
    rows: list[OccupancyRow]
    totals: list[OccupancyRow] = Field(description="Pr. center for hele perioden (month = 'i alt')")

    model_config = ConfigDict(populate_by_name=True)

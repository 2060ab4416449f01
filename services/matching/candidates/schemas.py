from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from services.matching.candidates.textcheck import looks_like_cpr
from shared.glossary import DRIVING_LICENCES, EducationLevel, IguBasis, TargetGroup
from shared.validators import clean_municipality_code, clean_postcode

Postcode = Annotated[str, AfterValidator(clean_postcode)]
MunicipalityCode = Annotated[int | None, AfterValidator(clean_municipality_code)]


def clean_ref(value: str) -> str:
    value = value.strip()
    if looks_like_cpr(value):
        raise ValueError("candidate_ref ligner et CPR-nummer; brug sagssystemets pseudonyme reference, aldrig CPR")
    return value


CandidateRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"),
                         AfterValidator(clean_ref)]


class CandidateFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_code: MunicipalityCode = None
    postcode: Postcode | None = None
    target_group: TargetGroup | None = None
    fleksjob_visiteret: bool = False
    fleksjob_hours: float | None = Field(default=None, ge=0, le=37)
    igu_basis: IguBasis | None = None
    birth_year: int | None = Field(default=None, ge=1930, le=date.today().year - 14)
    years_in_denmark: float | None = Field(default=None, ge=0, le=100)
    months_unemployed: float | None = Field(default=None, ge=0, le=600)
    education_level: EducationLevel | None = None
    single_parent: bool = False
    hours_available: float | None = Field(default=None, ge=0, le=60)
    driving_licences: list[str] = Field(default_factory=list, max_length=14)
    languages: list[Annotated[str, Field(min_length=2, max_length=40)]] = Field(default_factory=list, max_length=20)
    desired_occupations: list[Annotated[str, Field(min_length=2, max_length=120)]] = Field(
        default_factory=list, max_length=10)
    consent_other_municipalities: bool = False
    consent_cooperation: bool = Field(default=False, description="Samtykke til at blive foreslået til andre "
                                      "jobcentre i rekrutteringssamarbejdet")
    cooperation_summary: str = Field(default="", max_length=4000, description="Det CV-resumé jobsøgeren har "
                                     "accepteret at dele med andre jobcentre")
    # Length and language are checked by the service with Danish messages (clean_text).
    cv_text: str = Field(default="", max_length=2_500_000)

    @field_validator("driving_licences")
    @classmethod
    def _licences(cls, v: list[str]) -> list[str]:
        bad = [x for x in v if x.upper() not in DRIVING_LICENCES]
        if bad:
            raise ValueError(f"ukendt kørekortkategori: {', '.join(bad)} (gyldige: {', '.join(DRIVING_LICENCES)})")
        return sorted({x.upper() for x in v})


class CandidateCreate(CandidateFields):
    candidate_ref: CandidateRef


class CandidateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_code: MunicipalityCode = None
    postcode: Postcode | None = None
    target_group: TargetGroup | None = None
    fleksjob_visiteret: bool | None = None
    fleksjob_hours: float | None = Field(default=None, ge=0, le=37)
    igu_basis: IguBasis | None = None
    birth_year: int | None = Field(default=None, ge=1930, le=date.today().year - 14)
    years_in_denmark: float | None = Field(default=None, ge=0, le=100)
    months_unemployed: float | None = Field(default=None, ge=0, le=600)
    education_level: EducationLevel | None = None
    single_parent: bool | None = None
    hours_available: float | None = Field(default=None, ge=0, le=60)
    driving_licences: list[str] | None = None
    languages: list[str] | None = None
    desired_occupations: list[str] | None = None
    consent_other_municipalities: bool | None = None
    consent_cooperation: bool | None = None
    cooperation_summary: str | None = Field(default=None, max_length=4000)
    cv_text: str | None = Field(default=None, max_length=2_500_000)

    @field_validator("driving_licences")
    @classmethod
    def _licences(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else CandidateFields._licences(v)


class CandidateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    candidate_ref: str
    municipality_code: int | None
    postcode: str | None
    target_group: str | None
    code_list_version: str
    fleksjob_visiteret: bool
    fleksjob_hours: float | None
    igu_basis: str | None
    birth_year: int | None
    years_in_denmark: float | None
    months_unemployed: float | None
    education_level: str | None
    single_parent: bool
    hours_available: float | None
    driving_licences: list[str]
    languages: list[str]
    desired_occupations: list[str]
    consent_other_municipalities: bool
    consent_cooperation: bool
    cooperation_summary: str
    cv_text: str
    cv_language: str | None = None
    skills: list[dict[str, Any]] = []
    occupations: list[dict[str, Any]] = []
    embedded_with: str | None = None
    warnings: list[str] = []
    created_at: datetime
    updated_at: datetime


class CandidateSummary(BaseModel):
    id: int
    candidate_ref: str
    postcode: str | None
    target_group: str | None
    desired_occupations: list[str]
    updated_at: datetime

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from shared.glossary import CampaignKind, CampaignSegmentKind, CampaignTargetStatus, Sector

IndustryCodePrefix = Field(default=None, pattern=r"^\d{1,6}$", description="DB07-branchekode eller dens begyndelse")


class Segment(BaseModel):
    """Which companies a campaign targets; materialised as target rows when the campaign is created."""

    model_config = ConfigDict(extra="forbid")

    kind: CampaignSegmentKind
    industry_code: str | None = IndustryCodePrefix
    sector: Sector | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self):
        kind = self.kind
        if kind is CampaignSegmentKind.industry and not self.industry_code:
            raise ValueError("Et branchesegment kræver industry_code")
        if kind is CampaignSegmentKind.sector and self.sector is None:
            raise ValueError("Et sektorsegment kræver sector")
        if kind is not CampaignSegmentKind.sector and self.sector is not None:
            raise ValueError(f"sector kan ikke bruges i et segment af typen '{kind.value}'")
        if kind in (CampaignSegmentKind.all, CampaignSegmentKind.sector) and self.industry_code:
            raise ValueError(f"industry_code kan ikke bruges i et segment af typen '{kind.value}'")
        return self


def _end_not_before_start(ends_on: date | None, info: ValidationInfo) -> date | None:
    start = info.data.get("starts_on")
    if ends_on is not None and start is not None and ends_on < start:
        raise ValueError(f"Slutdatoen {ends_on.isoformat()} ligger før startdatoen {start.isoformat()}")
    return ends_on


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: CampaignKind
    description: str | None = Field(default=None, max_length=4000)
    starts_on: date
    ends_on: date | None = None
    segment: Segment

    _dates = field_validator("ends_on")(_end_not_before_start)


class CampaignUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: CampaignKind | None = None
    description: str | None = Field(default=None, max_length=4000)
    starts_on: date | None = None
    ends_on: date | None = None

    _dates = field_validator("ends_on")(_end_not_before_start)


class CampaignRead(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    description: str | None
    starts_on: date
    ends_on: date | None
    segment: dict
    created_by: int | None
    created_at: datetime
    targets_total: int
    counts: dict[str, int] = Field(description="Antal virksomheder pr. status")


class TargetRead(BaseModel):
    id: int
    campaign_id: int
    company_id: int
    company_name: str
    cvr: str
    postcode: str
    industry_code: str | None
    employees: int | None
    status: CampaignTargetStatus
    status_label: str
    consultant_id: int | None
    follow_up_on: date | None
    note: str | None
    updated_at: datetime


class TargetPage(BaseModel):
    items: list[TargetRead]
    total: int
    counts: dict[str, int] = Field(description="Hele kampagnens målliste pr. status (uafhængigt af filtre)")


class TargetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CampaignTargetStatus | None = None
    follow_up_on: date | None = None
    consultant_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)


class TargetAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int

"""Figures and reports as the contract names them (`../shared/api-contract.md`, "crm figures").

Shares are fractions 0-1; a share whose denominator is empty is `null` ("no basis"), not 0,
so a dashboard does not show a 0 % fill rate for a period without orders.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class OrderFigures(BaseModel):
    companies: int = Field(description="Virksomheder med mindst én ordre modtaget i perioden")
    repeat_company_share: float | None = Field(description="Andel af dem med to eller flere ordrer")
    positions: int = Field(description="Stillinger i ordrer modtaget i perioden (annullerede ordrer fratrukket)")
    positions_filled: int = Field(description="Placeringer knyttet til ordrerne, højst `positions` pr. ordre")
    fill_rate: float | None = Field(description="positions_filled / positions")
    referral_rate: float | None = Field(description="Formidlingsgrad: andel ordrer med mindst én foreslået kandidat")
    hire_rate: float | None = Field(
        description="Besættelsesgrad: af ordrer med foreslåede kandidater, andelen hvor en blev ansat inden 3 måneder"
    )


class PartnershipFigures(BaseModel):
    active_agreements: int = Field(description="Partnerskabsaftaler aktive på periodens sidste dag")
    placement_share: float | None = Field(
        description="Andel af virksomhedsrettede forløb startet i perioden hos partnervirksomheder"
    )
    recruitment_share: float | None = Field(
        description="Andel af ordinære ansættelser startet i perioden hos partnervirksomheder"
    )


class Kpi(BaseModel):
    period_from: date = Field(serialization_alias="from")
    period_to: date = Field(serialization_alias="to")
    orders: OrderFigures
    partnership: PartnershipFigures
    cooperation_rate: float | None = Field(description="Samarbejdsgrad (virksomheder med mindst én ansat)")
    local_share: float | None = Field(description="Andel lokale kandidater af placeringer på ordrer")
    activities: dict[str, int] = Field(description="Aktiviteter i perioden pr. kanal")


class PlacementRow(BaseModel):
    month: str
    sector: str
    scheme: str
    count: int


class PlacementsReport(BaseModel):
    rows: list[PlacementRow]


class FleksjobRow(BaseModel):
    month: str
    op: int
    ned: int
    uaendret: int
    total: int


class FleksjobReport(BaseModel):
    rows: list[FleksjobRow]


class IguReport(BaseModel):
    to: date
    established: int
    completed: int
    ongoing: int
    stopped_early: int
    stopped_by_reason: dict[str, int]


class ActivityRow(BaseModel):
    month: str
    channel: str
    count: int


class ActivitiesReport(BaseModel):
    rows: list[ActivityRow]


class ConsultantActivityRow(BaseModel):
    month: str
    consultant_id: int | None = Field(description="Konsulenten der registrerede aktiviteterne; null = ingen")
    consultant_name: str
    count: int


class ConsultantActivityReport(BaseModel):
    rows: list[ConsultantActivityRow]

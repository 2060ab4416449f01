from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from shared.glossary import ConsentMethod, Sector
from shared.validators import clean_cvr, clean_municipality_code, clean_p_number, clean_postcode

Cvr = Annotated[str, AfterValidator(clean_cvr)]
Postcode = Annotated[str, AfterValidator(clean_postcode)]
MunicipalityCode = Annotated[int | None, AfterValidator(clean_municipality_code)]
PNumber = Annotated[str, AfterValidator(clean_p_number)]
IndustryCode = Annotated[str, Field(pattern=r"^\d{2,6}$", description="DB07-branchekode, 2-6 cifre")]


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cvr: Cvr
    name: str = Field(min_length=1, max_length=200)
    sector: Sector
    industry_code: IndustryCode | None = None
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    postcode: Postcode
    municipality_code: MunicipalityCode = None
    address: str | None = Field(default=None, max_length=200)
    consultant_id: int | None = None


class CompanyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    sector: Sector | None = None
    industry_code: IndustryCode | None = None
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    postcode: Postcode | None = None
    municipality_code: MunicipalityCode = None
    address: str | None = Field(default=None, max_length=200)
    consultant_id: int | None = None


# What a company's own portal user may change about itself.
COMPANY_SELF_EDITABLE = {"name", "address", "postcode", "employees"}


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cvr: str
    name: str
    sector: Sector
    industry_code: str | None
    employees: int | None
    postcode: str
    municipality_code: int | None
    address: str | None
    consultant_id: int | None
    created_at: datetime
    updated_at: datetime
    is_partner: bool = False


class WorkplaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p_number: PNumber
    name: str | None = Field(default=None, max_length=200)
    postcode: Postcode | None = None


class WorkplaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    p_number: str
    name: str | None
    postcode: str | None


class ContactBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[+0-9 ()-]{6,30}$")
    title: str | None = Field(default=None, max_length=120)
    newsletter_consent: bool = False
    consent_method: ConsentMethod | None = None

    @model_validator(mode="after")
    def _consent_needs_email(self):
        if self.newsletter_consent and not self.email:
            raise ValueError("Samtykke til nyhedsbrev kræver en e-mailadresse")
        return self


class ContactCreate(ContactBase):
    pass


class ContactUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[+0-9 ()-]{6,30}$")
    title: str | None = Field(default=None, max_length=120)
    newsletter_consent: bool | None = None
    consent_method: ConsentMethod | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None
    newsletter_consent: bool
    consent_given_at: datetime | None
    consent_method: str | None
    unsubscribed_at: datetime | None


class TimelineEntry(BaseModel):
    at: str
    kind: str  # aktivitet, ordre, partnerskab, placering_start, placering_slut, kampagne
    id: int
    title: str
    detail: str | None = None


class Timeline(BaseModel):
    company_id: int
    items: list[TimelineEntry]
    total: int

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from services.crm.orders.schemas import CandidateRef, ProposalUpdate


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Fx 'Jobcenter Vordingborg'")
    municipality_code: int = Field(ge=101, le=999, description="Partnerens kommunekode")
    base_url: AnyHttpUrl = Field(description="Adressen på partnerens crm, fx https://crm.jobcenter.vordingborg.dk")
    public_key: str = Field(min_length=40, max_length=200, description="Partnerens offentlige Ed25519-nøgle (base64)")


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    municipality_code: int
    base_url: str
    public_key: str
    created_at: datetime
    removed_at: datetime | None


class Identity(BaseModel):
    name: str
    municipality_code: int
    public_key: str
    algorithm: str


class ProposeAcross(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_ref: CandidateRef


class Decision(ProposalUpdate):
    """The outcome of a partner's proposal; a hire takes the placement's details (as a local one)."""


class ReceivedOrderRead(BaseModel):
    id: int
    partner_id: int
    partner_name: str
    partner_municipality_code: int
    remote_order_id: int
    title: str
    description: str
    scheme: str
    positions: int
    hours_per_week: float | None
    postcode: str | None
    deadline: date | None
    status: str
    contact: dict[str, Any]
    received_at: datetime
    updated_at: datetime


class OutgoingProposalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    received_order_id: int
    candidate_ref: str | None
    pseudonym: str
    cv_summary: str
    status: str
    proposed_on: date
    decided_on: date | None
    erased_at: datetime | None


class IncomingProposalRead(BaseModel):
    id: int
    order_id: int
    partner_id: int
    partner_name: str
    partner_municipality_code: int
    candidate: str = Field(description="Partnerens pseudonym for jobsøgeren")
    cv_summary: str
    consultant: dict[str, Any]
    proposed_on: date
    status: str
    decided_on: date | None
    placement_id: int | None
    erased_at: datetime | None


class OutgoingMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    partner_id: int
    type: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None
    last_error: str | None


class SharedOrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: int
    shared_at: datetime
    unshared_at: datetime | None

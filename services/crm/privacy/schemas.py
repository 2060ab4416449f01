"""What an access request (GDPR art. 15) for a contact person answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.crm.companies.schemas import ContactRead


class ExportCompany(BaseModel):
    id: int
    cvr: str
    name: str


class ExportActivity(BaseModel):
    id: int
    occurred_at: datetime
    channel: str
    purposes: list[str]
    summary: str
    follow_up_on: date | None
    consultant_id: int | None


class ExportPartnership(BaseModel):
    id: int
    signed_on: date
    ends_on: date | None
    note: str | None


class ExportOrder(BaseModel):
    id: int
    title: str
    received_on: date
    received_via: str
    status: str


class ExportDelivery(BaseModel):
    id: int
    kind: str
    newsletter_id: int | None
    to_email: str
    to_name: str | None
    subject: str | None
    status: str
    created_at: datetime
    sent_at: datetime | None
    unsubscribed_at: datetime | None


class ExportAuditEntry(BaseModel):
    at: datetime
    service: str
    action: str
    actor_id: int | None
    actor_role: str | None  # empty: the system (an unsubscribe link, a scheduled job)
    detail: dict[str, Any] | None


class ExportSatisfaction(BaseModel):
    """A satisfaction survey the contact was asked (docs/satisfaction.md): their answer and comment."""

    order_id: int
    sent_at: datetime
    score: int | None
    comment: str | None
    answered_at: datetime | None


class ContactExport(BaseModel):
    """Everything Jobbro holds about one contact person (indsigtsanmodning)."""

    exported_at: datetime
    contact: ContactRead
    company: ExportCompany
    activities: list[ExportActivity]
    partnerships: list[ExportPartnership]
    orders: list[ExportOrder]
    deliveries: list[ExportDelivery]
    audit: list[ExportAuditEntry]
    satisfaction: list[ExportSatisfaction] = []

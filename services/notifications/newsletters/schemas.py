from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.glossary import Sector, SegmentKind


class Segment(BaseModel):
    """`{"kind": ...}` plus the one field that kind needs (api-contract.md)."""

    model_config = ConfigDict(extra="forbid")

    kind: SegmentKind
    sector: Sector | None = None
    industry_code: str | None = Field(default=None, pattern=r"^\d{1,6}$")
    campaign_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _needs_its_field(self):
        need = {SegmentKind.sector: "sector", SegmentKind.industry: "industry_code",
                SegmentKind.campaign: "campaign_id"}.get(self.kind)
        if need and getattr(self, need) is None:
            raise ValueError(f"Segmentet '{self.kind.value}' kræver feltet {need}")
        for other in ("sector", "industry_code", "campaign_id"):
            if other != need and getattr(self, other) is not None:
                raise ValueError(f"Feltet {other} hører ikke til segmentet '{self.kind.value}'")
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _not_blank(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise ValueError(f"{what} må ikke være tomt")
    return value.strip() if what == "Emnet" else value


class NewsletterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200)
    body_markdown: str = Field(min_length=1, max_length=100_000)
    segment: Segment

    @field_validator("subject")
    @classmethod
    def _subject(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("Emnet skal stå på én linje")
        return _not_blank(v, "Emnet")

    @field_validator("body_markdown")
    @classmethod
    def _body(cls, v: str) -> str:
        return _not_blank(v, "Teksten")


class NewsletterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(default=None, min_length=1, max_length=200)
    body_markdown: str | None = Field(default=None, min_length=1, max_length=100_000)
    segment: Segment | None = None

    @field_validator("subject")
    @classmethod
    def _subject(cls, v: str | None) -> str | None:
        if v is not None and ("\n" in v or "\r" in v):
            raise ValueError("Emnet skal stå på én linje")
        return _not_blank(v, "Emnet")

    @field_validator("body_markdown")
    @classmethod
    def _body(cls, v: str | None) -> str | None:
        return _not_blank(v, "Teksten")


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime | None = Field(default=None, description="Planlagt tidspunkt; uden tidszone læses det som dansk tid")


class Counts(BaseModel):
    queued: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    total: int = 0


class NewsletterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    body_markdown: str
    segment: dict[str, Any]
    status: str
    status_label: str = ""
    scheduled_at: datetime | None
    send_requested_at: datetime | None
    completed_at: datetime | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    counts: Counts = Counts()


class Preview(BaseModel):
    subject: str
    segment_label: str
    recipients: int
    html: str
    text: str


class SendAccepted(BaseModel):
    id: int
    status: str
    scheduled_at: datetime | None
    recipients: int
    new_deliveries: int

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class IdTokenExchange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_token: str = Field(min_length=20, max_length=20_000, description="ID-tokenet fra udbyderen (JWS)")


class UnknownCompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cvr: str
    org_name: str | None
    attempts: int
    first_at: datetime
    last_at: datetime


class RefusalReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=60, pattern=r"^[a-z_:\-]+$",
                        description="Hvad web-fronten afviste, fx `state`, `code_refused`, `id_token:invalid_claim`")

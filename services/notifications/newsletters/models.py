from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Newsletter(SQLModel, table=True):
    __tablename__ = "newsletter"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200)
    body_markdown: str = Field(sa_column=Column(Text, nullable=False))
    segment: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="kladde", max_length=12, index=True)
    scheduled_at: datetime | None = Field(default=None, index=True)
    send_requested_at: datetime | None = None
    completed_at: datetime | None = None
    created_by: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

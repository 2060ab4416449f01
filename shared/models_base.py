"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field


def utcnow() -> datetime:
    # Aware UTC everywhere: SQLModel's datetime columns refuse naive values.
    return datetime.now(UTC)


def created_field():
    return Field(default_factory=utcnow, nullable=False)

"""Audit log of who read or changed personal data (GDPR art. 30/32).

Rows are added to the caller's session, so an audit entry commits with the change it describes
and a rolled-back change leaves no entry claiming it happened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from shared.auth import Principal


def utcnow() -> datetime:
    return datetime.now(UTC)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_email: str | None = None
    actor_role: str | None = None
    service: str = Field(max_length=30)
    action: str = Field(max_length=30)  # read, create, update, delete, override, erase, export
    entity: str = Field(max_length=40, index=True)
    entity_id: str | None = Field(default=None, max_length=64, index=True)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


def record(
    session: Session,
    principal: Principal | None,
    service: str,
    action: str,
    entity: str,
    entity_id: object | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_id=principal.user_id if principal else None,
            actor_email=principal.email if principal else None,
            actor_role=principal.role.value if principal else None,
            service=service,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail,
        )
    )

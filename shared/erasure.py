"""Erasure across services (GDPR art. 17): the owner's ledger of who has confirmed.

The service that owns a person starts an erasure: it erases its own rows, records an
`ErasureRequest` naming the services that hold copies, and publishes the erasure event
(`contact.erased` from crm, `candidate.erased` from matching) carrying the request's id. Each
service holding a copy erases or pseudonymises its own rows and publishes `person.erased` with
that id and its own name, in the same transaction. The owner's consumer marks each confirmation;
when none is missing the request is complete. Its morning round publishes the erasure event again
for requests still open after a day, and admins see open requests at `GET /api/v1/erasures`.

The ledger names the person only by a keyed hash (`subject_key`), enough to tell that a reference
was erased before, not to find out whose it was.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from shared.models_base import utcnow
from shared.settings import get_settings

REPUBLISH_AFTER = timedelta(days=1)


class ErasureRequest(SQLModel, table=True):
    __tablename__ = "erasure_request"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    owner: str = Field(max_length=30, index=True)
    subject: str = Field(max_length=30)  # contact, candidate
    subject_key: str = Field(max_length=64, index=True)
    waiting_for: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confirmations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The outbox events that announced it (the first, and any published again): their payloads
    # may name the person until every service has confirmed.
    event_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requested_at: datetime = Field(default_factory=utcnow, index=True)
    republished_at: datetime | None = None
    completed_at: datetime | None = Field(default=None, index=True)


def subject_key(subject: str, ref: str) -> str:
    secret = get_settings().jobbro_secret_key.encode()
    return hmac.new(secret, f"{subject}:{ref}".encode(), hashlib.sha256).hexdigest()


def start(session: Session, owner: str, subject: str, ref: str, waiting_for: list[str]) -> ErasureRequest:
    req = ErasureRequest(owner=owner, subject=subject, subject_key=subject_key(subject, ref),
                         waiting_for=sorted(waiting_for), completed_at=None if waiting_for else utcnow())
    session.add(req)
    return req


def announced(req: ErasureRequest, event) -> None:
    """Remember the outbox event that announced (or announced again) the erasure."""
    req.event_ids = [*req.event_ids, event.id]


def erased_before(session: Session, owner: str, subject: str, ref: str) -> bool:
    return session.exec(select(ErasureRequest.id).where(
        ErasureRequest.owner == owner, ErasureRequest.subject_key == subject_key(subject, ref))).first() is not None


def confirm(session: Session, owner: str, erasure_id: str, service: str, detail: dict[str, Any] | None = None
            ) -> ErasureRequest | None:
    """Record `service`'s confirmation; None when the request is not this owner's (or unknown)."""
    req = session.get(ErasureRequest, erasure_id)
    if req is None or req.owner != owner:
        return None
    if service not in req.confirmations:
        req.confirmations = {**req.confirmations, service: {"at": utcnow().isoformat(), **(detail or {})}}
        if set(req.waiting_for) <= set(req.confirmations) and req.completed_at is None:
            req.completed_at = utcnow()
        session.add(req)
    return req


def open_requests(session: Session, owner: str, limit: int = 100, offset: int = 0) -> tuple[list[ErasureRequest], int]:
    stmt = select(ErasureRequest).where(ErasureRequest.owner == owner, ErasureRequest.completed_at.is_(None))
    rows = list(session.exec(stmt.order_by(ErasureRequest.requested_at).limit(limit).offset(offset)).all())
    from sqlalchemy import func

    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    return rows, int(total)


def due_again(session: Session, owner: str, now: datetime | None = None) -> list[ErasureRequest]:
    """Open requests whose last publication is more than a day old: the owner publishes again."""
    now = now or utcnow()
    cutoff = now - REPUBLISH_AFTER
    rows = session.exec(select(ErasureRequest).where(
        ErasureRequest.owner == owner, ErasureRequest.completed_at.is_(None),
        ErasureRequest.requested_at < cutoff)).all()
    return [r for r in rows if r.republished_at is None or _aware(r.republished_at) < cutoff]


def missing(req: ErasureRequest) -> list[str]:
    return [s for s in req.waiting_for if s not in req.confirmations]


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def republish_open(session: Session, owner: str) -> int:
    """Publish an owner's erasure event again for requests a service has not confirmed within a
    day (each copy is remembered, so its payload can be overwritten on completion too)."""
    from shared.events import EventType, OutboxEvent, publish

    n = 0
    for req in due_again(session, owner):
        original = session.get(OutboxEvent, req.event_ids[0]) if req.event_ids else None
        if original is None:
            continue
        announced(req, publish(session, EventType(original.type), original.payload))
        req.republished_at = utcnow()
        session.add(req)
        n += 1
    return n

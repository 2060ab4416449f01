"""Domain events through a transactional outbox.

`publish()` adds an `OutboxEvent` row to the caller's session, so the event exists only if the
change commits. After the commit, the rows are pushed to the installation's Redis stream
(`stream()`: `jobbro:<installation>:events`, see shared/installation.py) and
marked published. If Redis is away, they stay unpublished and `relay_pending()` (run by the
scheduler every few seconds) sends them later. Delivery is therefore at-least-once: consumers
deduplicate on the event `id`. Schemas: `docs/events.md`.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import JSON, Column, event, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from enum import StrEnum

from shared.installation import installation_id, redis_key
from shared.logs import request_id_var

log = logging.getLogger("jobbro.events")

STREAM_MAXLEN = 200_000


class EventType(StrEnum):
    order_received = "order.received"
    order_status_changed = "order.status_changed"
    follow_up_due = "followup.due"
    follow_up_digest = "followup.digest"
    agreement_signed = "agreement.signed"
    placement_started = "placement.started"
    placement_ended = "placement.ended"
    contact_unsubscribed = "contact.unsubscribed"
    candidate_erased = "candidate.erased"
    person_erased = "person.erased"
    # Issue 12: events carry what consumers need (contracts: shared/event_contracts.py).
    order_changed = "order.changed"
    company_created = "company.created"
    company_changed = "company.changed"
    company_deleted = "company.deleted"
    contact_created = "contact.created"
    contact_changed = "contact.changed"
    contact_consent_changed = "contact.consent_changed"
    contact_erased = "contact.erased"
    agreement_changed = "agreement.changed"
    agreement_deleted = "agreement.deleted"
    campaign_created = "campaign.created"
    campaign_changed = "campaign.changed"
    campaign_deleted = "campaign.deleted"
    campaign_target_added = "campaign.target_added"
    # Issue 14: company centres' fixed places (services/crm/centres), standing vacancies in matching.
    centre_places_changed = "centre.places_changed"
    # Issue 14 part 1: a closed order's satisfaction survey, for notifications to mail.
    survey_requested = "survey.requested"
    # Issue 15: the recruitment cooperation (docs/cooperation.md).
    cooperation_order_received = "cooperation.order_received"
    candidate_cooperation_consent = "candidate.cooperation_consent"
    # Issue 16: what a consultant did with a ranking (matching keeps it on the ranking record).
    ranking_action = "ranking.action"


def event_version(type_: str) -> int:
    """The payload schema version this code publishes (shared/event_contracts.py, docs/events.md)."""
    from shared.event_contracts import VERSION

    return VERSION.get(type_, 1)


def stream() -> str:
    """This installation's event stream."""
    return redis_key("events")


def is_foreign(fields: dict[str, Any], consumer: str) -> bool:
    """True (and logged) for a stream entry another installation wrote: the consumer skips it.

    Streams are per installation, so this only happens when two installations were configured
    with one id, or an entry was copied by hand; applying it would mix their records."""
    origin = fields.get("installation")
    if origin == installation_id():
        return False
    log.warning("%s: ignoring event %s (%s) from installation %r; this is installation %r",
                consumer, fields.get("id"), fields.get("type"), origin, installation_id())
    return True


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    type: str = Field(max_length=60)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=_utcnow)
    published_at: datetime | None = Field(default=None, index=True)
    request_id: str | None = Field(default=None, max_length=64)


def publish(session: Session, type_: EventType, payload: dict[str, Any]) -> OutboxEvent:
    evt = OutboxEvent(type=type_.value, payload=json.loads(json.dumps(payload, default=str)),
                      request_id=request_id_var.get())
    session.add(evt)
    session.info.setdefault("outbox", []).append(evt.id)
    return evt


def _to_stream(redis: Redis, evt: OutboxEvent) -> None:
    redis.xadd(
        stream(),
        {
            "id": evt.id,
            "installation": installation_id(),
            "type": evt.type,
            "version": str(event_version(evt.type)),
            "occurred_at": evt.created_at.isoformat(),
            "payload": json.dumps(evt.payload),
            **({"request_id": evt.request_id} if evt.request_id else {}),
        },
        maxlen=STREAM_MAXLEN,
        approximate=True,
    )


def _push(engine: Engine, redis: Redis, ids: list[str]) -> int:
    if not ids:
        return 0
    with Session(engine) as s:
        events = s.exec(
            select(OutboxEvent)
            .where(OutboxEvent.id.in_(ids), OutboxEvent.published_at.is_(None))
            .order_by(OutboxEvent.created_at)
        ).all()
        sent: list[str] = []
        try:
            for evt in events:
                _to_stream(redis, evt)
                sent.append(evt.id)
        except RedisError as exc:
            log.warning("redis unavailable, %d event(s) left for the relay: %s", len(events) - len(sent), exc)
        if sent:
            s.exec(update(OutboxEvent).where(OutboxEvent.id.in_(sent)).values(published_at=_utcnow()))
            s.commit()
        return len(sent)


def relay_pending(engine: Engine, redis: Redis, batch: int = 500) -> int:
    """Publish committed events that were not sent right after their commit."""
    with Session(engine) as s:
        ids = list(
            s.exec(
                select(OutboxEvent.id)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.created_at)
                .limit(batch)
            ).all()
        )
    return _push(engine, redis, ids)


_installed = False


def install_after_commit_flush(get_redis) -> None:
    """After any session commits, push the events it wrote; a rollback drops them unsent."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        ids = session.info.pop("outbox", None)
        if not ids:
            return
        try:
            _push(session.get_bind(), get_redis(), ids)
        except Exception as exc:  # never fail a committed request over delivery
            log.warning("event push after commit failed, relay will retry: %s", exc)

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop("outbox", None)


def read_events(redis: Redis, last_id: str = "0-0", count: int = 100) -> list[dict[str, Any]]:
    """Helper for consumers and tests: decode entries after `last_id`."""
    out = []
    for entry_id, fields in redis.xrange(stream(), min=f"({last_id}" if last_id != "0-0" else "-", count=count):
        f = {k.decode(): v.decode() for k, v in fields.items()}
        out.append({"stream_id": entry_id.decode(), "id": f["id"], "type": f["type"],
                    "occurred_at": f["occurred_at"], "payload": json.loads(f["payload"])})
    return out

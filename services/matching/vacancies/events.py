"""Vacancies from crm: a consumer group on the installation's event stream (`shared.events.stream`).

`order.received` creates (or, redelivered, updates) the vacancy for the order and `order.changed`
updates it, from the event's payload alone (title, description, scheme, hours, postcode and the
company travel with the order: shared/event_contracts.py); `order.status_changed` closes or
reopens it. `centre.places_changed` keeps a standing vacancy per company centre and scheme, open
while a fixed place is free. Matching never reads crm's tables. Handling is idempotent on order_id, so the
at-least-once delivery of the outbox never creates duplicates. Entries a dead consumer had
claimed are taken over after `claim_after_ms` (XAUTOCLAIM).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlmodel import Session

from services.matching.vacancies import service
from shared import consumer as stream_consumer
from shared.db import get_engine
from shared.events import EventType, stream

log = logging.getLogger("jobbro.matching.events")
GROUP = "matching"


def ensure_group(redis: Redis) -> None:
    stream_consumer.ensure_group(redis, GROUP)


def _occurred_at(event: dict[str, Any]) -> datetime | None:
    try:
        at = datetime.fromisoformat(event.get("occurred_at") or "")
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def handle(event: dict[str, Any]) -> str | None:
    etype, payload, at = event.get("type"), event.get("payload") or {}, _occurred_at(event)
    if etype in (EventType.order_received.value, EventType.order_changed.value):
        with Session(get_engine()) as s:
            v = service.upsert_from_order(s, payload, at)
            return f"vacancy {v.id}"
    if etype == EventType.order_status_changed.value:
        with Session(get_engine()) as s:
            service.apply_order_status(s, payload, at)
        return "status"
    if etype == EventType.centre_places_changed.value:
        with Session(get_engine()) as s:
            return f"standing vacancies {[v.id for v in service.apply_centre_places(s, payload, at)]}"
    if etype == EventType.cooperation_order_received.value:
        with Session(get_engine()) as s:
            v = service.upsert_from_shared_order(s, payload, at)
            return f"vacancy {v.id}"
    if etype == EventType.ranking_action.value:
        from services.matching.records.service import apply_event

        with Session(get_engine()) as s:
            row = apply_event(s, event)
            return f"ranking record {row.record_id}" if row else None
    if etype == EventType.person_erased.value:
        from services.matching.candidates.erasures import person_erased

        with Session(get_engine()) as s:
            return "erasure confirmed" if person_erased(s, payload) else None
    return None


def consume_once(redis: Redis, consumer: str, count: int = 50, block_ms: int = 2000,
                 claim_after_ms: int = 60_000) -> int:
    """Handle what is waiting (entries a dead consumer left first), waiting up to `block_ms` for
    new ones; returns how many entries were handled (shared/consumer.py)."""
    stats = stream_consumer.consume(redis, GROUP, lambda event: 1 if handle(event) else 0, count=count,
                                    budget_seconds=max(5.0, block_ms / 1000 + 5), claim_idle_ms=claim_after_ms,
                                    consumer=consumer, block_ms=block_ms)
    return stats["handled"]


def run_forever(redis: Redis) -> None:
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    log.info("matching events consumer %s on %s", consumer, stream())
    while True:
        try:
            consume_once(redis, consumer)
        except Exception:
            log.exception("events loop error; retrying in 5 s")
            time.sleep(5)

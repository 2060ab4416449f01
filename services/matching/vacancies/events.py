"""Vacancies from crm: a consumer group on the installation's event stream (`shared.events.stream`).

`order.received` creates (or, redelivered, updates) the vacancy for the order and `order.changed`
updates it, from the event's payload alone (title, description, scheme, hours, postcode and the
company travel with the order: shared/event_contracts.py); `order.status_changed` closes or
reopens it. Matching never reads crm's tables. Handling is idempotent on order_id, so the
at-least-once delivery of the outbox never creates duplicates. Entries a dead consumer had
claimed are taken over after `claim_after_ms` (XAUTOCLAIM).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time

from redis import Redis
from redis.exceptions import ResponseError
from sqlmodel import Session

from services.matching.vacancies import service
from shared.db import get_engine
from shared.events import EventType, is_foreign, stream
from shared.logs import request_context

log = logging.getLogger("jobbro.matching.events")
GROUP = "matching"


def ensure_group(redis: Redis) -> None:
    try:
        redis.xgroup_create(stream(), GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def handle(fields: dict[str, str]) -> str | None:
    etype = fields.get("type")
    payload = json.loads(fields.get("payload") or "{}")
    if etype in (EventType.order_received.value, EventType.order_changed.value):
        with Session(get_engine()) as s:
            v = service.upsert_from_order(s, payload)
            return f"vacancy {v.id}"
    if etype == EventType.order_status_changed.value:
        with Session(get_engine()) as s:
            service.apply_order_status(s, payload)
        return "status"
    if etype == EventType.person_erased.value:
        from services.matching.candidates.erasures import person_erased

        with Session(get_engine()) as s:
            return "erasure confirmed" if person_erased(s, payload) else None
    return None


def consume_once(redis: Redis, consumer: str, count: int = 50, block_ms: int = 2000, claim_after_ms: int = 60_000) -> int:
    ensure_group(redis)
    entries = []
    try:
        _, claimed, *_ = redis.xautoclaim(stream(), GROUP, consumer, min_idle_time=claim_after_ms, start_id="0-0",
                                          count=count)
        entries += [(eid, f) for eid, f in claimed if f]
    except ResponseError:
        pass
    resp = redis.xreadgroup(GROUP, consumer, {stream(): ">"}, count=count, block=block_ms)
    for _, items in resp or []:
        entries += items
    done = 0
    for entry_id, raw in entries:
        fields = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                  for k, v in raw.items()}
        if is_foreign(fields, "matching"):
            redis.xack(stream(), GROUP, entry_id)
            continue
        try:
            with request_context(fields.get("request_id")):
                handle(fields)
        except Exception:
            # Left pending: another consumer (or this one, later) retries it via XAUTOCLAIM.
            log.exception("event %s (%s) failed", fields.get("id"), fields.get("type"))
            continue
        redis.xack(stream(), GROUP, entry_id)
        done += 1
    return done


def run_forever(redis: Redis) -> None:
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    log.info("matching events consumer %s on %s", consumer, stream())
    while True:
        try:
            consume_once(redis, consumer)
        except Exception:
            log.exception("events loop error; retrying in 5 s")
            time.sleep(5)

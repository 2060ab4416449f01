"""crm's domain events, read from the installation's event stream with a consumer group.

XREADGROUP hands each entry to one consumer of the group `notifications`, so worker replicas
share the stream; an entry is XACKed only after its delivery rows are committed. An entry a dead
consumer took but never acknowledged is taken over with XAUTOCLAIM once it has been idle for
`CLAIM_IDLE_MS`. Entries are handled idempotently (delivery keys), so a second handling of the
same event, or the relay publishing it twice, e-mails nobody twice.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.reminders import service as reminders
from shared.events import EventType, is_foreign, stream
from shared.logs import request_context
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.events")

GROUP = "notifications"
CLAIM_IDLE_MS = 60_000
MAX_DELIVERIES = 5  # an entry that failed this often is set aside (logged) rather than block the stream

Handler = Callable[[Session, dict[str, Any]], list[str]]
HANDLERS: dict[str, Handler] = {
    EventType.order_received.value: reminders.order_received,
    EventType.follow_up_due.value: reminders.followup_due,
}


def consumer_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_group(redis: Redis) -> None:
    """Create the group at the start of the stream; old events are filtered by age, not skipped blindly."""
    try:
        redis.xgroup_create(stream(), GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _decode_fields(fields: dict) -> dict[str, str]:
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in fields.items()}


def _decode(fields: dict) -> dict[str, Any]:
    f = _decode_fields(fields)
    return {"id": f.get("id"), "type": f.get("type"), "occurred_at": f.get("occurred_at"),
            "request_id": f.get("request_id"), "payload": json.loads(f.get("payload") or "{}")}


def _too_old(event: dict[str, Any]) -> bool:
    try:
        at = datetime.fromisoformat(event["occurred_at"])
    except (TypeError, ValueError):
        return False
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at < datetime.now(UTC) - timedelta(hours=get_settings().notifications_event_max_age_hours)


def handle(engine: Engine, event: dict[str, Any]) -> int:
    handler = HANDLERS.get(event.get("type") or "")
    if handler is None or _too_old(event):
        return 0
    with Session(engine, expire_on_commit=False) as session:
        keys = handler(session, event["payload"])
        return reminders.commit_and_queue(session, keys) if keys else 0


def consume(engine: Engine, redis: Redis, *, count: int = 200, budget_seconds: float = 20.0,
            claim_idle_ms: int = CLAIM_IDLE_MS, consumer: str | None = None) -> dict[str, int]:
    """Handle what is waiting (taken-over entries first), then return; the scheduler calls again."""
    ensure_group(redis)
    me = consumer or consumer_name()
    stats = {"handled": 0, "queued": 0, "failed": 0, "set_aside": 0}
    deadline = time.monotonic() + budget_seconds

    def process(entries) -> None:
        for entry_id, fields in entries:
            if fields is None:  # trimmed from the stream meanwhile
                redis.xack(stream(), GROUP, entry_id)
                continue
            if is_foreign(_decode_fields(fields), "notifications"):
                redis.xack(stream(), GROUP, entry_id)
                continue
            try:
                event = _decode(fields)
                with request_context(event.get("request_id")):
                    stats["queued"] += handle(engine, event)
                redis.xack(stream(), GROUP, entry_id)
                stats["handled"] += 1
            except Exception:
                stats["failed"] += 1
                log.exception("event %s could not be handled; it stays pending for a retry", entry_id)
                if _deliveries(redis, entry_id) >= MAX_DELIVERIES:
                    log.error("event %s failed %d times; set aside: %s", entry_id, MAX_DELIVERIES, fields)
                    redis.xack(stream(), GROUP, entry_id)
                    stats["set_aside"] += 1

    start = "0-0"
    while time.monotonic() < deadline:
        res = redis.xautoclaim(stream(), GROUP, me, min_idle_time=claim_idle_ms, start_id=start, count=count)
        start, claimed = res[0], res[1]
        process(claimed)
        if start in (b"0-0", "0-0"):
            break
    while time.monotonic() < deadline:
        got = redis.xreadgroup(GROUP, me, {stream(): ">"}, count=count)
        if not got:
            break
        for _stream, entries in got:
            process(entries)
    return stats


def _deliveries(redis: Redis, entry_id) -> int:
    info = redis.xpending_range(stream(), GROUP, min=entry_id, max=entry_id, count=1)
    return int(info[0]["times_delivered"]) if info else 0

"""crm's domain events, read from the installation's event stream with the consumer group
`notifications` (shared/consumer.py: claiming, retries, setting aside, foreign events): they keep
notifications' read model of recipients and orders (recipients/) and trigger receipts and reminders.

An entry is acknowledged only after its delivery rows are committed. Entries are handled
idempotently (delivery keys), so a second handling of the same event, or the relay publishing it
twice, e-mails nobody twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.recipients import service as recipients
from services.notifications.reminders import service as reminders
from services.notifications.surveys import service as surveys
from shared import consumer as stream_consumer
from shared.events import EventType
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.events")

GROUP = "notifications"
CLAIM_IDLE_MS = stream_consumer.CLAIM_IDLE_MS

Handler = Callable[[Session, dict[str, Any]], list[str]]
MAIL_HANDLERS: dict[str, Handler] = {
    EventType.order_received.value: reminders.order_received,
    EventType.follow_up_due.value: reminders.followup_due,
    EventType.follow_up_digest.value: reminders.followup_digest,
    EventType.survey_requested.value: surveys.survey_requested,
}


def consumer_name() -> str:
    return stream_consumer.consumer_name()


def ensure_group(redis: Redis) -> None:
    stream_consumer.ensure_group(redis, GROUP)


def _too_old(event: dict[str, Any]) -> bool:
    try:
        at = datetime.fromisoformat(event["occurred_at"])
    except (TypeError, ValueError):
        return False
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at < datetime.now(UTC) - timedelta(hours=get_settings().notifications_event_max_age_hours)


def handle(engine: Engine, event: dict[str, Any]) -> int:
    """Keep the read model of recipients and orders current (every event, however old), and turn
    the events that call for a mail into delivery rows (not when the event is too old to be news).
    One transaction: the mails and the state they were made from commit together. Returns the
    number of mails queued."""
    handler = MAIL_HANDLERS.get(event.get("type") or "")
    with Session(engine, expire_on_commit=False) as session:
        recipients.apply(session, event)
        keys = handler(session, event["payload"]) if handler is not None and not _too_old(event) else []
        if keys:
            return reminders.commit_and_queue(session, keys)
        session.commit()
        return 0


def consume(engine: Engine, redis: Redis, *, count: int = 200, budget_seconds: float = 20.0,
            claim_idle_ms: int = CLAIM_IDLE_MS, consumer: str | None = None) -> dict[str, int]:
    """Handle what is waiting (taken-over entries first), then return; the scheduler calls again."""
    stats = stream_consumer.consume(redis, GROUP, lambda event: handle(engine, event), count=count,
                                    budget_seconds=budget_seconds, claim_idle_ms=claim_idle_ms, consumer=consumer)
    return {"handled": stats["handled"], "queued": stats["done"], "failed": stats["failed"],
            "set_aside": stats["set_aside"]}

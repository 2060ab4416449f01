"""The functions RQ runs. Thin: each opens what it needs and calls a domain service."""

from __future__ import annotations

import logging

from shared.db import get_engine
from shared.redis_client import get_redis

log = logging.getLogger("jobbro.notifications.jobs")


def send_batch(delivery_ids: list[int]) -> dict[str, int]:
    from services.notifications.deliveries.service import send_batch as run

    return run(get_engine(), list(delivery_ids))


def dispatch_newsletter(newsletter_id: int) -> bool:
    from services.notifications.newsletters.service import dispatch_scheduled

    return dispatch_scheduled(get_engine(), newsletter_id)


def sweep() -> dict[str, int]:
    from services.notifications.deliveries.service import sweep as sweep_deliveries
    from services.notifications.newsletters.service import dispatch_due, mark_completed

    engine = get_engine()
    result = {"dispatched": dispatch_due(engine)}
    result.update(sweep_deliveries(engine))
    result["completed"] = mark_completed(engine)
    return result


def relay_outbox() -> int:
    """notifications' outbox relay (shared/events.py): events whose push after commit failed."""
    from shared.events import relay_pending

    return relay_pending(get_engine(), get_redis())


def consume_events() -> dict[str, int]:
    from services.notifications.events.consumer import consume

    return consume(get_engine(), get_redis())


def daily() -> dict[str, int]:
    from services.notifications.reminders.daily import run_due

    return run_due(get_engine(), get_redis())


def ensure_read_model() -> dict[str, int] | None:
    """An empty read model (a new installation whose crm was loaded in bulk, or a lost database)
    is rebuilt from crm's API; one that holds anything is kept current by the events."""
    from sqlmodel import Session, select

    from services.notifications.recipients.models import RecipientCompany
    from services.notifications.recipients.rebuild import rebuild

    import httpx

    engine = get_engine()
    with Session(engine) as s:
        if s.exec(select(RecipientCompany.company_id).limit(1)).first() is not None:
            return None
    try:
        return rebuild(engine)
    except httpx.TransportError as exc:
        # crm is not up yet (every process of `make run` starts at once): the next round, a minute
        # later, tries again; a failed job with a traceback would only alarm the reader of the log.
        log.warning("read model: crm not reachable yet (%s); retried in a minute", exc)
        return None

"""The functions crm's RQ worker runs. Thin: each opens what it needs and calls a domain service."""

from __future__ import annotations

from shared.db import get_engine
from shared.redis_client import get_redis


def relay_outbox() -> int:
    """crm's outbox relay (shared/events.py): events whose push after commit failed."""
    from shared.events import relay_pending

    return relay_pending(get_engine(), get_redis())


def consume_events() -> dict[str, int]:
    """What crm consumes from other services (services/crm/inbox)."""
    from services.crm.inbox.consumer import consume

    return consume(get_engine(), get_redis())


def daily() -> dict[str, object]:
    from services.crm.daily import run_due

    return run_due(get_engine(), get_redis())


def deliver_cooperation() -> dict[str, int]:
    """Messages to partner jobcentres (services/crm/cooperation/delivery.py)."""
    from services.crm.cooperation.delivery import deliver_pending

    return deliver_pending(get_engine())

"""The RQ queues notifications uses (names in settings).

`notifications` carries periodic and transactional work (receipts, reminders, the outbox
relay), `notifications-bulk` the newsletter batches, so a 10,000-recipient newsletter never
delays a receipt. The worker serves `notifications_worker_queues`, which also lists the other
services' queues (matching), first queue first.
"""

from __future__ import annotations

from rq import Queue

from shared.installation import queue_name
from shared.redis_client import get_redis
from shared.settings import get_settings


def queue_names() -> list[str]:
    """The queues the worker serves, named under this installation (shared/installation.py)."""
    return [queue_name(n.strip()) for n in get_settings().notifications_worker_queues.split(",") if n.strip()]


def main_queue(connection=None) -> Queue:
    return Queue(queue_name(get_settings().notifications_queue), connection=connection or get_redis())


def bulk_queue(connection=None) -> Queue:
    return Queue(queue_name(get_settings().notifications_bulk_queue), connection=connection or get_redis())

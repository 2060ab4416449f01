"""`python -m services.notifications worker`: one RQ worker, RQ's scheduler and the cron.

The worker runs jobs in its own process (RQ's SimpleWorker, as `shared.jobs.JobbroWorker`): it keeps one SMTP connection and
one database pool across jobs, which is what makes a 10,000-recipient newsletter fast, and a
`kill -9` of the worker process stops its work at once (the sweeper recovers its rows).
"""

from __future__ import annotations

import logging

from redis import Redis

from services.notifications import scheduler
from services.notifications.events.consumer import ensure_group
from services.notifications.queues import queue_names
from shared.cron import start_cron
from shared.installation import queue_name
from shared.jobs import JobbroWorker
from shared.logs import configure_logging
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.worker")


def run(queues: list[str] | None = None, *, burst: bool = False, cron: bool = True, name: str | None = None) -> None:
    settings = get_settings()
    configure_logging("notifications")
    # No socket timeout: the worker blocks on BLPOP for its dequeue timeout.
    connection = Redis.from_url(settings.redis_url)
    ensure_group(connection)
    names = [queue_name(q) for q in queues] if queues else queue_names()
    cron_proc = start_cron("notifications", scheduler.register) if cron and not burst else None
    worker = JobbroWorker(names, connection=connection, name=name, worker_ttl=60, maintenance_interval=30)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        if cron_proc is not None and cron_proc.is_alive():
            cron_proc.terminate()
            cron_proc.join(5)

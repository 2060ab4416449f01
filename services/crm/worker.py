"""`python -m services.crm worker`: crm's RQ worker with its own schedule (shared/cron.py): the
outbox relay, the events crm consumes (services/crm/inbox) and the morning round (daily.py)."""

from __future__ import annotations

from redis import Redis

from shared.cron import LeaderCronScheduler, start_cron
from shared.installation import queue_name
from shared.jobs import JobbroWorker
from shared.logs import configure_logging
from shared.settings import get_settings

QUEUE = "crm"


def register(cron: LeaderCronScheduler) -> None:
    from services.crm import jobs

    s = get_settings()
    queue = queue_name(QUEUE)
    cron.register(jobs.relay_outbox, queue, interval=s.notifications_relay_seconds, job_timeout=120, result_ttl=30)
    cron.register(jobs.consume_events, queue, interval=s.notifications_events_seconds, job_timeout=120,
                  result_ttl=30)
    cron.register(jobs.daily, queue, interval=s.notifications_daily_check_seconds, job_timeout=600, result_ttl=3600)
    cron.register(jobs.deliver_cooperation, queue, interval=s.cooperation_delivery_seconds, job_timeout=300,
                  result_ttl=30)


def run(*, burst: bool = False, cron: bool = True) -> None:
    configure_logging("crm")
    connection = Redis.from_url(get_settings().redis_url)
    cron_proc = start_cron("crm", register) if cron and not burst else None
    worker = JobbroWorker([queue_name(QUEUE)], connection=connection, worker_ttl=60, maintenance_interval=30)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        if cron_proc is not None and cron_proc.is_alive():
            cron_proc.terminate()
            cron_proc.join(5)

"""notifications' periodic jobs (its own schedule, shared/cron.py): the outbox relay, the event
consumer, the delivery sweep, the read model's rebuild when it is empty, and the morning round
(reminders/daily.py)."""

from __future__ import annotations

from shared.cron import LeaderCronScheduler
from shared.settings import get_settings


def register(cron: LeaderCronScheduler) -> None:
    from services.notifications import jobs
    from services.notifications.queues import main_queue

    s = get_settings()
    queue = main_queue(cron.connection).name
    cron.register(jobs.relay_outbox, queue, interval=s.notifications_relay_seconds, job_timeout=120, result_ttl=30)
    cron.register(jobs.consume_events, queue, interval=s.notifications_events_seconds, job_timeout=120, result_ttl=30)
    cron.register(jobs.sweep, queue, interval=s.notifications_sweep_seconds, job_timeout=300, result_ttl=30)
    cron.register(jobs.ensure_read_model, queue, interval=60, job_timeout=600,
                  result_ttl=600)
    cron.register(jobs.daily, queue, interval=s.notifications_daily_check_seconds, job_timeout=600, result_ttl=3600)

"""What notifications adds to `/metrics`: queue depth, failed jobs and e-mails by status.

Read at scrape time from Redis and the database rather than counted in the worker processes:
workers are not scraped, come and go, and a counter kept in one of them would vanish with it.
Redis and the delivery table are the shared truth every API replica can report.
"""

from __future__ import annotations

import logging

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from sqlalchemy import func, select

log = logging.getLogger("jobbro.notifications.metrics")


class NotificationsCollector:
    def collect(self):
        yield from self._queues()
        yield from self._deliveries()

    def _queues(self):
        from rq import Queue, Worker
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        from services.notifications.queues import queue_names
        from shared.installation import plain_queue_name
        from shared.redis_client import get_redis

        jobs = GaugeMetricFamily("jobbro_queue_jobs", "RQ jobs per queue and state (queued, started, "
                                 "scheduled, failed)", labels=["queue", "state"])
        workers = GaugeMetricFamily("jobbro_rq_workers", "RQ workers registered in Redis")
        try:
            redis = get_redis()
            for full in queue_names():
                queue = Queue(full, connection=redis)
                name = plain_queue_name(full)
                jobs.add_metric([name, "queued"], queue.count)
                jobs.add_metric([name, "started"], StartedJobRegistry(queue=queue).count)
                jobs.add_metric([name, "scheduled"], ScheduledJobRegistry(queue=queue).count)
                jobs.add_metric([name, "failed"], FailedJobRegistry(queue=queue).count)
            workers.add_metric([], Worker.count(connection=redis))
        except Exception as exc:  # a scrape must answer even while Redis is down; /ready says why
            log.warning("queue metrics unavailable: %s", exc)
            return
        yield jobs
        yield workers

    def _deliveries(self):
        from sqlmodel import Session

        from services.notifications.deliveries.models import Delivery
        from shared.db import get_engine

        family = GaugeMetricFamily("jobbro_deliveries", "E-mail deliveries by kind and status "
                                   "(pending, claimed, sending, sent, failed, bounced, skipped)",
                                   labels=["kind", "status"])
        try:
            with Session(get_engine()) as session:
                rows = session.execute(select(Delivery.kind, Delivery.status, func.count())
                                       .group_by(Delivery.kind, Delivery.status)).all()
        except Exception as exc:
            log.warning("delivery metrics unavailable: %s", exc)
            return
        for kind, status, count in rows:
            family.add_metric([kind, status], count)
        yield family


_registered = False


def register() -> None:
    """Once per process: the app may be built more than once (tests), the registry is global."""
    global _registered
    if not _registered:
        REGISTRY.register(NotificationsCollector())
        _registered = True

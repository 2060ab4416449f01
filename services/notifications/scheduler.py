"""Periodic jobs, with RQ's own cron (rq >= 2.5 `rq.cron.CronScheduler`).

Each worker process starts one of these next to RQ's scheduler (which runs `enqueue_at`/`enqueue_in`
jobs and `Retry` intervals). With several workers, only the holder of a short Redis lease
enqueues, so periodic jobs are not multiplied by the number of replicas; if that worker dies,
another takes over within `notifications_cron_lock_seconds`. All periodic jobs are idempotent,
so a double run during a takeover costs nothing but work.
"""

from __future__ import annotations

import logging
import os
import signal

from redis import Redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from shared.installation import redis_key
from shared.logs import configure_logging
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.scheduler")



def lease_key() -> str:
    return redis_key("notifications", "cron-leader")

# KEYS[1] lease, ARGV[1] me, ARGV[2] ttl ms -> 1 if I hold the lease now.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
elseif holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class LeaderCronScheduler(CronScheduler):
    def __init__(self, connection: Redis, parent_pid: int | None = None, **kwargs):
        super().__init__(connection, **kwargs)
        self.parent_pid = parent_pid
        self._lease = connection.register_script(_LEASE)
        self.ttl_ms = int(get_settings().notifications_cron_lock_seconds * 1000)
        self.leading = False

    def _hold_lease(self) -> bool:
        try:
            held = bool(self._lease(keys=[lease_key()], args=[self.name, self.ttl_ms]))
        except Exception as exc:
            log.warning("cron lease check failed: %s", exc)
            held = False
        if held != self.leading:
            log.info("cron %s %s", self.name, "leads" if held else "follows")
            if held:
                for job in self._cron_jobs:
                    job.next_enqueue_time = None  # run each interval job now, then on its interval
        self.leading = held
        return held

    def enqueue_jobs(self):
        if not self._hold_lease():
            return []
        try:
            return super().enqueue_jobs()
        except Exception as exc:  # Redis blinked: try again at the next tick
            log.warning("cron enqueue failed: %s", exc)
            return []

    def calculate_sleep_interval(self) -> float:
        # Wake often enough to renew the lease well before it runs out.
        return min(super().calculate_sleep_interval(), self.ttl_ms / 3000)

    def heartbeat(self) -> None:
        # Die with the worker that started us, even when it was killed with SIGKILL.
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            raise StopRequested()
        try:
            super().heartbeat()
        except Exception as exc:
            log.warning("cron heartbeat failed: %s", exc)

    def register_death(self, pipeline=None) -> None:
        try:
            if self.leading:
                self.connection.delete(lease_key())
            super().register_death(pipeline)
        except Exception:
            pass


def build(connection: Redis, parent_pid: int | None = None) -> LeaderCronScheduler:
    from services.notifications import jobs
    from services.notifications.queues import main_queue

    s = get_settings()
    queue = main_queue(connection).name
    cron = LeaderCronScheduler(connection, parent_pid=parent_pid)
    cron.register(jobs.relay_outbox, queue, interval=s.notifications_relay_seconds, job_timeout=120, result_ttl=30)
    cron.register(jobs.consume_events, queue, interval=s.notifications_events_seconds, job_timeout=120, result_ttl=30)
    cron.register(jobs.sweep, queue, interval=s.notifications_sweep_seconds, job_timeout=300, result_ttl=30)
    cron.register(jobs.daily, queue, interval=s.notifications_daily_check_seconds, job_timeout=600, result_ttl=3600)
    return cron


def run(redis_url: str, parent_pid: int | None) -> None:
    """Entry point of the cron child process."""
    configure_logging("notifications")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the worker stops us
    connection = Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
    build(connection, parent_pid).start()

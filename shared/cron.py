"""Each service's periodic jobs, with RQ's own cron (rq >= 2.5 `rq.cron.CronScheduler`).

Every worker process of a service starts one of these next to RQ's scheduler. With several
workers, only the holder of a short Redis lease (one per service and installation) enqueues,
so periodic jobs are not multiplied by the number of replicas; if that worker dies, another
takes over within `notifications_cron_lock_seconds`. All periodic jobs are idempotent, so a
double run during a takeover costs nothing but work.

A service registers its jobs with `start_cron(service, build)`, where `build(cron, queue_name)`
calls `cron.register(...)`; the cron runs in a child process that dies with its worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable

from redis import Redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from shared.installation import redis_key
from shared.logs import configure_logging
from shared.settings import get_settings

log = logging.getLogger("jobbro.cron")

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


def lease_key(service: str) -> str:
    return redis_key(service, "cron-leader")


class LeaderCronScheduler(CronScheduler):
    def __init__(self, connection: Redis, service: str, parent_pid: int | None = None, **kwargs):
        super().__init__(connection, **kwargs)
        self.service = service
        self.parent_pid = parent_pid
        self._lease = connection.register_script(_LEASE)
        self.ttl_ms = int(get_settings().notifications_cron_lock_seconds * 1000)
        self.leading = False

    def _hold_lease(self) -> bool:
        try:
            held = bool(self._lease(keys=[lease_key(self.service)], args=[self.name, self.ttl_ms]))
        except Exception as exc:
            log.warning("cron lease check failed: %s", exc)
            held = False
        if held != self.leading:
            log.info("%s cron %s %s", self.service, self.name, "leads" if held else "follows")
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
                self.connection.delete(lease_key(self.service))
            super().register_death(pipeline)
        except Exception:
            pass


Build = Callable[[LeaderCronScheduler], None]


def build(connection: Redis, service: str, register: Build, parent_pid: int | None = None) -> LeaderCronScheduler:
    cron = LeaderCronScheduler(connection, service, parent_pid=parent_pid)
    register(cron)
    return cron


def _run(redis_url: str, service: str, register: Build, parent_pid: int | None) -> None:
    """Entry point of the cron child process."""
    configure_logging(service)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the worker stops us
    connection = Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
    build(connection, service, register, parent_pid).start()


def start_cron(service: str, register: Build) -> multiprocessing.Process:
    """Start the service's cron in a child process (spawned: it starts clean, without the
    worker's connections or loaded model). `register` must be importable (a module-level function)."""
    proc = multiprocessing.get_context("spawn").Process(
        target=_run, args=(get_settings().redis_url, service, register, os.getpid()),
        name=f"jobbro-{service}-cron", daemon=True)
    proc.start()
    return proc

"""A service's morning round: named tasks run once a day, after the morning hour, local time.

Checked every few minutes rather than fired once by a cron expression: a scheduler that was
down at 06:00 still runs the round when it comes back. A Redis marker per service, task and
day keeps each task to one run a day; every task is idempotent besides, so should Redis forget
a marker, a second run changes nothing (delivery keys, event ids, states already reached).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.installation import redis_key
from shared.settings import get_settings

log = logging.getLogger("jobbro.daily")

# A task gets the session and the local day, does its work and returns what the caller wants
# back (a count, or delivery keys to queue); the round commits after each task.
Task = Callable[[Session, date], object]


def run_due(service: str, tasks: dict[str, Task], engine: Engine, redis: Redis, now: datetime | None = None,
            force: bool = False, after_commit: Callable[[Session, object], object] | None = None) -> dict[str, object]:
    settings = get_settings()
    tz = ZoneInfo(settings.jobbro_timezone)
    local = (now or datetime.now(tz)).astimezone(tz)
    if local.hour < settings.notifications_morning_hour and not force:
        return {}
    day = local.date()
    result: dict[str, object] = {}
    for name, task in tasks.items():
        marker = redis_key(service, "daily", name, day.isoformat())
        if not force and not redis.set(marker, "running", nx=True, ex=36 * 3600):
            continue
        try:
            with Session(engine, expire_on_commit=False) as session:
                value = task(session, day)
                if after_commit is not None:
                    value = after_commit(session, value)
                else:
                    session.commit()
                result[name] = value
            redis.set(marker, "done", ex=36 * 3600)
        except Exception:
            redis.delete(marker)  # try again at the next check
            log.exception("%s: daily task %s failed for %s", service, name, day)
    return result

"""notifications' morning round: the deadline reminders (the digest of overdue follow-ups comes as
crm's `followup.digest` event, since crm owns the tasks).

crm and matching run their own rounds (services/crm/daily.py, services/matching/daily.py); the
round itself (once a day after the morning hour, a Redis marker per task) is `shared.daily`.
Should Redis forget a marker, a second run only re-finds delivery keys that exist, so still
nobody gets a mail twice.
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.reminders import service
from shared import daily

TASKS: dict[str, daily.Task] = {
    "deadlines": service.deadline_reminders,
}


def _queue(session: Session, keys) -> int:
    return service.commit_and_queue(session, list(keys or []))


def run_due(engine: Engine, redis: Redis, now: datetime | None = None, force: bool = False) -> dict[str, object]:
    return daily.run_due("notifications", TASKS, engine, redis, now=now, force=force, after_commit=_queue)

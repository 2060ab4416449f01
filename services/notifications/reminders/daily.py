"""The morning round: orders past their deadline expire; follow-ups due today, the digest of
overdue ones, orders near deadline; retention erases idle job seekers and contact persons.

Checked every few minutes rather than fired once by a cron expression: a scheduler that was
down at 06:00 still sends the morning mails when it comes back. A Redis marker per task and
day keeps it to one run a day; should Redis forget the marker, a second run only re-finds
delivery keys that exist, so still nobody gets a mail twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.reminders import service
from shared.installation import redis_key
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.daily")


def _publish_due_followups(session: Session, day) -> list[str]:
    from services.crm.activities.service import publish_due_followups

    # Publishes followup.due events (crm's outbox); the consumer turns them into e-mails.
    publish_due_followups(session, day)
    return []


def _expire_overdue_orders(session: Session, day) -> list[str]:
    from services.crm.orders.service import expire_overdue_orders

    # Before the deadline reminders, so an order that has just expired reminds nobody.
    expire_overdue_orders(session, day)
    return []


def _erase_stale_candidates(session: Session, day) -> list[str]:
    from services.matching.candidates.service import erase_stale

    # Retention (MATCHING_CANDIDATE_RETENTION_DAYS): the same erasure as DELETE /candidates/{ref},
    # audited as the system, one transaction per job seeker.
    erase_stale(session, day)
    return []


def _erase_inactive_contacts(session: Session, day) -> list[str]:
    from services.crm.privacy.service import erase_inactive_contacts

    # Retention (CRM_CONTACT_RETENTION_DAYS): the same erasure as DELETE .../contacts/{id}.
    erase_inactive_contacts(session, day)
    return []


TASKS = {
    "expire_orders": _expire_overdue_orders,
    "followups": _publish_due_followups,
    "digest": service.overdue_digests,
    "deadlines": service.deadline_reminders,
    "retention_candidates": _erase_stale_candidates,
    "retention_contacts": _erase_inactive_contacts,
}


def run_due(engine: Engine, redis: Redis, now: datetime | None = None, force: bool = False) -> dict[str, int]:
    settings = get_settings()
    local = (now or datetime.now(ZoneInfo(settings.jobbro_timezone))).astimezone(ZoneInfo(settings.jobbro_timezone))
    if local.hour < settings.notifications_morning_hour and not force:
        return {}
    day = local.date()
    result: dict[str, int] = {}
    for name, task in TASKS.items():
        marker = redis_key("notifications", "daily", name, day.isoformat())
        if not force and not redis.set(marker, "running", nx=True, ex=36 * 3600):
            continue
        try:
            with Session(engine, expire_on_commit=False) as session:
                keys = task(session, day)
                result[name] = service.commit_and_queue(session, keys)
            redis.set(marker, "done", ex=36 * 3600)
        except Exception:
            redis.delete(marker)  # try again at the next check
            log.exception("daily task %s failed for %s", name, day)
    return result

"""crm's morning round (its own schedule, run by `python -m services.crm worker`).

Orders past their deadline expire; follow-ups due today are announced (`followup.due`, which
notifications turns into reminders) with the digest of overdue ones (`followup.digest`); contact
persons idle past retention are erased. The round
itself (once a day after the morning hour, a Redis marker per task) is `shared.daily`.
"""

from __future__ import annotations

from datetime import date, datetime

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared import daily


def _expire_overdue_orders(session: Session, day: date) -> None:
    from services.crm.orders.service import expire_overdue_orders

    expire_overdue_orders(session, day)


def _publish_due_followups(session: Session, day: date) -> None:
    from services.crm.activities.service import publish_due_followups

    publish_due_followups(session, day)


def _publish_overdue_digests(session: Session, day: date) -> None:
    from services.crm.activities.digest import publish_overdue_digests

    publish_overdue_digests(session, day)


def _erase_inactive_contacts(session: Session, day: date) -> None:
    from services.crm.privacy.service import erase_inactive_contacts

    # Retention (CRM_CONTACT_RETENTION_DAYS): the same erasure as DELETE .../contacts/{id}.
    erase_inactive_contacts(session, day)


def _republish_erasures(session: Session, day: date) -> None:
    from services.crm.privacy.erasures import republish_open

    republish_open(session, day)


def _republish_centre_places(session: Session, day: date) -> None:
    from services.crm.centres.service import republish_all

    republish_all(session, day)


TASKS: dict[str, daily.Task] = {
    "expire_orders": _expire_overdue_orders,
    "followups": _publish_due_followups,
    "digests": _publish_overdue_digests,
    "retention_contacts": _erase_inactive_contacts,
    "erasures": _republish_erasures,
    "centre_places": _republish_centre_places,
}


def run_due(engine: Engine, redis: Redis, now: datetime | None = None, force: bool = False) -> dict[str, object]:
    return daily.run_due("crm", TASKS, engine, redis, now=now, force=force)

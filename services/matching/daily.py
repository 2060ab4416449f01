"""matching's morning round (its own schedule, run by `python -m services.matching worker`):
job seekers idle past retention are erased, and ranking records past theirs deleted (shared/daily.py
runs it once a day)."""

from __future__ import annotations

from datetime import date, datetime

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared import daily


def _erase_stale_candidates(session: Session, day: date) -> None:
    from services.matching.candidates.service import erase_stale

    # Retention (MATCHING_CANDIDATE_RETENTION_DAYS): the same erasure as DELETE /candidates/{ref},
    # audited as the system, one transaction per job seeker.
    erase_stale(session, day)


def _republish_erasures(session: Session, day: date) -> None:
    from services.matching.candidates.erasures import republish_open

    republish_open(session, day)


def _delete_expired_ranking_records(session: Session, day: date) -> None:
    from services.matching.records.service import delete_expired

    # MATCHING_RANKING_RECORD_RETENTION_DAYS: ranking records are kept for oversight, then go.
    delete_expired(session, day)


TASKS: dict[str, daily.Task] = {"retention_candidates": _erase_stale_candidates, "erasures": _republish_erasures,
                                "retention_ranking_records": _delete_expired_ranking_records}


def run_due(engine: Engine, redis: Redis, now: datetime | None = None, force: bool = False) -> dict[str, object]:
    return daily.run_due("matching", TASKS, engine, redis, now=now, force=force)


def relay_outbox() -> int:
    """matching's outbox relay (shared/events.py): events whose push after commit failed."""
    from shared.db import get_engine
    from shared.events import relay_pending
    from shared.redis_client import get_redis

    return relay_pending(get_engine(), get_redis())


def run_daily() -> dict[str, object]:
    from shared.db import get_engine
    from shared.redis_client import get_redis

    return run_due(get_engine(), get_redis())


def register(cron) -> None:
    from services.matching.index.jobs import QUEUE
    from shared.installation import queue_name
    from shared.settings import get_settings

    s = get_settings()
    queue = queue_name(QUEUE)
    cron.register(relay_outbox, queue, interval=s.notifications_relay_seconds, job_timeout=120, result_ttl=30)
    cron.register(run_daily, queue, interval=s.notifications_daily_check_seconds, job_timeout=3600, result_ttl=3600)

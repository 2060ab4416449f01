"""Delivering the cooperation outbox (run by crm's worker every COOPERATION_DELIVERY_SECONDS).

Each partner's messages go in the order they were written, and a partner's queue stops at the
first that does not get through, so an `order.updated` never overtakes its `order.shared`. A
partner that is down is tried again after a backoff (doubling, capped) for as long as it takes;
the envelope is signed at each attempt, so its timestamp is fresh when it finally arrives, and
its id is the same, so a delivery whose answer was lost is not applied twice. A partner that
answers 4xx refuses the message itself (a configuration to fix): it is set aside as failed,
visible in GET /api/v1/cooperation/outbox, and the partner's later messages go on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from services.crm.cooperation import signing
from services.crm.cooperation.models import OutgoingMessage, Partner
from services.crm.cooperation.service import own_code
from shared.settings import get_settings

log = logging.getLogger("jobbro.crm.cooperation")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _backoff(attempts: int) -> timedelta:
    s = get_settings()
    return timedelta(seconds=min(s.cooperation_retry_max_seconds, s.cooperation_retry_base_seconds * 2 ** max(0, attempts - 1)))


def deliver_pending(engine: Engine, client: httpx.Client | None = None, batch: int = 200) -> dict[str, int]:
    s = get_settings()
    own = client or httpx.Client(timeout=s.cooperation_http_timeout_seconds)
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    try:
        with Session(engine, expire_on_commit=False) as session:
            partners = session.exec(select(Partner).where(Partner.removed_at.is_(None))).all()
            for partner in partners:
                pending = session.exec(select(OutgoingMessage)
                                       .where(OutgoingMessage.partner_id == partner.id,
                                              OutgoingMessage.delivered_at.is_(None),
                                              OutgoingMessage.failed_at.is_(None))
                                       .order_by(OutgoingMessage.created_at, OutgoingMessage.id).limit(batch)).all()
                now = datetime.now(UTC)
                for msg in pending:
                    if _aware(msg.next_attempt_at) > now:
                        break  # the partner's queue waits for its first message
                    outcome = _deliver_one(session, own, partner, msg)
                    counts[outcome] += 1
                    session.commit()
                    if outcome == "retry":
                        break
    finally:
        if client is None:
            own.close()
    return counts


def _deliver_one(session: Session, client: httpx.Client, partner: Partner, msg: OutgoingMessage) -> str:
    env = signing.envelope(msg.id, msg.type, own_code(), partner.municipality_code, msg.body)
    data = signing.canonical(env)
    headers = {"Content-Type": "application/json", signing.SIGNATURE_HEADER: signing.sign(session, data)}
    msg.attempts += 1
    try:
        r = client.post(f"{partner.base_url}/api/v1/cooperation/messages", content=data, headers=headers)
    except httpx.HTTPError as exc:
        return _later(session, msg, f"{type(exc).__name__}: {exc}")
    if r.status_code < 300:
        msg.delivered_at = datetime.now(UTC)
        msg.last_error = None
        session.add(msg)
        return "delivered"
    if 400 <= r.status_code < 500 and r.status_code not in (408, 425, 429):
        msg.failed_at = datetime.now(UTC)
        msg.last_error = f"{r.status_code}: {r.text[:400]}"
        session.add(msg)
        log.warning("cooperation: %s refused message %s (%s): %s", partner.name, msg.id, msg.type, msg.last_error)
        return "failed"
    return _later(session, msg, f"{r.status_code}: {r.text[:400]}")


def _later(session: Session, msg: OutgoingMessage, error: str) -> str:
    msg.last_error = error[:500]
    msg.next_attempt_at = datetime.now(UTC) + _backoff(msg.attempts)
    session.add(msg)
    log.info("cooperation: message %s (%s) not delivered (attempt %d): %s", msg.id, msg.type, msg.attempts, error)
    return "retry"

"""Every query on deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from services.notifications.deliveries.models import Delivery
from shared.glossary import DeliveryKind, DeliveryStatus

T = Delivery.__table__
C = T.c


def counts_by_status(session, newsletter_id: int) -> dict[str, int]:
    rows = session.execute(
        select(C.status, func.count()).where(C.newsletter_id == newsletter_id, C.kind == DeliveryKind.newsletter.value)
        .group_by(C.status)
    ).all()
    return {status: int(n) for status, n in rows}


def unsubscribed_via(session, newsletter_id: int) -> int:
    return int(session.execute(
        select(func.count()).where(C.newsletter_id == newsletter_id, C.kind == DeliveryKind.newsletter.value,
                                   C.unsubscribed_at.is_not(None))
    ).scalar_one())


def open_count(session, newsletter_id: int) -> int:
    open_ = [s.value for s in (DeliveryStatus.pending, DeliveryStatus.claimed, DeliveryStatus.sending)]
    return int(session.execute(
        select(func.count()).where(C.newsletter_id == newsletter_id, C.kind == DeliveryKind.newsletter.value,
                                   C.status.in_(open_))
    ).scalar_one())


def pending_ids(session, newsletter_id: int) -> list[int]:
    return list(session.execute(
        select(C.id).where(C.newsletter_id == newsletter_id, C.status == DeliveryStatus.pending.value).order_by(C.id)
    ).scalars())


def ids_by_keys(session, keys: list[str]) -> list[int]:
    if not keys:
        return []
    return list(session.execute(select(C.id).where(C.dedupe_key.in_(keys), C.status == DeliveryStatus.pending.value)
                                .order_by(C.id)).scalars())


def claim(token: str, ids: list[int], now: datetime, grace: datetime):
    """The conditional UPDATE that makes a row one worker's: only `pending` rows are taken."""
    return (
        update(T)
        .where(C.id.in_(ids), C.status == DeliveryStatus.pending.value,
               or_(C.next_attempt_at.is_(None), C.next_attempt_at <= grace))
        .values(status=DeliveryStatus.claimed.value, claim_token=token, claimed_at=now, updated_at=now,
                attempts=C.attempts + 1)
        .returning(C.id, C.kind, C.newsletter_id, C.contact_id, C.to_email, C.to_name, C.subject, C.body_markdown,
                   C.attempts)
    )


def owned(ids: list[int], token: str, status: DeliveryStatus | None):
    """This worker's rows (by claim token) in `status`; None: claimed or sending."""
    if status is None:
        return and_(C.id.in_(ids), C.claim_token == token,
                    C.status.in_([DeliveryStatus.claimed.value, DeliveryStatus.sending.value]))
    return and_(C.id.in_(ids), C.claim_token == token, C.status == status.value)


def stale_claimed(before: datetime):
    return and_(C.status == DeliveryStatus.claimed.value, C.claimed_at < before)


def stale_sending(before: datetime):
    return and_(C.status == DeliveryStatus.sending.value, C.claimed_at < before)


def lost_pending(now: datetime, before: datetime):
    """Pending rows whose job should have run by now: queued (or due) longer ago than `before`."""
    return and_(
        C.status == DeliveryStatus.pending.value,
        or_(C.next_attempt_at.is_(None), C.next_attempt_at <= now),
        or_(C.enqueued_at.is_(None), C.enqueued_at < before),
    )


def to_contact(session, contact_id: int):
    """Every e-mail to one contact person, with the newsletter's subject where the row has none
    (an access request lists them; erasing the contact deletes them by cascade)."""
    from services.notifications.newsletters.models import Newsletter

    N = Newsletter.__table__.c
    return session.execute(
        select(C.id, C.kind, C.newsletter_id, C.to_email, C.to_name, func.coalesce(C.subject, N.subject).label("subject"),
               C.status, C.created_at, C.sent_at, C.unsubscribed_at)
        .select_from(T.outerjoin(Newsletter.__table__, N.id == C.newsletter_id))
        .where(C.contact_id == contact_id)
        .order_by(C.created_at, C.id)
    ).all()

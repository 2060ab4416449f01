"""One-click unsubscribe: the signed token names the contact and the delivery it came with.

notifications records it at once in its own read model, in the transaction that answers the
click, so the page answers and no further newsletter goes out even while crm is away; the same
transaction writes `contact.unsubscribed` to notifications' outbox, which the relay delivers
(retrying until Redis takes it) and crm's consumer applies to the contact (audited there).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from services.notifications.deliveries.models import Delivery
from services.notifications.recipients import service as recipients
from services.notifications.unsubscribe.tokens import UnsubscribeClaim, read_token
from shared.events import EventType, publish
from shared.models_base import utcnow


def check(token: str) -> UnsubscribeClaim:
    """Raises `BadToken` for a malformed or tampered token."""
    return read_token(token)


def masked_email(session: Session, contact_id: int) -> str | None:
    """The address, partly hidden: enough to recognise it, not to harvest it from a forwarded link."""
    row = recipients.recipient(session, contact_id)
    email = row.email if row is not None else None
    if not email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:2]}{'*' * max(1, len(local) - 2)}@{domain}"


def unsubscribe(session: Session, claim: UnsubscribeClaim, via: str) -> None:
    """Idempotent: a second click changes nothing and publishes nothing."""
    now = utcnow()
    session.execute(update(Delivery).where(Delivery.id == claim.delivery_id, Delivery.contact_id == claim.contact_id,
                                           Delivery.unsubscribed_at.is_(None)).values(unsubscribed_at=now))
    row = recipients.recipient(session, claim.contact_id)
    first_time = row is None or row.unsubscribed_at is None
    recipients.unsubscribe(session, claim.contact_id, at=now)
    if first_time:
        publish(session, EventType.contact_unsubscribed, {
            "contact_id": claim.contact_id, "company_id": row.company_id if row is not None else None,
            "delivery_id": claim.delivery_id, "via": via, "unsubscribed_at": now.isoformat()})
    session.commit()

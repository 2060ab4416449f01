"""One-click unsubscribe: the signed token names the contact and the delivery it came with."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from services.crm.companies.models import Contact
from services.crm.companies.service import unsubscribe_contact
from services.notifications.deliveries.models import Delivery
from services.notifications.unsubscribe.tokens import UnsubscribeClaim, read_token
from shared.models_base import utcnow


def check(token: str) -> UnsubscribeClaim:
    """Raises `BadToken` for a malformed or tampered token."""
    return read_token(token)


def masked_email(session: Session, contact_id: int) -> str | None:
    """The address, partly hidden: enough to recognise it, not to harvest it from a forwarded link."""
    contact = session.get(Contact, contact_id)
    if contact is None or not contact.email:
        return None
    local, _, domain = contact.email.partition("@")
    return f"{local[:2]}{'*' * max(1, len(local) - 2)}@{domain}"


def unsubscribe(session: Session, claim: UnsubscribeClaim, via: str) -> None:
    """Idempotent. crm withdraws the consent (audited, `contact.unsubscribed` published)."""
    session.execute(update(Delivery).where(Delivery.id == claim.delivery_id, Delivery.contact_id == claim.contact_id,
                                           Delivery.unsubscribed_at.is_(None)).values(unsubscribed_at=utcnow()))
    unsubscribe_contact(session, claim.contact_id, via=via)
    session.commit()

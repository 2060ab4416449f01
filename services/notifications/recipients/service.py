"""Keeping the read model (models.py) up to date from crm's events, and rebuilding it.

Each handler is idempotent and order-tolerant: it applies an event only when it is newer than
what the row already reflects (`event_at`), so a redelivered or late event changes nothing.
A consent withdrawn here by one click (`unsubscribed_at`) is never undone by an older crm event;
a newer consent given in crm (the person subscribed again) is applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from services.notifications.deliveries.models import Delivery
from services.notifications.recipients.models import (
    OrderView,
    Recipient,
    RecipientAgreement,
    RecipientCampaign,
    RecipientCampaignTarget,
    RecipientCompany,
)
from shared.events import EventType, publish
from shared.glossary import FINAL_ORDER_STATUSES
from shared.models_base import utcnow

log = logging.getLogger("jobbro.notifications.recipients")

def _at(event: dict[str, Any]) -> datetime:
    try:
        at = datetime.fromisoformat(event.get("occurred_at") or "")
    except ValueError:
        return utcnow()
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _parse(value: str | None) -> datetime | None:
    try:
        at = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _newer(row, at: datetime) -> bool:
    seen = row.event_at if row.event_at.tzinfo else row.event_at.replace(tzinfo=UTC)
    return at >= seen


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


# -- contacts ------------------------------------------------------------------------------------

def contact_upserted(session: Session, event: dict[str, Any]) -> int:
    p, at = event["payload"], _at(event)
    row = session.get(Recipient, int(p["contact_id"]))
    if row is None:
        row = Recipient(contact_id=int(p["contact_id"]), company_id=int(p["company_id"]), name=p.get("name") or "",
                        event_at=at)
    elif not _newer(row, at):
        return 0
    row.company_id = int(p["company_id"])
    row.name = (p.get("name") or "")[:200]
    row.email = ((p.get("email") or "").strip() or None)
    consent = bool(p.get("newsletter_consent"))
    if consent and row.unsubscribed_at is not None:
        # After a click here, only consent given again in crm, later than the click, counts; any
        # other crm event may still carry the consent crm had before it heard of the click.
        given = _parse(p.get("changed_at")) if event.get("type") == EventType.contact_consent_changed.value else None
        consent = given is not None and given > _aware(row.unsubscribed_at)
        if consent:
            row.unsubscribed_at = None
    row.newsletter_consent = consent
    row.event_at = at
    row.updated_at = utcnow()
    session.add(row)
    return 1


def contact_erased(session: Session, event: dict[str, Any]) -> int:
    """crm erased the person (GDPR art. 17): the recipient row goes, and so do the e-mails sent to
    them (address, name and text; the newsletters' figures lose them as crm's rows did). The
    erasure is confirmed to crm with `person.erased` in the same transaction."""
    p = event["payload"]
    contact_id = int(p["contact_id"])
    removed = session.exec(delete(Recipient).where(Recipient.contact_id == contact_id)).rowcount or 0
    mails = session.exec(delete(Delivery).where(Delivery.contact_id == contact_id)).rowcount or 0
    if p.get("erasure_id"):
        publish(session, EventType.person_erased, {"erasure_id": p["erasure_id"], "owner": p.get("owner", "crm"),
                                                   "service": "notifications", "subject": "contact",
                                                   "counts": {"recipients": removed, "deliveries": mails}})
    return removed + mails


# -- companies, agreements, campaigns -----------------------------------------------------------

def company_upserted(session: Session, event: dict[str, Any]) -> int:
    p, at = event["payload"], _at(event)
    row = session.get(RecipientCompany, int(p["company_id"]))
    if row is None:
        row = RecipientCompany(company_id=int(p["company_id"]), name=p.get("name") or "", event_at=at)
    elif not _newer(row, at):
        return 0
    row.name = (p.get("name") or "")[:200]
    row.sector = p.get("sector")
    row.industry_code = p.get("industry_code")
    row.postcode = p.get("postcode")
    row.event_at = at
    session.add(row)
    return 1


def company_deleted(session: Session, event: dict[str, Any]) -> int:
    company_id = int(event["payload"]["company_id"])
    n = 0
    for model in (Recipient, RecipientAgreement, RecipientCampaignTarget, RecipientCompany):
        n += session.exec(delete(model).where(model.company_id == company_id)).rowcount or 0
    return n


def agreement_upserted(session: Session, event: dict[str, Any]) -> int:
    p, at = event["payload"], _at(event)
    row = session.get(RecipientAgreement, int(p["partnership_id"]))
    if row is None:
        row = RecipientAgreement(agreement_id=int(p["partnership_id"]), company_id=int(p["company_id"]),
                                 signed_on=_day(p["signed_on"]), event_at=at)
    elif not _newer(row, at):
        return 0
    row.company_id = int(p["company_id"])
    row.signed_on = _day(p["signed_on"])
    row.ends_on = _day(p.get("ends_on"))
    row.event_at = at
    session.add(row)
    return 1


def agreement_deleted(session: Session, event: dict[str, Any]) -> int:
    agreement_id = int(event["payload"]["partnership_id"])
    return session.exec(delete(RecipientAgreement).where(RecipientAgreement.agreement_id == agreement_id)).rowcount or 0


def campaign_upserted(session: Session, event: dict[str, Any]) -> int:
    p, at = event["payload"], _at(event)
    campaign_id = int(p["campaign_id"])
    row = session.get(RecipientCampaign, campaign_id)
    if row is None:
        row = RecipientCampaign(campaign_id=campaign_id, name=p.get("name") or "", event_at=at)
    elif not _newer(row, at):
        return 0
    row.name = (p.get("name") or "")[:200]
    row.event_at = at
    session.add(row)
    for company_id in p.get("company_ids") or []:
        _add_target(session, campaign_id, int(company_id))
    return 1


def _add_target(session: Session, campaign_id: int, company_id: int) -> None:
    if session.get(RecipientCampaignTarget, (campaign_id, company_id)) is None:
        session.add(RecipientCampaignTarget(campaign_id=campaign_id, company_id=company_id))


def campaign_target_added(session: Session, event: dict[str, Any]) -> int:
    p = event["payload"]
    company_ids = p.get("company_ids") or ([p["company_id"]] if p.get("company_id") is not None else [])
    for company_id in company_ids:
        _add_target(session, int(p["campaign_id"]), int(company_id))
    return len(company_ids)


def campaign_deleted(session: Session, event: dict[str, Any]) -> int:
    campaign_id = int(event["payload"]["campaign_id"])
    n = session.exec(delete(RecipientCampaignTarget).where(RecipientCampaignTarget.campaign_id == campaign_id)).rowcount
    return (n or 0) + (session.exec(delete(RecipientCampaign).where(RecipientCampaign.campaign_id == campaign_id))
                       .rowcount or 0)


# -- orders ----------------------------------------------------------------------------------------

def order_upserted(session: Session, event: dict[str, Any]) -> int:
    p, at = event["payload"], _at(event)
    order_id = int(p["order_id"])
    row = session.get(OrderView, order_id)
    status = p.get("new_status") or p.get("status") or "modtaget"
    if status in {s.value for s in FINAL_ORDER_STATUSES}:
        if row is not None and _newer(row, at):
            session.delete(row)  # a closed order reminds nobody: nothing of it is kept here
            return 1
        return 0
    if row is None:
        row = OrderView(order_id=order_id, company_id=int(p["company_id"]), company_name="", title="", scheme="",
                        status=status, event_at=at)
    elif not _newer(row, at):
        return 0
    consultant = p.get("consultant") or {}
    company = p.get("company") or {}
    row.company_id = int(p["company_id"])
    row.company_name = (p.get("company_name") or company.get("name") or "")[:200]
    row.title = (p.get("title") or "")[:200]
    row.scheme = p.get("scheme") or ""
    row.positions = int(p.get("positions") or 1)
    row.positions_filled = int(p.get("positions_filled") or 0)
    row.status = status
    row.deadline = _day(p.get("deadline"))
    row.consultant_id = consultant.get("id")
    row.consultant_email = consultant.get("email")
    row.consultant_name = consultant.get("name")
    row.event_at = at
    session.add(row)
    return 1


HANDLERS: dict[str, Callable[[Session, dict[str, Any]], int]] = {
    EventType.contact_created.value: contact_upserted,
    EventType.contact_changed.value: contact_upserted,
    EventType.contact_consent_changed.value: contact_upserted,
    EventType.contact_erased.value: contact_erased,
    EventType.company_created.value: company_upserted,
    EventType.company_changed.value: company_upserted,
    EventType.company_deleted.value: company_deleted,
    EventType.agreement_signed.value: agreement_upserted,
    EventType.agreement_changed.value: agreement_upserted,
    EventType.agreement_deleted.value: agreement_deleted,
    EventType.campaign_created.value: campaign_upserted,
    EventType.campaign_changed.value: campaign_upserted,
    EventType.campaign_target_added.value: campaign_target_added,
    EventType.campaign_deleted.value: campaign_deleted,
    EventType.order_received.value: order_upserted,
    EventType.order_changed.value: order_upserted,
    EventType.order_status_changed.value: order_upserted,
}


def apply(session: Session, event: dict[str, Any]) -> int:
    """Apply one event to the read model (the caller commits); 0 when it is not about recipients."""
    handler = HANDLERS.get(event.get("type") or "")
    return handler(session, event) if handler else 0


def unsubscribe(session: Session, contact_id: int, at: datetime | None = None) -> bool:
    """Withdraw the consent here at once (the caller publishes `contact.unsubscribed` in the same
    transaction). True when it was given until now."""
    row = session.get(Recipient, contact_id)
    if row is None:
        return False
    was = row.newsletter_consent
    row.newsletter_consent = False
    row.unsubscribed_at = row.unsubscribed_at or at or utcnow()
    row.event_at = max(_aware(row.event_at), _aware(row.unsubscribed_at))
    row.updated_at = utcnow()
    session.add(row)
    return was


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def recipient(session: Session, contact_id: int) -> Recipient | None:
    return session.exec(select(Recipient).where(Recipient.contact_id == contact_id)).first()

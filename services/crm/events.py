"""The payloads crm publishes, built in one place so each event type has one shape.

Every payload follows its contract in `shared/event_contracts.py` (docs/events.md) and carries
what the consumers use, so none of them reads crm's tables: an order's company, orderer and
consultant travel with the order; a company's consultant with the company. Service functions call
the `publish_*` helpers inside their transaction, before their one commit.

Nothing here publishes data no consumer needs: no phone numbers, no free-text notes, no candidate
references or target groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from services.crm.campaigns.models import Campaign
from services.crm.companies import queries as company_queries
from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order
from services.crm.partnerships.models import Partnership
from services.crm.placements.models import Placement
from services.crm.users.models import User
from shared.events import EventType, OutboxEvent, publish

# -- shared parts --------------------------------------------------------------------------------


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def user_ref(session: Session, user_id: int | None) -> dict[str, Any] | None:
    """The jobcentre employee the mails go to: null when there is none or the login is deactivated."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return {"id": user.id, "name": user.full_name, "email": user.email}


def company_ref(company: Company) -> dict[str, Any]:
    return {"id": company.id, "name": company.name, "cvr": company.cvr, "postcode": company.postcode,
            "sector": company.sector, "industry_code": company.industry_code}


def _contact_ref(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    email = (contact.email or "").strip() or None
    return {"id": contact.id, "name": contact.name, "email": email}


# -- orders --------------------------------------------------------------------------------------

def order_payload(session: Session, order: Order, *, erased_contact_id: int | None = None) -> dict[str, Any]:
    """The order as consumers see it. `erased_contact_id`: a contact being erased in this transaction."""
    company = session.get(Company, order.company_id)
    contact = None
    if order.contact_id is not None and order.contact_id != erased_contact_id:
        contact = session.get(Contact, order.contact_id)
    return {
        "order_id": order.id,
        "company_id": order.company_id,
        "company_name": company.name,
        "company": company_ref(company),
        "title": order.title,
        "description": order.description or "",
        "scheme": order.scheme,
        "positions": order.positions,
        "positions_filled": order.positions_filled,
        "hours_per_week": order.hours_per_week,
        "postcode": order.postcode,
        "deadline": _day(order.deadline),
        "received_via": order.received_via,
        "received_on": _day(order.received_on),
        "status": order.status,
        "consultant_id": order.consultant_id,
        # Who gets the alerts and deadline reminders: the order's consultant, else the company's.
        "consultant": user_ref(session, order.consultant_id or company.consultant_id),
        "contact": _contact_ref(contact),
    }


def _receipt_contacts(session: Session, order: Order) -> list[dict[str, Any]]:
    if order.contact_id is not None:
        orderer = _contact_ref(session.get(Contact, order.contact_id))
        if orderer is not None and orderer["email"]:
            return [orderer]
    return [_contact_ref(c) for c in company_queries.contacts_with_email(session, order.company_id)]


def publish_order_received(session: Session, order: Order) -> OutboxEvent:
    return publish(session, EventType.order_received,
                   {**order_payload(session, order), "receipt_contacts": _receipt_contacts(session, order)})


def publish_order_changed(session: Session, order: Order, changed: Iterable[str], *,
                          erased_contact_id: int | None = None) -> OutboxEvent | None:
    fields = sorted(set(changed))
    if not fields:
        return None
    _cooperation(session, order)
    return publish(session, EventType.order_changed,
                   {**order_payload(session, order, erased_contact_id=erased_contact_id), "changed": fields})


def publish_order_status_changed(session: Session, order: Order, old: str, new: str, *, automatic: bool,
                                 reason: str | None) -> OutboxEvent:
    _cooperation(session, order)
    return publish(session, EventType.order_status_changed, {
        **order_payload(session, order),
        "old_status": old, "new_status": new, "automatic": automatic, "reason": reason,
    })


def _cooperation(session: Session, order: Order) -> None:
    # A shared order's partners follow its changes and its close (services/crm/cooperation).
    from services.crm.cooperation.service import order_changed

    order_changed(session, order)


# Order attributes a consumer sees, by the name `order.changed` lists them under.
ORDER_CHANGE_FIELDS = {
    "title": "title", "description": "description", "scheme": "scheme", "positions": "positions",
    "positions_filled": "positions_filled", "hours_per_week": "hours_per_week", "postcode": "postcode",
    "deadline": "deadline", "received_on": "received_on", "received_via": "received_via",
    "consultant_id": "consultant_id", "contact_id": "contact",
}


def order_snapshot(order: Order) -> dict[str, Any]:
    return {attr: getattr(order, attr) for attr in ORDER_CHANGE_FIELDS}


def order_changes(before: dict[str, Any], order: Order) -> list[str]:
    return [name for attr, name in ORDER_CHANGE_FIELDS.items() if before[attr] != getattr(order, attr)]


# -- companies and contacts ----------------------------------------------------------------------

COMPANY_CHANGE_FIELDS = ("cvr", "name", "sector", "industry_code", "postcode", "employees", "municipality_code",
                         "consultant_id")


def company_payload(session: Session, company: Company) -> dict[str, Any]:
    return {
        "company_id": company.id, "cvr": company.cvr, "name": company.name, "sector": company.sector,
        "industry_code": company.industry_code, "postcode": company.postcode, "employees": company.employees,
        "municipality_code": company.municipality_code, "consultant": user_ref(session, company.consultant_id),
    }


def company_snapshot(company: Company) -> dict[str, Any]:
    return {attr: getattr(company, attr) for attr in COMPANY_CHANGE_FIELDS}


def publish_company_created(session: Session, company: Company) -> OutboxEvent:
    return publish(session, EventType.company_created, company_payload(session, company))


def publish_company_changed(session: Session, company: Company, before: dict[str, Any]) -> OutboxEvent | None:
    fields = sorted("consultant" if attr == "consultant_id" else attr
                    for attr in COMPANY_CHANGE_FIELDS if before[attr] != getattr(company, attr))
    if not fields:
        return None
    return publish(session, EventType.company_changed, {**company_payload(session, company), "changed": fields})


def publish_company_deleted(session: Session, company_id: int) -> OutboxEvent:
    return publish(session, EventType.company_deleted, {"company_id": company_id})


CONTACT_CHANGE_FIELDS = ("company_id", "name", "email", "title")


def contact_payload(contact: Contact) -> dict[str, Any]:
    return {"contact_id": contact.id, "company_id": contact.company_id, "name": contact.name,
            "email": (contact.email or "").strip() or None, "title": contact.title,
            "newsletter_consent": bool(contact.newsletter_consent)}


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    return {attr: getattr(contact, attr) for attr in (*CONTACT_CHANGE_FIELDS, "newsletter_consent")}


def publish_contact_created(session: Session, contact: Contact) -> OutboxEvent:
    return publish(session, EventType.contact_created, contact_payload(contact))


def publish_contact_changes(session: Session, contact: Contact, before: dict[str, Any], *, source: str,
                            at: datetime | None = None) -> None:
    """`contact.changed` when a field in the payload changed, `contact.consent_changed` when the consent did."""
    fields = [attr for attr in CONTACT_CHANGE_FIELDS if before[attr] != getattr(contact, attr)]
    if fields:
        publish(session, EventType.contact_changed, {**contact_payload(contact), "changed": fields})
    if bool(before["newsletter_consent"]) != bool(contact.newsletter_consent):
        publish_consent_changed(session, contact, source=source, at=at)


def publish_consent_changed(session: Session, contact: Contact, *, source: str, at: datetime | None = None
                            ) -> OutboxEvent:
    when = at or (contact.consent_given_at if contact.newsletter_consent else contact.unsubscribed_at)
    if when is None:
        from shared.models_base import utcnow

        when = utcnow()
    if when.tzinfo is None:  # read back from SQLite: stored as UTC
        when = when.replace(tzinfo=UTC)
    return publish(session, EventType.contact_consent_changed,
                   {**contact_payload(contact), "changed_at": when.isoformat(), "source": source})


def publish_contact_erased(session: Session, contact_id: int, company_id: int,
                           erasure_id: str | None = None) -> OutboxEvent:
    payload: dict[str, Any] = {"contact_id": contact_id, "company_id": company_id}
    if erasure_id:
        # Services holding copies confirm with `person.erased` naming this id and its owner.
        payload.update(erasure_id=erasure_id, owner="crm")
    return publish(session, EventType.contact_erased, payload)


# -- agreements ----------------------------------------------------------------------------------

def agreement_payload(p: Partnership, goals: Iterable[int]) -> dict[str, Any]:
    return {"partnership_id": p.id, "company_id": p.company_id, "signed_on": _day(p.signed_on),
            "ends_on": _day(p.ends_on), "sdg_goals": sorted(set(goals)), "renews_id": p.renews_id}


def publish_agreement_signed(session: Session, p: Partnership, goals: Iterable[int]) -> OutboxEvent:
    return publish(session, EventType.agreement_signed, agreement_payload(p, goals))


def publish_agreement_changed(session: Session, p: Partnership, goals: Iterable[int],
                              changed: Iterable[str]) -> OutboxEvent | None:
    fields = sorted(set(changed))
    if not fields:
        return None
    return publish(session, EventType.agreement_changed, {**agreement_payload(p, goals), "changed": fields})


def publish_agreement_deleted(session: Session, p: Partnership) -> OutboxEvent:
    return publish(session, EventType.agreement_deleted, {"partnership_id": p.id, "company_id": p.company_id})


# -- campaigns -----------------------------------------------------------------------------------

CAMPAIGN_CHANGE_FIELDS = ("name", "kind", "starts_on", "ends_on")


def campaign_payload(c: Campaign) -> dict[str, Any]:
    return {"campaign_id": c.id, "name": c.name, "kind": c.kind, "starts_on": _day(c.starts_on),
            "ends_on": _day(c.ends_on)}


def publish_campaign_created(session: Session, c: Campaign, company_ids: Iterable[int]) -> OutboxEvent:
    return publish(session, EventType.campaign_created, {**campaign_payload(c), "company_ids": sorted(set(company_ids))})


def publish_campaign_changed(session: Session, c: Campaign, before: dict[str, Any]) -> OutboxEvent | None:
    fields = [attr for attr in CAMPAIGN_CHANGE_FIELDS if before[attr] != getattr(c, attr)]
    if not fields:
        return None
    return publish(session, EventType.campaign_changed, {**campaign_payload(c), "changed": fields})


# -- placements ----------------------------------------------------------------------------------

def placement_payload(p: Placement) -> dict[str, Any]:
    # No candidate reference or target group: no consumer outside crm uses them (docs/events.md).
    return {"placement_id": p.id, "company_id": p.company_id, "order_id": p.order_id, "scheme": p.scheme,
            "starts_on": _day(p.starts_on), "ends_on": _day(p.ends_on), "outcome": p.outcome}


# -- satisfaction surveys (issue 14 part 1, docs/satisfaction.md) ---------------------------------

def publish_survey_requested(session: Session, survey: Any, order: Order, contact: Contact, token: str) -> OutboxEvent:
    """What notifications needs to send the one survey mail: the orderer, the order's name and the
    signed token (notifications makes the answer links into the web front from it)."""
    company = session.get(Company, order.company_id)
    expires = survey.expires_at if survey.expires_at.tzinfo else survey.expires_at.replace(tzinfo=UTC)
    return publish(session, EventType.survey_requested, {
        "survey_id": survey.id, "order_id": order.id, "company_id": order.company_id, "company_name": company.name,
        "order_title": order.title, "closed_status": survey.closed_status, "contact": _contact_ref(contact),
        "token": token, "expires_at": expires.isoformat(),
    })


# -- ranking records (issue 16) --------------------------------------------------------------------


def publish_ranking_action(session: Session, order_id: int, candidate_ref: str, action: str,
                           user_id: int | None, ranking_record_id: int | None = None,
                           reason: str | None = None) -> OutboxEvent:
    """What a consultant did with a ranking, for matching's ranking record (EU AI Act art. 12).
    The one event that carries a candidate reference besides candidate.erased: the record is
    kept by it; crm's erasure of the job seeker overwrites it in this outbox (privacy/service.py)."""
    return publish(session, EventType.ranking_action, {
        "order_id": order_id, "candidate_ref": candidate_ref, "action": action,
        "ranking_record_id": ranking_record_id, "reason": (reason or "").strip() or None, "user_id": user_id,
        "acted_at": datetime.now(UTC).isoformat(),
    })

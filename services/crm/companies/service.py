"""Companies, their workplaces and contact persons; each public function is one commit."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from services.crm import events
from services.crm.access import company_not_found, ensure_company_visible
from services.crm.companies import queries
from services.crm.companies.models import Company, Contact, Workplace
from services.crm.companies.schemas import (
    COMPANY_SELF_EDITABLE,
    CompanyCreate,
    CompanyRead,
    CompanyUpdate,
    ContactCreate,
    ContactUpdate,
    TimelineEntry,
    WorkplaceCreate,
)
from services.crm.deps import SERVICE
from services.crm.users.models import User
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.events import EventType, publish
from shared.glossary import (
    CAMPAIGN_TARGET_LABELS,
    CHANNEL_LABELS,
    ORDER_STATUS_LABELS,
    OUTCOME_LABELS,
    SCHEME_LABELS,
    ConsentMethod,
    Role,
)
from shared.models_base import utcnow


def to_read(company: Company, is_partner: bool) -> CompanyRead:
    return CompanyRead.model_validate(company).model_copy(update={"is_partner": is_partner})


def get_visible(session: Session, principal: Principal, company_id: int) -> Company:
    ensure_company_visible(principal, company_id)
    company = session.get(Company, company_id)
    if company is None:
        raise company_not_found(company_id)
    return company


def _check_consultant(session: Session, consultant_id: int | None) -> None:
    if consultant_id is None:
        return
    user = session.get(User, consultant_id)
    if user is None or user.role not in (Role.konsulent, Role.leder, Role.admin):
        raise Invalid(f"Konsulent {consultant_id} findes ikke.", field="consultant_id")


def duplicate_cvr(existing: Company) -> Conflict:
    return Conflict(
        f"Der findes allerede en virksomhed med CVR {existing.cvr}: {existing.name}.",
        field="cvr",
        existing={"id": existing.id, "cvr": existing.cvr, "name": existing.name},
    )


def create_company(session: Session, data: CompanyCreate) -> Company:
    existing = queries.by_cvr(session, data.cvr)
    if existing:
        raise duplicate_cvr(existing)
    _check_consultant(session, data.consultant_id)
    company = Company(**data.model_dump())
    session.add(company)
    session.flush()
    events.publish_company_created(session, company)
    session.commit()
    session.refresh(company)
    return company


def update_company(session: Session, principal: Principal, company_id: int, data: CompanyUpdate) -> Company:
    company = get_visible(session, principal, company_id)
    changes = data.model_dump(exclude_unset=True)
    if principal.role is Role.virksomhed:
        refused = set(changes) - COMPANY_SELF_EDITABLE
        if refused:
            raise Invalid(
                f"Virksomheden kan ikke selv ændre: {', '.join(sorted(refused))}. Kontakt jobcentret.",
                field=sorted(refused)[0],
            )
    for key in ("name", "sector", "postcode"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    if "consultant_id" in changes:
        _check_consultant(session, changes["consultant_id"])
    before = events.company_snapshot(company)
    for key, value in changes.items():
        setattr(company, key, value)
    company.updated_at = utcnow()
    session.add(company)
    events.publish_company_changed(session, company, before)
    session.commit()
    session.refresh(company)
    return company


def delete_company(session: Session, company_id: int) -> None:
    company = session.get(Company, company_id)
    if company is None:
        raise company_not_found(company_id)
    if queries.has_history(session, company_id):
        raise Conflict(
            "Virksomheden har historik (aktiviteter, ordrer, aftaler eller placeringer) og kan ikke slettes."
        )
    session.delete(company)
    # Its contacts go with it (on delete cascade): consumers drop them on this event.
    events.publish_company_deleted(session, company_id)
    session.commit()


def add_workplace(session: Session, principal: Principal, company_id: int, data: WorkplaceCreate) -> Workplace:
    get_visible(session, principal, company_id)
    from sqlmodel import select

    other = session.exec(select(Workplace).where(Workplace.p_number == data.p_number)).first()
    if other:
        raise Conflict(f"P-nummer {data.p_number} er allerede registreret.", field="p_number",
                       existing={"id": other.id, "company_id": other.company_id})
    wp = Workplace(company_id=company_id, **data.model_dump())
    session.add(wp)
    session.commit()
    session.refresh(wp)
    return wp


# -- contacts (personal data: every read and change is audited) --------------------------------

def _default_method(principal: Principal) -> ConsentMethod:
    return ConsentMethod.portal if principal.role is Role.virksomhed else ConsentMethod.mundtlig


def list_contacts(session: Session, principal: Principal, company_id: int, params):
    from shared.pagination import paginate

    get_visible(session, principal, company_id)
    items, total = paginate(session, queries.contacts_of(company_id), params)
    audit.record(session, principal, SERVICE, "read", "contact", None,
                 {"company_id": company_id, "contact_ids": [c.id for c in items]})
    session.commit()
    return items, total


def get_contact(session: Session, principal: Principal, company_id: int, contact_id: int) -> Contact:
    get_visible(session, principal, company_id)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise NotFound(f"Kontaktperson {contact_id} findes ikke hos virksomhed {company_id}.")
    return contact


def read_contact(session: Session, principal: Principal, company_id: int, contact_id: int) -> Contact:
    contact = get_contact(session, principal, company_id, contact_id)
    audit.record(session, principal, SERVICE, "read", "contact", contact.id)
    session.commit()
    return contact


def _apply_consent(contact: Contact, consent: bool | None, method: ConsentMethod | None, principal: Principal) -> None:
    if consent is None or consent == contact.newsletter_consent:
        return
    contact.newsletter_consent = consent
    if consent:
        contact.consent_given_at = utcnow()
        contact.consent_method = (method or _default_method(principal)).value
        contact.unsubscribed_at = None
    else:
        contact.unsubscribed_at = utcnow()


def _consent_source(contact: Contact, principal: Principal) -> str:
    """`contact.consent_changed`'s source: how consent was given, or who withdrew it."""
    if contact.newsletter_consent:
        return contact.consent_method or _default_method(principal).value
    return "portal" if principal.role is Role.virksomhed else "medarbejder"


def create_contact(session: Session, principal: Principal, company_id: int, data: ContactCreate) -> Contact:
    get_visible(session, principal, company_id)
    contact = Contact(company_id=company_id, **data.model_dump(exclude={"newsletter_consent", "consent_method"}))
    _apply_consent(contact, data.newsletter_consent, data.consent_method, principal)
    session.add(contact)
    session.flush()
    audit.record(session, principal, SERVICE, "create", "contact", contact.id, {"company_id": company_id})
    events.publish_contact_created(session, contact)
    session.commit()
    session.refresh(contact)
    return contact


def update_contact(session: Session, principal: Principal, company_id: int, contact_id: int, data: ContactUpdate) -> Contact:
    contact = get_contact(session, principal, company_id, contact_id)
    changes = data.model_dump(exclude_unset=True, exclude={"newsletter_consent", "consent_method"})
    if "name" in changes and not changes["name"]:
        raise Invalid("Navn kan ikke fjernes.", field="name")
    before = events.contact_snapshot(contact)
    for key, value in changes.items():
        setattr(contact, key, value)
    _apply_consent(contact, data.newsletter_consent, data.consent_method, principal)
    if contact.newsletter_consent and not contact.email:
        raise Invalid("Samtykke til nyhedsbrev kræver en e-mailadresse.", field="email")
    contact.updated_at = utcnow()
    session.add(contact)
    audit.record(session, principal, SERVICE, "update", "contact", contact.id,
                 {"fields": sorted(data.model_dump(exclude_unset=True))})
    events.publish_contact_changes(session, contact, before, source=_consent_source(contact, principal))
    session.commit()
    session.refresh(contact)
    return contact


def delete_contact(session: Session, principal: Principal, company_id: int, contact_id: int) -> None:
    """Erasure (GDPR art. 17): services/crm/privacy/service.py says what goes and what is overwritten."""
    from services.crm.privacy.service import erase_contact

    contact = get_contact(session, principal, company_id, contact_id)
    erase_contact(session, principal, contact)
    session.commit()


def unsubscribe_contact(session: Session, contact_id: int, via: str = "link",
                        at: datetime | None = None) -> Contact | None:
    """Withdraw newsletter consent after a one-click unsubscribe, which notifications recorded at
    `at` and announced with `contact.unsubscribed`; idempotent. A consent given again in crm after
    the click stands."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    at = at or utcnow()
    given = contact.consent_given_at
    if given is not None and given.tzinfo is None:
        given = given.replace(tzinfo=at.tzinfo)
    if contact.newsletter_consent and given is not None and given > at:
        return contact
    if contact.newsletter_consent or contact.unsubscribed_at is None:
        withdrawn = contact.newsletter_consent
        contact.newsletter_consent = False
        contact.unsubscribed_at = at
        contact.updated_at = utcnow()
        session.add(contact)
        audit.record(session, None, SERVICE, "update", "contact", contact.id, {"unsubscribed_via": via})
        if withdrawn:
            events.publish_consent_changed(session, contact, source="afmelding", at=contact.unsubscribed_at)
        session.commit()
    return contact


# -- timeline -----------------------------------------------------------------------------------

def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return datetime.combine(value, time.min).isoformat()


def timeline(session: Session, principal: Principal, company_id: int, limit: int, offset: int):
    get_visible(session, principal, company_id)
    window = limit + offset
    activities, orders, partnerships, placements, targets = queries.timeline_sources(session, company_id, window)
    entries: list[TimelineEntry] = []
    for a in activities:
        entries.append(TimelineEntry(at=_iso(a.occurred_at), kind="aktivitet", id=a.id,
                                     title=CHANNEL_LABELS.get(a.channel, a.channel), detail=a.summary))
    for o in orders:
        entries.append(TimelineEntry(at=_iso(o.received_on), kind="ordre", id=o.id,
                                     title=f"Ordre: {o.title}",
                                     detail=f"{SCHEME_LABELS.get(o.scheme, o.scheme)}, {o.positions} stilling(er), "
                                            f"{ORDER_STATUS_LABELS.get(o.status, o.status)}"))
    for p in partnerships:
        entries.append(TimelineEntry(at=_iso(p.signed_on), kind="partnerskab", id=p.id,
                                     title="Partnerskabsaftale indgået",
                                     detail=f"Gælder til {p.ends_on.isoformat()}" if p.ends_on else "Løbende"))
    for pl in placements:
        label = SCHEME_LABELS.get(pl.scheme, pl.scheme)
        entries.append(TimelineEntry(at=_iso(pl.starts_on), kind="placering_start", id=pl.id, title=f"{label} startet"))
        if pl.ends_on:
            entries.append(TimelineEntry(at=_iso(pl.ends_on), kind="placering_slut", id=pl.id, title=f"{label} afsluttet",
                                         detail=OUTCOME_LABELS.get(pl.outcome, pl.outcome) if pl.outcome else None))
    for target, campaign in targets:
        entries.append(TimelineEntry(at=_iso(campaign.starts_on), kind="kampagne", id=campaign.id,
                                     title=f"Kampagne: {campaign.name}",
                                     detail=CAMPAIGN_TARGET_LABELS.get(target.status, target.status)))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[offset : offset + limit], queries.timeline_total(session, company_id)

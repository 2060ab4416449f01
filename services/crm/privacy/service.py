"""Personal data chores (GDPR): a contact person's access request and erasure, the pseudonymising
of a job seeker's reference when matching erases them, and the retention of idle contacts.

`export_contact` and `erase_inactive_contacts` are one commit each; `erase_contact` and
`pseudonymise_candidate` add to the caller's transaction, whose service commits (so a crm row and
a matching row are erased together or not at all).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.crm.companies.models import Contact
from services.crm.companies.schemas import ContactRead
from services.crm.deps import SERVICE
from services.crm.privacy import queries
from services.crm.privacy.schemas import (
    ContactExport,
    ExportActivity,
    ExportAuditEntry,
    ExportCompany,
    ExportDelivery,
    ExportOrder,
    ExportPartnership,
)
from shared import audit
from shared.auth import Principal
from shared.models_base import utcnow
from shared.settings import get_settings

ERASED_CONTACT = "[slettet kontaktperson]"
PSEUDONYM_PREFIX = "slettet-"


# -- access request ------------------------------------------------------------------------------

def export_contact(session: Session, principal: Principal, contact: Contact) -> ContactExport:
    """Everything crm and notifications hold about `contact` (the caller has checked visibility)."""
    from services.notifications.deliveries import queries as delivery_queries

    company = queries.company_of(session, contact.company_id)
    result = ContactExport(
        exported_at=utcnow(),
        contact=ContactRead.model_validate(contact),
        company=ExportCompany(id=company.id, cvr=company.cvr, name=company.name),
        activities=[ExportActivity.model_validate(a, from_attributes=True)
                    for a in queries.activities_naming(session, contact.id)],
        partnerships=[ExportPartnership.model_validate(p, from_attributes=True)
                      for p in queries.partnerships_naming(session, contact.id)],
        orders=[ExportOrder.model_validate(o, from_attributes=True) for o in queries.orders_naming(session, contact.id)],
        deliveries=[ExportDelivery.model_validate(d, from_attributes=True)
                    for d in delivery_queries.to_contact(session, contact.id)],
        audit=[ExportAuditEntry.model_validate(e, from_attributes=True)
               for e in queries.audit_about_contact(session, contact)],
    )
    audit.record(session, principal, SERVICE, "export", "contact", contact.id, {"company_id": contact.company_id})
    session.commit()
    return result


# -- erasure -------------------------------------------------------------------------------------

def _patterns(contact: Contact, whole_name: bool) -> list[re.Pattern]:
    words = [w for w in (contact.email, contact.phone) if w and w.strip()]
    if contact.name and contact.name.strip() and (whole_name or len(contact.name.split()) >= 2):
        words.append(contact.name)
    return [re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, w.split())) + r"(?!\w)", re.IGNORECASE) for w in words]


def _scrub(text: str | None, patterns: list[re.Pattern]) -> str | None:
    if not text:
        return text
    for pattern in patterns:
        text = pattern.sub(ERASED_CONTACT, text)
    return text


def erase_contact(session: Session, principal: Principal | None, contact: Contact, reason: str | None = None) -> None:
    """Erasure (GDPR art. 17) in the caller's transaction.

    The row goes; the database sets the references of activities, orders and agreements to null
    and deletes the e-mails sent to the contact (`delivery`, on delete cascade). Free text of the
    company's activities, orders and agreements that names the contact (full name, e-mail address
    or phone number; a one-word name only where the row pointed at the contact) is overwritten.
    The audit log keeps its entries: they name the contact by id only.
    """
    linked = {("a", a.id) for a in queries.activities_naming(session, contact.id)}
    linked |= {("o", o.id) for o in queries.orders_naming(session, contact.id)}
    linked |= {("p", p.id) for p in queries.partnerships_naming(session, contact.id)}
    broad, narrow = _patterns(contact, True), _patterns(contact, False)
    activities, orders, partnerships = queries.company_texts(session, contact.company_id)
    for kind, rows, attr in (("a", activities, "summary"), ("o", orders, "description"), ("p", partnerships, "note")):
        for row in rows:
            before = getattr(row, attr)
            after = _scrub(before, broad if (kind, row.id) in linked else narrow)
            if after != before:
                setattr(row, attr, after)
                session.add(row)
    company_id = contact.company_id
    session.delete(contact)
    detail: dict[str, Any] = {"company_id": company_id}
    if reason:
        detail["reason"] = reason
    audit.record(session, principal, SERVICE, "erase", "contact", contact.id, detail)
    session.flush()


def erase_inactive_contacts(session: Session, day: date) -> int:
    """Retention (run daily): erase contacts idle for `CRM_CONTACT_RETENTION_DAYS`; 0 turns it off."""
    days = get_settings().crm_contact_retention_days
    if days <= 0:
        return 0
    cutoff = datetime.combine(day - timedelta(days=days), time.min, ZoneInfo(get_settings().jobbro_timezone))
    cutoff = cutoff.astimezone(UTC)
    contacts = queries.inactive_contacts(session, cutoff)
    for contact in contacts:
        erase_contact(session, None, contact, reason=f"retention {days} days")
    session.commit()
    return len(contacts)


# -- job seekers ---------------------------------------------------------------------------------

def new_pseudonym() -> str:
    """Random, so nothing (not even the old reference and a key) leads back to the person."""
    return PSEUDONYM_PREFIX + secrets.token_hex(12)


def pseudonymise_candidate(session: Session, principal: Principal | None, ref: str,
                           reason: str | None = None) -> dict[str, int]:
    """Replace a job seeker's reference on crm's placements and proposals and take them off
    order shortlists, in the caller's transaction (matching's erasure). One pseudonym for all
    their rows, so figures that count people (distinct references) stay the same. The audit
    entry holds counts, not row ids, so the audit log cannot link the reference to the pseudonym."""
    placements, proposals = queries.pseudonymise_candidate_ref(session, ref, new_pseudonym())
    counts = {"placements": placements, "proposals": proposals,
              "shortlist_entries": queries.delete_shortlist_entries(session, ref)}
    if any(counts.values()):
        detail: dict[str, Any] = dict(counts)
        if reason:
            detail["reason"] = reason
        audit.record(session, principal, SERVICE, "pseudonymise", "candidate", ref, detail)
    return counts

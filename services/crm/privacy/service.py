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

from services.crm import events
from services.crm.companies.models import Contact
from services.crm.companies.schemas import ContactRead
from services.crm.deps import SERVICE
from services.crm.job_ads.withdrawal import scrub_texts as scrub_job_ads
from services.crm.privacy import queries
from services.crm.privacy.schemas import (
    ContactExport,
    ExportActivity,
    ExportAuditEntry,
    ExportCompany,
    ExportDelivery,
    ExportOrder,
    ExportPartnership,
    ExportSatisfaction,
)
from services.crm.satisfaction import service as satisfaction
from shared import audit, erasure
from shared.auth import Principal
from shared.models_base import utcnow
from shared.settings import get_settings

ERASED_CONTACT = "[slettet kontaktperson]"
# The services that keep a copy of a contact person and must confirm its erasure.
CONTACT_COPIES = ["notifications"]
PSEUDONYM_PREFIX = "slettet-"


# -- access request ------------------------------------------------------------------------------

def export_contact(session: Session, principal: Principal, contact: Contact,
                   mail_trail: list[dict] | None = None) -> ContactExport:
    """Everything crm holds about `contact`, with the e-mails notifications sent them (`mail_trail`,
    from notifications' API, see mail_trail.py); the caller has checked visibility."""
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
        deliveries=[ExportDelivery.model_validate(d) for d in mail_trail or []],
        audit=[ExportAuditEntry.model_validate(e, from_attributes=True)
               for e in queries.audit_about_contact(session, contact)],
        satisfaction=[ExportSatisfaction.model_validate(x, from_attributes=True)
                      for x in satisfaction.surveys_of_contact(session, contact.id)],
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


def _scrub_json(value: Any, patterns: list[re.Pattern]) -> Any:
    if isinstance(value, str):
        return _scrub(value, patterns)
    if isinstance(value, list):
        return [_scrub_json(v, patterns) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, patterns) for k, v in value.items()}
    return value


def _scrub_event(payload: dict[str, Any], contact_id: int, patterns: list[re.Pattern]) -> dict[str, Any]:
    """The payload without the contact: their own events keep ids only, an order's orderer and
    receipt list lose them, and free text copied from the company's records is scrubbed."""
    out = dict(payload)
    if out.get("contact_id") == contact_id:
        out.update({k: (ERASED_CONTACT if k == "name" else None) for k in ("name", "email", "title") if k in out})
    contact = out.get("contact")
    if isinstance(contact, dict) and contact.get("id") == contact_id:
        out["contact"] = None
    if isinstance(out.get("receipt_contacts"), list):
        out["receipt_contacts"] = [c for c in out["receipt_contacts"] if c.get("id") != contact_id]
    return _scrub_json(out, patterns)


def _scrub_outbox(session: Session, contact: Contact, broad: list[re.Pattern]) -> int:
    """Events are copies of the records: the outbox rows about the company are scrubbed like them.
    (Entries already on the Redis stream age out with the stream; consumers erase on `contact.erased`.)"""
    n = 0
    for evt in queries.company_events(session, contact.company_id):
        after = _scrub_event(evt.payload, contact.id, broad)
        if after != evt.payload:
            evt.payload = after
            session.add(evt)
            n += 1
    return n


def erase_contact(session: Session, principal: Principal | None, contact: Contact, reason: str | None = None) -> None:
    """Erasure (GDPR art. 17) in the caller's transaction.

    The row goes; the database sets the references of activities, orders and agreements to null
    and deletes the e-mails sent to the contact (`delivery`, on delete cascade). Free text of the
    company's activities, orders and agreements that names the contact (full name, e-mail address
    or phone number; a one-word name only where the row pointed at the contact) is overwritten.
    The outbox rows about the company lose the contact's data the same way, and `contact.erased`
    (ids only) tells the other services to erase their copies. The audit log keeps its entries:
    they name the contact by id only.
    """
    linked = {("a", a.id) for a in queries.activities_naming(session, contact.id)}
    linked |= {("o", o.id) for o in queries.orders_naming(session, contact.id)}
    linked |= {("p", p.id) for p in queries.partnerships_naming(session, contact.id)}
    broad, narrow = _patterns(contact, True), _patterns(contact, False)
    activities, orders, partnerships = queries.company_texts(session, contact.company_id)
    scrubbed: set[int] = set()
    for kind, rows, attr in (("a", activities, "summary"), ("o", orders, "description"), ("p", partnerships, "note")):
        for row in rows:
            before = getattr(row, attr)
            after = _scrub(before, broad if (kind, row.id) in linked else narrow)
            if after != before:
                setattr(row, attr, after)
                session.add(row)
                if kind == "o":
                    scrubbed.add(row.id)
    # The orders' public job ads copy their text (docs/job-ads.md): scrubbed the same way.
    scrub_job_ads(session, {o.id: broad if ("o", o.id) in linked else narrow for o in orders}, _scrub)
    company_id = contact.company_id
    _scrub_outbox(session, contact, broad)
    # The orders' copies elsewhere (matching's vacancy text, notifications' orderer) follow:
    # an order that named the contact, or was ordered by them, is announced as changed.
    for order in orders:
        changed = (["description"] if order.id in scrubbed else []) + (["contact"] if ("o", order.id) in linked else [])
        events.publish_order_changed(session, order, changed, erased_contact_id=contact.id)
    satisfaction.forget_contact(session, contact.id)  # their survey comments (docs/satisfaction.md)
    session.delete(contact)
    detail: dict[str, Any] = {"company_id": company_id}
    if reason:
        detail["reason"] = reason
    audit.record(session, principal, SERVICE, "erase", "contact", contact.id, detail)
    # notifications holds a copy (its recipients, the mail trail) and confirms its erasure.
    request = erasure.start(session, SERVICE, "contact", str(contact.id), CONTACT_COPIES)
    erasure.announced(request, events.publish_contact_erased(session, contact.id, company_id, erasure_id=request.id))
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
    pseudonym = new_pseudonym()
    placements, proposals = queries.pseudonymise_candidate_ref(session, ref, pseudonym)
    counts = {"placements": placements, "proposals": proposals,
              "shortlist_entries": queries.delete_shortlist_entries(session, ref),
              "ranking_actions": queries.pseudonymise_ranking_actions(session, ref, pseudonym)}
    if any(counts.values()):
        detail: dict[str, Any] = dict(counts)
        if reason:
            detail["reason"] = reason
        audit.record(session, principal, SERVICE, "pseudonymise", "candidate", ref, detail)
    return counts

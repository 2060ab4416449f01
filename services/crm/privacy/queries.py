"""Every query of the personal-data chores: what crm holds about a contact person, the rows a
job seeker's reference appears in, and the contacts retention may erase."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, update
from sqlmodel import Session, select

from services.crm.activities.models import Activity
from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order, Proposal, ShortlistEntry
from services.crm.partnerships.models import Partnership
from services.crm.placements.models import Placement
from shared.audit import AuditLog
from shared.events import EventType, OutboxEvent

# -- contact persons ---------------------------------------------------------------------------


def company_of(session: Session, company_id: int) -> Company | None:
    return session.get(Company, company_id)


def activities_naming(session: Session, contact_id: int) -> list[Activity]:
    return list(session.exec(select(Activity).where(Activity.contact_id == contact_id)
                             .order_by(Activity.occurred_at, Activity.id)))


def partnerships_naming(session: Session, contact_id: int) -> list[Partnership]:
    return list(session.exec(select(Partnership).where(Partnership.contact_id == contact_id)
                             .order_by(Partnership.signed_on, Partnership.id)))


def orders_naming(session: Session, contact_id: int) -> list[Order]:
    return list(session.exec(select(Order).where(Order.contact_id == contact_id)
                             .order_by(Order.received_on, Order.id)))


def company_texts(session: Session, company_id: int) -> tuple[list[Activity], list[Order], list[Partnership]]:
    """The company's rows with free text (summary, description, note) that may name a person."""
    return (
        list(session.exec(select(Activity).where(Activity.company_id == company_id))),
        list(session.exec(select(Order).where(Order.company_id == company_id))),
        list(session.exec(select(Partnership).where(Partnership.company_id == company_id))),
    )


def company_events(session: Session, company_id: int) -> list[OutboxEvent]:
    """The outbox rows that may hold text about the company's people: those about the company
    (every crm event that can carry a contact's data has a top-level `company_id`) and the
    follow-up digests (which list several companies' tasks), oldest first."""
    return list(session.exec(select(OutboxEvent)
                             .where(or_(OutboxEvent.payload["company_id"].as_integer() == company_id,
                                        OutboxEvent.type == EventType.follow_up_digest.value))
                             .order_by(OutboxEvent.created_at)))


def audit_about_contact(session: Session, contact: Contact) -> list[AuditLog]:
    """Audit entries about the contact: by id, or listing it (company contact lists, imports).

    List entries carry the ids in their detail; they are narrowed in SQL to this company's lists
    and to imports since the contact was created, and checked for the id here.
    """
    since = contact.created_at - timedelta(minutes=5)
    rows = session.exec(
        select(AuditLog).where(
            AuditLog.entity == "contact",
            or_(
                AuditLog.entity_id == str(contact.id),
                and_(AuditLog.entity_id.is_(None), AuditLog.action == "read",
                     AuditLog.detail["company_id"].as_integer() == contact.company_id),
                and_(AuditLog.entity_id.is_(None), AuditLog.action == "import", AuditLog.at >= since),
            ),
        ).order_by(AuditLog.at, AuditLog.id)
    ).all()

    def names(entry: AuditLog) -> bool:
        if entry.entity_id is not None:
            return True
        detail = entry.detail or {}
        listed = [*detail.get("contact_ids", []), *detail.get("created", []), *detail.get("updated", [])]
        return contact.id in listed

    return [e for e in rows if names(e)]


def inactive_contacts(session: Session, cutoff: datetime) -> list[Contact]:
    """Contacts without newsletter consent, unchanged since `cutoff`, whose company has had no
    activity, order or agreement since then, and who are named by no agreement still running."""
    day = cutoff.date()
    recent_work = or_(
        exists().where(Activity.company_id == Contact.company_id, Activity.occurred_at >= cutoff),
        exists().where(Order.company_id == Contact.company_id, Order.received_on >= day),
        exists().where(Partnership.company_id == Contact.company_id,
                       or_(Partnership.signed_on >= day, Partnership.ends_on.is_(None), Partnership.ends_on >= day)),
        exists().where(Placement.company_id == Contact.company_id,
                       or_(Placement.starts_on >= day, Placement.ends_on.is_(None), Placement.ends_on >= day)),
    )
    return list(session.exec(
        select(Contact).where(Contact.newsletter_consent.is_(False), Contact.updated_at < cutoff, ~recent_work)
        .order_by(Contact.id).with_for_update(skip_locked=True)
    ))


# -- job seekers (candidate references) --------------------------------------------------------


def pseudonymise_candidate_ref(session: Session, ref: str, pseudonym: str) -> tuple[int, int]:
    """Replace `ref` on placements and proposals; the rows stay, so every figure still counts them."""
    placements = session.exec(update(Placement).where(Placement.candidate_ref == ref)
                              .values(candidate_ref=pseudonym)).rowcount
    proposals = session.exec(update(Proposal).where(Proposal.candidate_ref == ref)
                             .values(candidate_ref=pseudonym)).rowcount
    return placements or 0, proposals or 0


def delete_shortlist_entries(session: Session, ref: str) -> int:
    """A shortlist is a working list no figure counts: an erased person leaves it."""
    return session.exec(delete(ShortlistEntry).where(ShortlistEntry.candidate_ref == ref)).rowcount or 0


def pseudonymise_ranking_actions(session: Session, ref: str, pseudonym: str) -> int:
    """`ranking.action` rows in crm's outbox name the job seeker (matching's ranking record needs
    it): they take the pseudonym, and the consultant's free text about them goes."""
    from sqlalchemy import String, cast

    rows = session.exec(select(OutboxEvent).where(OutboxEvent.type == EventType.ranking_action.value,
                                                  cast(OutboxEvent.payload, String).contains(ref))).all()
    changed = 0
    for evt in rows:
        if evt.payload.get("candidate_ref") == ref:
            evt.payload = {**evt.payload, "candidate_ref": pseudonym, "reason": None}
            session.add(evt)
            changed += 1
    return changed

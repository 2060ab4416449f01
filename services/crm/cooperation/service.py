"""The recruitment cooperation: partners, shared orders, proposals across the border, erasure.

Each public function is one commit. Messages to partners are rows in the cooperation outbox,
written in the same transaction as the change they report (`_send`); crm's worker signs and
delivers them (`delivery.py`). Messages from partners arrive at `receive`, which verifies the
sender before it trusts a byte, refuses a removed partner at once and applies each message id once.

What crosses the border is the least the cooperation needs: an order's title, text, scheme, hours,
place, deadline and the ordering jobcentre's contact (never the company's notes or contact
persons); a proposal's random pseudonym, the CV summary the job seeker agreed to share and the
proposing consultant (never a CPR number, a case reference or the job seeker's contact details).
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.crm.cooperation import signing
from services.crm.cooperation.models import (
    CandidateConsent,
    IncomingProposal,
    OutgoingMessage,
    OutgoingProposal,
    Partner,
    ReceivedMessage,
    ReceivedOrder,
    SharedOrder,
)
from services.crm.cooperation.schemas import Decision, PartnerCreate, ProposeAcross
from services.crm.deps import SERVICE
from services.crm.orders.models import Order
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Invalid, NotFound
from shared.events import EventType, publish
from shared.glossary import FINAL_ORDER_STATUSES, OrderStatus, ProposalStatus
from shared.models_base import utcnow
from shared.settings import get_settings

# Message types between installations (docs/cooperation.md).
ORDER_SHARED = "order.shared"
ORDER_UPDATED = "order.updated"
ORDER_CLOSED = "order.closed"
PROPOSAL_CREATED = "proposal.created"
PROPOSAL_OUTCOME = "proposal.outcome"
PROPOSAL_ERASED = "proposal.erased"
MESSAGE_TYPES = (ORDER_SHARED, ORDER_UPDATED, ORDER_CLOSED, PROPOSAL_CREATED, PROPOSAL_OUTCOME, PROPOSAL_ERASED)
# An order withdrawn from the cooperation is closed at the partners with this status.
WITHDRAWN = "trukket_tilbage"


class Unauthorised(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


def own_code() -> int:
    return get_settings().jobbro_municipality_code


def own_name() -> str:
    s = get_settings()
    return s.jobbro_jobcentre_name or f"Jobcenter {s.jobbro_municipality_code}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- partners -----------------------------------------------------------------------------------------

def identity(session: Session) -> dict[str, Any]:
    key = signing.ensure_key(session)
    return {"name": own_name(), "municipality_code": own_code(), "public_key": key.public_key,
            "algorithm": "Ed25519"}


def active_partners(session: Session) -> list[Partner]:
    return list(session.exec(select(Partner).where(Partner.removed_at.is_(None)).order_by(Partner.id)).all())


def list_partners(session: Session) -> list[Partner]:
    return list(session.exec(select(Partner).order_by(Partner.removed_at.is_not(None), Partner.name)).all())


def _partner(session: Session, partner_id: int) -> Partner:
    p = session.get(Partner, partner_id)
    if p is None:
        raise NotFound(f"Samarbejdspartner {partner_id} findes ikke.")
    return p


def add_partner(session: Session, principal: Principal, data: PartnerCreate) -> Partner:
    if signing.parse_public_key(data.public_key) is None:
        raise Invalid("Den offentlige nøgle er ikke en Ed25519-nøgle (base64 af 32 bytes).", field="public_key")
    if data.municipality_code == own_code():
        raise Invalid("Det er jobcentrets egen kommunekode.", field="municipality_code")
    clash = session.exec(select(Partner).where(Partner.municipality_code == data.municipality_code,
                                               Partner.removed_at.is_(None))).first()
    if clash is not None:
        raise Conflict(f"Kommune {data.municipality_code} er allerede samarbejdspartner ({clash.name}).",
                       field="municipality_code", existing={"id": clash.id})
    partner = Partner(name=data.name, municipality_code=data.municipality_code,
                      base_url=str(data.base_url).rstrip("/"), public_key=data.public_key.strip(),
                      created_by=principal.user_id)
    session.add(partner)
    session.flush()
    # A new partner receives the orders that are shared today.
    for shared, order in session.exec(select(SharedOrder, Order).join(Order, Order.id == SharedOrder.order_id)
                                      .where(SharedOrder.unshared_at.is_(None))).all():
        if order.status not in FINAL_ORDER_STATUSES:
            _send(session, partner, ORDER_SHARED, order_body(session, order))
    audit.record(session, principal, SERVICE, "create", "cooperation_partner", partner.id,
                 {"municipality_code": partner.municipality_code, "base_url": partner.base_url})
    session.commit()
    session.refresh(partner)
    return partner


def remove_partner(session: Session, principal: Principal, partner_id: int) -> Partner:
    partner = _partner(session, partner_id)
    if partner.removed_at is None:
        partner.removed_at = utcnow()
        session.add(partner)
        # Nothing more goes to a partner that left the cooperation.
        for msg in session.exec(select(OutgoingMessage).where(OutgoingMessage.partner_id == partner.id,
                                                              OutgoingMessage.delivered_at.is_(None),
                                                              OutgoingMessage.failed_at.is_(None))).all():
            msg.failed_at = utcnow()
            msg.last_error = "partneren er fjernet fra samarbejdet"
            session.add(msg)
        audit.record(session, principal, SERVICE, "delete", "cooperation_partner", partner.id,
                     {"municipality_code": partner.municipality_code})
        session.commit()
        session.refresh(partner)
    return partner


def _send(session: Session, partner: Partner, type_: str, body: dict[str, Any]) -> OutgoingMessage:
    msg = OutgoingMessage(id=str(uuid.uuid4()), partner_id=partner.id, type=type_,
                          body=json.loads(json.dumps(body, default=str)))
    session.add(msg)
    return msg


def outbox(session: Session, limit: int = 100) -> list[OutgoingMessage]:
    return list(session.exec(select(OutgoingMessage).order_by(OutgoingMessage.created_at.desc()).limit(limit)).all())


# -- sharing our orders -------------------------------------------------------------------------------

def _contact(session: Session, order: Order) -> dict[str, Any]:
    """The ordering jobcentre's contact — an employee, never the company's contact person."""
    from services.crm.companies.models import Company
    from services.crm.events import user_ref

    company = session.get(Company, order.company_id)
    shared = _shared(session, order.id)
    # The order's consultant, else the company's, else whoever shared it: someone to call.
    consultant = (user_ref(session, order.consultant_id or (company.consultant_id if company else None))
                  or user_ref(session, shared.shared_by if shared else None))
    return {"jobcentre": own_name(), "municipality_code": own_code(),
            "consultant": {"name": consultant["name"], "email": consultant["email"]} if consultant else None}


def order_body(session: Session, order: Order) -> dict[str, Any]:
    return {"order_id": order.id, "title": order.title, "description": order.description or "",
            "scheme": order.scheme, "positions": order.positions, "positions_filled": order.positions_filled,
            "hours_per_week": order.hours_per_week, "postcode": order.postcode, "deadline": _day(order.deadline),
            "status": order.status, "contact": _contact(session, order)}


def _shared(session: Session, order_id: int) -> SharedOrder | None:
    return session.exec(select(SharedOrder).where(SharedOrder.order_id == order_id)).first()


def is_shared(session: Session, order_id: int) -> bool:
    s = _shared(session, order_id)
    return s is not None and s.unshared_at is None


def shared_state(session: Session, order_id: int) -> dict[str, Any]:
    if session.get(Order, order_id) is None:
        raise NotFound(f"Ordre {order_id} findes ikke.")
    s = _shared(session, order_id)
    shared = s is not None and s.unshared_at is None
    return {"order_id": order_id, "shared": shared, "shared_at": s.shared_at if shared else None,
            "partners": [p.name for p in active_partners(session)] if shared else []}


def share_order(session: Session, principal: Principal, order_id: int) -> SharedOrder:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Ordre {order_id} findes ikke.")
    if order.status in FINAL_ORDER_STATUSES:
        raise Conflict("En afsluttet ordre kan ikke deles med rekrutteringssamarbejdet.", field="status",
                       current=order.status)
    partners = active_partners(session)
    if not partners:
        raise Conflict("Jobcentret har ingen samarbejdspartnere endnu; en administrator tilføjer dem.")
    shared = _shared(session, order.id)
    if shared is not None and shared.unshared_at is None:
        return shared
    if shared is None:
        shared = SharedOrder(order_id=order.id, shared_by=principal.user_id)
    else:
        shared.unshared_at, shared.shared_at, shared.shared_by = None, utcnow(), principal.user_id
    session.add(shared)
    session.flush()
    body = order_body(session, order)
    for partner in partners:
        _send(session, partner, ORDER_SHARED, body)
    audit.record(session, principal, SERVICE, "create", "cooperation_shared_order", order.id,
                 {"partners": [p.municipality_code for p in partners]})
    session.commit()
    session.refresh(shared)
    return shared


def unshare_order(session: Session, principal: Principal, order_id: int) -> None:
    shared = _shared(session, order_id)
    if shared is None or shared.unshared_at is not None:
        raise NotFound(f"Ordre {order_id} er ikke delt med rekrutteringssamarbejdet.")
    shared.unshared_at = utcnow()
    session.add(shared)
    for partner in active_partners(session):
        _send(session, partner, ORDER_CLOSED, {"order_id": order_id, "status": WITHDRAWN})
    audit.record(session, principal, SERVICE, "delete", "cooperation_shared_order", order_id)
    session.commit()


def order_changed(session: Session, order: Order) -> None:
    """Called (services/crm/events.py) whenever an order's published fields or status change, inside
    the change's transaction: a shared order's partners get the change, or the close."""
    if order.id is None or not is_shared(session, order.id):
        return
    closed = order.status in FINAL_ORDER_STATUSES
    for partner in active_partners(session):
        if closed:
            _send(session, partner, ORDER_CLOSED, {"order_id": order.id, "status": order.status})
        else:
            _send(session, partner, ORDER_UPDATED, order_body(session, order))


# -- orders partners shared with us -------------------------------------------------------------------

def _announce_received(session: Session, partner: Partner, ro: ReceivedOrder) -> None:
    """Tell our own matching (an event on this installation's stream) so it ranks our job seekers."""
    publish(session, EventType.cooperation_order_received, {
        "shared_order_id": ro.id,
        "partner": {"id": partner.id, "name": partner.name, "municipality_code": partner.municipality_code},
        "title": ro.title, "description": ro.description, "scheme": ro.scheme,
        "hours_per_week": ro.hours_per_week, "postcode": ro.postcode, "deadline": _day(ro.deadline),
        "status": ro.status,
    })


def received_orders(session: Session, *, open_only: bool = False) -> list[tuple[ReceivedOrder, Partner]]:
    stmt = select(ReceivedOrder, Partner).join(Partner, Partner.id == ReceivedOrder.partner_id)
    if open_only:
        stmt = stmt.where(ReceivedOrder.status.not_in([*FINAL_ORDER_STATUSES, WITHDRAWN]),
                          Partner.removed_at.is_(None))
    return list(session.exec(stmt.order_by(ReceivedOrder.received_at.desc(), ReceivedOrder.id.desc())).all())


def received_order(session: Session, received_order_id: int) -> tuple[ReceivedOrder, Partner]:
    ro = session.get(ReceivedOrder, received_order_id)
    if ro is None:
        raise NotFound(f"Den delte ordre {received_order_id} findes ikke.")
    return ro, session.get(Partner, ro.partner_id)


def _apply_order(session: Session, partner: Partner, body: dict[str, Any], *, closed: bool) -> None:
    remote_id = int(body["order_id"])
    ro = session.exec(select(ReceivedOrder).where(ReceivedOrder.partner_id == partner.id,
                                                  ReceivedOrder.remote_order_id == remote_id)).first()
    if closed:
        if ro is None:
            return
        ro.status = str(body.get("status") or WITHDRAWN)[:20]
    else:
        if ro is None:
            ro = ReceivedOrder(partner_id=partner.id, remote_order_id=remote_id, title="", scheme="ordinaer")
        ro.title = str(body["title"])[:200]
        ro.description = str(body.get("description") or "")[:8000]
        ro.scheme = str(body["scheme"])[:30]
        ro.positions = int(body.get("positions") or 1)
        ro.hours_per_week = body.get("hours_per_week")
        ro.postcode = body.get("postcode")
        ro.deadline = date.fromisoformat(body["deadline"]) if body.get("deadline") else None
        ro.status = str(body.get("status") or "modtaget")[:20]
        contact = body.get("contact") or {}
        ro.contact = {"jobcentre": contact.get("jobcentre") or partner.name,
                      "consultant": contact.get("consultant")}
    ro.updated_at = utcnow()
    session.add(ro)
    session.flush()
    _announce_received(session, partner, ro)


# -- proposing our job seekers to a partner's order ---------------------------------------------------

def set_consent(session: Session, payload: dict[str, Any]) -> int:
    """`candidate.cooperation_consent` from matching: keep who may be proposed across, and what of
    them may be shared. Idempotent."""
    ref = payload["candidate_ref"]
    row = session.get(CandidateConsent, ref)
    if not payload.get("consent"):
        if row is not None:
            session.delete(row)
        return 1
    row = row or CandidateConsent(candidate_ref=ref)
    row.cv_summary = payload.get("cv_summary") or ""
    row.updated_at = utcnow()
    session.add(row)
    return 1


def propose(session: Session, principal: Principal, received_order_id: int, data: ProposeAcross) -> OutgoingProposal:
    ro, partner = received_order(session, received_order_id)
    if partner.removed_at is not None:
        raise Conflict(f"{partner.name} er ikke længere med i samarbejdet.")
    if ro.status in (*FINAL_ORDER_STATUSES, WITHDRAWN):
        raise Conflict(f"Ordren fra {partner.name} er lukket og kan ikke få flere kandidater.", field="status",
                       current=ro.status)
    consent = session.get(CandidateConsent, data.candidate_ref)
    if consent is None:
        raise Conflict("Kandidaten har ikke givet samtykke til at blive foreslået til andre jobcentre.",
                       field="candidate_ref")
    existing = session.exec(select(OutgoingProposal).where(OutgoingProposal.received_order_id == ro.id,
                                                           OutgoingProposal.candidate_ref == data.candidate_ref)).first()
    if existing is not None:
        raise Conflict(f"Kandidaten er allerede foreslået til ordren fra {partner.name}.", field="candidate_ref",
                       existing={"id": existing.id, "status": existing.status})
    from services.crm.events import user_ref
    from services.crm.orders.lifecycle import today

    proposal = OutgoingProposal(received_order_id=ro.id, candidate_ref=data.candidate_ref,
                                pseudonym="SAM-" + secrets.token_hex(8), cv_summary=consent.cv_summary,
                                proposed_on=today(), created_by=principal.user_id)
    session.add(proposal)
    session.flush()
    consultant = user_ref(session, principal.user_id)
    _send(session, partner, PROPOSAL_CREATED, {
        "proposal_id": proposal.id, "order_id": ro.remote_order_id, "candidate": proposal.pseudonym,
        "cv_summary": proposal.cv_summary, "proposed_on": proposal.proposed_on.isoformat(),
        "proposed_by": {"jobcentre": own_name(), "municipality_code": own_code(),
                        "consultant": {"name": consultant["name"], "email": consultant["email"]} if consultant else None},
    })
    audit.record(session, principal, SERVICE, "create", "cooperation_proposal", proposal.id,
                 {"received_order_id": ro.id, "partner": partner.municipality_code, "candidate_ref": data.candidate_ref})
    session.commit()
    session.refresh(proposal)
    return proposal


def outgoing_proposals(session: Session, principal: Principal, received_order_id: int) -> list[OutgoingProposal]:
    ro, _ = received_order(session, received_order_id)
    items = list(session.exec(select(OutgoingProposal).where(OutgoingProposal.received_order_id == ro.id)
                              .order_by(OutgoingProposal.id)).all())
    audit.record(session, principal, SERVICE, "read", "cooperation_proposal", None,
                 {"received_order_id": ro.id, "proposal_ids": [p.id for p in items]})
    session.commit()
    return items


def erase_candidate(session: Session, ref: str) -> int:
    """The job seeker `ref` was erased here (candidate.erased): our proposals lose the reference
    and the summary, and each ordering jobcentre is told to pseudonymise its copy. No commit."""
    n = 0
    consent = session.get(CandidateConsent, ref)
    if consent is not None:
        session.delete(consent)
    for proposal, ro in session.exec(select(OutgoingProposal, ReceivedOrder)
                                     .join(ReceivedOrder, ReceivedOrder.id == OutgoingProposal.received_order_id)
                                     .where(OutgoingProposal.candidate_ref == ref)).all():
        proposal.candidate_ref = None
        proposal.cv_summary = ""
        proposal.erased_at = utcnow()
        session.add(proposal)
        partner = session.get(Partner, ro.partner_id)
        if partner.removed_at is None:
            _send(session, partner, PROPOSAL_ERASED, {"proposal_id": proposal.id})
        n += 1
    return n


# -- partners' job seekers proposed to our orders ------------------------------------------------------

def _apply_proposal(session: Session, partner: Partner, body: dict[str, Any]) -> None:
    order_id = int(body["order_id"])
    if not is_shared(session, order_id) or session.get(Order, order_id) is None:
        raise Invalid(f"Ordre {order_id} er ikke delt med rekrutteringssamarbejdet.", field="order_id")
    remote_id = int(body["proposal_id"])
    existing = session.exec(select(IncomingProposal).where(IncomingProposal.partner_id == partner.id,
                                                           IncomingProposal.remote_proposal_id == remote_id)).first()
    if existing is not None:
        return
    by = body.get("proposed_by") or {}
    session.add(IncomingProposal(
        partner_id=partner.id, remote_proposal_id=remote_id, order_id=order_id,
        pseudonym=str(body["candidate"])[:40], cv_summary=str(body.get("cv_summary") or "")[:8000],
        consultant={"jobcentre": by.get("jobcentre") or partner.name, "consultant": by.get("consultant")},
        proposed_on=date.fromisoformat(body["proposed_on"]) if body.get("proposed_on") else date.today()))


def incoming_proposals(session: Session, principal: Principal, order_id: int) -> list[tuple[IncomingProposal, Partner]]:
    if session.get(Order, order_id) is None:
        raise NotFound(f"Ordre {order_id} findes ikke.")
    rows = list(session.exec(select(IncomingProposal, Partner).join(Partner, Partner.id == IncomingProposal.partner_id)
                             .where(IncomingProposal.order_id == order_id).order_by(IncomingProposal.id)).all())
    audit.record(session, principal, SERVICE, "read", "cooperation_proposal", None,
                 {"order_id": order_id, "incoming_ids": [p.id for p, _ in rows]})
    session.commit()
    return rows


def decide(session: Session, principal: Principal, incoming_id: int, data: Decision) -> IncomingProposal:
    """The ordering consultant records the outcome of a partner's proposal; it is sent back. A hire
    is a placement on the order (it fills a position), of a job seeker living in the partner's
    municipality (so it is not local in the local share)."""
    from services.crm.orders import lifecycle
    from services.crm.orders.service import _placement_data
    from services.crm.placements import service as placements

    proposal = session.get(IncomingProposal, incoming_id)
    if proposal is None:
        raise NotFound(f"Partnerforslag {incoming_id} findes ikke.")
    if proposal.status == ProposalStatus.ansat:
        raise Conflict("Kandidaten er allerede registreret som ansat.", field="status", current=proposal.status)
    if proposal.status == data.status.value:
        return proposal
    partner = session.get(Partner, proposal.partner_id)
    order = lifecycle.lock(session, proposal.order_id)
    decided_on = data.decided_on or lifecycle.today()
    if decided_on < proposal.proposed_on:
        raise Invalid(f"Afgørelsesdatoen {decided_on.isoformat()} ligger før forslagsdatoen "
                      f"{proposal.proposed_on.isoformat()}.", field="decided_on")
    old = proposal.status
    if data.status is ProposalStatus.ansat:
        lifecycle.ensure_open(order, "ansættelser")
        details = data.model_copy(update={"candidate_municipality_code": partner.municipality_code,
                                          "starts_on": data.starts_on or decided_on})
        placement = placements.add(session, principal, _placement_data(order, proposal.pseudonym, details))
        proposal.placement_id = placement.id
    proposal.status = data.status.value
    proposal.decided_on = decided_on if data.status is not ProposalStatus.foreslaaet else None
    session.add(proposal)
    if partner.removed_at is None:
        _send(session, partner, PROPOSAL_OUTCOME, {"proposal_id": proposal.remote_proposal_id,
                                                   "status": proposal.status, "decided_on": _day(proposal.decided_on)})
    lifecycle.mark_in_progress(session, order)
    audit.record(session, principal, SERVICE, "update", "cooperation_proposal", proposal.id,
                 {"order_id": order.id, "status": [old, proposal.status], "partner": partner.municipality_code})
    session.commit()
    session.refresh(proposal)
    return proposal


def _apply_outcome(session: Session, partner: Partner, body: dict[str, Any]) -> None:
    proposal = session.get(OutgoingProposal, int(body["proposal_id"]))
    ro = session.get(ReceivedOrder, proposal.received_order_id) if proposal else None
    if proposal is None or ro is None or ro.partner_id != partner.id:
        raise Invalid(f"Forslag {body['proposal_id']} er ikke sendt til {partner.name}.", field="proposal_id")
    status = ProposalStatus(body["status"])
    proposal.status = status.value
    proposal.decided_on = date.fromisoformat(body["decided_on"]) if body.get("decided_on") else None
    session.add(proposal)


def _apply_erased(session: Session, partner: Partner, body: dict[str, Any]) -> None:
    proposal = session.exec(select(IncomingProposal).where(IncomingProposal.partner_id == partner.id,
                                                           IncomingProposal.remote_proposal_id == int(body["proposal_id"]))).first()
    if proposal is None or proposal.erased_at is not None:
        return
    from services.crm.placements.models import Placement

    # A new random pseudonym breaks the last link to what the partner once sent; the placement is
    # kept (the figures count it) under the same new pseudonym.
    pseudonym = "SLET-" + secrets.token_hex(8)
    if proposal.placement_id is not None:
        placement = session.get(Placement, proposal.placement_id)
        if placement is not None:
            placement.candidate_ref = pseudonym
            session.add(placement)
    proposal.pseudonym = pseudonym
    proposal.cv_summary = ""
    proposal.erased_at = utcnow()
    session.add(proposal)


# -- receiving ----------------------------------------------------------------------------------------

APPLY = {
    ORDER_SHARED: lambda s, p, b: _apply_order(s, p, b, closed=False),
    ORDER_UPDATED: lambda s, p, b: _apply_order(s, p, b, closed=False),
    ORDER_CLOSED: lambda s, p, b: _apply_order(s, p, b, closed=True),
    PROPOSAL_CREATED: _apply_proposal,
    PROPOSAL_OUTCOME: _apply_outcome,
    PROPOSAL_ERASED: _apply_erased,
}


def receive(session: Session, raw: bytes, signature: str | None) -> dict[str, Any]:
    """A message from a partner: who sent it is checked before anything in it is believed."""
    try:
        env = json.loads(raw)
        sender = int(env["from"])
        message_id = str(uuid.UUID(str(env["id"])))
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("Beskeden er ikke en gyldig samarbejdsbesked (JSON med id, type, sent_at, from, to, body).") from exc
    partners = session.exec(select(Partner).where(Partner.municipality_code == sender)
                            .order_by(Partner.removed_at.is_not(None), Partner.id.desc())).all()
    partner = partners[0] if partners else None
    if partner is None:
        raise Forbidden(f"Kommune {sender} er ikke samarbejdspartner med {own_name()}.")
    if partner.removed_at is not None:
        raise Forbidden(f"{partner.name} er fjernet fra samarbejdet; beskeden afvises.")
    if not signing.verify(partner.public_key, raw, signature):
        raise Unauthorised("Beskedens signatur passer ikke til partnerens offentlige nøgle.")
    if env.get("to") != own_code():
        raise Forbidden(f"Beskeden er til kommune {env.get('to')}, ikke til {own_code()}.")
    try:
        sent_at = _aware(datetime.fromisoformat(str(env["sent_at"])))
    except (ValueError, KeyError) as exc:
        raise Invalid("sent_at er ikke et tidspunkt.", field="sent_at") from exc
    skew = timedelta(seconds=get_settings().cooperation_max_clock_skew_seconds)
    if abs(datetime.now(UTC) - sent_at) > skew:
        raise Unauthorised("Beskeden er for gammel (eller fra fremtiden) og afvises; send den igen med nyt tidspunkt.")
    if session.get(ReceivedMessage, message_id) is not None:
        return {"id": message_id, "status": "allerede modtaget"}
    apply = APPLY.get(env.get("type"))
    if apply is None or not isinstance(env.get("body"), dict):
        raise Invalid(f"Ukendt beskedtype {env.get('type')!r}.", field="type")
    try:
        apply(session, partner, env["body"])
    except (KeyError, TypeError, ValueError) as exc:
        session.rollback()
        raise Invalid(f"Beskeden af typen {env['type']} mangler eller har ugyldige felter.") from exc
    session.add(ReceivedMessage(id=message_id, partner_id=partner.id, type=env["type"], sent_at=sent_at))
    try:
        session.commit()
    except IntegrityError:  # the same message delivered twice at once: the other copy applied it
        session.rollback()
        return {"id": message_id, "status": "allerede modtaget"}
    return {"id": message_id, "status": "modtaget"}

"""Recruitment orders and the candidates proposed to them; each public function is one commit.

A `virksomhed` user works only with its own company's orders (every other order answers 404):
it creates them through the portal (`received_via` is always `portal` and `received_on` the day
it arrives), edits the fields in `ORDER_SELF_EDITABLE` and may cancel. Proposals and the shortlist
(the candidates a consultant has picked before proposing them) carry candidate references and are
for staff only, audited. The status life-cycle lives in `lifecycle.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from services.crm import events
from services.crm.access import ensure_company_visible
from services.crm.companies.models import Company, Contact
from services.crm.deps import SERVICE
from services.crm.job_ads.withdrawal import forget_order
from services.crm.orders import lifecycle, queries
from services.crm.orders.models import Order, Proposal, ShortlistEntry
from services.crm.orders.schemas import (
    ORDER_REQUIRED,
    ORDER_SELF_EDITABLE,
    HireDetails,
    OrderCreate,
    OrderRead,
    OrderUpdate,
    ProposalCreate,
    ProposalUpdate,
    ShortlistAdd,
    ShortlistRead,
    StatusChange,
    deadline_problem,
    hours_problem,
)
from services.crm.placements import service as placements
from services.crm.placements.schemas import PlacementCreate
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Invalid, NotFound, validation_errors
from shared.glossary import PROPOSAL_STATUS_LABELS, OrderStatus, ProposalStatus, ReceivedVia, Role
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate


class Forbidden(DomainError):
    status_code = 403


def order_not_found(order_id: int) -> NotFound:
    return NotFound(f"Ordre {order_id} findes ikke.")


def to_read(order: Order, company_name: str | None) -> OrderRead:
    return OrderRead.model_validate(order).model_copy(update={"company_name": company_name})


def get_visible(session: Session, principal: Principal, order_id: int, *, lock: bool = False) -> Order:
    order = lifecycle.lock(session, order_id) if lock else session.get(Order, order_id)
    # 404 for another company's order too: a company must not learn which order ids exist.
    if order is None or (principal.role is Role.virksomhed and order.company_id != principal.company_id):
        raise order_not_found(order_id)
    return order


def _check_contact(session: Session, contact_id: int | None, company_id: int) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise Invalid(f"Kontaktperson {contact_id} findes ikke hos virksomhed {company_id}.", field="contact_id")


def _check_received_on(received_on: date) -> None:
    if received_on > lifecycle.today():
        raise Invalid(f"Modtagelsesdatoen {received_on.isoformat()} ligger i fremtiden.", field="received_on")


# -- orders ----------------------------------------------------------------------------------------

def list_orders(session: Session, principal: Principal, f: queries.OrderFilter, params: PageParams):
    own = None
    if principal.role is Role.virksomhed:
        if f.company_id is not None:
            ensure_company_visible(principal, f.company_id)
        own = principal.company_id if principal.company_id is not None else -1
    rows, total = paginate(session, queries.search(f, only_company_id=own), params)
    return [to_read(order, name) for order, name in rows], total


def read_order(session: Session, principal: Principal, order_id: int) -> OrderRead:
    order = get_visible(session, principal, order_id)
    return to_read(order, queries.company_name(session, order.company_id))


def create_order(session: Session, principal: Principal, data: OrderCreate) -> OrderRead:
    values = data.model_dump()
    if principal.role is Role.virksomhed:
        company_id = data.company_id if data.company_id is not None else principal.company_id
        if company_id is None:
            raise Forbidden("Brugeren er ikke knyttet til en virksomhed.")
        ensure_company_visible(principal, company_id)
        # The portal is the channel, and an order arrives the day it is sent.
        values.update(company_id=company_id, received_via=ReceivedVia.portal, received_on=lifecycle.today(),
                      consultant_id=None)
    elif data.company_id is None:
        raise Invalid("Virksomhed skal angives (company_id).", field="company_id")
    company = session.get(Company, values["company_id"])
    if company is None:
        if principal.role is Role.virksomhed:
            raise order_not_found(0)
        raise Invalid(f"Virksomhed {values['company_id']} findes ikke.", field="company_id")
    values["received_on"] = values["received_on"] or lifecycle.today()
    _check_received_on(values["received_on"])
    problem = deadline_problem(values["received_on"], values["deadline"])
    if problem:
        raise Invalid(problem + ".", field="deadline")
    placements.ensure_staff_user(session, values["consultant_id"])
    _check_contact(session, values["contact_id"], company.id)
    order = Order(**values, status=OrderStatus.modtaget.value, created_by=principal.user_id)
    if order.consultant_id is None:
        order.consultant_id = company.consultant_id
    session.add(order)
    session.flush()
    events.publish_order_received(session, order)
    session.commit()
    session.refresh(order)
    return to_read(order, company.name)


def update_order(session: Session, principal: Principal, order_id: int, data: OrderUpdate) -> OrderRead:
    order = get_visible(session, principal, order_id, lock=True)
    changes = data.model_dump(exclude_unset=True)
    if principal.role is Role.virksomhed:
        refused = set(changes) - ORDER_SELF_EDITABLE
        if refused:
            raise Invalid(
                f"Virksomheden kan ikke selv ændre: {', '.join(sorted(refused))}. Kontakt jobcentret.",
                field=sorted(refused)[0],
            )
    if order.status in (OrderStatus.annulleret, OrderStatus.udloebet):
        raise Conflict(f"Ordren er {lifecycle.label(order.status).lower()} og kan ikke ændres.", field="status",
                       current=order.status)
    for key in ORDER_REQUIRED & set(changes):
        if changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    merged = {**order.model_dump(), **changes}
    problem = hours_problem(merged["scheme"], merged["hours_per_week"])
    if problem:
        raise Invalid(problem + ".", field="hours_per_week")
    if "received_on" in changes:
        _check_received_on(changes["received_on"])
    problem = deadline_problem(merged["received_on"], merged["deadline"])
    if problem:
        raise Invalid(problem + ".", field="deadline" if "deadline" in changes else "received_on")
    if "consultant_id" in changes:
        placements.ensure_staff_user(session, changes["consultant_id"])
    if "contact_id" in changes:
        _check_contact(session, changes["contact_id"], order.company_id)
    positions_changed = "positions" in changes and changes["positions"] != order.positions
    before = events.order_snapshot(order)
    for key, value in changes.items():
        setattr(order, key, value)
    order.updated_at = utcnow()
    session.add(order)
    if positions_changed:
        lifecycle.sync_fill(session, order, positions_changed=True, announce=False)
    events.publish_order_changed(session, order, events.order_changes(before, order))
    session.commit()
    session.refresh(order)
    return to_read(order, queries.company_name(session, order.company_id))


def change_status(session: Session, principal: Principal, order_id: int, data: StatusChange) -> OrderRead:
    order = get_visible(session, principal, order_id, lock=True)
    if principal.role is Role.virksomhed and data.status is not OrderStatus.annulleret:
        raise Forbidden("En virksomhed kan kun annullere sin ordre; kontakt jobcentret om andre ændringer.")
    old = order.status
    lifecycle.ensure_transition(old, data.status)
    lifecycle.set_status(session, order, data.status, reason=data.reason)
    audit.record(session, principal, SERVICE, "update", "order", order.id,
                 {"status": [old, data.status.value], "reason": data.reason})
    session.commit()
    session.refresh(order)
    return to_read(order, queries.company_name(session, order.company_id))


def delete_order(session: Session, principal: Principal, order_id: int) -> None:
    order = get_visible(session, principal, order_id, lock=True)
    if queries.has_links(session, order.id):
        raise Conflict("Ordren har kandidater eller placeringer og kan ikke slettes; annullér den i stedet.")
    queries.clear_shortlist(session, order.id)
    forget_order(session, order.id)
    session.delete(order)
    audit.record(session, principal, SERVICE, "delete", "order", order_id, {"company_id": order.company_id})
    session.commit()


# -- proposals (candidate references: staff only, audited) -----------------------------------------

def _proposal(session: Session, order: Order, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.order_id != order.id:
        raise NotFound(f"Forslag {proposal_id} findes ikke på ordre {order.id}.")
    return proposal


def list_proposals(session: Session, principal: Principal, order_id: int, params: PageParams):
    order = get_visible(session, principal, order_id)
    items, total = paginate(session, queries.proposals_of(order.id), params)
    audit.record(session, principal, SERVICE, "read", "proposal", None,
                 {"order_id": order.id, "proposal_ids": [p.id for p in items]})
    session.commit()
    return items, total


def _placement_data(order: Order, candidate_ref: str, details: HireDetails) -> PlacementCreate:
    values: dict[str, Any] = {
        "company_id": order.company_id,
        "order_id": order.id,
        "candidate_ref": candidate_ref,
        "scheme": order.scheme,
        "target_group": details.target_group,
        "starts_on": details.starts_on or lifecycle.today(),
        "ends_on": details.ends_on,
        "hours_per_week": details.hours_per_week if details.hours_per_week is not None else order.hours_per_week,
        "candidate_municipality_code": details.candidate_municipality_code,
        "candidate_birth_year": details.candidate_birth_year,
        "consultant_id": details.consultant_id,
        "override_reason": details.override_reason,
    }
    try:
        return PlacementCreate.model_validate(values)
    except ValidationError as exc:
        # Defaults (today, the order's hours) can combine into something invalid: say which field.
        first = validation_errors(list(exc.errors()))[0]
        raise Invalid(f"Ansættelsen kan ikke oprettes — {first['field']}: {first['message']}.",
                      field=first["field"]) from exc


def _hire(session: Session, principal: Principal, order: Order, proposal_ref: str, details: HireDetails):
    """Create the hired candidate's placement; every check runs before anything is written."""
    lifecycle.ensure_open(order, "ansættelser")
    return placements.add(session, principal, _placement_data(order, proposal_ref, details))


def create_proposal(session: Session, principal: Principal, order_id: int, data: ProposalCreate) -> Proposal:
    order = get_visible(session, principal, order_id, lock=True)
    lifecycle.ensure_open(order, "kandidater")
    existing = queries.proposal_for(session, order.id, data.candidate_ref)
    if existing is not None:
        raise Conflict(
            f"Kandidaten {data.candidate_ref} er allerede foreslået til ordre {order.id}.",
            field="candidate_ref",
            existing={"id": existing.id, "status": existing.status},
        )
    proposed_on = data.proposed_on or lifecycle.today()
    if proposed_on < order.received_on:
        raise Invalid(f"Forslagsdatoen {proposed_on.isoformat()} ligger før ordren blev modtaget "
                      f"({order.received_on.isoformat()}).", field="proposed_on")
    if proposed_on > lifecycle.today():
        raise Invalid(f"Forslagsdatoen {proposed_on.isoformat()} ligger i fremtiden.", field="proposed_on")
    placement = _hire(session, principal, order, data.candidate_ref, data) if data.status is ProposalStatus.ansat else None
    proposal = Proposal(order_id=order.id, candidate_ref=data.candidate_ref, proposed_on=proposed_on,
                        status=data.status.value, created_by=principal.user_id)
    if data.status is not ProposalStatus.foreslaaet:
        proposal.decided_on = proposed_on
    if placement is not None:
        proposal.placement_id = placement.id
    session.add(proposal)
    # A proposed candidate leaves the shortlist: the shortlist is the step before proposing.
    shortlisted = queries.shortlist_entry(session, order.id, data.candidate_ref)
    if shortlisted is not None:
        session.delete(shortlisted)
    session.flush()
    lifecycle.mark_in_progress(session, order)
    audit.record(session, principal, SERVICE, "create", "proposal", proposal.id,
                 {"order_id": order.id, "status": proposal.status, "from_shortlist": shortlisted is not None})
    if data.ranking_record_id is not None or data.reason:
        events.publish_ranking_action(session, order.id, proposal.candidate_ref, "foreslaaet", principal.user_id,
                                      data.ranking_record_id, data.reason)
    if proposal.status in (ProposalStatus.ansat, ProposalStatus.afvist):
        events.publish_ranking_action(session, order.id, proposal.candidate_ref, proposal.status, principal.user_id)
    session.commit()
    session.refresh(proposal)
    return proposal


def update_proposal(session: Session, principal: Principal, order_id: int, proposal_id: int,
                    data: ProposalUpdate) -> Proposal:
    order = get_visible(session, principal, order_id, lock=True)
    proposal = _proposal(session, order, proposal_id)
    old = proposal.status
    if old == ProposalStatus.ansat:
        raise Conflict(
            f"Kandidaten er ansat (placering {proposal.placement_id}); slet eller flyt placeringen for at "
            "ændre forslaget.",
            field="status", current=old, placement_id=proposal.placement_id,
        )
    if data.status == old:
        return proposal
    decided_on = data.decided_on or lifecycle.today()
    if data.status is not ProposalStatus.foreslaaet and decided_on < proposal.proposed_on:
        raise Invalid(f"Afgørelsesdatoen {decided_on.isoformat()} ligger før forslagsdatoen "
                      f"{proposal.proposed_on.isoformat()}.", field="decided_on")
    if data.status is ProposalStatus.ansat:
        placement = _hire(session, principal, order, proposal.candidate_ref, data)
        proposal.placement_id = placement.id
        proposal.decided_on = decided_on
    elif data.status is ProposalStatus.afvist:
        proposal.decided_on = decided_on
    else:
        lifecycle.ensure_open(order, "kandidater")
        proposal.decided_on = None
    proposal.status = data.status.value
    session.add(proposal)
    audit.record(session, principal, SERVICE, "update", "proposal", proposal.id,
                 {"order_id": order.id, "status": [old, proposal.status],
                  "label": PROPOSAL_STATUS_LABELS[ProposalStatus(proposal.status)]})
    if proposal.status in (ProposalStatus.ansat, ProposalStatus.afvist):
        # The outcome joins the ranking record the proposal came from (matching finds it).
        events.publish_ranking_action(session, order.id, proposal.candidate_ref, proposal.status, principal.user_id)
    session.commit()
    session.refresh(proposal)
    return proposal


# -- shortlist (kortliste; candidate references: staff only, audited) ------------------------------

def _shortlist_read(entry: ShortlistEntry, created_by_name: str | None) -> ShortlistRead:
    return ShortlistRead.model_validate(entry).model_copy(update={"created_by_name": created_by_name})


def list_shortlist(session: Session, principal: Principal, order_id: int,
                   params: PageParams) -> tuple[list[ShortlistRead], int]:
    order = get_visible(session, principal, order_id)
    rows, total = paginate(session, queries.shortlist_of(order.id), params)
    audit.record(session, principal, SERVICE, "read", "shortlist", None,
                 {"order_id": order.id, "entry_ids": [entry.id for entry, _ in rows]})
    session.commit()
    return [_shortlist_read(entry, name) for entry, name in rows], total


def add_to_shortlist(session: Session, principal: Principal, order_id: int,
                     data: ShortlistAdd) -> tuple[ShortlistRead, bool]:
    """Put a candidate on the order's shortlist: (the entry, whether it was added now).

    Adding a candidate who is already on it answers the existing entry (two consultants may click at
    once); a candidate already proposed to the order is a 409, since proposing takes them off it.
    """
    order = get_visible(session, principal, order_id, lock=True)
    lifecycle.ensure_open(order, "kandidater")
    proposal = queries.proposal_for(session, order.id, data.candidate_ref)
    if proposal is not None:
        raise Conflict(
            f"Kandidaten {data.candidate_ref} er allerede foreslået til ordre {order.id} "
            f"({PROPOSAL_STATUS_LABELS[ProposalStatus(proposal.status)].lower()}).",
            field="candidate_ref",
            existing={"id": proposal.id, "status": proposal.status},
        )
    entry = queries.shortlist_entry(session, order.id, data.candidate_ref)
    created = entry is None
    if entry is None:
        entry = ShortlistEntry(order_id=order.id, candidate_ref=data.candidate_ref, created_by=principal.user_id)
        session.add(entry)
        session.flush()
        audit.record(session, principal, SERVICE, "create", "shortlist", entry.id, {"order_id": order.id})
        if data.ranking_record_id is not None:
            events.publish_ranking_action(session, order.id, entry.candidate_ref, "kortliste", principal.user_id,
                                          data.ranking_record_id, data.reason)
    session.commit()
    name = queries.user_name(session, entry.created_by)
    return _shortlist_read(entry, name), created


def remove_from_shortlist(session: Session, principal: Principal, order_id: int, candidate_ref: str) -> None:
    order = get_visible(session, principal, order_id, lock=True)
    entry = queries.shortlist_entry(session, order.id, candidate_ref)
    if entry is None:
        raise NotFound(f"Kandidaten {candidate_ref} står ikke på kortlisten til ordre {order.id}.",
                       field="candidate_ref")
    session.delete(entry)
    audit.record(session, principal, SERVICE, "delete", "shortlist", entry.id, {"order_id": order.id})
    session.commit()


def expire_overdue_orders(session: Session, day: date | None = None) -> int:
    """Move open orders whose deadline has passed to `udloebet` (run daily by the scheduler).

    Partly filled orders expire too: the positions that were filled stay counted, the rest are no
    longer being worked on. Each change publishes `order.status_changed` (automatic) as any other.
    """
    from sqlmodel import select

    day = day or lifecycle.today()
    overdue = session.exec(
        select(Order)
        .where(Order.deadline.is_not(None), Order.deadline < day, Order.status.in_([s.value for s in lifecycle.OPEN]))
        .order_by(Order.id)
        .with_for_update(skip_locked=True)
    ).all()
    for order in overdue:
        lifecycle.set_status(session, order, OrderStatus.udloebet, automatic=True,
                             reason=f"Fristen {order.deadline.isoformat()} er overskredet")
    session.commit()
    return len(overdue)

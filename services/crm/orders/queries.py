"""Every query on recruitment orders, their proposals and their shortlists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func
from sqlmodel import Session, select

from services.crm.companies.models import Company
from services.crm.orders.lifecycle import CLOSED
from services.crm.orders.models import Order, Proposal, ShortlistEntry
from services.crm.placements.models import Placement
from services.crm.users.models import User


@dataclass
class OrderFilter:
    company_id: int | None = None
    statuses: list[str] = field(default_factory=list)
    scheme: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    consultant_id: int | None = None
    open: bool | None = None
    q: str | None = None


def search(f: OrderFilter, only_company_id: int | None = None):
    """Orders with their company's name, newest first."""
    stmt = select(Order, Company.name).join(Company, Company.id == Order.company_id)
    if only_company_id is not None:
        stmt = stmt.where(Order.company_id == only_company_id)
    if f.company_id is not None:
        stmt = stmt.where(Order.company_id == f.company_id)
    if f.statuses:
        stmt = stmt.where(Order.status.in_(f.statuses))
    if f.scheme:
        stmt = stmt.where(Order.scheme == f.scheme)
    if f.received_from is not None:
        stmt = stmt.where(Order.received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Order.received_on <= f.received_to)
    if f.consultant_id is not None:
        stmt = stmt.where(Order.consultant_id == f.consultant_id)
    if f.open is not None:
        closed = Order.status.in_([s.value for s in CLOSED])
        stmt = stmt.where(~closed if f.open else closed)
    if f.q:
        stmt = stmt.where(func.lower(Order.title).contains(f.q.strip().lower(), autoescape=True))
    return stmt.order_by(Order.received_on.desc(), Order.id.desc())


def company_name(session: Session, company_id: int) -> str | None:
    return session.exec(select(Company.name).where(Company.id == company_id)).first()


def proposals_of(order_id: int):
    return select(Proposal).where(Proposal.order_id == order_id).order_by(Proposal.proposed_on, Proposal.id)


def proposal_for(session: Session, order_id: int, candidate_ref: str) -> Proposal | None:
    return session.exec(
        select(Proposal).where(Proposal.order_id == order_id, Proposal.candidate_ref == candidate_ref)
    ).first()


def has_links(session: Session, order_id: int) -> bool:
    for model in (Proposal, Placement):
        if session.exec(select(model.id).where(model.order_id == order_id).limit(1)).first():
            return True
    return False


def shortlist_of(order_id: int):
    """The order's shortlist, first added first, with the name of the consultant who added each."""
    return (
        select(ShortlistEntry, User.full_name)
        .join(User, User.id == ShortlistEntry.created_by, isouter=True)
        .where(ShortlistEntry.order_id == order_id)
        .order_by(ShortlistEntry.created_at, ShortlistEntry.id)
    )


def shortlist_entry(session: Session, order_id: int, candidate_ref: str) -> ShortlistEntry | None:
    return session.exec(
        select(ShortlistEntry).where(ShortlistEntry.order_id == order_id, ShortlistEntry.candidate_ref == candidate_ref)
    ).first()


def clear_shortlist(session: Session, order_id: int) -> None:
    session.exec(delete(ShortlistEntry).where(ShortlistEntry.order_id == order_id))


def user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.exec(select(User.full_name).where(User.id == user_id)).first()

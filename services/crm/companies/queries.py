"""Every query on companies, contacts and a company's history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from services.crm.activities.models import Activity
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.companies.models import Company, Contact, Workplace
from services.crm.orders.models import Order
from services.crm.partnerships.models import Partnership
from services.crm.placements.models import Placement


def partner_on(day: date):
    """SQL condition: the company has an agreement active on `day` (kpi-definitions.md)."""
    return exists().where(
        Partnership.company_id == Company.id,
        Partnership.signed_on <= day,
        or_(Partnership.ends_on.is_(None), Partnership.ends_on >= day),
    )


def by_cvr(session: Session, cvr: str) -> Company | None:
    return session.exec(select(Company).where(Company.cvr == cvr)).first()


def search(
    q: str | None = None,
    sector: str | None = None,
    industry_code: str | None = None,
    partner: bool | None = None,
    consultant_id: int | None = None,
    only_company_id: int | None = None,
):
    stmt = select(Company)
    if only_company_id is not None:
        stmt = stmt.where(Company.id == only_company_id)
    if q:
        term = q.strip().lower()
        digits = term.replace(" ", "")
        cond = func.lower(Company.name).contains(term, autoescape=True)
        if digits.isdigit():
            cond = or_(cond, Company.cvr.startswith(digits, autoescape=True))
        stmt = stmt.where(cond)
    if sector:
        stmt = stmt.where(Company.sector == sector)
    if industry_code:
        stmt = stmt.where(Company.industry_code.startswith(industry_code, autoescape=True))
    if consultant_id is not None:
        stmt = stmt.where(Company.consultant_id == consultant_id)
    if partner is not None:
        cond = partner_on(date.today())
        stmt = stmt.where(cond if partner else ~cond)
    # Name matches that start with the term first: what a consultant typing a name expects.
    if q:
        stmt = stmt.order_by(func.lower(Company.name).startswith(q.strip().lower(), autoescape=True).desc())
    return stmt.order_by(Company.name, Company.id)


def partner_ids(session: Session, company_ids: list[int], day: date) -> set[int]:
    if not company_ids:
        return set()
    rows = session.exec(
        select(Partnership.company_id).where(
            Partnership.company_id.in_(company_ids),
            Partnership.signed_on <= day,
            or_(Partnership.ends_on.is_(None), Partnership.ends_on >= day),
        )
    ).all()
    return set(rows)


def contacts_of(company_id: int):
    return select(Contact).where(Contact.company_id == company_id).order_by(Contact.name, Contact.id)


def contacts_with_email(session: Session, company_id: int) -> list[Contact]:
    """The company's contacts that have an e-mail address, oldest first (an order receipt's fallback)."""
    return list(session.exec(
        select(Contact).where(Contact.company_id == company_id, Contact.email.is_not(None),
                              func.trim(Contact.email) != "").order_by(Contact.id)
    ))


def workplaces_of(session: Session, company_id: int) -> list[Workplace]:
    return list(session.exec(select(Workplace).where(Workplace.company_id == company_id).order_by(Workplace.p_number)))


def has_history(session: Session, company_id: int) -> bool:
    for model in (Activity, Order, Placement, Partnership):
        if session.exec(select(model.id).where(model.company_id == company_id).limit(1)).first():
            return True
    return False


def timeline_sources(session: Session, company_id: int, window: int):
    """Newest `window` rows of each kind; the service merges them. Each query uses an index."""
    activities = session.exec(
        select(Activity).where(Activity.company_id == company_id).order_by(Activity.occurred_at.desc()).limit(window)
    ).all()
    orders = session.exec(
        select(Order).where(Order.company_id == company_id).order_by(Order.received_on.desc()).limit(window)
    ).all()
    partnerships = session.exec(
        select(Partnership).where(Partnership.company_id == company_id).order_by(Partnership.signed_on.desc()).limit(window)
    ).all()
    placements = session.exec(
        select(Placement).where(Placement.company_id == company_id).order_by(Placement.starts_on.desc()).limit(window)
    ).all()
    targets = session.exec(
        select(CampaignTarget, Campaign)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .where(CampaignTarget.company_id == company_id)
        .order_by(Campaign.starts_on.desc())
        .limit(window)
    ).all()
    return activities, orders, partnerships, placements, targets


def timeline_total(session: Session, company_id: int) -> int:
    total = 0
    for model in (Activity, Order, Partnership, CampaignTarget):
        total += session.exec(select(func.count()).select_from(model).where(model.company_id == company_id)).one()
    starts, ends = session.exec(
        select(func.count(), func.count(Placement.ends_on)).where(and_(Placement.company_id == company_id))
    ).one()
    return total + starts + ends

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from services.crm.companies.models import Company
from services.crm.job_ads.models import JobAd
from services.crm.orders.lifecycle import CLOSED
from services.crm.orders.models import Order


def of_order(session: Session, order_id: int) -> JobAd | None:
    return session.exec(select(JobAd).where(JobAd.order_id == order_id)).first()


def public(day: date, ad_id: int | None = None):
    """Public ads with their order and company name, newest first.

    An ad whose order closed is withdrawn in the same transaction; the order status and deadline
    are checked here as well, so an order past its deadline leaves the list at midnight, before
    the morning round expires it.
    """
    stmt = (
        select(JobAd, Order, Company.name)
        .join(Order, Order.id == JobAd.order_id)
        .join(Company, Company.id == Order.company_id)
        .where(JobAd.published_at.is_not(None), JobAd.withdrawn_at.is_(None),
               Order.status.not_in([s.value for s in CLOSED]),
               or_(Order.deadline.is_(None), Order.deadline >= day))
        .order_by(JobAd.published_at.desc(), JobAd.id.desc())
    )
    if ad_id is not None:
        stmt = stmt.where(JobAd.id == ad_id)
    return stmt


def last_change(session: Session) -> datetime | None:
    """When the public list last changed: any ad's change (a withdrawal too) or a public ad's order."""
    ads = session.exec(select(func.max(JobAd.updated_at))).one()
    orders = session.exec(
        select(func.max(Order.updated_at)).join(JobAd, JobAd.order_id == Order.id)
        .where(JobAd.published_at.is_not(None), JobAd.withdrawn_at.is_(None))
    ).one()
    times = [t for t in (ads, orders) if t is not None]
    return max(times) if times else None

"""Every query of the satisfaction surveys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import Session, select

from services.crm.companies.models import Company
from services.crm.orders.models import Order
from services.crm.satisfaction.models import SatisfactionSurvey as S


def survey_of_order(session: Session, order_id: int) -> S | None:
    return session.exec(select(S).where(S.order_id == order_id)).first()


def locked(session: Session, survey_id: int) -> S | None:
    return session.exec(select(S).where(S.id == survey_id).with_for_update()
                        .execution_options(populate_existing=True)).first()


def sent_between(session: Session, lo: datetime, hi: datetime) -> list[tuple[datetime, bool]]:
    """(sent_at, answered) of the surveys sent in [lo, hi)."""
    rows = session.exec(select(S.sent_at, S.answered_at.is_not(None)).where(S.sent_at >= lo, S.sent_at < hi)).all()
    return [(r[0], bool(r[1])) for r in rows]


def answered_between(session: Session, lo: datetime, hi: datetime) -> list[tuple[int, int, str, int, str | None, datetime]]:
    """(survey id, order id, company name, score, comment, answered_at) of answers given in [lo, hi)."""
    rows = session.exec(
        select(S.id, S.order_id, Company.name, S.score, S.comment, S.answered_at)
        .join(Company, Company.id == S.company_id)
        .where(S.answered_at.is_not(None), S.answered_at >= lo, S.answered_at < hi)
        .order_by(S.answered_at.desc(), S.id.desc())
    ).all()
    return [tuple(r) for r in rows]


def of_company(session: Session, company_id: int, limit: int) -> list[tuple[S, str]]:
    rows = session.exec(
        select(S, Order.title).join(Order, Order.id == S.order_id)
        .where(S.company_id == company_id).order_by(S.sent_at.desc(), S.id.desc()).limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def company_totals(session: Session, company_id: int) -> tuple[int, int, int]:
    """(sent, answered, satisfied) over every survey of the company."""
    row = session.exec(
        select(func.count(S.id), func.count(S.answered_at),
               func.coalesce(func.sum(case((S.score >= 4, 1), else_=0)), 0))
        .where(S.company_id == company_id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2] or 0)


def of_contact(session: Session, contact_id: int) -> list[S]:
    return list(session.exec(select(S).where(S.contact_id == contact_id).order_by(S.sent_at, S.id)))


def forget_contact(session: Session, contact_id: int) -> int:
    """The contact's comments go, and so does the link between them and their answers."""
    return session.exec(update(S).where(S.contact_id == contact_id).values(comment=None, contact_id=None)).rowcount or 0

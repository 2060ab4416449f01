"""Every query on partnership agreements (partnerskabsaftaler) and their Verdensmål."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, select

from services.crm.companies.models import Company
from services.crm.partnerships.models import Partnership, PartnershipGoal
from shared.glossary import PartnershipStatus


def active_on(day: date):
    """SQL condition: the agreement is in force on `day` (kpi-definitions.md)."""
    return and_(Partnership.signed_on <= day, or_(Partnership.ends_on.is_(None), Partnership.ends_on >= day))


def status_condition(status: PartnershipStatus, today: date):
    if status is PartnershipStatus.kommende:
        return Partnership.signed_on > today
    if status is PartnershipStatus.udloebet:
        return and_(Partnership.ends_on.is_not(None), Partnership.ends_on < today)
    return active_on(today)


def search(
    *,
    company_id: int | None = None,
    active_on_day: date | None = None,
    goal: int | None = None,
    consultant_id: int | None = None,
    status: PartnershipStatus | None = None,
    today: date,
):
    stmt = select(Partnership, Company.name).join(Company, Company.id == Partnership.company_id)
    if company_id is not None:
        stmt = stmt.where(Partnership.company_id == company_id)
    if active_on_day is not None:
        stmt = stmt.where(active_on(active_on_day))
    if goal is not None:
        stmt = stmt.where(
            exists().where(PartnershipGoal.partnership_id == Partnership.id, PartnershipGoal.goal == goal)
        )
    if consultant_id is not None:
        stmt = stmt.where(Partnership.consultant_id == consultant_id)
    if status is not None:
        stmt = stmt.where(status_condition(status, today))
    return stmt.order_by(Partnership.signed_on.desc(), Partnership.id.desc())


def goals_of(session: Session, ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(ids)
    out: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return out
    rows = session.exec(
        select(PartnershipGoal.partnership_id, PartnershipGoal.goal)
        .where(PartnershipGoal.partnership_id.in_(ids))
        .order_by(PartnershipGoal.partnership_id, PartnershipGoal.goal)
    ).all()
    for pid, goal in rows:
        out[pid].append(goal)
    return out


def renewed_by(session: Session, ids: Iterable[int]) -> dict[int, int]:
    ids = list(ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Partnership.renews_id, Partnership.id).where(Partnership.renews_id.in_(ids))
    ).all()
    return {old: new for old, new in rows}


def of_company(session: Session, company_id: int) -> list[Partnership]:
    return list(
        session.exec(
            select(Partnership).where(Partnership.company_id == company_id).order_by(Partnership.signed_on, Partnership.id)
        )
    )


def overlapping(session: Session, company_id: int, start: date, end: date | None, exclude: Iterable[int] = ()):
    """An agreement of the company in force on some day of start..end (open end = forever)."""
    stmt = select(Partnership).where(
        Partnership.company_id == company_id,
        or_(Partnership.ends_on.is_(None), Partnership.ends_on >= start),
    )
    if end is not None:
        stmt = stmt.where(Partnership.signed_on <= end)
    excluded = [i for i in exclude if i is not None]
    if excluded:
        stmt = stmt.where(Partnership.id.not_in(excluded))
    return session.exec(stmt.order_by(Partnership.signed_on)).first()

"""Every query on company centres, their places and the placements that occupy them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from services.crm.centres.models import CentreAgreement, CentrePlaces
from services.crm.companies.models import Company
from services.crm.placements.models import Placement


def overlapping(model, start: date, end: date | None):
    """SQL condition: the row's period (starts_on..ends_on, open end allowed) meets start..end."""
    cond = or_(model.ends_on.is_(None), model.ends_on >= start)
    if end is not None:
        cond = cond & (model.starts_on <= end)
    return cond


def lock(session: Session, centre_id: int) -> CentreAgreement | None:
    """The agreement, locked until the commit: two reservations of the last place wait for each other."""
    return session.exec(select(CentreAgreement).where(CentreAgreement.id == centre_id).with_for_update()).first()


def places_of(session: Session, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = list(ids)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return out
    for row in session.exec(select(CentrePlaces).where(CentrePlaces.agreement_id.in_(ids))
                            .order_by(CentrePlaces.agreement_id, CentrePlaces.scheme)):
        out[row.agreement_id][row.scheme] = row.places
    return out


def search(company_id: int | None = None, consultant_id: int | None = None, active_on: date | None = None):
    stmt = select(CentreAgreement, Company.name).join(Company, Company.id == CentreAgreement.company_id)
    if company_id is not None:
        stmt = stmt.where(CentreAgreement.company_id == company_id)
    if consultant_id is not None:
        stmt = stmt.where(CentreAgreement.consultant_id == consultant_id)
    if active_on is not None:
        stmt = stmt.where(CentreAgreement.starts_on <= active_on, overlapping(CentreAgreement, active_on, None))
    return stmt.order_by(Company.name, CentreAgreement.id)


def in_period(session: Session, start: date, end: date) -> list[tuple[CentreAgreement, str]]:
    return list(session.exec(
        select(CentreAgreement, Company.name).join(Company, Company.id == CentreAgreement.company_id)
        .where(overlapping(CentreAgreement, start, end)).order_by(Company.name, CentreAgreement.id)).all())


def occupying(session: Session, centre_ids: Iterable[int], start: date, end: date | None,
              scheme: str | None = None, exclude_id: int | None = None) -> list[Placement]:
    """The centres' placements running on some day of start..end."""
    centre_ids = list(centre_ids)
    if not centre_ids:
        return []
    stmt = select(Placement).where(Placement.centre_id.in_(centre_ids), overlapping(Placement, start, end))
    if scheme is not None:
        stmt = stmt.where(Placement.scheme == scheme)
    if exclude_id is not None:
        stmt = stmt.where(Placement.id != exclude_id)
    return list(session.exec(stmt.order_by(Placement.starts_on, Placement.id)).all())


def company_supported(session: Session, company_id: int, schemes: Iterable[str], start: date,
                      end: date | None) -> list[Placement]:
    """Every placement at the company in the ratio rule's schemes in start..end, centre or not."""
    schemes = list(schemes)
    if not schemes:
        return []
    return list(session.exec(select(Placement).where(
        Placement.company_id == company_id, Placement.scheme.in_(schemes), overlapping(Placement, start, end))).all())


def active_ids(session: Session, day: date) -> list[int]:
    return list(session.exec(select(CentreAgreement.id).where(
        CentreAgreement.starts_on <= day, overlapping(CentreAgreement, day, None))).all())

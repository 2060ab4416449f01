"""Every query on placements and their weekly-hours follow-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from services.crm.placements.models import HoursFollowUp, Placement


def active_on(day: date):
    """SQL condition: the placement runs on `day` (kpi-definitions.md)."""
    return (Placement.starts_on <= day) & or_(Placement.ends_on.is_(None), Placement.ends_on >= day)


@dataclass
class PlacementFilter:
    company_id: int | None = None
    order_id: int | None = None
    scheme: str | None = None
    target_group: str | None = None
    outcome: str | None = None
    candidate_ref: str | None = None
    consultant_id: int | None = None
    active_on: date | None = None
    started_from: date | None = None
    started_to: date | None = None
    centre_id: int | None = None

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v is not None}


def search(f: PlacementFilter):
    stmt = select(Placement)
    if f.company_id is not None:
        stmt = stmt.where(Placement.company_id == f.company_id)
    if f.order_id is not None:
        stmt = stmt.where(Placement.order_id == f.order_id)
    if f.scheme:
        stmt = stmt.where(Placement.scheme == f.scheme)
    if f.target_group:
        stmt = stmt.where(Placement.target_group == f.target_group)
    if f.outcome:
        stmt = stmt.where(Placement.outcome == f.outcome)
    if f.candidate_ref:
        stmt = stmt.where(Placement.candidate_ref == f.candidate_ref)
    if f.consultant_id is not None:
        stmt = stmt.where(Placement.consultant_id == f.consultant_id)
    if f.active_on is not None:
        stmt = stmt.where(active_on(f.active_on))
    if f.started_from is not None:
        stmt = stmt.where(Placement.starts_on >= f.started_from)
    if f.started_to is not None:
        stmt = stmt.where(Placement.starts_on <= f.started_to)
    if f.centre_id is not None:
        stmt = stmt.where(Placement.centre_id == f.centre_id)
    return stmt.order_by(Placement.starts_on.desc(), Placement.id.desc())


def count_active(
    session: Session, company_id: int, schemes: Iterable[str], day: date, exclude_id: int | None = None
) -> int:
    """The company's placements of `schemes` running on `day` (the ratio rule's count)."""
    schemes = list(schemes)
    if not schemes:
        return 0
    stmt = select(func.count()).select_from(Placement).where(
        Placement.company_id == company_id, Placement.scheme.in_(schemes), active_on(day)
    )
    if exclude_id is not None:
        stmt = stmt.where(Placement.id != exclude_id)
    return int(session.exec(stmt).one())


def hours_of(placement_id: int):
    return select(HoursFollowUp).where(HoursFollowUp.placement_id == placement_id).order_by(HoursFollowUp.on)


def hours_on(session: Session, placement_id: int, on: date) -> HoursFollowUp | None:
    return session.exec(
        select(HoursFollowUp).where(HoursFollowUp.placement_id == placement_id, HoursFollowUp.on == on)
    ).first()


def hours_outside(session: Session, placement_id: int, starts_on: date, ends_on: date | None) -> list[date]:
    """Follow-up dates a changed period would leave outside the placement."""
    cond = HoursFollowUp.on < starts_on
    if ends_on is not None:
        cond = or_(cond, HoursFollowUp.on > ends_on)
    return list(session.exec(
        select(HoursFollowUp.on).where(HoursFollowUp.placement_id == placement_id, cond).order_by(HoursFollowUp.on)
    ).all())

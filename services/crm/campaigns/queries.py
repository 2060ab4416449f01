"""Every query on campaigns and their target lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import exists, func, insert, literal, or_
from sqlmodel import Session, select

from services.crm.activities.models import Activity
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.campaigns.schemas import Segment
from services.crm.companies.models import Company
from services.crm.partnerships.models import Partnership
from shared.glossary import CampaignSegmentKind, CampaignTargetStatus


def segment_condition(segment: Segment, partners_on: date):
    """SQL condition on Company for a segment."""
    kind = segment.kind
    if kind is CampaignSegmentKind.all:
        return Company.employees >= 1
    if kind is CampaignSegmentKind.sector:
        return Company.sector == segment.sector.value
    conds = []
    if segment.industry_code:
        conds.append(Company.industry_code.startswith(segment.industry_code, autoescape=True))
    if kind is CampaignSegmentKind.partners:
        conds.append(
            exists().where(
                Partnership.company_id == Company.id,
                Partnership.signed_on <= partners_on,
                or_(Partnership.ends_on.is_(None), Partnership.ends_on >= partners_on),
            )
        )
    return conds[0] if len(conds) == 1 else conds[0] & conds[1]


def materialise_targets(session: Session, campaign: Campaign, segment: Segment, now: datetime) -> None:
    """One INSERT .. SELECT: the yearly visit campaign to every company is a single statement."""
    source = select(
        literal(campaign.id),
        Company.id,
        literal(CampaignTargetStatus.planlagt.value),
        Company.consultant_id,
        literal(now, type_=CampaignTarget.__table__.c.updated_at.type),
    ).where(segment_condition(segment, campaign.starts_on))
    session.exec(
        insert(CampaignTarget).from_select(["campaign_id", "company_id", "status", "consultant_id", "updated_at"], source)
    )


def target_company_ids(session: Session, campaign_id: int) -> list[int]:
    return list(session.exec(select(CampaignTarget.company_id).where(CampaignTarget.campaign_id == campaign_id)
                             .order_by(CampaignTarget.company_id)))


def counts(session: Session, campaign_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = list(campaign_ids)
    out: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in CampaignTargetStatus})
    if not ids:
        return out
    rows = session.exec(
        select(CampaignTarget.campaign_id, CampaignTarget.status, func.count())
        .where(CampaignTarget.campaign_id.in_(ids))
        .group_by(CampaignTarget.campaign_id, CampaignTarget.status)
    ).all()
    for cid, status, n in rows:
        out[cid][status] = n
    return out


def campaigns(kind: str | None = None, active_on: date | None = None):
    stmt = select(Campaign)
    if kind is not None:
        stmt = stmt.where(Campaign.kind == kind)
    if active_on is not None:
        stmt = stmt.where(Campaign.starts_on <= active_on, or_(Campaign.ends_on.is_(None), Campaign.ends_on >= active_on))
    return stmt.order_by(Campaign.starts_on.desc(), Campaign.id.desc())


def targets(campaign_id: int, status: str | None = None, consultant_id: int | None = None, q: str | None = None):
    stmt = (
        select(CampaignTarget, Company)
        .join(Company, Company.id == CampaignTarget.company_id)
        .where(CampaignTarget.campaign_id == campaign_id)
    )
    if status is not None:
        stmt = stmt.where(CampaignTarget.status == status)
    if consultant_id is not None:
        stmt = stmt.where(CampaignTarget.consultant_id == consultant_id)
    if q:
        term = q.strip().lower()
        stmt = stmt.where(or_(func.lower(Company.name).contains(term, autoescape=True),
                              Company.cvr.startswith(term, autoescape=True)))
    return stmt.order_by(Company.name, Company.id)


def target_of(session: Session, campaign_id: int, company_id: int) -> CampaignTarget | None:
    return session.exec(
        select(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id, CampaignTarget.company_id == company_id)
    ).first()


def has_activities(session: Session, campaign_id: int) -> bool:
    return session.exec(select(Activity.id).where(Activity.campaign_id == campaign_id).limit(1)).first() is not None

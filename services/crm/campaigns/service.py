"""Campaigns and their target lists; each public function that writes is one commit."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session

from services.crm import events
from services.crm.campaigns import queries
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    TargetAdd,
    TargetRead,
    TargetUpdate,
)
from services.crm.companies.models import Company
from services.crm.partnerships.service import check_consultant
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.events import EventType, publish
from shared.glossary import CAMPAIGN_KIND_LABELS, CAMPAIGN_TARGET_LABELS, CampaignTargetStatus
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate


def to_read(c: Campaign, counts: dict[str, int]) -> CampaignRead:
    return CampaignRead(
        id=c.id, name=c.name, kind=c.kind, kind_label=CAMPAIGN_KIND_LABELS.get(c.kind, c.kind),
        description=c.description, starts_on=c.starts_on, ends_on=c.ends_on, segment=c.segment,
        created_by=c.created_by, created_at=c.created_at, targets_total=sum(counts.values()), counts=counts,
    )


def target_read(t: CampaignTarget, company: Company) -> TargetRead:
    return TargetRead(
        id=t.id, campaign_id=t.campaign_id, company_id=company.id, company_name=company.name, cvr=company.cvr,
        postcode=company.postcode, industry_code=company.industry_code, employees=company.employees,
        status=t.status, status_label=CAMPAIGN_TARGET_LABELS.get(t.status, t.status), consultant_id=t.consultant_id,
        follow_up_on=t.follow_up_on, note=t.note, updated_at=t.updated_at,
    )


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"Kampagne {campaign_id} findes ikke.")
    return campaign


def read_campaign(session: Session, campaign_id: int) -> CampaignRead:
    campaign = get_campaign(session, campaign_id)
    return to_read(campaign, queries.counts(session, [campaign.id])[campaign.id])


def list_campaigns(session: Session, params: PageParams, *, kind=None, active_on=None):
    items, total = paginate(session, queries.campaigns(kind, active_on), params)
    counts = queries.counts(session, [c.id for c in items])
    return [to_read(c, counts[c.id]) for c in items], total


def create_campaign(session: Session, principal: Principal, data: CampaignCreate) -> CampaignRead:
    segment = data.segment.model_dump(mode="json", exclude_none=True)
    campaign = Campaign(name=data.name, kind=data.kind.value, description=data.description,
                        starts_on=data.starts_on, ends_on=data.ends_on, segment=segment,
                        created_by=principal.user_id)
    session.add(campaign)
    session.flush()
    queries.materialise_targets(session, campaign, data.segment, utcnow())
    events.publish_campaign_created(session, campaign, queries.target_company_ids(session, campaign.id))
    session.commit()
    return read_campaign(session, campaign.id)


def update_campaign(session: Session, campaign_id: int, data: CampaignUpdate) -> CampaignRead:
    campaign = get_campaign(session, campaign_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "kind", "starts_on"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    start = changes.get("starts_on", campaign.starts_on)
    end = changes["ends_on"] if "ends_on" in changes else campaign.ends_on
    if end is not None and end < start:
        raise Invalid(f"Slutdatoen {end.isoformat()} ligger før startdatoen {start.isoformat()}.", field="ends_on")
    if "kind" in changes:
        changes["kind"] = data.kind.value
    before = {key: getattr(campaign, key) for key in events.CAMPAIGN_CHANGE_FIELDS}
    for key, value in changes.items():
        setattr(campaign, key, value)
    session.add(campaign)
    events.publish_campaign_changed(session, campaign, before)
    session.commit()
    return read_campaign(session, campaign.id)


def delete_campaign(session: Session, campaign_id: int) -> None:
    campaign = get_campaign(session, campaign_id)
    if queries.has_activities(session, campaign_id):
        raise Conflict("Kampagnen har registrerede aktiviteter og kan ikke slettes; sæt en slutdato i stedet.")
    session.exec(delete(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id))
    session.delete(campaign)
    publish(session, EventType.campaign_deleted, {"campaign_id": campaign_id})
    session.commit()


def list_targets(session: Session, campaign_id: int, params: PageParams, *, status=None, consultant_id=None, q=None):
    get_campaign(session, campaign_id)
    rows, total = paginate(session, queries.targets(campaign_id, status, consultant_id, q), params)
    counts = queries.counts(session, [campaign_id])[campaign_id]
    return [target_read(t, c) for t, c in rows], total, counts


def _target(session: Session, campaign_id: int, target_id: int) -> CampaignTarget:
    target = session.get(CampaignTarget, target_id)
    if target is None or target.campaign_id != campaign_id:
        raise NotFound(f"Kampagnemål {target_id} findes ikke i kampagne {campaign_id}.")
    return target


def update_target(session: Session, campaign_id: int, target_id: int, data: TargetUpdate) -> TargetRead:
    get_campaign(session, campaign_id)
    target = _target(session, campaign_id, target_id)
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes:
        if changes["status"] is None:
            raise Invalid("status kan ikke fjernes.", field="status")
        changes["status"] = CampaignTargetStatus(changes["status"]).value
    if "consultant_id" in changes:
        check_consultant(session, changes["consultant_id"])
    for key, value in changes.items():
        setattr(target, key, value)
    target.updated_at = utcnow()
    session.add(target)
    session.commit()
    return target_read(target, session.get(Company, target.company_id))


def add_target(session: Session, campaign_id: int, data: TargetAdd) -> TargetRead:
    """Put a company outside the segment on the list by hand (e.g. a new company in town)."""
    get_campaign(session, campaign_id)
    company = session.get(Company, data.company_id)
    if company is None:
        raise Invalid(f"Virksomhed {data.company_id} findes ikke.", field="company_id")
    existing = queries.target_of(session, campaign_id, company.id)
    if existing is not None:
        raise Conflict(f"{company.name} er allerede på kampagnens målliste.", field="company_id",
                       existing={"id": existing.id})
    target = CampaignTarget(campaign_id=campaign_id, company_id=company.id, consultant_id=company.consultant_id)
    session.add(target)
    publish(session, EventType.campaign_target_added, {"campaign_id": campaign_id, "company_id": company.id})
    session.commit()
    return target_read(target, company)

"""Every query on activities and the follow-up tasks they and campaign targets create."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from services.crm.activities.models import Activity
from services.crm.activities.schemas import local_tz
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.companies.models import Company
from services.crm.users.models import User
from shared.glossary import FINAL_CAMPAIGN_TARGET_STATUSES, FollowUpKind


def day_start(day: date) -> datetime:
    """The first instant of a Danish calendar day, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=local_tz())


def search(
    *,
    company_id: int | None = None,
    consultant_id: int | None = None,
    channel: str | None = None,
    from_day: date | None = None,
    to_day: date | None = None,
    campaign_id: int | None = None,
):
    stmt = (
        select(Activity, Company.name, User.full_name)
        .join(Company, Company.id == Activity.company_id)
        .outerjoin(User, User.id == Activity.consultant_id)
    )
    if company_id is not None:
        stmt = stmt.where(Activity.company_id == company_id)
    if consultant_id is not None:
        stmt = stmt.where(Activity.consultant_id == consultant_id)
    if channel is not None:
        stmt = stmt.where(Activity.channel == channel)
    if from_day is not None:
        stmt = stmt.where(Activity.occurred_at >= day_start(from_day))
    if to_day is not None:
        # Both days are included (kpi-definitions.md): up to the start of the day after `to`.
        stmt = stmt.where(Activity.occurred_at < day_start(to_day + timedelta(days=1)))
    if campaign_id is not None:
        stmt = stmt.where(Activity.campaign_id == campaign_id)
    return stmt.order_by(Activity.occurred_at.desc(), Activity.id.desc())


def one(session: Session, activity_id: int):
    return session.exec(search().where(Activity.id == activity_id)).first()


def campaign_target(session: Session, campaign_id: int, company_id: int) -> CampaignTarget | None:
    return session.exec(
        select(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id, CampaignTarget.company_id == company_id)
    ).first()


def open_tasks(
    *,
    consultant_id: int | None = None,
    company_id: int | None = None,
    due_before: date | None = None,
    due_on: date | None = None,
):
    """Open follow-ups of both kinds in one statement, soonest first.

    A task without its own consultant belongs to the company's consultant, so nobody's
    follow-up falls between two chairs.
    """
    act_consultant = func.coalesce(Activity.consultant_id, Company.consultant_id)
    activities = (
        select(
            literal(FollowUpKind.aktivitet.value).label("kind"),
            Activity.id.label("id"),
            Activity.company_id.label("company_id"),
            Company.name.label("company_name"),
            act_consultant.label("consultant_id"),
            Activity.campaign_id.label("campaign_id"),
            Activity.follow_up_on.label("follow_up_on"),
            Activity.summary.label("summary"),
        )
        .join(Company, Company.id == Activity.company_id)
        .where(Activity.follow_up_on.is_not(None), Activity.follow_up_done_at.is_(None))
    )
    target_consultant = func.coalesce(CampaignTarget.consultant_id, Company.consultant_id)
    targets = (
        select(
            literal(FollowUpKind.kampagne.value).label("kind"),
            CampaignTarget.id.label("id"),
            CampaignTarget.company_id.label("company_id"),
            Company.name.label("company_name"),
            target_consultant.label("consultant_id"),
            CampaignTarget.campaign_id.label("campaign_id"),
            CampaignTarget.follow_up_on.label("follow_up_on"),
            func.coalesce(CampaignTarget.note, literal("Kampagne: ") + Campaign.name).label("summary"),
        )
        .join(Company, Company.id == CampaignTarget.company_id)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .where(
            CampaignTarget.follow_up_on.is_not(None),
            CampaignTarget.status.not_in([s.value for s in FINAL_CAMPAIGN_TARGET_STATUSES]),
        )
    )
    def narrowed(part, model, consultant):
        if consultant_id is not None:
            part = part.where(consultant == consultant_id)
        if company_id is not None:
            part = part.where(model.company_id == company_id)
        if due_before is not None:
            part = part.where(model.follow_up_on <= due_before)
        if due_on is not None:
            part = part.where(model.follow_up_on == due_on)
        return part

    activities = narrowed(activities, Activity, act_consultant)
    targets = narrowed(targets, CampaignTarget, target_consultant)
    both = union_all(activities, targets).subquery("task")
    # SQLAlchemy's select: SQLModel's would collapse the one-entity result to scalars.
    return sa_select(both).order_by(both.c.follow_up_on, both.c.kind, both.c.id)


def user_emails(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(User.id.in_(ids))).all())

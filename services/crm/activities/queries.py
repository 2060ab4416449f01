"""Every query on activities and the follow-up tasks they and campaign targets create."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, literal, union_all
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


def _open_task_arms(
    *,
    count_only: bool,
    consultant_id: int | None,
    company_id: int | None,
    due_before: date | None,
    due_on: date | None,
    first: int | None = None,
) -> list:
    """The SELECTs whose union is the task list, one per kind of task and, for one consultant, per
    way a task is theirs.

    A task without its own consultant belongs to the company's consultant, so nobody's follow-up
    falls between two chairs. For one consultant that is asked as two cases, their own tasks and
    unassigned ones at their companies: `coalesce(task.consultant_id, company.consultant_id) = :id`
    could only be tested after joining every open task to its company, while each case alone is a
    range of a partial index on open follow-ups (migration crm0003), already in the list's order.
    Counting reads only the indexed columns (an index-only scan on PostgreSQL).
    """
    def arm(model, kind: FollowUpKind, is_open, summary, consultant, join_company: bool):
        columns = [model.id] if count_only else [
            literal(kind.value).label("kind"), model.id.label("id"), model.company_id.label("company_id"),
            consultant.label("consultant_id"), model.campaign_id.label("campaign_id"),
            model.follow_up_on.label("follow_up_on"), summary.label("summary"),
        ]
        stmt = select(*columns).where(*is_open)
        if join_company:
            stmt = stmt.join(Company, Company.id == model.company_id)
        if company_id is not None:
            stmt = stmt.where(model.company_id == company_id)
        if due_before is not None:
            stmt = stmt.where(model.follow_up_on <= due_before)
        if due_on is not None:
            stmt = stmt.where(model.follow_up_on == due_on)
        return stmt

    kinds = [
        (Activity, FollowUpKind.aktivitet, (Activity.follow_up_on.is_not(None), Activity.follow_up_done_at.is_(None)),
         Activity.summary),
        (CampaignTarget, FollowUpKind.kampagne, (
            CampaignTarget.follow_up_on.is_not(None),
            CampaignTarget.status.not_in([s.value for s in FINAL_CAMPAIGN_TARGET_STATUSES]),
        ), CampaignTarget.note),  # a target without a note is named after its campaign by open_tasks
    ]
    def only_first(stmt, model):
        # A page's part: its first rows are found by their ids alone, an index-only scan of the
        # partial index in the list's order, then read by primary key. Asked for every column at
        # once, PostgreSQL preferred the older (consultant_id, follow_up_on) index over all of a
        # consultant's dated follow-ups, done or not, and walked ~16,000 of them to find 25 open
        # ones when those are the recent few at its end, as in real use (and the demo data since
        # issue 11): 10-20 ms instead of ~2 ms.
        if first is None or count_only:
            return stmt
        keys = stmt.with_only_columns(model.id).order_by(model.follow_up_on, model.id).limit(first)
        return stmt.where(model.id.in_(keys))

    arms = []
    for model, *how in kinds:
        if consultant_id is None:
            arms.append(arm(model, *how, func.coalesce(model.consultant_id, Company.consultant_id),
                            join_company=not count_only))
        else:
            arms.append(only_first(arm(model, *how, model.consultant_id, join_company=False)
                                   .where(model.consultant_id == consultant_id), model))
            arms.append(only_first(arm(model, *how, Company.consultant_id, join_company=True)
                                   .where(model.consultant_id.is_(None), Company.consultant_id == consultant_id),
                                   model))
    return arms


def open_tasks(
    *,
    consultant_id: int | None = None,
    company_id: int | None = None,
    due_before: date | None = None,
    due_on: date | None = None,
    first: int | None = None,
):
    """Open follow-ups of both kinds in one statement, soonest first; with `first`, only what a
    page ending there needs (limit + offset): each part's own `first` rows, read in index order,
    so a consultant with thousands of open tasks costs a few index pages, not a sort of them all.
    Company and campaign names are joined to those rows only."""
    arms = _open_task_arms(count_only=False, consultant_id=consultant_id, company_id=company_id,
                           due_before=due_before, due_on=due_on, first=first)
    if first is not None:
        # Within a part the kind is constant, so its first rows by (date, id) hold all it can add to
        # the list's first rows by (date, kind, id). Wrapped, as SQLite allows no LIMIT in a UNION's part.
        arms = [sa_select(a.order_by(a.selected_columns.follow_up_on, a.selected_columns.id).limit(first).subquery())
                for a in arms]
    task = union_all(*arms).subquery("task")
    # SQLAlchemy's select: SQLModel's would collapse the one-entity result to scalars.
    return (
        sa_select(
            task.c.kind, task.c.id, task.c.company_id, Company.name.label("company_name"), task.c.consultant_id,
            task.c.campaign_id, task.c.follow_up_on,
            func.coalesce(task.c.summary, literal("Kampagne: ") + Campaign.name).label("summary"),
        )
        .select_from(task)
        .join(Company, Company.id == task.c.company_id)
        .outerjoin(Campaign, and_(Campaign.id == task.c.campaign_id, task.c.summary.is_(None)))
        .order_by(task.c.follow_up_on, task.c.kind, task.c.id)
    )


def count_open_tasks(
    *,
    consultant_id: int | None = None,
    company_id: int | None = None,
    due_before: date | None = None,
):
    arms = _open_task_arms(count_only=True, consultant_id=consultant_id, company_id=company_id,
                           due_before=due_before, due_on=None)
    return sa_select(func.count()).select_from(union_all(*arms).subquery("task"))


def user_emails(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """(e-mail, full name) of each user in `ids`."""
    if not ids:
        return {}
    return {uid: (email, name) for uid, email, name in
            session.exec(select(User.id, User.email, User.full_name).where(User.id.in_(ids))).all()}

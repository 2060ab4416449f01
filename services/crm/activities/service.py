"""Activities (besøg, opkald, ...) and the follow-up tasks; each public function that writes is one commit."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.crm.activities import queries
from services.crm.activities.models import Activity
from services.crm.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate, TaskRead, local_date, local_today
from services.crm.campaigns.models import Campaign
from services.crm.companies.models import Company, Contact
from services.crm.users.models import User
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Invalid, NotFound
from shared.events import EventType, publish
from shared.glossary import CHANNEL_LABELS, CampaignTargetStatus, Channel, Role
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate


class Forbidden(DomainError):
    status_code = 403


def to_read(a: Activity, company_name: str | None, consultant_name: str | None) -> ActivityRead:
    return ActivityRead.model_validate(a).model_copy(
        update={"company_name": company_name, "consultant_name": consultant_name,
                "channel_label": CHANNEL_LABELS.get(a.channel, a.channel)}
    )


def list_activities(session: Session, params: PageParams, **filters) -> tuple[list[ActivityRead], int]:
    rows, total = paginate(session, queries.search(**filters), params)
    return [to_read(*row) for row in rows], total


def get_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"Aktivitet {activity_id} findes ikke.")
    return activity


def read_activity(session: Session, activity_id: int) -> ActivityRead:
    row = queries.one(session, activity_id)
    if row is None:
        raise NotFound(f"Aktivitet {activity_id} findes ikke.")
    return to_read(*row)


def _check_contact(session: Session, contact_id: int | None, company_id: int) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise Invalid(f"Kontaktperson {contact_id} hører ikke til virksomhed {company_id}.", field="contact_id")


def _advance_campaign_target(session: Session, principal: Principal, campaign_id: int, company_id: int,
                             channel: Channel) -> None:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise Invalid(f"Kampagne {campaign_id} findes ikke.", field="campaign_id")
    target = queries.campaign_target(session, campaign_id, company_id)
    if target is None:
        raise Invalid(f"Virksomhed {company_id} er ikke på målgruppen for kampagnen '{campaign.name}'.",
                      field="campaign_id")
    # Status only moves forward: a phone call after a visit leaves the company "besøgt", and a
    # company that declined stays declined until a consultant changes it by hand.
    if channel is Channel.besoeg:
        new_status = CampaignTargetStatus.besoegt
    elif target.status == CampaignTargetStatus.planlagt:
        new_status = CampaignTargetStatus.kontaktet
    else:
        new_status = CampaignTargetStatus(target.status)
    if new_status != target.status or target.consultant_id is None:
        target.status = new_status.value
        target.consultant_id = target.consultant_id or principal.user_id
        target.updated_at = utcnow()
        session.add(target)


def create_activity(session: Session, principal: Principal, data: ActivityCreate) -> ActivityRead:
    company = session.get(Company, data.company_id)
    if company is None:
        raise Invalid(f"Virksomhed {data.company_id} findes ikke.", field="company_id")
    _check_contact(session, data.contact_id, company.id)
    if data.campaign_id is not None:
        _advance_campaign_target(session, principal, data.campaign_id, company.id, data.channel)
    activity = Activity(
        company_id=company.id, consultant_id=principal.user_id, contact_id=data.contact_id,
        campaign_id=data.campaign_id, channel=data.channel.value, purposes=[p.value for p in data.purposes],
        occurred_at=data.occurred_at, summary=data.summary, follow_up_on=data.follow_up_on,
    )
    session.add(activity)
    # Read in the same transaction: a second one after the commit would cost a round trip.
    consultant = session.get(User, principal.user_id)
    session.commit()
    return to_read(activity, company.name, consultant.full_name if consultant else None)


def update_activity(session: Session, principal: Principal, activity_id: int, data: ActivityUpdate) -> ActivityRead:
    activity = get_activity(session, activity_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("channel", "purposes", "occurred_at", "summary"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    occurred = changes.get("occurred_at", activity.occurred_at)
    follow_up = changes["follow_up_on"] if "follow_up_on" in changes else activity.follow_up_on
    if follow_up is not None and follow_up < local_date(occurred):
        raise Invalid(f"Opfølgningsdatoen {follow_up.isoformat()} ligger før aktiviteten "
                      f"({local_date(occurred).isoformat()}).", field="follow_up_on")
    if "contact_id" in changes:
        _check_contact(session, changes["contact_id"], activity.company_id)
    if "follow_up_on" in changes and changes["follow_up_on"] != activity.follow_up_on:
        activity.follow_up_done_at = None  # a new date is a new open task
    if "purposes" in changes:
        changes["purposes"] = [p.value for p in data.purposes]
    if "channel" in changes:
        changes["channel"] = data.channel.value
    for key, value in changes.items():
        setattr(activity, key, value)
    session.add(activity)
    session.commit()
    return read_activity(session, activity.id)


def delete_activity(session: Session, principal: Principal, activity_id: int) -> None:
    activity = get_activity(session, activity_id)
    if activity.consultant_id != principal.user_id and not principal.has_role(Role.leder):
        raise Forbidden("Kun den konsulent der registrerede aktiviteten, eller en leder, kan slette den.")
    session.delete(activity)
    session.commit()


def complete_follow_up(session: Session, activity_id: int) -> ActivityRead:
    activity = get_activity(session, activity_id)
    if activity.follow_up_on is None:
        raise Conflict(f"Aktivitet {activity_id} har ingen opfølgningsdato.", field="follow_up_on")
    if activity.follow_up_done_at is None:  # closing twice keeps the first time
        activity.follow_up_done_at = utcnow()
        session.add(activity)
        session.commit()
    return read_activity(session, activity.id)


def _task(row, today: date) -> TaskRead:
    m = row._mapping
    return TaskRead(kind=m["kind"], id=m["id"], company_id=m["company_id"], company_name=m["company_name"],
                    consultant_id=m["consultant_id"], campaign_id=m["campaign_id"], follow_up_on=m["follow_up_on"],
                    summary=m["summary"], due=m["follow_up_on"] <= today, overdue=m["follow_up_on"] < today)


def list_tasks(session: Session, params: PageParams, *, consultant_id: int | None = None,
               company_id: int | None = None, due_before: date | None = None) -> tuple[list[TaskRead], int]:
    # Not `paginate`: the page reads only its own rows of each part of the list, and the count
    # only the indexed columns, instead of both going through the whole list.
    filters = {"consultant_id": consultant_id, "company_id": company_id, "due_before": due_before}
    page = queries.open_tasks(**filters, first=params.offset + params.limit)
    rows = session.execute(page.limit(params.limit).offset(params.offset)).all()
    total = session.execute(queries.count_open_tasks(**filters)).scalar_one()
    today = local_today()
    return [_task(r, today) for r in rows], total


def publish_due_followups(session: Session, day: date) -> int:
    """Publish one `followup.due` event per open follow-up due on `day`; returns how many.

    Meant for a daily scheduled job. Running it twice for a day publishes the events again;
    notifications deduplicates them by `key` (kind, id, date), so nobody is reminded twice.
    """
    rows = session.exec(queries.open_tasks(due_on=day)).all()
    users = queries.user_emails(session, {r._mapping["consultant_id"] for r in rows} - {None})
    for row in rows:
        m = row._mapping
        email, name = users.get(m["consultant_id"], (None, None))
        publish(session, EventType.follow_up_due, {
            "key": f"{m['kind']}:{m['id']}:{day.isoformat()}",
            "kind": m["kind"], "id": m["id"], "company_id": m["company_id"], "company_name": m["company_name"],
            "consultant_id": m["consultant_id"], "consultant_email": email, "consultant_name": name,
            "follow_up_on": day.isoformat(), "summary": m["summary"], "campaign_id": m["campaign_id"],
        })
    session.commit()
    return len(rows)

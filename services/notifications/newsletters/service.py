"""Newsletters: write, preview, test, send now or later, and their figures.

Sending creates one delivery row per recipient e-mail address (dedupe key
`newsletter:<id>:<address>`) in the same transaction that marks the newsletter as sending, and
only after that commit are jobs queued. Sending again only adds rows for addresses that have
none, so nobody gets the newsletter twice however often it is sent.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.content.render import render_mail
from services.notifications.deliveries import queries as dq
from services.notifications.deliveries import service as deliveries
from services.notifications.deliveries.models import Delivery
from services.notifications.newsletters.models import Newsletter
from services.notifications.recipients import segments
from services.notifications.recipients.models import RecipientCampaign
from services.notifications.newsletters.schemas import (
    Counts,
    NewsletterCreate,
    NewsletterRead,
    NewsletterUpdate,
    Preview,
    SendAccepted,
    Segment,
)
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.logs import job_meta
from shared.glossary import (
    NEWSLETTER_STATUS_LABELS,
    SECTOR_LABELS,
    SEGMENT_LABELS,
    DeliveryKind,
    DeliveryStatus,
    NewsletterStatus,
    SegmentKind,
)
from shared.models_base import utcnow
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.newsletters")


def get(session: Session, newsletter_id: int) -> Newsletter:
    nl = session.get(Newsletter, newsletter_id)
    if nl is None:
        raise NotFound(f"Nyhedsbrev {newsletter_id} findes ikke.")
    return nl


def _check_segment(session: Session, segment: Segment) -> None:
    if segment.kind is SegmentKind.campaign and session.get(RecipientCampaign, segment.campaign_id) is None:
        raise Invalid(f"Kampagne {segment.campaign_id} findes ikke.", field="segment.campaign_id")
    if segments.count(session, segment.as_json()) == 0:
        raise Invalid(f"Segmentet ({segment_label(segment.as_json())}) rammer ingen kontaktpersoner med samtykke "
                      "til nyhedsbrevet og en e-mailadresse.", field="segment")


def segment_label(segment: dict) -> str:
    kind = SegmentKind(segment["kind"])
    label = SEGMENT_LABELS[kind]
    if kind is SegmentKind.sector:
        return f"{label}: {SECTOR_LABELS.get(segment['sector'], segment['sector'])}"
    if kind is SegmentKind.industry:
        return f"{label}: {segment['industry_code']}"
    if kind is SegmentKind.campaign:
        return f"{label}: kampagne {segment['campaign_id']}"
    return label


def create(session: Session, principal: Principal, data: NewsletterCreate) -> Newsletter:
    _check_segment(session, data.segment)
    nl = Newsletter(subject=data.subject, body_markdown=data.body_markdown, segment=data.segment.as_json(),
                    status=NewsletterStatus.kladde.value, created_by=principal.user_id)
    session.add(nl)
    session.commit()
    session.refresh(nl)
    return nl


def update_newsletter(session: Session, newsletter_id: int, data: NewsletterUpdate) -> Newsletter:
    nl = get(session, newsletter_id)
    if nl.status not in (NewsletterStatus.kladde.value, NewsletterStatus.planlagt.value):
        raise Conflict("Et nyhedsbrev, der er sendt, kan ikke ændres.", field="status")
    changes = data.model_dump(exclude_unset=True)
    for key in ("subject", "body_markdown", "segment"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    if data.segment is not None:
        _check_segment(session, data.segment)
        nl.segment = data.segment.as_json()
    if data.subject is not None:
        nl.subject = data.subject
    if data.body_markdown is not None:
        nl.body_markdown = data.body_markdown
    nl.updated_at = utcnow()
    session.add(nl)
    session.commit()
    session.refresh(nl)
    return nl


def delete(session: Session, newsletter_id: int) -> None:
    nl = get(session, newsletter_id)
    if nl.status != NewsletterStatus.kladde.value:
        raise Conflict("Kun en kladde kan slettes.", field="status")
    session.delete(nl)
    session.commit()


def counts(session: Session, newsletter_id: int) -> Counts:
    by = dq.counts_by_status(session, newsletter_id)
    return Counts(
        queued=sum(by.get(s.value, 0) for s in (DeliveryStatus.pending, DeliveryStatus.claimed, DeliveryStatus.sending)),
        sent=by.get(DeliveryStatus.sent.value, 0),
        failed=by.get(DeliveryStatus.failed.value, 0),
        bounced=by.get(DeliveryStatus.bounced.value, 0),
        # Recipients lost to unsubscribing: before it went out (skipped) or through its own link.
        unsubscribed=by.get(DeliveryStatus.skipped.value, 0) + dq.unsubscribed_via(session, newsletter_id),
        total=sum(by.values()),
    )


def to_read(session: Session, nl: Newsletter) -> NewsletterRead:
    c = counts(session, nl.id)
    status = nl.status
    if status == NewsletterStatus.sender.value and c.queued == 0:
        status = NewsletterStatus.sendt.value  # the sweeper records it; readers need not wait
    out = NewsletterRead.model_validate(nl).model_copy(update={"counts": c, "status": status})
    out.status_label = NEWSLETTER_STATUS_LABELS[NewsletterStatus(status)]
    return out


def list_newsletters(session: Session, limit: int, offset: int, status: str | None = None):
    from shared.pagination import PageParams, paginate
    from sqlmodel import select as sm_select

    stmt = sm_select(Newsletter)
    if status:
        stmt = stmt.where(Newsletter.status == status)
    items, total = paginate(session, stmt.order_by(Newsletter.created_at.desc(), Newsletter.id.desc()),
                            PageParams(limit=limit, offset=offset))
    return [to_read(session, nl) for nl in items], total


def preview(session: Session, newsletter_id: int) -> Preview:
    nl = get(session, newsletter_id)
    rendered = render_mail(nl.subject, nl.body_markdown, unsubscribable=True)
    html, text = rendered.personalise(f"{_public_base()}/unsubscribe/eksempel")
    return Preview(subject=nl.subject, segment_label=segment_label(nl.segment),
                   recipients=segments.count(session, nl.segment), html=html, text=text)


def _public_base() -> str:
    s = get_settings()
    return (s.notifications_public_url or s.notifications_url).rstrip("/")


def send_test(session: Session, principal: Principal, newsletter_id: int) -> int:
    """A copy to the author, marked [TEST]; it counts in no figure and has no working unsubscribe."""
    nl = get(session, newsletter_id)
    key = f"test:{nl.id}:{uuid.uuid4()}"
    deliveries.add_rows(session, [{"kind": DeliveryKind.test.value, "dedupe_key": key, "newsletter_id": nl.id,
                                   "to_email": principal.email, "to_name": None}])
    session.commit()
    ids = dq.ids_by_keys(session, [key])
    deliveries.enqueue(ids, bulk=False)
    return ids[0]


def _local_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().jobbro_timezone)


def send(session: Session, principal: Principal, newsletter_id: int, at: datetime | None) -> SendAccepted:
    nl = get(session, newsletter_id)
    if at is not None:
        return _schedule(session, nl, at)
    return dispatch(session, nl)


def _schedule(session: Session, nl: Newsletter, at: datetime) -> SendAccepted:
    if at.tzinfo is None:
        at = at.replace(tzinfo=_local_tz())
    now = utcnow()
    if at <= now:
        raise Invalid(f"Tidspunktet {at.isoformat()} ligger i fortiden. Vælg et senere tidspunkt, eller send nu.",
                      field="at")
    if at > now + timedelta(days=366):
        raise Invalid("Et nyhedsbrev kan højst planlægges et år frem.", field="at")
    if nl.status not in (NewsletterStatus.kladde.value, NewsletterStatus.planlagt.value):
        raise Conflict("Nyhedsbrevet er allerede sendt og kan ikke planlægges igen.", field="status")
    recipients = segments.count(session, nl.segment)
    if recipients == 0:
        raise Invalid("Segmentet rammer ingen kontaktpersoner med samtykke til nyhedsbrevet.", field="segment")
    nl.status = NewsletterStatus.planlagt.value
    nl.scheduled_at = at
    nl.updated_at = now
    session.add(nl)
    session.commit()
    # RQ's scheduler runs it on time; the sweeper dispatches it too if Redis lost the job.
    try:
        from services.notifications import jobs
        from services.notifications.queues import main_queue

        main_queue().enqueue_at(at, jobs.dispatch_newsletter, nl.id, result_ttl=3600, meta=job_meta())
    except Exception as exc:
        log.warning("could not schedule newsletter %s in Redis, the sweeper will dispatch it: %s", nl.id, exc)
    return SendAccepted(id=nl.id, status=nl.status, scheduled_at=at, recipients=recipients, new_deliveries=0)


def cancel_schedule(session: Session, newsletter_id: int) -> Newsletter:
    nl = get(session, newsletter_id)
    if nl.status != NewsletterStatus.planlagt.value:
        raise Conflict("Kun et planlagt nyhedsbrev kan annulleres.", field="status")
    nl.status = NewsletterStatus.kladde.value
    nl.scheduled_at = None
    nl.updated_at = utcnow()
    session.add(nl)
    session.commit()
    session.refresh(nl)
    return nl


def dispatch(session: Session, nl: Newsletter, *, require_recipients: bool = True) -> SendAccepted:
    """Create the delivery rows for everyone in the segment now, commit, then queue them."""
    recipients = segments.recipients(session, nl.segment)
    already = session.execute(select(exists().where(Delivery.newsletter_id == nl.id,
                                                    Delivery.kind == DeliveryKind.newsletter.value))).scalar()
    if not recipients and not already and require_recipients:
        raise Invalid("Segmentet rammer ingen kontaktpersoner med samtykke til nyhedsbrevet.", field="segment")
    before = dq.counts_by_status(session, nl.id)
    deliveries.add_rows(session, [{
        "kind": DeliveryKind.newsletter.value, "dedupe_key": f"newsletter:{nl.id}:{r.email.lower()}",
        "newsletter_id": nl.id, "contact_id": r.contact_id, "to_email": r.email, "to_name": r.name,
    } for r in recipients])
    now = utcnow()
    nl.status = NewsletterStatus.sender.value if (recipients or already) else NewsletterStatus.sendt.value
    nl.send_requested_at = nl.send_requested_at or now
    nl.completed_at = None if nl.status == NewsletterStatus.sender.value else now
    nl.updated_at = now
    session.add(nl)
    session.commit()
    ids = dq.pending_ids(session, nl.id)
    deliveries.enqueue(ids, bulk=True)
    new = sum(dq.counts_by_status(session, nl.id).values()) - sum(before.values())
    return SendAccepted(id=nl.id, status=nl.status, scheduled_at=nl.scheduled_at, recipients=len(recipients),
                        new_deliveries=new)


def dispatch_scheduled(engine: Engine, newsletter_id: int) -> bool:
    """Run by the scheduled job (or the sweeper): send a `planlagt` newsletter whose time has come."""
    with Session(engine, expire_on_commit=False) as session:
        nl = session.get(Newsletter, newsletter_id)
        if nl is None or nl.status != NewsletterStatus.planlagt.value:
            return False
        if nl.scheduled_at and nl.scheduled_at > utcnow() + timedelta(seconds=1):
            return False  # rescheduled later; that schedule's own job will come
        # Only one dispatcher wins: the conditional UPDATE is the lock.
        won = session.execute(update(Newsletter).where(Newsletter.id == nl.id,
                                                       Newsletter.status == NewsletterStatus.planlagt.value)
                              .values(status=NewsletterStatus.sender.value)).rowcount
        if not won:
            session.rollback()
            return False
        session.refresh(nl)
        dispatch(session, nl, require_recipients=False)
        return True


def dispatch_due(engine: Engine) -> int:
    with Session(engine) as session:
        due = session.execute(select(Newsletter.id).where(Newsletter.status == NewsletterStatus.planlagt.value,
                                                          Newsletter.scheduled_at <= utcnow())).scalars().all()
    return sum(1 for nl_id in due if dispatch_scheduled(engine, nl_id))


def mark_completed(engine: Engine) -> int:
    open_ = [s.value for s in (DeliveryStatus.pending, DeliveryStatus.claimed, DeliveryStatus.sending)]
    with Session(engine) as session:
        res = session.execute(update(Newsletter).where(
            Newsletter.status == NewsletterStatus.sender.value,
            ~exists().where(Delivery.newsletter_id == Newsletter.id, Delivery.status.in_(open_),
                            Delivery.kind == DeliveryKind.newsletter.value),
        ).values(status=NewsletterStatus.sendt.value, completed_at=utcnow()))
        session.commit()
        return res.rowcount or 0


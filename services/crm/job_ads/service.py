"""Open job ads: a consultant publishes an order as an ad, edits or withdraws it; each function is one commit.

An ad is bound to its order and lives only while the order is open: every way an order closes
withdraws its ad in the same transaction (`withdrawal.py`, called from the order life-cycle). The
public reads (`public_list`, `public_ad`) expose the job only; candidates, contact persons and
consultants never reach an ad, and the company is named only when a consultant says it agreed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from services.crm.deps import SERVICE
from services.crm.job_ads import queries
from services.crm.job_ads.models import JobAd
from services.crm.job_ads.schemas import JobAdPublic, JobAdPublish, JobAdRead
from services.crm.job_ads.withdrawal import UNPUBLISHED, withdraw_for_order
from services.crm.orders import lifecycle
from services.crm.orders.models import Order
from services.crm.orders.service import get_visible
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.models_base import utcnow
from shared.postcodes import town
from shared.settings import get_settings
from shared.validators import has_cpr_like

TEXT_FIELDS = ("title", "description", "city", "how_to_apply")
FIELD_LABELS = {"title": "Titlen", "description": "Teksten", "city": "Byen", "how_to_apply": "Teksten om at søge"}


def ad_not_found(order_id: int) -> NotFound:
    return NotFound(f"Ordre {order_id} har intet jobopslag.")


def default_how_to_apply(title: str) -> str:
    s = get_settings()
    text = f"Søg via {s.jobads_jobcentre_name}: skriv til {s.jobads_apply_email}"
    if s.jobads_apply_phone:
        text += f" eller ring på {s.jobads_apply_phone}"
    return text + f", og nævn jobbet »{title}«. Jobcentret sender din ansøgning videre til virksomheden."


def to_read(ad: JobAd) -> JobAdRead:
    return JobAdRead.model_validate({**ad.model_dump(), "published": ad.is_published})


def read_for_order(session: Session, principal: Principal, order_id: int) -> JobAdRead:
    order = get_visible(session, principal, order_id)
    ad = queries.of_order(session, order.id)
    if ad is None:
        raise ad_not_found(order_id)
    return to_read(ad)


def _check_public_text(ad: JobAd) -> None:
    for name in TEXT_FIELDS:
        value = (getattr(ad, name) or "").strip()
        if name != "how_to_apply" and not value:
            what = "en by (arbejdsstedets by)" if name == "city" else ("en titel" if name == "title" else "en tekst")
            raise Invalid(f"Jobopslaget skal have {what}.", field=name)
        # An ad is public: a personal identification number in it would be published to everyone.
        if has_cpr_like(value):
            raise Invalid(f"{FIELD_LABELS[name]} ligner et CPR-nummer, som aldrig må stå i et offentligt jobopslag.",
                          field=name)


def _ensure_publishable(order: Order) -> None:
    if order.status in lifecycle.CLOSED:
        raise Conflict(f"Ordren er {lifecycle.label(order.status).lower()}; et jobopslag kræver en åben ordre.",
                       field="status", current=order.status)
    if order.deadline is not None and order.deadline < lifecycle.today():
        raise Conflict(f"Ordrens frist {order.deadline.isoformat()} er overskredet; ret fristen før jobbet slås op.",
                       field="deadline")


def publish(session: Session, principal: Principal, order_id: int, data: JobAdPublish) -> tuple[JobAdRead, bool]:
    """Publish the order's ad, or change its text when it is public: (the ad, whether it was published now)."""
    order = get_visible(session, principal, order_id, lock=True)
    _ensure_publishable(order)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    ad = queries.of_order(session, order.id)
    if ad is None:
        ad = JobAd(order_id=order.id, title=order.title, description=order.description, postcode=order.postcode,
                   city="", how_to_apply="")
    old_text = ad.how_to_apply
    old_postcode, old_city = ad.postcode, ad.city
    standard_text = old_text == default_how_to_apply(ad.title)
    for key, value in changes.items():
        setattr(ad, key, value.strip() if isinstance(value, str) else value)
    if not ad.city.strip() or ("city" not in changes and ad.postcode != old_postcode
                               and old_city == town(old_postcode)):
        # The workplace's postal town, when the postcode is one Jobbro knows (otherwise the
        # consultant is asked for it); a town that came from the old postcode follows a new one.
        ad.city = town(ad.postcode) or ""
    if not ad.how_to_apply.strip() or (standard_text and ad.how_to_apply == old_text):
        # The standard text names the job: it follows a new title; a text of the consultant's own stays.
        ad.how_to_apply = default_how_to_apply(ad.title)
    _check_public_text(ad)
    newly = not ad.is_published
    now = utcnow()
    if newly:
        # A republished ad is a new posting: its date is today's, not the first one's.
        ad.published_at, ad.withdrawn_at, ad.withdrawn_reason = now, None, None
        ad.published_by = principal.user_id
    ad.updated_at = now
    session.add(ad)
    session.flush()
    audit.record(session, principal, SERVICE, "update" if not newly else "create", "job_ad", ad.id,
                 {"order_id": order.id, "action": "publish" if newly else "edit", "fields": sorted(changes)})
    session.commit()
    session.refresh(ad)
    return to_read(ad), newly


def unpublish(session: Session, principal: Principal, order_id: int) -> None:
    """Withdraw the ad; withdrawing one that is not public changes nothing (two clicks at once)."""
    order = get_visible(session, principal, order_id, lock=True)
    if queries.of_order(session, order.id) is None:
        raise ad_not_found(order_id)
    ad = withdraw_for_order(session, order.id, UNPUBLISHED)
    if ad is not None:
        audit.record(session, principal, SERVICE, "update", "job_ad", ad.id,
                     {"order_id": order.id, "action": "withdraw"})
    session.commit()


# -- public ---------------------------------------------------------------------------------------

def _public(ad: JobAd, order: Order, company_name: str | None) -> JobAdPublic:
    changed = max(_aware(ad.updated_at), _aware(order.updated_at))
    return JobAdPublic(
        id=ad.id, title=ad.title, description=ad.description, postcode=ad.postcode, city=ad.city,
        scheme=order.scheme, hours_per_week=order.hours_per_week, positions=order.positions,
        deadline=order.deadline, how_to_apply=ad.how_to_apply,
        employer_name=company_name if ad.name_company else None,
        published_at=_aware(ad.published_at), updated_at=changed,
    )


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def public_list(session: Session, day: date | None = None) -> list[JobAdPublic]:
    rows = session.exec(queries.public(day or lifecycle.today())).all()
    return [_public(ad, order, name) for ad, order, name in rows]


def public_ad(session: Session, ad_id: int, day: date | None = None) -> JobAdPublic:
    row = session.exec(queries.public(day or lifecycle.today(), ad_id)).first()
    if row is None:
        raise NotFound(f"Jobopslag {ad_id} findes ikke eller er ikke længere offentligt.")
    return _public(*row)


def last_change(session: Session) -> datetime | None:
    value = queries.last_change(session)
    return _aware(value) if value is not None else None

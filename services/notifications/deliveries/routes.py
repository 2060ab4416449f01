from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import select

from services.notifications.deliveries.models import Delivery
from services.notifications.deliveries.schemas import DeliveryRead
from services.notifications.deps import SERVICE, SessionDep, Writer
from services.notifications.newsletters.models import Newsletter
from shared import audit
from shared.glossary import DELIVERY_STATUS_LABELS, DeliveryKind, DeliveryStatus
from shared.pagination import Page, PageParams, paginate

router = APIRouter(prefix="/api/v1/deliveries", tags=["deliveries"])


@router.get("", response_model=Page[DeliveryRead], summary="Afsendelser: hvad er sendt til hvem, og hvad svarede serveren")
def list_deliveries(
    session: SessionDep,
    principal: Writer,
    newsletter_id: int | None = None,
    contact_id: Annotated[int | None, Query(description="E-mails to one contact person (crm's id)")] = None,
    status: DeliveryStatus | None = None,
    kind: DeliveryKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    stmt = select(Delivery)
    if newsletter_id is not None:
        stmt = stmt.where(Delivery.newsletter_id == newsletter_id)
    if contact_id is not None:
        stmt = stmt.where(Delivery.contact_id == contact_id)
    if status is not None:
        stmt = stmt.where(Delivery.status == status.value)
    if kind is not None:
        stmt = stmt.where(Delivery.kind == kind.value)
    items, total = paginate(session, stmt.order_by(Delivery.id.desc()), PageParams(limit=limit, offset=offset))
    # Addresses are personal data: who looked is recorded like any other read of contacts.
    audit.record(session, principal, SERVICE, "read", "delivery", None, {"delivery_ids": [d.id for d in items]})
    session.commit()
    # A newsletter delivery carries no subject of its own: it is the newsletter's.
    subjects = dict(session.exec(select(Newsletter.id, Newsletter.subject).where(
        Newsletter.id.in_({d.newsletter_id for d in items if d.newsletter_id is not None}))).all())
    reads = []
    for d in items:
        r = DeliveryRead.model_validate(d)
        r.status_label = DELIVERY_STATUS_LABELS.get(DeliveryStatus(d.status), d.status)
        r.subject = d.subject or subjects.get(d.newsletter_id)
        reads.append(r)
    return Page(items=reads, total=total)

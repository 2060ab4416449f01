"""crm's current state as event payloads, for a consumer rebuilding its read model after a loss.

Each page holds records in the shape of the event that would announce them today (built by the
same functions in services/crm/events.py), so a consumer rebuilds with the very handlers that
keep it current. Keyset-paged by id; only admins (and the services' system token) may read it.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from services.crm import events
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order
from services.crm.partnerships.models import Partnership, PartnershipGoal
from shared.events import EventType
from shared.glossary import FINAL_ORDER_STATUSES
from shared.models_base import utcnow


class Feed(StrEnum):
    companies = "companies"
    contacts = "contacts"
    agreements = "agreements"
    campaigns = "campaigns"
    orders = "orders"


_MODEL = {Feed.companies: Company, Feed.contacts: Contact, Feed.agreements: Partnership, Feed.campaigns: Campaign,
          Feed.orders: Order}
# A record as it stands is announced as it would be on creation (the payload in full); an open
# order as changed in every field it has.
_TYPE = {Feed.companies: EventType.company_created, Feed.contacts: EventType.contact_created,
         Feed.agreements: EventType.agreement_signed, Feed.campaigns: EventType.campaign_created,
         Feed.orders: EventType.order_changed}


def page(session: Session, feed: Feed, after_id: int, limit: int) -> dict[str, Any]:
    model = _MODEL[feed]
    stmt = select(model).where(model.id > after_id).order_by(model.id).limit(limit)
    if feed is Feed.orders:
        # Closed orders are of no use to a read model of open ones.
        stmt = stmt.where(Order.status.not_in([s.value for s in FINAL_ORDER_STATUSES]))
    rows = list(session.exec(stmt).all())
    payloads = _payloads(session, feed, rows)
    at = utcnow().isoformat()
    return {"items": [{"type": _TYPE[feed].value, "occurred_at": at, "payload": p} for p in payloads],
            "next_after_id": rows[-1].id if rows else None}


def _payloads(session: Session, feed: Feed, rows: list) -> list[dict[str, Any]]:
    if feed is Feed.companies:
        return [events.company_payload(session, c) for c in rows]
    if feed is Feed.contacts:
        return [events.contact_payload(c) for c in rows]
    if feed is Feed.orders:
        every = sorted(set(events.ORDER_CHANGE_FIELDS.values()))
        return [{**events.order_payload(session, o), "changed": every} for o in rows]
    ids = [r.id for r in rows]
    if feed is Feed.agreements:
        goals: dict[int, list[int]] = defaultdict(list)
        for pid, goal in session.exec(select(PartnershipGoal.partnership_id, PartnershipGoal.goal)
                                      .where(PartnershipGoal.partnership_id.in_(ids))).all():
            goals[pid].append(goal)
        return [events.agreement_payload(p, goals[p.id]) for p in rows]
    targets: dict[int, list[int]] = defaultdict(list)
    for cid, company_id in session.exec(select(CampaignTarget.campaign_id, CampaignTarget.company_id)
                                        .where(CampaignTarget.campaign_id.in_(ids))).all():
        targets[cid].append(company_id)
    return [{**events.campaign_payload(c), "company_ids": sorted(targets[c.id])} for c in rows]

"""What a consultant should know before a visit, and what today asks of them.

Built from the crm's answers the page fetched anyway, so "prepare visit" costs no extra call.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.web.rendering import TZ

OPEN_ORDER_STATUSES = {"modtaget", "i_gang", "delvist_besat"}
AGREEMENT_ENDING_SOON = timedelta(days=90)


def _day(value: Any) -> date | None:
    if not value:
        return None
    text = str(value)
    try:
        if len(text) > 10:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return (dt.astimezone(TZ) if dt.tzinfo else dt).date()
        return date.fromisoformat(text)
    except ValueError:
        return None


def _items(page: Any) -> list[dict]:
    if isinstance(page, dict):
        return list(page.get("items") or [])
    if isinstance(page, list):
        return page
    return []


def active_agreement(partnerships: Any, today: date) -> dict | None:
    for p in _items(partnerships):
        start, end = _day(p.get("signed_on")), _day(p.get("ends_on"))
        if start and start <= today and (end is None or end >= today):
            return p
    return None


def prepare_visit(company: dict, timeline: dict, contacts: dict, partnerships: Any, orders: Any,
                  placements: Any, followups: Any, today: date | None = None) -> dict:
    today = today or datetime.now(TZ).date()
    entries = timeline.get("items", []) if isinstance(timeline, dict) else []
    last_contact = next((e for e in entries if e.get("kind") == "aktivitet"), None)
    days_since = None
    if last_contact and _day(last_contact.get("at")):
        days_since = (today - _day(last_contact["at"])).days
    agreement = active_agreement(partnerships, today)
    ending_soon = False
    if agreement and _day(agreement.get("ends_on")):
        ending_soon = _day(agreement["ends_on"]) - today <= AGREEMENT_ENDING_SOON
    open_orders = [o for o in _items(orders) if o.get("status") in OPEN_ORDER_STATUSES]
    unfilled = sum(max(int(o.get("positions") or 0) - int(o.get("positions_filled") or 0), 0) for o in open_orders)
    active_placements = [p for p in _items(placements)
                         if (_day(p.get("starts_on")) or today) <= today
                         and (p.get("ends_on") is None or (_day(p.get("ends_on")) or today) >= today)]
    schemes: dict[str, int] = {}
    for p in active_placements:
        schemes[p.get("scheme", "")] = schemes.get(p.get("scheme", ""), 0) + 1
    open_followups = [t for t in _items(followups) if t.get("follow_up_on")]
    contact_items = _items(contacts)
    return {
        "last_contact": last_contact,
        "days_since": days_since,
        "agreement": agreement,
        "agreement_ending_soon": ending_soon,
        "partnerships": _items(partnerships),
        "open_orders": open_orders,
        "unfilled_positions": unfilled,
        "orders": _items(orders),
        "active_placements": active_placements,
        "placements": _items(placements),
        "placements_by_scheme": sorted(schemes.items(), key=lambda kv: -kv[1]),
        "open_followups": sorted(open_followups, key=lambda a: a.get("follow_up_on") or ""),
        "contacts_total": len(contact_items),
        "consenting_contacts": sum(1 for c in contact_items if c.get("newsletter_consent")),
        "orders_known": orders is not None,
        "placements_known": placements is not None,
        "partnerships_known": partnerships is not None,
    }


def my_day(today: date, followups: Any, targets: Any, orders: Any) -> dict:
    overdue, due_today, upcoming = [], [], []
    for a in _items(followups):
        day = _day(a.get("follow_up_on"))
        if day is None or a.get("follow_up_done_at"):
            continue
        (overdue if day < today else due_today if day == today else upcoming).append(a)
    key = lambda a: a.get("follow_up_on") or ""  # noqa: E731
    waiting = [o for o in _items(orders) if o.get("status") in OPEN_ORDER_STATUSES
               and int(o.get("positions_filled") or 0) < int(o.get("positions") or 1)]
    return {
        "today": today,
        "overdue": sorted(overdue, key=key),
        "due_today": sorted(due_today, key=key),
        "upcoming": sorted(upcoming, key=key),
        "targets": _items(targets),
        "waiting_orders": sorted(waiting, key=lambda o: (o.get("deadline") or "9999", o.get("received_on") or "")),
        "followups_known": followups is not None,
        "followups_total": followups.get("total", 0) if isinstance(followups, dict) else 0,
        "targets_known": targets is not None,
        "orders_known": orders is not None,
    }

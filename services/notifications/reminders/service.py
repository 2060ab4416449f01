"""Receipts, alerts and reminders: each one a delivery row with a key that makes it happen once.

Keys name the thing, not the event that announced it (`order:<id>:receipt:<address>`,
`followup:<kind>:<id>:<date>`, `digest:<user>:<date>`, `deadline:<order>:<deadline>`), so an event
delivered twice, a daily job run twice or two workers racing all end in one e-mail.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.notifications.content.render import render_template_mail
from services.notifications.deliveries import service as deliveries
from services.notifications.reminders import queries
from shared.glossary import ORDER_STATUS_LABELS, SCHEME_LABELS, DeliveryKind, ReceivedVia
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.reminders")


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().jobbro_timezone)).date()


def _web(path: str) -> str:
    return get_settings().web_url.rstrip("/") + path


def _fmt(d: date | str | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return d.strftime("%d-%m-%Y")


def _row(kind: DeliveryKind, key: str, to_email: str, to_name: str | None, template: str, **ctx) -> dict[str, Any]:
    subject, body = render_template_mail(template, **ctx)
    return {"kind": kind.value, "dedupe_key": key[:200], "to_email": to_email.strip(), "to_name": to_name,
            "subject": subject[:300], "body_markdown": body}


def order_received(session: Session, payload: dict[str, Any]) -> list[str]:
    """A portal order: a receipt to the company and an alert to its consultant, from the event alone."""
    if payload.get("received_via") != ReceivedVia.portal.value:
        return []
    order_id = int(payload["order_id"])
    ctx = {"order_id": order_id, "title": payload.get("title") or "", "company_name": payload.get("company_name") or "",
           "scheme_label": SCHEME_LABELS.get(payload.get("scheme"), payload.get("scheme") or ""),
           "positions": payload.get("positions"), "received_on": _fmt(payload.get("received_on")),
           "deadline": _fmt(payload.get("deadline"))}
    recipients = [c for c in payload.get("receipt_contacts") or [] if (c.get("email") or "").strip()]
    rows = []
    seen: set[str] = set()
    for c in recipients:
        address = c["email"].strip().lower()
        if address in seen:
            continue
        seen.add(address)
        row = _row(DeliveryKind.order_receipt, f"order:{order_id}:receipt:{address}", c["email"], c.get("name"),
                   "order_receipt", **ctx)
        row["contact_id"] = c.get("id")
        rows.append(row)
    consultant = payload.get("consultant") or {}
    if (consultant.get("email") or "").strip():
        row = _row(DeliveryKind.order_alert, f"order:{order_id}:alert:{consultant['id']}", consultant["email"],
                   consultant.get("name"), "order_alert", link_url=_web(f"/ordrer/{order_id}"), **ctx)
        row["user_id"] = consultant.get("id")
        rows.append(row)
    deliveries.add_rows(session, rows)
    return [r["dedupe_key"] for r in rows]


def followup_due(session: Session, payload: dict[str, Any]) -> list[str]:
    email = (payload.get("consultant_email") or "").strip()
    if not email:
        log.info("follow-up %s:%s has no consultant with an e-mail; nobody to remind",
                 payload.get("kind"), payload.get("id"))
        return []
    ident = payload.get("key") or f"{payload.get('kind')}:{payload.get('id')}:{payload.get('follow_up_on')}"
    row = _row(DeliveryKind.followup, f"followup:{ident}", email, None, "followup",
               company_name=payload.get("company_name") or "", follow_up_on=_fmt(payload.get("follow_up_on")),
               summary=payload.get("summary") or "", task_kind=payload.get("kind") or "",
               link_url=_web(f"/virksomheder/{payload.get('company_id')}"))
    row["user_id"] = payload.get("consultant_id")
    deliveries.add_rows(session, [row])
    return [row["dedupe_key"]]


def followup_digest(session: Session, payload: dict[str, Any]) -> list[str]:
    """crm's morning digest for one consultant (`followup.digest`): one mail per consultant and day."""
    consultant = payload.get("consultant") or {}
    email = (consultant.get("email") or "").strip()
    if not email or not payload.get("tasks"):
        return []
    items = [{"follow_up_on": _fmt(t.get("follow_up_on")), "company_name": t.get("company_name") or "",
              "summary": t.get("summary") or ""} for t in payload["tasks"]]
    row = _row(DeliveryKind.followup_digest, f"digest:{consultant['id']}:{payload['day']}", email,
               consultant.get("name"), "followup_digest", count=int(payload.get("count") or len(items)), tasks=items,
               link_url=_web("/min-dag"))
    row["user_id"] = consultant.get("id")
    deliveries.add_rows(session, [row])
    return [row["dedupe_key"]]


def deadline_reminders(session: Session, today: date) -> list[str]:
    """Open orders near their deadline, from notifications' own view of orders (crm's order events)."""
    until = today + timedelta(days=get_settings().notifications_deadline_days)
    rows = []
    for order in queries.orders_near_deadline(session, today, until):
        if not (order.consultant_email or "").strip():
            continue
        days = (order.deadline - today).days
        days_text = "i dag" if days == 0 else ("i morgen" if days == 1 else f"om {days} dage")
        row = _row(DeliveryKind.deadline_reminder, f"deadline:{order.order_id}:{order.deadline.isoformat()}",
                   order.consultant_email, order.consultant_name, "deadline_reminder", title=order.title,
                   company_name=order.company_name, deadline=_fmt(order.deadline), days_left_text=days_text,
                   unfilled=order.positions - order.positions_filled, positions=order.positions,
                   scheme_label=SCHEME_LABELS.get(order.scheme, order.scheme),
                   status_label=ORDER_STATUS_LABELS.get(order.status, order.status), order_id=order.order_id,
                   link_url=_web(f"/ordrer/{order.order_id}"))
        row["user_id"] = order.consultant_id
        rows.append(row)
    deliveries.add_rows(session, rows)
    return [r["dedupe_key"] for r in rows]


def commit_and_queue(session: Session, keys: list[str]) -> int:
    """Commit the rows, then queue the ones still pending (a repeat finds them already sent)."""
    from services.notifications.deliveries import queries as dq

    session.commit()
    ids = dq.ids_by_keys(session, keys)
    deliveries.enqueue(ids, bulk=False)
    return len(ids)

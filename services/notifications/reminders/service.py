"""Receipts, alerts and reminders: each one a delivery row with a key that makes it happen once.

Keys name the thing, not the event that announced it (`order:<id>:receipt:<address>`,
`followup:<kind>:<id>:<date>`, `digest:<user>:<date>`, `deadline:<order>:<deadline>`), so an event
delivered twice, a daily job run twice or two workers racing all end in one e-mail.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order
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
    """A portal order: a receipt to the company and an alert to its consultant."""
    if payload.get("received_via") != ReceivedVia.portal.value:
        return []
    order = session.get(Order, int(payload["order_id"]))
    if order is None:
        return []
    company = session.get(Company, order.company_id)
    ctx = {"order_id": order.id, "title": order.title, "company_name": company.name if company else "",
           "scheme_label": SCHEME_LABELS.get(order.scheme, order.scheme), "positions": order.positions,
           "received_on": _fmt(order.received_on), "deadline": _fmt(order.deadline)}
    recipients: list[Contact] = []
    if order.contact_id is not None:
        contact = session.get(Contact, order.contact_id)
        if contact is not None and contact.email and contact.email.strip():
            recipients = [contact]
    if not recipients:
        recipients = queries.company_contacts_with_email(session, order.company_id)
    rows = []
    seen: set[str] = set()
    for c in recipients:
        address = c.email.strip().lower()
        if address in seen:
            continue
        seen.add(address)
        row = _row(DeliveryKind.order_receipt, f"order:{order.id}:receipt:{address}", c.email, c.name,
                   "order_receipt", **ctx)
        row["contact_id"] = c.id
        rows.append(row)
    consultant = queries.active_user(session, order.consultant_id or (company.consultant_id if company else None))
    if consultant is not None:
        row = _row(DeliveryKind.order_alert, f"order:{order.id}:alert:{consultant.id}", consultant.email,
                   consultant.full_name, "order_alert", link_url=_web(f"/ordrer/{order.id}"), **ctx)
        row["user_id"] = consultant.id
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


def overdue_digests(session: Session, today: date) -> list[str]:
    """One morning mail per consultant listing their follow-ups whose date has passed."""
    by_consultant: dict[int, list] = defaultdict(list)
    for task in queries.overdue_tasks(session, today):
        if task["consultant_id"] is not None:
            by_consultant[task["consultant_id"]].append(task)
    rows = []
    for user_id, tasks in sorted(by_consultant.items()):
        user = queries.active_user(session, user_id)
        if user is None:
            continue
        items = [{"follow_up_on": _fmt(t["follow_up_on"]), "company_name": t["company_name"],
                  "summary": (t["summary"] or "").splitlines()[0][:160] if t["summary"] else ""} for t in tasks[:100]]
        row = _row(DeliveryKind.followup_digest, f"digest:{user_id}:{today.isoformat()}", user.email, user.full_name,
                   "followup_digest", count=len(tasks), tasks=items, link_url=_web("/min-dag"))
        row["user_id"] = user_id
        rows.append(row)
    deliveries.add_rows(session, rows)
    return [r["dedupe_key"] for r in rows]


def deadline_reminders(session: Session, today: date) -> list[str]:
    until = today + timedelta(days=get_settings().notifications_deadline_days)
    rows = []
    for order, company_name, consultant_id in queries.orders_near_deadline(session, today, until):
        user = queries.active_user(session, consultant_id)
        if user is None:
            continue
        days = (order.deadline - today).days
        days_text = "i dag" if days == 0 else ("i morgen" if days == 1 else f"om {days} dage")
        row = _row(DeliveryKind.deadline_reminder, f"deadline:{order.id}:{order.deadline.isoformat()}", user.email,
                   user.full_name, "deadline_reminder", title=order.title, company_name=company_name,
                   deadline=_fmt(order.deadline), days_left_text=days_text,
                   unfilled=order.positions - order.positions_filled, positions=order.positions,
                   scheme_label=SCHEME_LABELS.get(order.scheme, order.scheme),
                   status_label=ORDER_STATUS_LABELS.get(order.status, order.status), order_id=order.id,
                   link_url=_web(f"/ordrer/{order.id}"))
        row["user_id"] = user.id
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

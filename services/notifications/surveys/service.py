"""The satisfaction survey mail: crm's `survey.requested` turned into one delivery row.

A service mail, not a newsletter: it goes to the order's contact person whether or not they
consented to the newsletter, because it is about the service their company ordered and asks
nothing else (docs/satisfaction.md). It still carries the contact's id, so erasing the contact
(`contact.erased`) takes the mail off the trail, and a contact crm erased before the event was
relayed arrives without an address and gets nothing.

The key names the order (`survey:<order id>`): an event delivered twice, or a second closing of
the order (crm publishes once anyway), ends in one e-mail.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.notifications.content.render import render_template_mail
from services.notifications.deliveries import service as deliveries
from shared.glossary import SATISFACTION_QUESTION, SATISFACTION_SCORE_LABELS, DeliveryKind
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.surveys")


def survey_url(token: str) -> str:
    return get_settings().web_url.rstrip("/") + f"/tilfredshed/{token}"


def _expires(value: str | None) -> str:
    try:
        at = datetime.fromisoformat(value or "")
    except ValueError:
        return ""
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo(get_settings().jobbro_timezone))
    return at.strftime("%d-%m-%Y")


def survey_requested(session: Session, payload: dict[str, Any]) -> list[str]:
    contact = payload.get("contact") or {}
    email = (contact.get("email") or "").strip()
    if not email or not payload.get("token"):
        log.info("survey for order %s has nobody to ask (contact erased or without e-mail)", payload.get("order_id"))
        return []
    order_id = int(payload["order_id"])
    subject, body = render_template_mail(
        "survey_request", contact_name=contact.get("name") or "", company_name=payload.get("company_name") or "",
        order_title=payload.get("order_title") or "", question=SATISFACTION_QUESTION,
        choices=[(score, SATISFACTION_SCORE_LABELS[score]) for score in (5, 4, 3, 2, 1)],
        expires_on=_expires(payload.get("expires_at")), survey_url=survey_url(payload["token"]))
    row = {"kind": DeliveryKind.survey.value, "dedupe_key": f"survey:{order_id}", "to_email": email,
           "to_name": contact.get("name"), "subject": subject[:300], "body_markdown": body,
           "contact_id": contact.get("id")}
    deliveries.add_rows(session, [row])
    return [row["dedupe_key"]]

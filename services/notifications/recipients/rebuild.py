"""Rebuild the read model from crm's API (`GET /api/v1/feeds/...`) after a loss.

The feed gives crm's current records in the shape of their events, so they go through the same
handlers (recipients/service.py) that keep the model current. Rows crm no longer has are
removed at the end. A one-click unsubscribe recorded here and not yet applied in crm is kept:
the feed's `contact.changed` never gives a withdrawn consent back (only a later
`contact.consent_changed` can).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.notifications.recipients import service
from services.notifications.recipients.models import (
    OrderView,
    Recipient,
    RecipientAgreement,
    RecipientCampaign,
    RecipientCampaignTarget,
    RecipientCompany,
)
from shared.auth import Principal, create_access_token
from shared.glossary import Role
from shared.settings import get_settings

log = logging.getLogger("jobbro.notifications.rebuild")

# feed -> (model, key column, the payload field holding the key)
FEEDS: dict[str, tuple[Any, Any, str]] = {
    "companies": (RecipientCompany, RecipientCompany.company_id, "company_id"),
    "contacts": (Recipient, Recipient.contact_id, "contact_id"),
    "agreements": (RecipientAgreement, RecipientAgreement.agreement_id, "partnership_id"),
    "campaigns": (RecipientCampaign, RecipientCampaign.campaign_id, "campaign_id"),
    "orders": (OrderView, OrderView.order_id, "order_id"),
}


def system_token() -> str:
    """A short-lived admin token for service-to-service reads, signed with the shared secret."""
    return create_access_token(Principal(user_id=0, email="notifications@system.jobbro", role=Role.admin),
                               minutes=15)


def rebuild(engine: Engine, *, client: httpx.Client | None = None, page_size: int = 500,
            session_factory=None) -> dict[str, int]:
    own = client is None
    session_factory = session_factory or (lambda: Session(engine, expire_on_commit=False))
    client = client or httpx.Client(base_url=get_settings().crm_url, timeout=60)
    headers = {"Authorization": f"Bearer {system_token()}"}
    counts: dict[str, int] = {}
    try:
        for feed, (model, key, field) in FEEDS.items():
            seen: set[int] = set()
            after = 0
            while True:
                res = client.get(f"/api/v1/feeds/{feed}", params={"after_id": after, "limit": page_size},
                                 headers=headers)
                res.raise_for_status()
                page = res.json()
                with session_factory() as session:
                    if feed == "campaigns" and after == 0:
                        # Targets come whole with each campaign: start them afresh.
                        session.exec(delete(RecipientCampaignTarget))
                    for item in page["items"]:
                        service.apply(session, item)
                        seen.add(int(item["payload"][field]))
                    session.commit()
                if page["next_after_id"] is None:
                    break
                after = page["next_after_id"]
            with session_factory() as session:
                gone = session.exec(delete(model).where(key.not_in(seen)) if seen else delete(model)).rowcount
                session.commit()
            counts[feed] = len(seen)
            log.info("read model: %s rebuilt from crm (%d rows, %d removed)", feed, len(seen), gone or 0)
    finally:
        if own:
            client.close()
    return counts

"""crm's erasure ledger: routes and the morning round's second publication (shared/erasure.py)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.crm.deps import SERVICE
from shared import erasure
from shared.db import get_session
from shared.erasure_routes import router as erasures_router
from shared.events import EventType, OutboxEvent, publish
from shared.models_base import utcnow

router = erasures_router(SERVICE, get_session)


def republish_open(session: Session, day: date | None = None) -> int:
    """Publish `contact.erased` again for erasures a service has not confirmed within a day."""
    n = 0
    for req in erasure.due_again(session, SERVICE):
        original = session.get(OutboxEvent, req.event_ids[0]) if req.event_ids else None
        if original is None:
            continue
        erasure.announced(req, publish(session, EventType(original.type), original.payload))
        req.republished_at = utcnow()
        session.add(req)
        n += 1
    return n

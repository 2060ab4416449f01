"""matching's erasure ledger (shared/erasure.py): confirmations, the admin route, republishing.

When every service has confirmed a job seeker's erasure, the reference leaves matching's outbox
too: the `candidate.erased` row is kept (it was published) with the reference overwritten.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from services.matching.deps import SERVICE
from shared import erasure
from shared.db import get_session
from shared.erasure_routes import router as erasures_router
from shared.events import OutboxEvent

router = erasures_router(SERVICE, get_session)
ERASED_REF = "[slettet]"


def person_erased(session: Session, payload: dict[str, Any]) -> bool:
    """A service confirmed an erasure matching started; True when it was ours."""
    if payload.get("owner") != SERVICE:
        return False
    req = erasure.confirm(session, SERVICE, payload["erasure_id"], payload["service"],
                          {"counts": payload.get("counts")})
    if req is None:
        return False
    if req.completed_at is not None:
        for event_id in req.event_ids:
            evt = session.get(OutboxEvent, event_id)
            if evt is not None and evt.payload.get("candidate_ref") not in (None, ERASED_REF):
                evt.payload = {**evt.payload, "candidate_ref": ERASED_REF}
                session.add(evt)
    session.commit()
    return True


def republish_open(session: Session, day: date | None = None) -> int:
    """The morning round's second publication of erasures not yet confirmed (shared/erasure.py)."""
    return erasure.republish_open(session, SERVICE)

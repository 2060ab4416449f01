"""crm's erasure ledger: routes and the morning round's second publication (shared/erasure.py)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from services.crm.deps import SERVICE
from shared import erasure
from shared.db import get_session
from shared.erasure_routes import router as erasures_router

router = erasures_router(SERVICE, get_session)


def republish_open(session: Session, day: date | None = None) -> int:
    """The morning round's second publication of erasures not yet confirmed (shared/erasure.py)."""
    return erasure.republish_open(session, SERVICE)

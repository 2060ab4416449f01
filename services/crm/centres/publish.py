"""`centre.places_changed`: what matching needs to keep a standing vacancy per centre and scheme.

Published whenever the free places may have changed (agreement created, changed or deleted, a
place reserved, a centre placement changed or removed) and by crm's morning round, since a place
also comes free just by a placement's last day passing. No candidate references: only counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from services.crm import events
from services.crm.centres import occupancy, queries
from services.crm.centres.models import CentreAgreement
from services.crm.companies.models import Company
from shared.events import EventType, OutboxEvent, publish


def in_force(agreement: CentreAgreement, day: date) -> bool:
    return agreement.starts_on <= day and (agreement.ends_on is None or agreement.ends_on >= day)


def ended(agreement: CentreAgreement, day: date) -> bool:
    return agreement.ends_on is not None and agreement.ends_on < day


def places_payload(session: Session, agreement: CentreAgreement, day: date, *, deleted: bool = False
                   ) -> dict[str, Any]:
    company = session.get(Company, agreement.company_id)
    places = {} if deleted else queries.places_of(session, [agreement.id]).get(agreement.id, {})
    running = queries.occupying(session, [agreement.id], day, day) if in_force(agreement, day) else []
    rows = []
    for scheme, n in sorted(places.items()):
        occupied = occupancy.count_on([p for p in running if p.scheme == scheme], day)
        rows.append({"scheme": scheme, "places": n, "free": max(n - occupied, 0)})
    return {
        "centre_id": agreement.id,
        "company_id": agreement.company_id,
        "company": events.company_ref(company),
        "name": agreement.name,
        "title": agreement.title,
        "description": agreement.description or "",
        "postcode": company.postcode,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else None,
        "target_groups": list(agreement.target_groups or []),
        # Open for candidates: not deleted and not ended. A centre that starts later is open, its
        # places free from its first day.
        "active": not deleted and not ended(agreement, day),
        "as_of": day.isoformat(),
        "places": rows,
    }


def publish_places_changed(session: Session, agreement: CentreAgreement, day: date, *, deleted: bool = False
                           ) -> OutboxEvent:
    session.flush()
    return publish(session, EventType.centre_places_changed, places_payload(session, agreement, day, deleted=deleted))


def placement_touched(session: Session, centre_id: int | None, day: date) -> None:
    """A placement occupying a centre place was changed or removed (placements/service.py)."""
    if centre_id is None:
        return
    agreement = session.get(CentreAgreement, centre_id)
    if agreement is not None:
        publish_places_changed(session, agreement, day)

"""The events crm consumes, with the consumer group `crm` (shared/consumer.py).

- `contact.unsubscribed` (notifications): the person clicked one-click unsubscribe; crm withdraws
  the consent (audited) and publishes `contact.consent_changed`.
- `candidate.erased` (matching): a job seeker was erased; crm gives their placements and
  proposals one random pseudonym, takes them off shortlists, and confirms with `person.erased`.
- `person.erased` for an erasure crm started (a contact person): one more service has confirmed.

Handlers are idempotent: a redelivered event changes nothing the first one did not.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared import consumer as stream_consumer
from shared import erasure
from shared.auth import Principal
from shared.events import EventType, publish
from shared.glossary import Role

log = logging.getLogger("jobbro.crm.inbox")

GROUP = "crm"


def _at(value: str | None) -> datetime | None:
    try:
        at = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def contact_unsubscribed(session: Session, event: dict[str, Any]) -> int:
    from services.crm.companies.service import unsubscribe_contact

    p = event["payload"]
    contact = unsubscribe_contact(session, int(p["contact_id"]), via=p.get("via") or "link",
                                  at=_at(p.get("unsubscribed_at")) or _at(event.get("occurred_at")))
    return 0 if contact is None else 1


def candidate_erased(session: Session, event: dict[str, Any]) -> int:
    from services.crm.privacy.service import pseudonymise_candidate

    p = event["payload"]
    counts = pseudonymise_candidate(session, principal_of_event(p.get("requested_by")), p["candidate_ref"],
                                    p.get("reason"))
    from services.crm.cooperation.service import erase_candidate as erase_across

    across = erase_across(session, p["candidate_ref"])
    if across:  # proposals to partner jobcentres, whose copies are pseudonymised by message
        counts["cooperation_proposals"] = across
    if p.get("erasure_id"):
        publish(session, EventType.person_erased, {"erasure_id": p["erasure_id"], "owner": p.get("owner", "matching"),
                                                   "service": "crm", "subject": "candidate", "counts": counts})
    return sum(counts.values())


def cooperation_consent(session: Session, event: dict[str, Any]) -> int:
    from services.crm.cooperation.service import set_consent

    return set_consent(session, event["payload"])


def person_erased(session: Session, event: dict[str, Any]) -> int:
    p = event["payload"]
    if p.get("owner") != "crm":
        return 0
    req = erasure.confirm(session, "crm", p["erasure_id"], p["service"], {"counts": p.get("counts")})
    return 0 if req is None else 1


def principal_of_event(actor: dict[str, Any] | None) -> Principal | None:
    """Who asked, as the owner recorded it: the audit entry here names them too (None: the system)."""
    if not actor or actor.get("id") is None:
        return None
    return Principal(user_id=int(actor["id"]), email=actor.get("email") or "", role=Role(actor["role"]))


HANDLERS = {
    EventType.contact_unsubscribed.value: contact_unsubscribed,
    EventType.candidate_erased.value: candidate_erased,
    EventType.person_erased.value: person_erased,
    EventType.candidate_cooperation_consent.value: cooperation_consent,
}


def handle(engine: Engine, event: dict[str, Any]) -> int:
    handler = HANDLERS.get(event.get("type") or "")
    if handler is None:
        return 0
    with Session(engine, expire_on_commit=False) as session:
        done = handler(session, event)
        session.commit()
        return done


def consume(engine: Engine, redis: Redis, **kwargs) -> dict[str, int]:
    return stream_consumer.consume(redis, GROUP, lambda event: handle(engine, event), **kwargs)

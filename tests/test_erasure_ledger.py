"""The owner's erasure ledger (shared/erasure.py): an erasure not confirmed within a day is
announced again, once a day, and completes when every holder has confirmed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select


def test_an_unconfirmed_erasure_is_announced_again_after_a_day_and_completes_on_confirmation(db):
    from shared import erasure
    from shared.events import EventType, OutboxEvent, publish
    from shared.models_base import utcnow

    req = erasure.start(db, "crm", "contact", "42", ["notifications"])
    erasure.announced(req, publish(db, EventType.contact_erased,
                                   {"contact_id": 42, "company_id": 1, "erasure_id": req.id, "owner": "crm"}))
    db.flush()
    assert erasure.republish_open(db, "crm") == 0  # not a day old yet
    req.requested_at = utcnow() - timedelta(days=2)
    db.add(req)
    db.flush()
    assert erasure.republish_open(db, "crm") == 1
    assert erasure.republish_open(db, "crm") == 0  # once a day
    db.flush()
    sent = db.exec(select(OutboxEvent).where(OutboxEvent.type == "contact.erased")).all()
    assert len(sent) == 2 and {e.payload["erasure_id"] for e in sent} == {req.id} and len(req.event_ids) == 2
    assert erasure.confirm(db, "matching", req.id, "notifications") is None  # not matching's request
    assert erasure.confirm(db, "crm", req.id, "notifications").completed_at is not None
    assert erasure.due_again(db, "crm", utcnow() + timedelta(days=3)) == []

"""Matching in the recruitment cooperation (issue 15): the consent to being proposed to other
jobcentres is audited and told to crm; a partner's shared order ranks consenting job seekers only,
with the commute; a job seeker without the consent never sees a partner's order either."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from shared.audit import AuditLog
from shared.event_contracts import validate as validate_event
from shared.events import OutboxEvent
from tests.matching.test_matching import LAGER, add

SHARED = {"shared_order_id": 5, "partner": {"id": 1, "name": "Jobcenter Vordingborg", "municipality_code": 390},
          "title": "Lagermedarbejder", "description": "Pluk og pak af varer, betjening af gaffeltruck.",
          "scheme": "ordinaer", "hours_per_week": 37, "postcode": "4760", "deadline": None, "status": "modtaget"}


def test_the_consent_is_audited_and_told_to_crm_with_the_summary_only_while_given(matching_client, konsulent, db):
    add(matching_client, konsulent, "K-1", LAGER, consent_cooperation=True, cooperation_summary="Lager, truck")
    res = matching_client.patch("/api/v1/candidates/K-1", headers=konsulent, json={"consent_cooperation": False})
    assert res.status_code == 200 and res.json()["consent_cooperation"] is False
    told = [e.payload for e in db.exec(select(OutboxEvent).where(OutboxEvent.type == "candidate.cooperation_consent")
                                       .order_by(OutboxEvent.created_at)).all()]
    for payload in told:
        validate_event("candidate.cooperation_consent", payload)
    assert [(p["consent"], p["cv_summary"]) for p in told] == [(True, "Lager, truck"), (False, "")]
    audited = db.exec(select(AuditLog).where(AuditLog.action == "consent", AuditLog.entity_id == "K-1")).all()
    assert [a.detail["consent_cooperation"] for a in audited] == [True, False]


def test_a_shared_order_ranks_only_consenting_job_seekers_with_the_commute(matching_client, konsulent, db):
    from services.matching.vacancies.service import upsert_from_shared_order

    add(matching_client, konsulent, "MED", LAGER, postcode="4200", consent_cooperation=True, cooperation_summary="x")
    add(matching_client, konsulent, "UDEN", LAGER, postcode="4200")
    v = upsert_from_shared_order(db, SHARED, datetime.now(UTC))
    assert (v.cooperation_partner, v.order_id, v.status) == ("Jobcenter Vordingborg", None, "aaben")
    listed = matching_client.get("/api/v1/vacancies", headers=konsulent, params={"shared_order_id": 5}).json()
    assert [x["id"] for x in listed["items"]] == [v.id]
    body = matching_client.get(f"/api/v1/vacancies/{v.id}/matches", headers=konsulent).json()
    assert [it["candidate_ref"] for it in body["items"]] == ["MED"]
    assert body["cooperation"]["only_consenting"] is True
    assert body["items"][0]["explanation"]["pendling"].startswith("pendler fra 4200 til 4760: ca.")
    # The other direction: the partner's order is not offered to the one without consent.
    own = matching_client.get("/api/v1/candidates/UDEN/matches", headers=konsulent).json()
    assert v.id not in [x["vacancy_id"] for x in own["items"] + own["not_eligible"]]
    mine = matching_client.get("/api/v1/candidates/MED/matches", headers=konsulent).json()
    assert v.id in [x["vacancy_id"] for x in mine["items"] + mine["not_eligible"]]
    # Closed or withdrawn at the ordering jobcentre: closed here.
    upsert_from_shared_order(db, {**SHARED, "status": "trukket_tilbage"}, datetime.now(UTC))
    db.refresh(v)
    assert v.status == "lukket"

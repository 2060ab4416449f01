"""Erasing a job seeker, started in matching (which owns them): matching's record, vectors and
outcomes go in one transaction; `candidate.erased` makes crm give its placements and proposals a
random pseudonym (rows kept, figures unchanged) and confirm; matching's ledger then completes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from shared.audit import AuditLog
from tests.crm.test_privacy import holders
from tests.matching.test_candidates import cand

REF = "GDPR-4711"


def figures(crm_client, headers):
    kpi = crm_client.get("/api/v1/kpi?from=2019-01-01&to=2019-12-31", headers=headers)
    report = crm_client.get("/api/v1/reports/placements?from=2019-01&to=2019-12", headers=headers)
    assert kpi.status_code == 200 and report.status_code == 200, (kpi.text, report.text)
    return kpi.json(), report.json()


@pytest.mark.postgres
def test_erasure_reaches_crm_by_event_and_completes_when_crm_confirms_and_figures_stay(
        matching_client, crm_client, konsulent, login, db, factories, embed_all):
    from services.crm.orders.models import Proposal, ShortlistEntry
    from services.crm.placements.models import Placement
    from services.matching.candidates.models import Candidate
    from services.matching.vacancies.models import Outcome, Vacancy
    from shared.erasure import ErasureRequest
    from shared.events import OutboxEvent
    from tests.conftest import deliver_events

    cid = matching_client.post("/api/v1/candidates", json=cand(REF), headers=konsulent).json()["id"]
    embed_all()
    vacancy = Vacancy(title="Lagermedarbejder", scheme="ordinaer")
    db.add(vacancy)
    db.flush()
    db.add(Outcome(vacancy_id=vacancy.id, candidate_id=cid, outcome="ansat"))
    company = factories.CompanyFactory()
    order = factories.OrderFactory(company_id=company.id, positions=2, positions_filled=1, status="delvist_besat")
    other_order = factories.OrderFactory(company_id=company.id)
    placement = factories.PlacementFactory(company_id=company.id, order_id=order.id, candidate_ref=REF)
    hired = factories.ProposalFactory(order_id=order.id, candidate_ref=REF, status="ansat", placement_id=placement.id)
    proposed = factories.ProposalFactory(order_id=other_order.id, candidate_ref=REF)
    bystander = factories.PlacementFactory(company_id=company.id, candidate_ref="K-ANDEN")
    db.add(ShortlistEntry(order_id=other_order.id, candidate_ref=REF))
    db.flush()
    before = figures(crm_client, konsulent)
    assert set(holders(db, REF)) >= {"matching_candidate", "placement", "proposal", "shortlist_entry", "audit_log"}

    assert matching_client.delete(f"/api/v1/candidates/{REF}", headers=konsulent).status_code == 204
    db.expire_all()
    assert db.get(Candidate, cid) is None
    assert db.exec(select(Outcome).where(Outcome.candidate_id == cid)).all() == []
    assert db.execute(text("SELECT count(*) FROM matching_vector WHERE kind = 'candidate' AND entity_id = :c"),
                      {"c": cid}).scalar() == 0
    request = db.exec(select(ErasureRequest)).one()
    assert request.owner == "matching" and request.completed_at is None and REF not in request.subject_key
    _, admin = login("admin")
    assert matching_client.get("/api/v1/erasures", headers=admin).json()["items"][0]["missing"] == ["crm"]
    assert db.get(Placement, placement.id).candidate_ref == REF  # crm's rows are crm's to change

    assert deliver_events(db).count("person.erased") == 1
    db.expire_all()
    refs = {db.get(Placement, placement.id).candidate_ref, db.get(Proposal, hired.id).candidate_ref,
            db.get(Proposal, proposed.id).candidate_ref}
    assert len(refs) == 1 and refs.pop().startswith("slettet-")  # one pseudonym per person
    assert db.get(Placement, bystander.id).candidate_ref == "K-ANDEN"
    assert figures(crm_client, konsulent) == before
    request = db.get(ErasureRequest, request.id)
    assert request.completed_at is not None
    assert request.confirmations["crm"]["counts"] == {"placements": 1, "proposals": 2, "shortlist_entries": 1,
                                                      "ranking_actions": 0}
    assert matching_client.get("/api/v1/erasures", headers=admin).json()["total"] == 0
    # No table but the audit log (the record of who processed the data, and that it was erased)
    # holds the ref: not matching's outbox (overwritten once crm confirmed), not the ledger.
    assert set(holders(db, REF)) == {"audit_log"}
    assert db.exec(select(OutboxEvent).where(OutboxEvent.type == "candidate.erased")).one().payload[
        "candidate_ref"] == "[slettet]"

    erase = db.exec(select(AuditLog).where(AuditLog.action == "erase", AuditLog.entity_id == REF)).one()
    assert erase.service == "matching" and erase.detail["held_here"] is True
    crm_entry = db.exec(select(AuditLog).where(AuditLog.action == "pseudonymise")).one()
    assert crm_entry.service == "crm" and crm_entry.actor_role == "konsulent"  # who asked, carried by the event
    # Nothing in the audit log leads from the reference to the pseudonym.
    assert "slettet-" not in str([e.detail for e in db.exec(select(AuditLog)).all()])
    assert matching_client.delete(f"/api/v1/candidates/{REF}", headers=konsulent).status_code == 404


def test_a_ref_only_crm_knows_is_pseudonymised_there(matching_client, konsulent, db, factories):
    from services.crm.placements.models import Placement
    from tests.conftest import deliver_events

    placement = factories.PlacementFactory(candidate_ref="KUN-CRM-1", starts_on=date(2020, 1, 1), ends_on=None)
    assert matching_client.delete("/api/v1/candidates/KUN-CRM-1", headers=konsulent).status_code == 204
    deliver_events(db)
    db.expire_all()
    assert db.get(Placement, placement.id).candidate_ref.startswith("slettet-")
    assert matching_client.delete("/api/v1/candidates/KUN-CRM-1", headers=konsulent).status_code == 404


@pytest.mark.postgres
def test_a_failed_erasure_announces_nothing(matching_client, konsulent, db, factories):
    from services.crm.placements.models import Placement
    from services.matching.candidates.models import Candidate
    from shared.erasure import ErasureRequest
    from shared.events import OutboxEvent

    matching_client.post("/api/v1/candidates", json=cand("GDPR-ROLLBACK"), headers=konsulent)
    placement = factories.PlacementFactory(candidate_ref="GDPR-ROLLBACK")
    # The database refuses to delete the candidate row; the trigger lives in the test's
    # transaction and goes with it.
    db.execute(text("""
        CREATE FUNCTION pg_temp.refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_delete BEFORE DELETE ON matching_candidate
            FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse();
    """))
    db.commit()  # into the test's outer transaction, which the failed request's rollback keeps
    assert matching_client.delete("/api/v1/candidates/GDPR-ROLLBACK", headers=konsulent).status_code >= 500
    db.rollback()
    assert db.get(Placement, placement.id).candidate_ref == "GDPR-ROLLBACK"
    assert db.exec(select(Candidate).where(Candidate.candidate_ref == "GDPR-ROLLBACK")).one()
    # Nothing was announced, so no other service erases anything; no ledger entry claims it started.
    assert not db.exec(select(OutboxEvent).where(OutboxEvent.type == "candidate.erased")).all()
    assert not db.exec(select(ErasureRequest)).all()
    assert not db.exec(select(AuditLog).where(AuditLog.action.in_(["erase", "pseudonymise"]))).all()

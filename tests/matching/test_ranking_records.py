"""Ranking records (EU AI Act art. 12) and the bias audit (art. 10): what a consultant was shown
is kept when the ranking is asked for, what they did with it arrives from crm as `ranking.action`,
and a manager reads both back, "who else was ranked then", without anything being scored again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests.conftest import deliver_events
from tests.matching.test_matching import KOK, LAGER, SOSU, add, vacancy

ENGLISH = ("I have worked six years in a warehouse picking and packing goods and driving a forklift truck. "
           "I hold a forklift licence and I am used to working in shifts.")


@pytest.fixture
def ranked(matching_client, konsulent, embed_all, factories):
    """Three job seekers, a crm order and its vacancy in matching, and the ranking a consultant saw."""
    add(matching_client, konsulent, "A-lager", LAGER, target_group="a_dagpenge", months_unemployed=2,
        birth_year=1990)
    add(matching_client, konsulent, "B-kok", KOK, target_group="a_dagpenge", months_unemployed=9, postcode="4220",
        birth_year=1960)
    add(matching_client, konsulent, "C-sosu", SOSU, target_group="kontanthjaelp_jobparat", months_unemployed=12,
        postcode="4700", birth_year=2001)
    add(matching_client, konsulent, "D-english", ENGLISH, target_group="integration", months_unemployed=3)
    order = factories.OrderFactory(received_on=date.today() - timedelta(days=3))
    v = vacancy(matching_client, konsulent, order_id=order.id)
    embed_all()
    body = matching_client.get(f"/api/v1/vacancies/{v['id']}/matches", params={"limit": 2}, headers=konsulent).json()
    return {"order": order, "vacancy": v, "body": body}


def test_a_ranking_shown_is_recorded_with_who_was_ranked_and_why(matching_client, konsulent, leder, admin, ranked):
    body = ranked["body"]
    record_id = body["ranking_record_id"]
    shown = [i["candidate_ref"] for i in body["items"]]
    assert shown[0] == "A-lager" and len(shown) == 2
    rec = matching_client.get(f"/api/v1/ranking-records/{record_id}", headers=leder)
    assert rec.status_code == 200, rec.text
    rec = rec.json()
    assert [e["candidate_ref"] for e in rec["entries"]] == shown
    assert rec["order_id"] == ranked["order"].id and rec["vacancy_id"] == ranked["vacancy"]["id"]
    assert rec["model_fingerprint"] == body["model_fingerprint"] and rec["weights_version"] == body["weights_version"]
    read_as = ", ".join(o["label"] for o in body["occupations"])  # how the order was read, as shown
    assert rec["filters"] == {"scheme": None, "limit": 2, "read_as": read_as} and rec["eligible"] == body["eligible"] == 4
    top = rec["entries"][0]
    assert top["score"] == body["items"][0]["score"]
    assert set(top["parts"]) == {"semantic", "lexical", "skills", "occupation", "distance"}
    assert any(r["regel"] == "timer" for r in top["reasons"])
    assert top["groups"] == {"malgruppe": "a_dagpenge", "alder": "30-39", "ordning": "ingen", "kommune": "330",
                             "cv_sprog": "dansk"}
    # the pool as it was: every eligible job seeker counted in their group, the English CV too
    assert rec["pool_groups"]["cv_sprog"] == {"dansk": 3, "andet": 1}
    assert rec["pool_groups"]["kommune"] == {"330": 4}
    assert matching_client.get(f"/api/v1/ranking-records/{record_id}", headers=admin).status_code == 200
    # oversight is for managers: a consultant is refused the record and the list
    assert matching_client.get(f"/api/v1/ranking-records/{record_id}", headers=konsulent).status_code == 403
    assert matching_client.get("/api/v1/ranking-records", headers=konsulent).status_code == 403
    listed = matching_client.get("/api/v1/ranking-records", params={"order_id": ranked["order"].id},
                                 headers=leder).json()
    assert [r["id"] for r in listed["items"]] == [record_id]
    missing = matching_client.get("/api/v1/ranking-records/999999", headers=leder)
    assert missing.status_code == 404 and "findes ikke" in missing.json()["detail"]


def test_a_consultant_learns_where_a_candidate_stood(matching_client, konsulent, ranked):
    record_id = ranked["body"]["ranking_record_id"]
    first = matching_client.get(f"/api/v1/ranking-records/{record_id}/rank", params={"candidate_ref": "A-lager"},
                                headers=konsulent).json()
    assert first == {"ranking_record_id": record_id, "candidate_ref": "A-lager", "rank": 1, "in_top": True, "top": 2}
    outside = matching_client.get(f"/api/v1/ranking-records/{record_id}/rank", params={"candidate_ref": "C-sosu"},
                                  headers=konsulent).json()
    assert outside["in_top"] is False and outside["rank"] is None


def test_shortlist_and_proposal_in_crm_reach_the_record_with_the_reason(
        crm_client, matching_client, konsulent, leder, ranked, db):
    order, record_id = ranked["order"], ranked["body"]["ranking_record_id"]
    res = crm_client.post(f"/api/v1/orders/{order.id}/shortlist",
                          json={"candidate_ref": "A-lager", "ranking_record_id": record_id}, headers=konsulent)
    assert res.status_code == 201, res.text
    reason = "Kender virksomheden fra praktik og har truckcertifikat"
    res = crm_client.post(f"/api/v1/orders/{order.id}/proposals",
                          json={"candidate_ref": "C-sosu", "ranking_record_id": record_id, "reason": reason},
                          headers=konsulent)
    assert res.status_code == 201, res.text
    proposal_id = res.json()["id"]
    res = crm_client.patch(f"/api/v1/orders/{order.id}/proposals/{proposal_id}", json={"status": "afvist"},
                           headers=konsulent)
    assert res.status_code == 200, res.text
    delivered = deliver_events(db)
    assert delivered.count("ranking.action") == 3
    deliver_events(db)  # delivered again (at least once): nothing is appended twice
    rec = matching_client.get(f"/api/v1/ranking-records/{record_id}", headers=leder).json()
    acts = [(a["action"], a["candidate_ref"], a["rank"], a["reason"]) for a in rec["actions"]]
    assert acts == [("kortliste", "A-lager", 1, None), ("foreslaaet", "C-sosu", None, reason),
                    ("afvist", "C-sosu", None, None)]
    assert rec["entries"][0]["actions"] == ["kortliste"]
    # "why was this person proposed": found by the person's reference
    found = matching_client.get("/api/v1/ranking-records", params={"candidate_ref": "C-sosu"}, headers=leder).json()
    assert [r["id"] for r in found["items"]] == [record_id]
    assert [a["reason"] for a in found["items"][0]["actions"] if a["action"] == "foreslaaet"] == [reason]


def test_every_ranking_action_follows_its_contract(crm_client, konsulent, ranked, db):
    from shared.event_contracts import validate
    from shared.events import OutboxEvent

    order, record_id = ranked["order"], ranked["body"]["ranking_record_id"]
    crm_client.post(f"/api/v1/orders/{order.id}/proposals",
                    json={"candidate_ref": "B-kok", "ranking_record_id": record_id}, headers=konsulent)
    rows = db.exec(select(OutboxEvent).where(OutboxEvent.type == "ranking.action")).all()
    assert len(rows) == 1
    for row in rows:
        validate(row.type, row.payload)


def test_erasure_pseudonymises_the_job_seeker_in_records_and_crm_outbox(
        crm_client, matching_client, konsulent, leder, admin, ranked, db):
    from shared.events import OutboxEvent

    order, record_id = ranked["order"], ranked["body"]["ranking_record_id"]
    crm_client.post(f"/api/v1/orders/{order.id}/proposals",
                    json={"candidate_ref": "A-lager", "ranking_record_id": record_id, "reason": "Kender firmaet"},
                    headers=konsulent)
    deliver_events(db)
    assert matching_client.delete("/api/v1/candidates/A-lager", headers=admin).status_code == 204
    deliver_events(db)
    rec = matching_client.get(f"/api/v1/ranking-records/{record_id}", headers=leder).json()
    first = rec["entries"][0]
    assert first["candidate_ref"].startswith("slettet-") and first["parts"] == {} and first["reasons"] == []
    assert first["groups"]["malgruppe"] == "a_dagpenge"  # still counted by the audit
    assert rec["actions"][0]["candidate_ref"] == first["candidate_ref"] and rec["actions"][0]["reason"] is None
    assert "A-lager" not in str(rec)
    crm_rows = db.exec(select(OutboxEvent).where(OutboxEvent.type == "ranking.action")).all()
    assert crm_rows and all(r.payload["candidate_ref"] != "A-lager" and r.payload["reason"] is None
                            for r in crm_rows)


def test_retention_deletes_records_past_their_period(matching_client, leder, ranked, db, monkeypatch):
    from services.matching.records.models import RankingRecord, RankingRecordEntry
    from services.matching.daily import TASKS
    from services.matching.records.service import delete_expired
    from shared.settings import get_settings

    monkeypatch.setattr(get_settings(), "matching_ranking_record_retention_days", 730)
    assert delete_expired(db, date.today()) == 0
    assert db.exec(select(RankingRecord)).all()
    TASKS["retention_ranking_records"](db, date.today() + timedelta(days=731))  # the morning round's task
    assert db.exec(select(RankingRecord)).all() == [] and db.exec(select(RankingRecordEntry)).all() == []


def test_the_bias_audit_shows_exposure_per_group_with_flags(matching_client, konsulent, leder, ranked):
    # more rankings of the same order: top-2 of 4 each time
    for _ in range(2):
        matching_client.get(f"/api/v1/vacancies/{ranked['vacancy']['id']}/matches", params={"limit": 2},
                            headers=konsulent)
    res = matching_client.get("/api/v1/audit/ranking", params={"from": date.today().isoformat()}, headers=leder)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["rankings"] == 3 and body["eligible_total"] == 12 and body["top10_total"] == 6
    lang = {g["group"]: g for d in body["dimensions"] if d["key"] == "cv_sprog" for g in d["groups"]}
    # the English CV is a quarter of the pool; whether it reaches the top-2 decides its flag
    assert lang["andet"]["pool_share"] == 0.25 and lang["andet"]["rankings"] == 3
    assert lang["andet"]["small_sample"] is True
    for g in lang.values():
        assert g["exposure_ratio"] == round(g["top10_share"] / g["pool_share"], 3)
        assert g["flagged"] == (g["exposure_ratio"] < 0.8)
    assert {d["key"] for d in body["dimensions"]} == {"malgruppe", "alder", "ordning", "kommune", "cv_sprog"}
    flagged = {(f["dimension"], f["group"]) for f in body["flagged"]}
    assert flagged == {(d["key"], g["group"]) for d in body["dimensions"] for g in d["groups"] if g["flagged"]}
    assert flagged  # two of four shown: someone's group is under-exposed
    csv = matching_client.get("/api/v1/audit/ranking", params={"format": "csv"}, headers=leder)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "exposure_ratio" in csv.text.splitlines()[0] and "cv_sprog" in csv.text
    assert matching_client.get("/api/v1/audit/ranking", headers=konsulent).status_code == 403
    bad = matching_client.get("/api/v1/audit/ranking", params={"from": "2026-02-01", "to": "2026-01-01"},
                              headers=leder)
    assert bad.status_code == 422 and "efter" in bad.json()["detail"]


def test_hire_rate_per_score_band_from_decided_proposals():
    from services.matching.records.audit import AuditAction, AuditRanking, compute

    g = {"malgruppe": "a_dagpenge", "alder": "30-39", "ordning": "ingen", "kommune": "330", "cv_sprog": "dansk"}
    rankings = [AuditRanking({"cv_sprog": {"dansk": 8, "andet": 2}}, 10, [g] * 10)]
    actions = [AuditAction("foreslaaet", g, 0.85, True), AuditAction("foreslaaet", g, 0.9, False),
               AuditAction("foreslaaet", g, 0.3, None)]
    out = compute(rankings, actions)
    assert out["hire_rate_by_score_band"] == [
        {"band": "0.2-0.4", "proposed": 1, "decided": 0, "hired": 0, "hire_rate": None},
        {"band": "0.8-1.0", "proposed": 2, "decided": 2, "hired": 1, "hire_rate": 0.5}]
    lang = {x["group"]: x for d in out["dimensions"] if d["key"] == "cv_sprog" for x in d["groups"]}
    assert lang["andet"]["exposure_ratio"] == 0.0 and lang["andet"]["flagged"]
    assert lang["dansk"]["exposure_ratio"] == 1.25 and not lang["dansk"]["flagged"]


def test_a_cv_language_is_detected_when_stored(matching_client, konsulent):
    assert add(matching_client, konsulent, "L-da", LAGER)["cv_language"] == "da"
    assert add(matching_client, konsulent, "L-en", ENGLISH)["cv_language"] == "en"


@pytest.mark.postgres
@pytest.mark.redis
def test_the_matching_consumer_appends_crm_actions_from_the_stream(committed, engine, redis_conn):
    """crm's shortlisting, sent through its outbox and the real stream, lands on the ranking record
    through matching's consumer group; the same entry delivered again appends nothing."""
    from sqlmodel import Session as S

    from services.crm.events import publish_ranking_action
    from services.matching.records.models import RankingRecord, RankingRecordAction, RankingRecordEntry
    from services.matching.vacancies.events import consume_once
    from shared.events import relay_pending, stream

    rec = RankingRecord(vacancy_id=1, order_id=41, scheme="ordinaer", role="konsulent", weights_version="v1")
    committed.add(rec)
    committed.flush()
    committed.add(RankingRecordEntry(record_id=rec.id, rank=1, candidate_ref="K-STREAM", score=0.8,
                                     groups={"malgruppe": "a_dagpenge"}))
    publish_ranking_action(committed, 41, "K-STREAM", "kortliste", None, rec.id)
    committed.commit()
    relay_pending(engine, redis_conn)
    assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
    entries = redis_conn.xrange(stream())
    redis_conn.xadd(stream(), {k.decode(): v for k, v in entries[-1][1].items()})  # at least once
    consume_once(redis_conn, "test-consumer", block_ms=200)
    with S(engine) as s:
        acts = s.exec(select(RankingRecordAction)).all()
    assert [(a.action, a.candidate_ref, a.rank, a.groups) for a in acts] == [
        ("kortliste", "K-STREAM", 1, {"malgruppe": "a_dagpenge"})]


def test_age_bands_read_youngest_first_and_unknown_groups_last():
    from services.matching.records.groups import AGE_LABELS, UNKNOWN, group_order

    shuffled = [UNKNOWN, "60+", "under 25", "40-49", "25-29", "50-59", "30-39"]
    assert sorted(shuffled, key=group_order("alder")) == [*AGE_LABELS, UNKNOWN]
    assert sorted([UNKNOWN, "rap", "330"], key=group_order("kommune")) == ["330", "rap", UNKNOWN]

"""Company centres' free places as standing vacancies in matching (crm's `centre.places_changed`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from shared.event_contracts import validate
from tests.matching.test_matching import KOK, LAGER, add


def places_payload(**over):
    payload = {
        "centre_id": 31, "company_id": 12,
        "company": {"id": 12, "name": "Bisca A/S", "cvr": "13585628", "postcode": "4200", "sector": "privat",
                    "industry_code": "107200"},
        "name": "Bisca virksomhedscenter", "title": "Lagermedarbejder i virksomhedscenter",
        "description": "Pluk og pak på lageret; betjene gaffeltruck efter oplæring.", "postcode": "4200",
        "starts_on": "2026-01-01", "ends_on": None, "target_groups": ["a_dagpenge"], "active": True,
        "as_of": "2026-12-06",
        "places": [{"scheme": "virksomhedspraktik", "places": 3, "free": 2},
                   {"scheme": "loentilskud", "places": 1, "free": 0}],
    }
    payload.update(over)
    validate("centre.places_changed", payload)
    return payload


def at(day: int) -> datetime:
    return datetime(2026, 12, day, 9, tzinfo=UTC)


def standing(db):
    from services.matching.vacancies.models import Vacancy

    db.expire_all()
    return {v.scheme: v for v in db.exec(select(Vacancy).where(Vacancy.centre_id == 31)).all()}


def test_free_places_become_a_standing_vacancy_per_scheme_that_candidates_are_ranked_for(
        matching_client, konsulent, embed_all, db):
    from services.matching.vacancies.service import apply_centre_places

    add(matching_client, konsulent, "A-lager", LAGER, target_group="a_dagpenge", months_unemployed=2)
    add(matching_client, konsulent, "B-kok", KOK, target_group="a_dagpenge", months_unemployed=9)
    apply_centre_places(db, places_payload(), at(1))
    vacancies = standing(db)
    praktik, loen = vacancies["virksomhedspraktik"], vacancies["loentilskud"]
    assert (praktik.standing, praktik.status, praktik.free_places, praktik.order_id) == (True, "aaben", 2, None)
    assert (praktik.company_name, praktik.sector, praktik.postcode) == ("Bisca A/S", "privat", "4200")
    assert (loen.status, loen.free_places) == ("lukket", 0), "no free place: not a vacancy now"
    embed_all()

    listed = matching_client.get("/api/v1/vacancies", params={"standing": "true", "status": "aaben"},
                                 headers=konsulent).json()
    assert [(v["id"], v["centre_id"], v["free_places"]) for v in listed["items"]] == [(praktik.id, 31, 2)]
    ranked = matching_client.get(f"/api/v1/vacancies/{praktik.id}/matches", headers=konsulent)
    assert ranked.status_code == 200, ranked.text
    assert ranked.json()["items"][0]["candidate_ref"] == "A-lager"
    theirs = matching_client.get("/api/v1/candidates/A-lager/matches", headers=konsulent).json()
    assert praktik.id in [i.get("vacancy_id", i.get("id")) for i in theirs["items"]]


def test_the_vacancy_follows_the_places_and_ignores_a_late_older_event(committed):
    from services.matching.vacancies.service import apply_centre_places

    db = committed
    apply_centre_places(db, places_payload(), at(1))
    first_id = standing(db)["virksomhedspraktik"].id
    full = places_payload(places=[{"scheme": "virksomhedspraktik", "places": 3, "free": 0},
                                  {"scheme": "loentilskud", "places": 1, "free": 1}])
    apply_centre_places(db, full, at(3))
    now = standing(db)
    assert (now["virksomhedspraktik"].id, now["virksomhedspraktik"].status) == (first_id, "lukket")
    assert now["loentilskud"].status == "aaben"
    # The event of the 2nd, delivered after the 3rd's, changes nothing.
    apply_centre_places(db, places_payload(), at(2))
    assert standing(db)["virksomhedspraktik"].status == "lukket"
    # A scheme dropped from the agreement closes; an ended or deleted agreement closes everything.
    apply_centre_places(db, places_payload(places=[{"scheme": "virksomhedspraktik", "places": 3, "free": 1}]), at(4))
    now = standing(db)
    assert (now["virksomhedspraktik"].status, now["loentilskud"].status) == ("aaben", "lukket")
    apply_centre_places(db, places_payload(active=False, places=[]), at(5))
    assert {v.status for v in standing(db).values()} == {"lukket"}


def test_the_consumer_routes_the_event(committed):
    from services.matching.vacancies.events import handle

    assert handle({"type": "centre.places_changed", "occurred_at": at(1).isoformat(), "payload": places_payload()})
    assert standing(committed)["virksomhedspraktik"].status == "aaben"


def test_a_reservation_in_crm_reaches_matching_over_the_stream(committed, engine, redis_conn):
    """crm's outbox -> Redis stream -> matching's consumer group: the standing vacancy follows the
    places, from the event alone."""
    from fastapi.testclient import TestClient

    from services.crm.main import app
    from services.crm.users.models import User
    from services.crm.users.service import principal_of
    from services.matching.vacancies.events import consume_once
    from shared.auth import create_access_token
    from shared.events import read_events, relay_pending

    user = User(email="konsulent.centre@jobbro.dk", password_hash="x", full_name="Mette Konsulent", role="konsulent")
    committed.add(user)
    committed.commit()
    headers = {"Authorization": f"Bearer {create_access_token(principal_of(user))}"}
    today = date.today()
    with TestClient(app) as client:
        company = client.post("/api/v1/companies", headers=headers, json={
            "cvr": "13585628", "name": "Bisca A/S", "sector": "privat", "postcode": "4200", "employees": 200})
        assert company.status_code == 201, company.text
        centre = client.post("/api/v1/centres", headers=headers, json={
            "company_id": company.json()["id"], "name": "Bisca virksomhedscenter", "title": "Lagermedarbejder",
            "description": "Pluk og pak på lageret; betjene gaffeltruck efter oplæring.",
            "starts_on": (today - timedelta(days=30)).isoformat(), "places": {"virksomhedspraktik": 1}})
        assert centre.status_code == 201, centre.text
        centre_id = centre.json()["id"]
        relay_pending(engine, redis_conn)
        assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
        (v,) = _standing_for(engine, centre_id)
        assert (v.status, v.free_places, v.title) == ("aaben", 1, "Lagermedarbejder")

        res = client.post(f"/api/v1/centres/{centre_id}/reservations", headers=headers, json={
            "candidate_ref": "K-STREAM-1", "scheme": "virksomhedspraktik", "target_group": "sygedagpenge",
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(weeks=4)).isoformat()})
        assert res.status_code == 201, res.text
    relay_pending(engine, redis_conn)
    assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
    (v,) = _standing_for(engine, centre_id)
    assert (v.status, v.free_places) == ("lukket", 0)
    centre_events = [e for e in read_events(redis_conn, "0-0") if e["type"] == "centre.places_changed"]
    assert len(centre_events) == 2 and "K-STREAM-1" not in repr(centre_events)


def _standing_for(engine, centre_id: int):
    from sqlmodel import Session

    from services.matching.vacancies.models import Vacancy

    with Session(engine) as s:
        return s.exec(select(Vacancy).where(Vacancy.centre_id == centre_id)).all()

"""Company centres' free places as standing vacancies in matching (crm's `centre.places_changed`)."""

from __future__ import annotations

from datetime import UTC, datetime

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

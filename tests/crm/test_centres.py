"""Company centres (virksomhedscentre): fixed places, free places, reservations, the scheme rules,
the ratio rule, events and the occupancy report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.crm.placements.models import Placement
from shared.audit import AuditLog
from shared.event_contracts import validate as validate_event
from shared.events import OutboxEvent

URL = "/api/v1/centres"
TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())


def _ok(res, code=200):
    assert res.status_code == code, res.text
    return res.json() if res.content else None


def centre_body(company_id, **over):
    data = {"company_id": company_id, "name": "Bisca virksomhedscenter", "title": "Pakning og produktion",
            "description": "Pakning af småkager, lager og rengøring i produktionen.",
            "starts_on": (MONDAY - timedelta(days=120)).isoformat(), "ends_on": None,
            "places": {"virksomhedspraktik": 2, "loentilskud": 1},
            "target_groups": ["kontanthjaelp_aktivitetsparat", "sygedagpenge"]}
    data.update(over)
    return data


def reservation(**over):
    data = {"candidate_ref": "K-200", "scheme": "virksomhedspraktik", "target_group": "kontanthjaelp_aktivitetsparat",
            "starts_on": MONDAY.isoformat(), "ends_on": (MONDAY + timedelta(weeks=8) - timedelta(days=1)).isoformat()}
    data.update(over)
    return data


@pytest.fixture
def company(factories):
    return factories.CompanyFactory(name="Bisca A/S", employees=250, postcode="4760")


@pytest.fixture
def centre(crm_client, konsulent, company):
    return _ok(crm_client.post(URL, json=centre_body(company.id), headers=konsulent), 201)


def places_events(db):
    rows = db.query(OutboxEvent).filter(OutboxEvent.type == "centre.places_changed").order_by(OutboxEvent.created_at).all()
    for r in rows:
        validate_event("centre.places_changed", r.payload)
    return [r.payload for r in rows]


# -- agreements ----------------------------------------------------------------------------------

def test_an_agreement_keeps_places_per_scheme_with_target_groups_mentor_and_consultant(
        crm_client, konsulent, factories, company, db):
    mentor = factories.ContactFactory(company_id=company.id, name="Lone Mentor")
    body = centre_body(company.id, mentor_contact_id=mentor.id, places={"virksomhedspraktik": 10, "loentilskud": 2})
    got = _ok(crm_client.post(URL, json=body, headers=konsulent), 201)
    assert [(p["scheme"], p["places"], p["free_now"]) for p in got["places"]] == [
        ("loentilskud", 2, 2), ("virksomhedspraktik", 10, 10)]
    assert (got["places_total"], got["free_now"], got["mentor_name"], got["active"]) == (12, 12, "Lone Mentor", True)
    assert got["consultant_id"] is not None, "the consultant who made it is responsible unless another is named"
    assert got["target_groups"] == ["kontanthjaelp_aktivitetsparat", "sygedagpenge"]
    listing = _ok(crm_client.get(URL, params={"active_on": TODAY.isoformat()}, headers=konsulent))
    assert [c["id"] for c in listing["items"]] == [got["id"]]
    (event,) = places_events(db)
    assert (event["centre_id"], event["active"], event["company"]["name"]) == (got["id"], True, "Bisca A/S")
    assert ("create", str(got["id"])) in [(a.action, a.entity_id) for a in
                                          db.query(AuditLog).filter(AuditLog.entity == "centre_agreement")]


@pytest.mark.parametrize(("over", "field"), [
    ({"places": {"ordinaer": 2}}, "places"),
    ({"places": {"virksomhedspraktik": 0}}, "places"),
    ({"ends_on": "2020-01-01", "starts_on": "2021-01-01"}, "ends_on"),
    ({"target_groups": ["ukendt"]}, "target_groups"),
])
def test_an_invalid_agreement_is_refused_in_danish(crm_client, konsulent, company, over, field, db):
    res = crm_client.post(URL, json=centre_body(company.id, **over), headers=konsulent)
    assert res.status_code == 422, res.text
    assert res.json()["errors"][0]["field"].startswith(field)
    assert places_events(db) == []


def test_a_mentor_from_another_company_is_refused(crm_client, konsulent, factories, company):
    stranger = factories.ContactFactory(company_id=factories.CompanyFactory().id)
    res = crm_client.post(URL, json=centre_body(company.id, mentor_contact_id=stranger.id), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "mentor_contact_id"


def test_the_agreement_may_not_promise_more_places_than_the_ratio_rule_allows(crm_client, konsulent, factories):
    # 60 ordinary employees: 10 for the first 50 and 1 for the next 10 -> 11 supported at once.
    company = factories.CompanyFactory(employees=60)
    res = crm_client.post(URL, json=centre_body(company.id, places={"virksomhedspraktik": 10, "loentilskud": 2}),
                          headers=konsulent)
    assert res.status_code == 409, res.text
    assert "rimelighedskravet" in res.json()["detail"] and "højst have 11" in res.json()["detail"]
    # IGU and fleksjob are outside the ratio rule: they do not count.
    ok = crm_client.post(URL, json=centre_body(company.id, places={"virksomhedspraktik": 11, "fleksjob": 5}),
                         headers=konsulent)
    assert ok.status_code == 201, ok.text


def test_companies_never_see_centres(crm_client, login, company, centre):
    _, headers = login("virksomhed", company)
    assert crm_client.get(URL, headers=headers).status_code == 403
    assert crm_client.post(f"{URL}/{centre['id']}/reservations", json=reservation(), headers=headers).status_code == 403


# -- reservations --------------------------------------------------------------------------------

def test_reserving_a_place_creates_a_placement_that_occupies_it(crm_client, konsulent, centre, db):
    placement = _ok(crm_client.post(f"{URL}/{centre['id']}/reservations", json=reservation(), headers=konsulent), 201)
    assert (placement["centre_id"], placement["scheme"], placement["candidate_ref"]) == (
        centre["id"], "virksomhedspraktik", "K-200")
    now = _ok(crm_client.get(f"{URL}/{centre['id']}", headers=konsulent))
    praktik = next(p for p in now["places"] if p["scheme"] == "virksomhedspraktik")
    assert (praktik["occupied_now"], praktik["free_now"]) == (1, 1)
    last = places_events(db)[-1]
    assert {p["scheme"]: p["free"] for p in last["places"]} == {"virksomhedspraktik": 1, "loentilskud": 1}
    assert "K-200" not in repr(places_events(db))


def test_no_free_place_answers_409_with_when_one_comes_free(crm_client, konsulent, centre, db):
    url = f"{URL}/{centre['id']}/reservations"
    first_end = MONDAY + timedelta(weeks=4) - timedelta(days=1)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-1", ends_on=first_end.isoformat()),
                        headers=konsulent), 201)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-2"), headers=konsulent), 201)
    res = crm_client.post(url, json=reservation(candidate_ref="K-3"), headers=konsulent)
    assert res.status_code == 409, res.text
    detail = res.json()["detail"]
    assert "ingen ledig plads til virksomhedspraktik" in detail
    assert f"bliver ledig {(first_end + timedelta(days=1)).isoformat()}" in detail
    assert db.query(Placement).filter(Placement.candidate_ref == "K-3").count() == 0
    # From the day the first place comes free it can be reserved again.
    later = reservation(candidate_ref="K-3", starts_on=(first_end + timedelta(days=1)).isoformat(),
                        ends_on=(first_end + timedelta(weeks=6)).isoformat())
    _ok(crm_client.post(url, json=later, headers=konsulent), 201)


def test_a_reservation_must_fit_the_centre(crm_client, konsulent, centre):
    url = f"{URL}/{centre['id']}/reservations"
    res = crm_client.post(url, json=reservation(scheme="igu"), headers=konsulent)
    assert res.status_code == 422 and "ingen faste pladser til igu" in res.json()["detail"].lower()
    res = crm_client.post(url, json=reservation(target_group="a_dagpenge"), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "target_group"
    res = crm_client.post(url, json=reservation(starts_on="2000-01-03", ends_on="2000-02-01"), headers=konsulent)
    assert res.status_code == 422 and "uden for aftalens periode" in res.json()["detail"]
    assert crm_client.post(f"{URL}/999999/reservations", json=reservation(), headers=konsulent).status_code == 404


def test_the_scheme_rules_still_apply_with_override(crm_client, konsulent, centre, db):
    """A praktik for an aktivitetsparat person lasts at most 13 weeks, centre or not."""
    url = f"{URL}/{centre['id']}/reservations"
    too_long = reservation(ends_on=(MONDAY + timedelta(weeks=20)).isoformat())
    res = crm_client.post(url, json=too_long, headers=konsulent)
    assert res.status_code == 409 and res.json()["breaches"][0]["rule"] == "max_varighed"
    assert db.query(Placement).count() == 0
    done = _ok(crm_client.post(url, json={**too_long, "override_reason": "Forlænget efter konkret vurdering"},
                               headers=konsulent), 201)
    assert done["override_reason"] == "Forlænget efter konkret vurdering"


def test_the_ratio_rule_counts_centre_places_with_the_companys_other_placements(crm_client, konsulent, factories):
    """10 employees allow 2 supported people at once: a praktik outside the centre takes one of them,
    so the centre's second place is free but not bookable."""
    company = factories.CompanyFactory(employees=10)
    centre = _ok(crm_client.post(URL, json=centre_body(company.id, places={"virksomhedspraktik": 2}),
                                 headers=konsulent), 201)
    factories.PlacementFactory(company_id=company.id, scheme="loentilskud", target_group="a_dagpenge",
                               starts_on=MONDAY - timedelta(days=10), ends_on=MONDAY + timedelta(weeks=20))
    url = f"{URL}/{centre['id']}/reservations"
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-1"), headers=konsulent), 201)
    free = _ok(crm_client.get(f"{URL}/{centre['id']}/availability", params={"weeks": 2}, headers=konsulent))
    week = free["schemes"][0]["weeks"][0]
    assert (week["places"], week["occupied"], week["free"], week["bookable"]) == (2, 1, 1, 0)
    assert free["ratio_headroom"][0] == 0
    res = crm_client.post(url, json=reservation(candidate_ref="K-2"), headers=konsulent)
    assert res.status_code == 409 and res.json()["breaches"][0]["rule"] == "rimelighedskrav"


def test_availability_per_week_counts_a_place_free_only_when_free_all_week(crm_client, konsulent, centre):
    url = f"{URL}/{centre['id']}/reservations"
    # Two praktik places: one taken weeks 1-4, one from the middle of week 2 to week 6.
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-1", ends_on=(MONDAY + timedelta(days=27)).isoformat()),
                        headers=konsulent), 201)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-2", starts_on=(MONDAY + timedelta(days=9)).isoformat(),
                                              ends_on=(MONDAY + timedelta(days=41)).isoformat()), headers=konsulent), 201)
    got = _ok(crm_client.get(f"{URL}/{centre['id']}/availability", params={"weeks": 8, "from": TODAY.isoformat()},
                             headers=konsulent))
    assert got["from"] == MONDAY.isoformat() and got["weeks"] == 8
    praktik = next(s for s in got["schemes"] if s["scheme"] == "virksomhedspraktik")
    assert [w["free"] for w in praktik["weeks"]] == [1, 0, 0, 0, 1, 1, 2, 2]
    loen = next(s for s in got["schemes"] if s["scheme"] == "loentilskud")
    assert [w["free"] for w in loen["weeks"]] == [1] * 8
    assert crm_client.get(f"{URL}/{centre['id']}/availability", params={"weeks": 99},
                          headers=konsulent).status_code == 422


def test_changing_a_centre_placement_keeps_it_within_the_places(crm_client, konsulent, centre, db):
    url = f"{URL}/{centre['id']}/reservations"
    a = _ok(crm_client.post(url, json=reservation(candidate_ref="K-1", ends_on=(MONDAY + timedelta(days=20)).isoformat()),
                            headers=konsulent), 201)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-2", starts_on=(MONDAY + timedelta(days=21)).isoformat(),
                                              ends_on=(MONDAY + timedelta(days=60)).isoformat()),
                        headers=konsulent), 201)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-3", ends_on=(MONDAY + timedelta(days=60)).isoformat()),
                        headers=konsulent), 201)
    # Stretching K-1 over K-2's start would need a third place.
    res = crm_client.patch(f"/api/v1/placements/{a['id']}", json={"ends_on": (MONDAY + timedelta(days=30)).isoformat()},
                           headers=konsulent)
    assert res.status_code == 409 and "ingen ledig plads" in res.json()["detail"]
    # Ending it early frees the place today, and matching hears of it.
    before = len(places_events(db))
    _ok(crm_client.patch(f"/api/v1/placements/{a['id']}", json={"ends_on": (TODAY - timedelta(days=1)).isoformat()
                                                                 if TODAY > MONDAY else MONDAY.isoformat()},
                         headers=konsulent))
    assert len(places_events(db)) == before + 1
    _ok(crm_client.delete(f"/api/v1/placements/{a['id']}", headers=konsulent), 204)
    assert len(places_events(db)) == before + 2


def test_an_agreement_cannot_shrink_below_its_placements_or_be_deleted_with_them(crm_client, konsulent, centre, db):
    url = f"{URL}/{centre['id']}/reservations"
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-1"), headers=konsulent), 201)
    _ok(crm_client.post(url, json=reservation(candidate_ref="K-2"), headers=konsulent), 201)
    res = crm_client.patch(f"{URL}/{centre['id']}", json={"places": {"virksomhedspraktik": 1, "loentilskud": 1}},
                           headers=konsulent)
    assert res.status_code == 409 and "2 placeringer" in res.json()["detail"]
    res = crm_client.patch(f"{URL}/{centre['id']}", json={"ends_on": (MONDAY + timedelta(days=7)).isoformat()},
                           headers=konsulent)
    assert res.status_code == 409 and "uden for aftalens periode" in res.json()["detail"]
    assert crm_client.delete(f"{URL}/{centre['id']}", headers=konsulent).status_code == 409
    grown = _ok(crm_client.patch(f"{URL}/{centre['id']}", json={"places": {"virksomhedspraktik": 4}},
                                 headers=konsulent))
    assert [(p["scheme"], p["places"], p["free_now"]) for p in grown["places"]] == [("virksomhedspraktik", 4, 2)]


def test_deleting_an_empty_agreement_tells_matching_to_close_it(crm_client, konsulent, centre, db):
    _ok(crm_client.delete(f"{URL}/{centre['id']}", headers=konsulent), 204)
    last = places_events(db)[-1]
    assert (last["centre_id"], last["active"], last["places"]) == (centre["id"], False, [])
    assert crm_client.get(f"{URL}/{centre['id']}", headers=konsulent).status_code == 404


def test_the_morning_round_republishes_the_places_of_running_centres(crm_client, konsulent, centre, db, factories):
    from services.crm.centres.service import republish_all

    ended = factories.CompanyFactory()
    _ok(crm_client.post(URL, json=centre_body(ended.id, starts_on="2020-01-01", ends_on="2020-12-31"),
                        headers=konsulent), 201)
    before = len(places_events(db))
    assert republish_all(db, TODAY) == 1
    assert [e["centre_id"] for e in places_events(db)[before:]] == [centre["id"]]


# -- occupancy -----------------------------------------------------------------------------------

def test_occupancy_is_occupied_over_available_place_days_per_centre_and_month(crm_client, konsulent, factories):
    company = factories.CompanyFactory(name="ATP", employees=200)
    centre = _ok(crm_client.post(URL, json=centre_body(
        company.id, name="ATP virksomhedscenter", starts_on="2026-01-10", ends_on="2026-12-31",
        places={"virksomhedspraktik": 2}), headers=konsulent), 201)
    # January: agreement from the 10th -> 22 days x 2 places = 44; one placement 12th-21st = 10 days.
    # February: 28 x 2 = 56; one placement runs on from January to Feb 4th (4 days) and one Feb 1st-28th (28).
    factories.PlacementFactory(company_id=company.id, centre_id=centre["id"], scheme="virksomhedspraktik",
                               starts_on=date(2026, 1, 12), ends_on=date(2026, 1, 21))
    factories.PlacementFactory(company_id=company.id, centre_id=centre["id"], scheme="virksomhedspraktik",
                               starts_on=date(2026, 1, 25), ends_on=date(2026, 2, 4))
    factories.PlacementFactory(company_id=company.id, centre_id=centre["id"], scheme="virksomhedspraktik",
                               starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28))
    # A placement at the company outside the centre does not occupy a place.
    factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik",
                               starts_on=date(2026, 1, 12), ends_on=date(2026, 2, 28))
    got = _ok(crm_client.get("/api/v1/reports/company-centres", params={"from": "2026-01", "to": "2026-02"},
                             headers=konsulent))
    rows = [(r["month"], r["available_place_days"], r["occupied_place_days"], r["occupancy"]) for r in got["rows"]]
    assert rows == [("2026-01", 44, 10 + 7, round(17 / 44, 4)), ("2026-02", 56, 4 + 28, round(32 / 56, 4))]
    assert [(t["month"], t["available_place_days"], t["occupied_place_days"]) for t in got["totals"]] == [
        ("i alt", 100, 49)]
    csv = crm_client.get("/api/v1/reports/company-centres", params={"from": "2026-01-01", "to": "2026-02-28"},
                         headers={**konsulent, "Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == ("month,centre_id,centre_name,company_id,company_name,available_place_days,"
                        "occupied_place_days,occupancy")
    assert lines[1].startswith(f"2026-01,{centre['id']},ATP virksomhedscenter,{company.id},ATP,44,17,")
    assert lines[-1].startswith("i alt,")


def test_the_occupancy_report_refuses_a_bad_period_in_danish(crm_client, konsulent):
    res = crm_client.get("/api/v1/reports/company-centres", params={"from": "2026-05", "to": "2026-01"},
                         headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "to"
    res = crm_client.get("/api/v1/reports/company-centres", params={"from": "maj"}, headers=konsulent)
    assert res.status_code == 422 and "ÅÅÅÅ-MM" in res.json()["detail"]


def test_two_consultants_reserving_the_last_place_at_once_get_one_place(committed):
    """The agreement is locked for the reservation: the second waits, then sees the place taken."""
    import threading

    from fastapi.testclient import TestClient

    from services.crm.main import app
    from services.crm.users.models import User
    from services.crm.users.service import principal_of
    from shared.auth import create_access_token

    user = User(email="konsulent.race@jobbro.dk", password_hash="x", full_name="Mette Konsulent", role="konsulent")
    committed.add(user)
    committed.commit()
    headers = {"Authorization": f"Bearer {create_access_token(principal_of(user))}"}
    with TestClient(app) as client:
        company = _ok(client.post("/api/v1/companies", headers=headers, json={
            "cvr": "13585628", "name": "Bisca A/S", "sector": "privat", "postcode": "4200", "employees": 200}), 201)
        centre = _ok(client.post(URL, headers=headers, json=centre_body(company["id"],
                                                                        places={"virksomhedspraktik": 1})), 201)
        start = threading.Barrier(2)
        answers: list[int] = []

        def reserve(ref: str) -> None:
            with TestClient(app) as own:
                start.wait()
                answers.append(own.post(f"{URL}/{centre['id']}/reservations", headers=headers,
                                        json=reservation(candidate_ref=ref)).status_code)

        threads = [threading.Thread(target=reserve, args=(ref,)) for ref in ("K-RACE-1", "K-RACE-2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sorted(answers) == [201, 409]
    committed.expire_all()
    assert committed.query(Placement).filter(Placement.centre_id == centre["id"]).count() == 1


def test_erasing_the_mentor_leaves_the_agreement_without_one(crm_client, konsulent, factories, company, db):
    mentor = factories.ContactFactory(company_id=company.id, name="Lone Mentor")
    centre = _ok(crm_client.post(URL, json=centre_body(company.id, mentor_contact_id=mentor.id), headers=konsulent),
                 201)
    _ok(crm_client.delete(f"/api/v1/companies/{company.id}/contacts/{mentor.id}", headers=konsulent), 204)
    got = _ok(crm_client.get(f"{URL}/{centre['id']}", headers=konsulent))
    assert (got["mentor_contact_id"], got["mentor_name"]) == (None, None)

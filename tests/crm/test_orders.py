from datetime import date, timedelta

import pytest

from services.crm.orders.lifecycle import TRANSITIONS
from services.crm.orders.models import Order, Proposal, ShortlistEntry
from services.crm.placements.models import Placement
from shared.audit import AuditLog
from shared.event_contracts import validate as validate_event
from shared.events import read_events

URL = "/api/v1/orders"


def payload(company_id, **over):
    body = {"company_id": company_id, "title": "Lagermedarbejder", "description": "Pluk og pak",
            "scheme": "ordinaer", "positions": 2, "hours_per_week": 37, "postcode": "4200",
            "received_via": "hotline", "received_on": "2025-03-03", "deadline": "2025-04-01"}
    body.update(over)
    return body


def create(client, headers, company_id, **over):
    res = client.post(URL, json=payload(company_id, **over), headers=headers)
    assert res.status_code == 201, res.text
    return res.json()


def set_status(client, headers, order_id, status, reason=None):
    return client.post(f"{URL}/{order_id}/status", json={"status": status, "reason": reason}, headers=headers)


# -- create and validate ---------------------------------------------------------------------------

def test_consultant_creates_an_order_read_back_with_status_and_fill(crm_client, konsulent, factories):
    company = factories.CompanyFactory(name="Slagelse Lager ApS")
    order = create(crm_client, konsulent, company.id)
    assert order["status"] == "modtaget" and order["positions_filled"] == 0
    assert order["received_via"] == "hotline" and order["received_on"] == "2025-03-03"
    assert order["company_name"] == "Slagelse Lager ApS"
    got = crm_client.get(f"{URL}/{order['id']}", headers=konsulent).json()
    assert got["title"] == "Lagermedarbejder" and got["positions"] == 2


def test_order_consultant_defaults_to_the_companys_consultant(crm_client, konsulent, factories):
    consultant = factories.UserFactory(role="konsulent")
    company = factories.CompanyFactory(consultant_id=consultant.id)
    assert create(crm_client, konsulent, company.id)["consultant_id"] == consultant.id
    other = factories.UserFactory(role="virksomhed", company_id=company.id)
    res = crm_client.post(URL, json=payload(company.id, consultant_id=other.id), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "consultant_id"


@pytest.mark.parametrize(
    ("over", "field", "fragment"),
    [
        ({"positions": 0}, "positions", "mindst 1"),
        ({"deadline": "2025-03-02"}, "deadline", "før"),
        ({"hours_per_week": 0.5}, "hours_per_week", "mellem 1 og 37"),
        ({"hours_per_week": 38}, "hours_per_week", "37"),
        ({"scheme": "fleksjob", "hours_per_week": 0}, "hours_per_week", "over 0"),
        ({"scheme": "lønjob"}, "scheme", "skal være en af"),
        ({"received_via": "fax"}, "received_via", "skal være en af"),
        ({"postcode": "42"}, "postcode", "postnummer"),
        ({"title": ""}, "title", "for kort"),
        ({"received_on": "2025-02-30"}, "received_on", "dato"),
        ({"status": "besat"}, "status", "ikke et kendt felt"),
    ],
)
def test_bad_order_input_is_422_naming_field_and_rule(crm_client, konsulent, factories, over, field, fragment):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json=payload(company.id, **over), headers=konsulent)
    assert res.status_code == 422, res.text
    err = res.json()["errors"][0]
    assert err["field"] == field
    assert fragment in err["message"]


def test_fleksjob_orders_may_have_a_few_hours(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    order = create(crm_client, konsulent, company.id, scheme="fleksjob", hours_per_week=4.5)
    assert order["hours_per_week"] == 4.5


def test_received_on_defaults_to_today_and_cannot_be_in_the_future(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    body = payload(company.id)
    del body["received_on"], body["deadline"]
    res = crm_client.post(URL, json=body, headers=konsulent)
    assert res.status_code == 201 and res.json()["received_on"] == date.today().isoformat()
    future = (date.today() + timedelta(days=3)).isoformat()
    res = crm_client.post(URL, json={**body, "received_on": future}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "received_on"


def test_unknown_company_is_422(crm_client, konsulent):
    res = crm_client.post(URL, json=payload(987654), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "company_id"


@pytest.mark.redis
def test_order_received_is_published_after_commit(crm_client, konsulent, factories, redis_conn):
    consultant = factories.UserFactory(role="konsulent")
    company = factories.CompanyFactory(name="Korsør Fisk A/S", consultant_id=consultant.id)
    order = create(crm_client, konsulent, company.id, scheme="loentilskud")
    events = [e for e in read_events(redis_conn) if e["type"] == "order.received"]
    assert len(events) == 1
    validate_event("order.received", events[0]["payload"])
    got = events[0]["payload"]
    assert {k: got[k] for k in ("order_id", "company_id", "company_name", "title", "scheme", "positions",
                                "positions_filled", "received_via", "received_on", "deadline", "status",
                                "consultant_id")} == {
        "order_id": order["id"], "company_id": company.id, "company_name": "Korsør Fisk A/S",
        "title": "Lagermedarbejder", "scheme": "loentilskud", "positions": 2, "positions_filled": 0,
        "received_via": "hotline", "received_on": "2025-03-03", "deadline": "2025-04-01", "status": "modtaget",
        "consultant_id": consultant.id,
    }
    assert got["consultant"] == {"id": consultant.id, "name": consultant.full_name, "email": consultant.email}
    assert got["company"]["cvr"] == company.cvr and got["receipt_contacts"] == []
    # A refused order publishes nothing.
    crm_client.post(URL, json=payload(company.id, positions=0), headers=konsulent)
    assert len([e for e in read_events(redis_conn) if e["type"] == "order.received"]) == 1


# -- a company's own orders --------------------------------------------------------------------------

def test_virksomhed_creates_orders_for_itself_through_the_portal(crm_client, login, factories):
    own = factories.CompanyFactory()
    _, headers = login("virksomhed", own)
    body = payload(None)
    del body["company_id"], body["received_on"], body["deadline"]
    res = crm_client.post(URL, json=body, headers=headers)
    assert res.status_code == 201, res.text
    order = res.json()
    assert order["company_id"] == own.id
    assert order["received_via"] == "portal"  # forced, although the body said hotline
    assert order["received_on"] == date.today().isoformat()


def test_virksomhed_sees_and_changes_only_its_own_orders(crm_client, login, konsulent, factories):
    own = factories.CompanyFactory()
    other = factories.CompanyFactory()
    mine = factories.OrderFactory(company_id=own.id)
    theirs = factories.OrderFactory(company_id=other.id)
    _, headers = login("virksomhed", own)

    listing = crm_client.get(URL, headers=headers).json()
    assert [o["id"] for o in listing["items"]] == [mine.id] and listing["total"] == 1
    assert crm_client.get(f"{URL}/{mine.id}", headers=headers).status_code == 200
    for method, path, kwargs in [
        ("post", URL, {"json": payload(other.id)}),
        ("get", f"{URL}/{theirs.id}", {}),
        ("patch", f"{URL}/{theirs.id}", {"json": {"title": "Overtaget"}}),
        ("post", f"{URL}/{theirs.id}/status", {"json": {"status": "annulleret"}}),
        ("get", URL, {"params": {"company_id": other.id}}),
        ("get", f"{URL}/999999", {}),
    ]:
        res = getattr(crm_client, method)(path, headers=headers, **kwargs)
        assert res.status_code == 404, (method, path, res.text)
    assert crm_client.get(f"{URL}/{theirs.id}", headers=headers).json()["detail"] == f"Ordre {theirs.id} findes ikke."
    assert crm_client.get(f"{URL}/{theirs.id}", headers=konsulent).json()["title"] == "Lagermedarbejder"


def test_virksomhed_never_sees_proposals_or_candidate_refs(crm_client, login, konsulent, factories):
    own = factories.CompanyFactory()
    order = factories.OrderFactory(company_id=own.id)
    factories.ProposalFactory(order_id=order.id, candidate_ref="K-HEMMELIG")
    _, headers = login("virksomhed", own)
    assert crm_client.get(f"{URL}/{order.id}/proposals", headers=headers).status_code == 403
    assert crm_client.post(f"{URL}/{order.id}/proposals", json={"candidate_ref": "K-1"},
                           headers=headers).status_code == 403
    assert "K-HEMMELIG" not in crm_client.get(f"{URL}/{order.id}", headers=headers).text
    assert "K-HEMMELIG" not in crm_client.get(URL, headers={**headers, "Accept": "text/csv"}).text


def test_virksomhed_edits_its_order_but_not_scheme_and_may_only_cancel(crm_client, login, factories):
    own = factories.CompanyFactory()
    order = factories.OrderFactory(company_id=own.id, positions=1)
    _, headers = login("virksomhed", own)
    ok = crm_client.patch(f"{URL}/{order.id}", json={"positions": 3, "title": "Truckfører"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["positions"] == 3
    refused = crm_client.patch(f"{URL}/{order.id}", json={"scheme": "loentilskud"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["field"] == "scheme"
    assert set_status(crm_client, headers, order.id, "i_gang").status_code == 403
    cancelled = set_status(crm_client, headers, order.id, "annulleret", "Stillingen er besat internt")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "annulleret"


# -- status life-cycle -------------------------------------------------------------------------------

LEGAL = [(old.value, new.value) for old, news in TRANSITIONS.items() for new in news]
ILLEGAL = [("modtaget", "besat"), ("modtaget", "delvist_besat"), ("delvist_besat", "i_gang"),
           ("besat", "i_gang"), ("annulleret", "i_gang"), ("udloebet", "modtaget"), ("i_gang", "modtaget"),
           ("besat", "annulleret")]


def test_transition_table_is_the_one_from_the_brief():
    table = {old.value: sorted(n.value for n in news) for old, news in TRANSITIONS.items()}
    assert table == {
        "modtaget": ["annulleret", "i_gang", "udloebet"],
        "i_gang": ["annulleret", "besat", "delvist_besat", "udloebet"],
        "delvist_besat": ["annulleret", "besat", "udloebet"],
        "besat": [], "annulleret": [], "udloebet": [],
    }


@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_legal_transitions_are_accepted(crm_client, konsulent, factories, old, new):
    order = factories.OrderFactory(status=old)
    res = set_status(crm_client, konsulent, order.id, new, "Aftalt med virksomheden")
    assert res.status_code == 200, res.text
    assert res.json()["status"] == new


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_transitions_are_409_with_current_requested_and_allowed(crm_client, konsulent, factories, old, new):
    order = factories.OrderFactory(status=old)
    res = set_status(crm_client, konsulent, order.id, new)
    assert res.status_code == 409
    body = res.json()
    assert body["current"] == old and body["requested"] == new
    assert body["allowed"] == [s.value for s in TRANSITIONS[old]]
    assert "kan ikke skifte fra" in body["detail"]
    assert crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()["status"] == old


def test_illegal_transition_message_is_danish_and_names_the_allowed_ones(crm_client, konsulent, factories):
    order = factories.OrderFactory(status="modtaget")
    body = set_status(crm_client, konsulent, order.id, "besat").json()
    assert body["detail"] == ("Ordren kan ikke skifte fra 'Modtaget' til 'Besat'. "
                              "Tilladte statusser herfra: 'I gang', 'Annulleret', 'Udløbet'.")
    final = set_status(crm_client, konsulent, factories.OrderFactory(status="annulleret").id, "i_gang").json()
    assert "afsluttende status" in final["detail"] and final["allowed"] == []


def test_unknown_status_is_422(crm_client, konsulent, factories):
    order = factories.OrderFactory()
    res = set_status(crm_client, konsulent, order.id, "lukket")
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "status"


@pytest.mark.redis
def test_status_change_publishes_old_and_new_and_is_audited(crm_client, konsulent, factories, redis_conn, db):
    order = factories.OrderFactory(status="modtaget")
    set_status(crm_client, konsulent, order.id, "i_gang", "Konsulent ringet op")
    changes = [e["payload"] for e in read_events(redis_conn) if e["type"] == "order.status_changed"]
    assert len(changes) == 1
    validate_event("order.status_changed", changes[0])
    assert {k: changes[0][k] for k in ("order_id", "company_id", "old_status", "new_status", "automatic", "reason",
                                       "status")} == {
        "order_id": order.id, "company_id": order.company_id, "old_status": "modtaget", "new_status": "i_gang",
        "automatic": False, "reason": "Konsulent ringet op", "status": "i_gang"}
    entry = db.query(AuditLog).filter(AuditLog.entity == "order", AuditLog.entity_id == str(order.id)).one()
    assert entry.detail["status"] == ["modtaget", "i_gang"]


def test_closed_orders_cannot_be_edited(crm_client, konsulent, factories):
    order = factories.OrderFactory(status="annulleret")
    res = crm_client.patch(f"{URL}/{order.id}", json={"title": "Ny titel"}, headers=konsulent)
    assert res.status_code == 409


def test_patch_checks_the_combined_fields(crm_client, konsulent, factories):
    order = factories.OrderFactory(scheme="fleksjob", hours_per_week=5, received_on=date(2025, 3, 3))
    res = crm_client.patch(f"{URL}/{order.id}", json={"scheme": "ordinaer", "hours_per_week": 0.5}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "hours_per_week"
    res = crm_client.patch(f"{URL}/{order.id}", json={"deadline": "2025-03-01"}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "deadline"
    res = crm_client.patch(f"{URL}/{order.id}", json={"title": None}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "title"
    ok = crm_client.patch(f"{URL}/{order.id}", json={"hours_per_week": 8, "deadline": "2025-05-01"}, headers=konsulent)
    assert ok.status_code == 200 and ok.json()["hours_per_week"] == 8


def test_delete_only_an_order_without_candidates(crm_client, konsulent, factories):
    empty = factories.OrderFactory()
    assert crm_client.delete(f"{URL}/{empty.id}", headers=konsulent).status_code == 204
    assert crm_client.get(f"{URL}/{empty.id}", headers=konsulent).status_code == 404
    used = factories.OrderFactory()
    factories.ProposalFactory(order_id=used.id)
    res = crm_client.delete(f"{URL}/{used.id}", headers=konsulent)
    assert res.status_code == 409 and "annullér" in res.json()["detail"]


# -- filters and export -----------------------------------------------------------------------------

def test_filters_and_csv_export(crm_client, konsulent, factories):
    consultant = factories.UserFactory(role="konsulent")
    a = factories.CompanyFactory(name="Alfa ApS")
    b = factories.CompanyFactory(name="Beta ApS")
    o1 = factories.OrderFactory(company_id=a.id, received_on=date(2024, 1, 10), status="modtaget", scheme="ordinaer",
                                consultant_id=consultant.id, title="Kok")
    o2 = factories.OrderFactory(company_id=a.id, received_on=date(2024, 6, 1), status="besat", scheme="loentilskud")
    o3 = factories.OrderFactory(company_id=b.id, received_on=date(2025, 2, 1), status="i_gang", scheme="ordinaer")

    def ids(**params):
        res = crm_client.get(URL, params=params, headers=konsulent)
        assert res.status_code == 200, res.text
        return [o["id"] for o in res.json()["items"]]

    assert ids(company_id=a.id) == [o2.id, o1.id]
    assert ids(status="besat") == [o2.id]
    assert ids(status="modtaget,i_gang", received_from="2024-01-01") == [o3.id, o1.id]
    assert ids(scheme="loentilskud") == [o2.id]
    assert ids(received_from="2024-02-01", received_to="2024-12-31") == [o2.id]
    assert ids(consultant_id=consultant.id) == [o1.id]
    assert set(ids(open="true")) >= {o1.id, o3.id} and o2.id not in ids(open="true")
    assert o2.id in ids(open="false")
    assert ids(q="kok") == [o1.id]
    assert crm_client.get(URL, params={"status": "lukket"}, headers=konsulent).status_code == 422

    res = crm_client.get(URL, params={"company_id": a.id}, headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0] == ("id,company_id,company_name,title,scheme,positions,positions_filled,hours_per_week,"
                        "postcode,received_via,received_on,deadline,status,consultant_id")
    assert len(lines) == 3 and "Alfa ApS" in lines[1]


# -- proposals ---------------------------------------------------------------------------------------

def proposals_url(order_id):
    return f"{URL}/{order_id}/proposals"


@pytest.mark.redis
def test_proposing_moves_a_received_order_to_in_progress(crm_client, konsulent, factories, redis_conn):
    order = factories.OrderFactory(status="modtaget", received_on=date(2025, 3, 3))
    res = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-1001", "proposed_on": "2025-03-05"},
                          headers=konsulent)
    assert res.status_code == 201, res.text
    assert res.json()["status"] == "foreslaaet" and res.json()["placement_id"] is None
    assert crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()["status"] == "i_gang"
    changes = [e["payload"] for e in read_events(redis_conn) if e["type"] == "order.status_changed"]
    assert [(c["old_status"], c["new_status"], c["automatic"]) for c in changes] == [("modtaget", "i_gang", True)]
    listing = crm_client.get(proposals_url(order.id), headers=konsulent).json()
    assert [p["candidate_ref"] for p in listing["items"]] == ["K-1001"]


def test_duplicate_candidate_on_the_same_order_is_409(crm_client, konsulent, factories):
    order = factories.OrderFactory()
    first = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent).json()
    dup = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent)
    assert dup.status_code == 409
    assert dup.json()["existing"]["id"] == first["id"] and dup.json()["field"] == "candidate_ref"
    other = factories.OrderFactory()
    assert crm_client.post(proposals_url(other.id), json={"candidate_ref": "K-1"}, headers=konsulent).status_code == 201


@pytest.mark.parametrize("ref", ["0101901234", "010190-1234", "Kandidat 010190-1234"])
def test_cpr_numbers_are_refused_as_candidate_refs(crm_client, konsulent, factories, ref):
    order = factories.OrderFactory()
    res = crm_client.post(proposals_url(order.id), json={"candidate_ref": ref}, headers=konsulent)
    assert res.status_code == 422
    err = res.json()["errors"][0]
    assert err["field"] == "candidate_ref" and "CPR-numre må ikke gemmes" in err["message"]


def test_proposal_dates_are_checked(crm_client, konsulent, factories):
    order = factories.OrderFactory(received_on=date(2025, 3, 3))
    early = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-2", "proposed_on": "2025-03-01"},
                            headers=konsulent)
    assert early.status_code == 422 and early.json()["field"] == "proposed_on"


def test_closed_orders_take_no_candidates(crm_client, konsulent, factories):
    for status in ("besat", "annulleret", "udloebet"):
        order = factories.OrderFactory(status=status)
        res = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-3"}, headers=konsulent)
        assert res.status_code == 409, status


def test_rejecting_and_reconsidering_a_candidate(crm_client, konsulent, factories):
    order = factories.OrderFactory(received_on=date(2025, 3, 3))
    proposal = factories.ProposalFactory(order_id=order.id, proposed_on=date(2025, 3, 4))
    url = f"{proposals_url(order.id)}/{proposal.id}"
    rejected = crm_client.patch(url, json={"status": "afvist", "decided_on": "2025-03-10"}, headers=konsulent)
    assert rejected.status_code == 200 and rejected.json()["decided_on"] == "2025-03-10"
    too_early = crm_client.patch(url, json={"status": "foreslaaet"}, headers=konsulent)
    assert too_early.status_code == 200 and too_early.json()["decided_on"] is None
    bad = crm_client.patch(url, json={"status": "afvist", "decided_on": "2025-03-01"}, headers=konsulent)
    assert bad.status_code == 422 and bad.json()["field"] == "decided_on"
    elsewhere = factories.OrderFactory()
    assert crm_client.patch(f"{proposals_url(elsewhere.id)}/{proposal.id}", json={"status": "afvist"},
                            headers=konsulent).status_code == 404


# -- hiring: the placement, positions_filled and the status follow -----------------------------------

HIRE = {"status": "ansat", "starts_on": "2025-04-01", "target_group": "a_dagpenge",
        "candidate_municipality_code": 330}


@pytest.mark.redis
def test_hiring_creates_the_placement_and_fills_the_order(crm_client, konsulent, factories, db, redis_conn):
    company = factories.CompanyFactory()
    order = factories.OrderFactory(company_id=company.id, positions=2, status="i_gang", scheme="ordinaer",
                                   hours_per_week=30, received_on=date(2025, 3, 3))
    p1 = factories.ProposalFactory(order_id=order.id, candidate_ref="K-A", proposed_on=date(2025, 3, 5))
    p2 = factories.ProposalFactory(order_id=order.id, candidate_ref="K-B", proposed_on=date(2025, 3, 5))

    res = crm_client.patch(f"{proposals_url(order.id)}/{p1.id}", json=HIRE, headers=konsulent)
    assert res.status_code == 200, res.text
    hired = res.json()
    assert hired["status"] == "ansat" and hired["placement_id"]
    placement = db.get(Placement, hired["placement_id"])
    assert (placement.company_id, placement.order_id, placement.candidate_ref, placement.scheme) == \
        (company.id, order.id, "K-A", "ordinaer")
    assert placement.starts_on == date(2025, 4, 1) and placement.hours_per_week == 30
    got = crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()
    assert (got["positions_filled"], got["status"]) == (1, "delvist_besat")

    crm_client.patch(f"{proposals_url(order.id)}/{p2.id}", json=HIRE, headers=konsulent)
    got = crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()
    assert (got["positions_filled"], got["status"]) == (2, "besat")

    changes = [(e["payload"]["old_status"], e["payload"]["new_status"])
               for e in read_events(redis_conn) if e["type"] == "order.status_changed"]
    assert changes == [("i_gang", "delvist_besat"), ("delvist_besat", "besat")]
    started = [e["payload"] for e in read_events(redis_conn) if e["type"] == "placement.started"]
    assert len(started) == 2 and all("candidate_ref" not in p and "target_group" not in p for p in started)

    # Once hired, the proposal does not change by hand; removing the placement reopens both.
    again = crm_client.patch(f"{proposals_url(order.id)}/{p1.id}", json={"status": "afvist"}, headers=konsulent)
    assert again.status_code == 409
    assert crm_client.delete(f"/api/v1/placements/{hired['placement_id']}", headers=konsulent).status_code == 204
    got = crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()
    assert (got["positions_filled"], got["status"]) == (1, "delvist_besat")
    db.refresh(p1)
    assert (p1.status, p1.placement_id) == ("foreslaaet", None)


def test_hiring_straight_from_the_proposal_post(crm_client, konsulent, factories):
    order = factories.OrderFactory(positions=1, status="modtaget", received_on=date(2025, 3, 3))
    res = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-9", "proposed_on": "2025-03-04", **HIRE},
                          headers=konsulent)
    assert res.status_code == 201, res.text
    assert res.json()["status"] == "ansat" and res.json()["placement_id"]
    got = crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()
    assert (got["positions_filled"], got["status"]) == (1, "besat")


def test_hiring_defaults_start_to_today(crm_client, konsulent, factories, db):
    order = factories.OrderFactory(received_on=date(2025, 3, 3))
    proposal = factories.ProposalFactory(order_id=order.id, proposed_on=date(2025, 3, 5))
    res = crm_client.patch(f"{proposals_url(order.id)}/{proposal.id}", json={"status": "ansat"}, headers=konsulent)
    assert res.status_code == 200, res.text
    assert db.get(Placement, res.json()["placement_id"]).starts_on == date.today()


def test_a_hire_that_breaks_a_scheme_rule_is_409_and_writes_nothing(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory(employees=20)
    order = factories.OrderFactory(company_id=company.id, scheme="virksomhedspraktik", status="i_gang",
                                   hours_per_week=30, received_on=date(2025, 3, 3))
    proposal = factories.ProposalFactory(order_id=order.id, proposed_on=date(2025, 3, 5))
    body = {**HIRE, "ends_on": "2025-06-30"}  # 13 weeks; a-dagpenge may have 4
    res = crm_client.patch(f"{proposals_url(order.id)}/{proposal.id}", json=body, headers=konsulent)
    assert res.status_code == 409
    assert [b["rule"] for b in res.json()["breaches"]] == ["max_varighed"]
    assert db.query(Placement).filter(Placement.order_id == order.id).count() == 0
    db.refresh(proposal)
    db.refresh(order)
    assert proposal.status == "foreslaaet" and order.positions_filled == 0 and order.status == "i_gang"

    body["override_reason"] = "Nyuddannet, aftalt forlænget praktik med a-kassen"
    res = crm_client.patch(f"{proposals_url(order.id)}/{proposal.id}", json=body, headers=konsulent)
    assert res.status_code == 200, res.text
    placement = db.get(Placement, res.json()["placement_id"])
    assert placement.override_reason.startswith("Nyuddannet")


def test_hire_without_target_group_for_a_scheme_is_422(crm_client, konsulent, factories):
    order = factories.OrderFactory(scheme="loentilskud", received_on=date(2025, 3, 3))
    proposal = factories.ProposalFactory(order_id=order.id, proposed_on=date(2025, 3, 5))
    res = crm_client.patch(f"{proposals_url(order.id)}/{proposal.id}",
                           json={"status": "ansat", "starts_on": "2025-04-01", "ends_on": "2025-06-01"},
                           headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "target_group"


def test_positions_filled_is_capped_and_follows_a_change_of_positions(crm_client, konsulent, factories, db):
    order = factories.OrderFactory(positions=2, status="i_gang")
    for ref in ("P-1", "P-2"):
        res = crm_client.post("/api/v1/placements", headers=konsulent, json={
            "company_id": order.company_id, "order_id": order.id, "candidate_ref": ref, "scheme": "ordinaer",
            "starts_on": "2025-04-01"})
        assert res.status_code == 201, res.text
    got = crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()
    assert (got["positions_filled"], got["status"]) == (2, "besat")
    more = crm_client.patch(f"{URL}/{order.id}", json={"positions": 3}, headers=konsulent).json()
    assert (more["positions_filled"], more["status"]) == (2, "delvist_besat")
    fewer = crm_client.patch(f"{URL}/{order.id}", json={"positions": 1}, headers=konsulent).json()
    assert (fewer["positions_filled"], fewer["status"]) == (1, "besat")
    assert db.query(Placement).filter(Placement.order_id == order.id).count() == 2


def test_a_direct_placement_for_a_proposed_candidate_marks_the_proposal_hired(crm_client, konsulent, factories, db):
    order = factories.OrderFactory(positions=3, status="i_gang")
    proposal = factories.ProposalFactory(order_id=order.id, candidate_ref="K-77")
    res = crm_client.post("/api/v1/placements", headers=konsulent, json={
        "company_id": order.company_id, "order_id": order.id, "candidate_ref": "K-77", "scheme": "ordinaer",
        "starts_on": "2025-04-01"})
    assert res.status_code == 201
    db.refresh(proposal)
    assert proposal.status == "ansat" and proposal.placement_id == res.json()["id"]


def test_proposals_are_audited(crm_client, konsulent, factories, db):
    order = factories.OrderFactory()
    crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-5"}, headers=konsulent)
    crm_client.get(proposals_url(order.id), headers=konsulent)
    actions = {(a.action, a.entity) for a in db.query(AuditLog)}
    assert {("create", "proposal"), ("read", "proposal")} <= actions
    assert db.query(Proposal).filter(Proposal.order_id == order.id).count() == 1
    assert db.get(Order, order.id).status == "i_gang"


# -- shortlist (kortliste) ---------------------------------------------------------------------------

def shortlist_url(order_id, ref=None):
    return f"{URL}/{order_id}/shortlist" + (f"/{ref}" if ref else "")


def test_staff_share_an_orders_shortlist_and_remove_from_it(crm_client, login, factories):
    order = factories.OrderFactory()
    karin, karin_headers = login("konsulent")
    res = crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-101"}, headers=karin_headers)
    assert res.status_code == 201, res.text
    assert res.json()["candidate_ref"] == "K-101" and res.json()["created_by_name"] == karin.full_name
    for role in ("konsulent", "leder", "admin"):  # every consultant sees the same list, and may add to it
        headers = login(role)[1]
        assert crm_client.post(shortlist_url(order.id), json={"candidate_ref": f"K-{role}"},
                               headers=headers).status_code == 201
        listing = crm_client.get(shortlist_url(order.id), headers=headers).json()
        assert listing["items"][0]["candidate_ref"] == "K-101"
    assert listing["total"] == 4
    assert crm_client.delete(shortlist_url(order.id, "K-101"), headers=karin_headers).status_code == 204
    assert crm_client.delete(shortlist_url(order.id, "K-101"), headers=karin_headers).status_code == 404
    refs = [e["candidate_ref"] for e in crm_client.get(shortlist_url(order.id), headers=karin_headers).json()["items"]]
    assert refs == ["K-konsulent", "K-leder", "K-admin"]


def test_adding_a_shortlisted_candidate_again_answers_the_same_entry(crm_client, konsulent, leder, factories, db):
    order = factories.OrderFactory()
    first = crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-7"}, headers=konsulent)
    again = crm_client.post(shortlist_url(order.id), json={"candidate_ref": " K-7 "}, headers=leder)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert db.query(ShortlistEntry).filter(ShortlistEntry.order_id == order.id).count() == 1


def test_virksomhed_never_reaches_the_shortlist(crm_client, login, konsulent, factories):
    own = factories.CompanyFactory()
    order = factories.OrderFactory(company_id=own.id)
    crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-HEMMELIG"}, headers=konsulent)
    _, headers = login("virksomhed", own)
    assert crm_client.get(shortlist_url(order.id), headers=headers).status_code == 403
    assert crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-1"}, headers=headers).status_code == 403
    assert crm_client.delete(shortlist_url(order.id, "K-HEMMELIG"), headers=headers).status_code == 403
    assert "K-HEMMELIG" not in crm_client.get(f"{URL}/{order.id}", headers=headers).text


def test_shortlist_of_an_unknown_order_is_404(crm_client, konsulent):
    assert crm_client.get(shortlist_url(999_999), headers=konsulent).status_code == 404
    res = crm_client.post(shortlist_url(999_999), json={"candidate_ref": "K-1"}, headers=konsulent)
    assert res.status_code == 404 and res.json()["detail"] == "Ordre 999999 findes ikke."
    assert crm_client.delete(shortlist_url(999_999, "K-1"), headers=konsulent).status_code == 404


@pytest.mark.parametrize("ref", ["0101901234", "010190-1234", "Kandidat 010190 1234"])
def test_cpr_numbers_are_refused_on_the_shortlist(crm_client, konsulent, factories, db, ref):
    order = factories.OrderFactory()
    res = crm_client.post(shortlist_url(order.id), json={"candidate_ref": ref}, headers=konsulent)
    assert res.status_code == 422
    err = res.json()["errors"][0]
    assert err["field"] == "candidate_ref" and "CPR-numre må ikke gemmes" in err["message"]
    res = crm_client.delete(shortlist_url(order.id, ref), headers=konsulent)
    assert res.status_code == 422 and "CPR-numre må ikke gemmes" in res.json()["detail"]
    assert db.query(ShortlistEntry).count() == 0


def test_bad_shortlist_bodies_are_422(crm_client, konsulent, factories):
    order = factories.OrderFactory()
    for body in ({}, {"candidate_ref": ""}, {"candidate_ref": "K" * 65}, {"candidate_ref": "K-1", "note": "x"}):
        res = crm_client.post(shortlist_url(order.id), json=body, headers=konsulent)
        assert res.status_code == 422, body


def test_proposing_a_shortlisted_candidate_takes_them_off_the_shortlist(crm_client, konsulent, factories, db):
    order = factories.OrderFactory(status="modtaget", received_on=date(2025, 3, 3))
    for ref in ("K-1", "K-2"):
        crm_client.post(shortlist_url(order.id), json={"candidate_ref": ref}, headers=konsulent)
    assert crm_client.get(f"{URL}/{order.id}", headers=konsulent).json()["status"] == "modtaget"  # not a proposal
    res = crm_client.post(proposals_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent)
    assert res.status_code == 201
    refs = [e["candidate_ref"] for e in crm_client.get(shortlist_url(order.id), headers=konsulent).json()["items"]]
    assert refs == ["K-2"]
    # a proposed candidate cannot go back on the shortlist: the proposal is where they are now
    again = crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent)
    assert again.status_code == 409 and again.json()["existing"]["id"] == res.json()["id"]
    assert "allerede foreslået" in again.json()["detail"]


def test_closed_orders_take_no_shortlisted_candidates_but_may_be_cleared(crm_client, konsulent, factories, db):
    order = factories.OrderFactory()
    crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent)
    order.status = "annulleret"
    db.add(order)
    db.flush()
    res = crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-2"}, headers=konsulent)
    assert res.status_code == 409 and res.json()["current"] == "annulleret"
    assert crm_client.delete(shortlist_url(order.id, "K-1"), headers=konsulent).status_code == 204


def test_shortlist_is_audited_without_candidate_refs_in_the_log(crm_client, konsulent, factories, db):
    order = factories.OrderFactory()
    crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-55"}, headers=konsulent)
    crm_client.get(shortlist_url(order.id), headers=konsulent)
    crm_client.delete(shortlist_url(order.id, "K-55"), headers=konsulent)
    entries = db.query(AuditLog).filter(AuditLog.entity == "shortlist").all()
    assert sorted(a.action for a in entries) == ["create", "delete", "read"]
    assert all(a.detail["order_id"] == order.id and "K-55" not in str(a.detail) for a in entries)


def test_an_order_with_only_a_shortlist_can_be_deleted(crm_client, konsulent, factories, db):
    order = factories.OrderFactory()
    crm_client.post(shortlist_url(order.id), json={"candidate_ref": "K-1"}, headers=konsulent)
    assert crm_client.delete(f"{URL}/{order.id}", headers=konsulent).status_code == 204
    assert db.query(ShortlistEntry).count() == 0


# -- values the database cannot hold are the client's mistake, never a 500 ---------------------------

@pytest.mark.postgres
def test_an_id_beyond_the_integer_range_is_422(crm_client, konsulent):
    res = crm_client.get(f"{URL}/99999999999", headers=konsulent)
    assert res.status_code == 422 and "for stort" in res.json()["detail"]


@pytest.mark.postgres
def test_a_nul_character_in_a_text_is_422(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json=payload(company.id, title="Kok\x00"), headers=konsulent)
    assert res.status_code == 422


def test_open_orders_past_their_deadline_expire_and_publish_once(db, factories):
    from datetime import date

    from services.crm.orders.service import expire_overdue_orders
    from shared.events import OutboxEvent

    company = factories.CompanyFactory()
    overdue = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5),
                                     deadline=date(2026, 2, 1), status="i_gang")
    on_the_day = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5),
                                        deadline=date(2026, 2, 2), status="modtaget")
    filled = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5),
                                    deadline=date(2026, 1, 10), status="besat")
    no_deadline = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5), status="modtaget")
    assert expire_overdue_orders(db, date(2026, 2, 2)) == 1
    assert [o.status for o in (overdue, on_the_day, filled, no_deadline)] == ["udloebet", "modtaget", "besat", "modtaget"]
    assert expire_overdue_orders(db, date(2026, 2, 2)) == 0
    events = db.query(OutboxEvent).filter(OutboxEvent.type == "order.status_changed").all()
    assert len(events) == 1
    assert events[0].payload["order_id"] == overdue.id and events[0].payload["new_status"] == "udloebet"

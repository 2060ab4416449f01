from datetime import date, timedelta

import pytest

from services.crm.partnerships.models import PartnershipGoal
from shared.events import OutboxEvent


def _payload(company, **kw):
    return {"company_id": company.id, "signed_on": "2019-01-01", "ends_on": "2021-12-31",
            "sdg_goals": [4, 8, 10, 17], **kw}


def test_create_with_goals_names_colours_and_fixed_contacts(crm_client, login, factories, db):
    user, headers = login("konsulent")
    company = factories.CompanyFactory()
    contact = factories.ContactFactory(company_id=company.id)
    res = crm_client.post("/api/v1/partnerships", json=_payload(company, contact_id=contact.id, sdg_goals=[8, 4, 8]),
                          headers=headers)
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["sdg_goals"] == [4, 8]
    assert body["goals"][0] == {"goal": 4, "name": "Kvalitetsuddannelse", "colour": "#C5192D"}
    assert body["goals"][1]["name"] == "Anstændige jobs og økonomisk vækst"
    assert body["consultant_id"] == user.id  # the jobcentre side defaults to the caller
    assert body["contact_id"] == contact.id and body["company_name"] == company.name
    assert body["status"] == "udloebet" and body["status_label"] == "Udløbet"
    rows = db.query(PartnershipGoal).filter(PartnershipGoal.partnership_id == body["id"]).all()
    assert sorted(r.goal for r in rows) == [4, 8]
    events = db.query(OutboxEvent).filter(OutboxEvent.type == "agreement.signed").all()
    assert [e.payload["partnership_id"] for e in events] == [body["id"]]
    assert events[0].payload["sdg_goals"] == [4, 8]


@pytest.mark.parametrize("goals", [[0], [18], [4, 18], []])
def test_verdensmaal_outside_1_to_17_is_422_naming_sdg_goals(crm_client, konsulent, factories, goals):
    company = factories.CompanyFactory()
    res = crm_client.post("/api/v1/partnerships", json=_payload(company, sdg_goals=goals), headers=konsulent)
    assert res.status_code == 422, res.text
    assert res.json()["errors"][0]["field"] == "sdg_goals"
    if goals and goals[-1] == 18:
        assert "1 til 17" in res.json()["errors"][0]["message"]


def test_end_before_start_and_bad_references_are_422(crm_client, konsulent, factories, login):
    company = factories.CompanyFactory()
    other_contact = factories.ContactFactory()
    company_user, _ = login("virksomhed", company)
    cases = [
        (_payload(company, ends_on="2018-12-31"), "ends_on"),
        (_payload(company, contact_id=other_contact.id), "contact_id"),
        (_payload(company, consultant_id=company_user.id), "consultant_id"),
        ({**_payload(company), "company_id": 999999}, "company_id"),
        ({**_payload(company), "signed_on": "2019-13-01"}, "signed_on"),
        ({**_payload(company), "goals": [1]}, "goals"),
    ]
    for payload, field in cases:
        res = crm_client.post("/api/v1/partnerships", json=payload, headers=konsulent)
        assert res.status_code == 422, (payload, res.text)
        body = res.json()
        assert body.get("field") == field or body["errors"][0]["field"] == field, body


def test_status_is_derived_from_dates(crm_client, konsulent, factories):
    today = date.today()
    cases = [
        (today + timedelta(days=10), None, "kommende"),
        (today - timedelta(days=10), today + timedelta(days=10), "aktiv"),
        (today - timedelta(days=10), today, "aktiv"),
        (today - timedelta(days=100), today - timedelta(days=1), "udloebet"),
        (today - timedelta(days=100), None, "aktiv"),
    ]
    ids = {}
    for start, end, expected in cases:
        company = factories.CompanyFactory()
        res = crm_client.post("/api/v1/partnerships", headers=konsulent, json={
            "company_id": company.id, "signed_on": start.isoformat(),
            "ends_on": end.isoformat() if end else None, "sdg_goals": [8]})
        assert res.status_code == 201, res.text
        assert res.json()["status"] == expected, (start, end)
        ids[res.json()["id"]] = expected
    listing = crm_client.get("/api/v1/partnerships", params={"status": "aktiv"}, headers=konsulent).json()
    assert {i["id"] for i in listing["items"]} == {i for i, s in ids.items() if s == "aktiv"}


def test_overlapping_second_agreement_is_409(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    first = crm_client.post("/api/v1/partnerships", json=_payload(company), headers=konsulent).json()
    res = crm_client.post("/api/v1/partnerships", headers=konsulent,
                          json=_payload(company, signed_on="2021-06-01", ends_on=None))
    assert res.status_code == 409
    assert res.json()["existing"]["id"] == first["id"]
    later = crm_client.post("/api/v1/partnerships", headers=konsulent,
                            json=_payload(company, signed_on="2022-01-01", ends_on=None))
    assert later.status_code == 201


def test_renewal_is_a_new_agreement_and_history_is_kept(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory()
    first = crm_client.post("/api/v1/partnerships", json=_payload(company, sdg_goals=[4, 8]), headers=konsulent).json()
    renewal = crm_client.post(f"/api/v1/partnerships/{first['id']}/renew", headers=konsulent,
                              json={"ends_on": "2024-12-31", "sdg_goals": [8, 10]})
    assert renewal.status_code == 201, renewal.text
    new = renewal.json()
    assert new["renews_id"] == first["id"] and new["id"] != first["id"]
    assert new["signed_on"] == "2022-01-01"  # the day after the old one ended
    assert new["sdg_goals"] == [8, 10] and new["consultant_id"] == first["consultant_id"]
    second = crm_client.post(f"/api/v1/partnerships/{new['id']}/renew", headers=konsulent, json=None).json()
    assert second["signed_on"] == "2025-01-01" and second["ends_on"] is None and second["sdg_goals"] == [8, 10]
    history = crm_client.get(f"/api/v1/partnerships/{new['id']}/history", headers=konsulent).json()
    assert [h["id"] for h in history] == [first["id"], new["id"], second["id"]]
    assert history[0]["renewed_by_id"] == new["id"] and history[0]["sdg_goals"] == [4, 8]
    again = crm_client.post(f"/api/v1/partnerships/{first['id']}/renew", headers=konsulent, json={})
    assert again.status_code == 409 and again.json()["existing"]["id"] == new["id"]
    signed = db.query(OutboxEvent).filter(OutboxEvent.type == "agreement.signed").count()
    assert signed == 3


def test_renewing_an_open_ended_agreement_ends_it_the_day_before(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    first = crm_client.post("/api/v1/partnerships", json=_payload(company, ends_on=None), headers=konsulent).json()
    new = crm_client.post(f"/api/v1/partnerships/{first['id']}/renew", headers=konsulent,
                          json={"signed_on": "2023-03-01"}).json()
    assert new["signed_on"] == "2023-03-01"
    old = crm_client.get(f"/api/v1/partnerships/{first['id']}", headers=konsulent).json()
    assert old["ends_on"] == "2023-02-28" and old["renewed_by_id"] == new["id"]
    on_day = crm_client.get("/api/v1/partnerships", params={"active_on": "2023-03-01", "company_id": company.id},
                            headers=konsulent).json()
    assert [i["id"] for i in on_day["items"]] == [new["id"]]


def test_renewal_bad_input(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    first = crm_client.post("/api/v1/partnerships", json=_payload(company), headers=konsulent).json()
    url = f"/api/v1/partnerships/{first['id']}/renew"
    assert crm_client.post(url, json={"signed_on": "2018-01-01"}, headers=konsulent).json()["field"] == "signed_on"
    res = crm_client.post(url, json={"signed_on": "2022-01-01", "ends_on": "2021-01-01"}, headers=konsulent)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "ends_on"
    res = crm_client.post(url, json={"ends_on": "2021-01-01"}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "ends_on"
    assert crm_client.post(url, json={"sdg_goals": [0]}, headers=konsulent).status_code == 422
    assert crm_client.post("/api/v1/partnerships/999999/renew", json={}, headers=konsulent).status_code == 404


def test_filters_company_active_on_and_goal(crm_client, konsulent, factories):
    a, b = factories.CompanyFactory(), factories.CompanyFactory()
    pa = crm_client.post("/api/v1/partnerships", json=_payload(a, sdg_goals=[4]), headers=konsulent).json()
    pb = crm_client.post("/api/v1/partnerships", headers=konsulent,
                         json=_payload(b, signed_on="2020-06-01", ends_on=None, sdg_goals=[8, 17])).json()

    def ids(**params):
        res = crm_client.get("/api/v1/partnerships", params=params, headers=konsulent)
        assert res.status_code == 200, res.text
        return {i["id"] for i in res.json()["items"]}

    assert ids(company_id=a.id) == {pa["id"]}
    assert ids(goal=17) == {pb["id"]}
    assert ids(active_on="2019-06-01") == {pa["id"]}
    assert ids(active_on="2021-01-01") == {pa["id"], pb["id"]}
    assert ids(active_on="2022-01-01", goal=8) == {pb["id"]}
    for bad in ({"goal": 0}, {"goal": 18}, {"active_on": "i morgen"}, {"status": "aaben"}):
        assert crm_client.get("/api/v1/partnerships", params=bad, headers=konsulent).status_code == 422, bad


def test_update_goals_dates_and_contacts(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    contact = factories.ContactFactory(company_id=company.id)
    p = crm_client.post("/api/v1/partnerships", json=_payload(company), headers=konsulent).json()
    url = f"/api/v1/partnerships/{p['id']}"
    res = crm_client.patch(url, json={"sdg_goals": [3], "contact_id": contact.id, "ends_on": None}, headers=konsulent)
    assert res.status_code == 200, res.text
    assert res.json()["sdg_goals"] == [3] and res.json()["ends_on"] is None and res.json()["contact_id"] == contact.id
    bad = crm_client.patch(url, json={"ends_on": "2018-01-01"}, headers=konsulent)
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    assert crm_client.patch(url, json={"sdg_goals": [18]}, headers=konsulent).status_code == 422
    assert crm_client.patch(url, json={"sdg_goals": None}, headers=konsulent).status_code == 422
    other = factories.ContactFactory()
    assert crm_client.patch(url, json={"contact_id": other.id}, headers=konsulent).json()["field"] == "contact_id"
    assert crm_client.get(url, headers=konsulent).json()["sdg_goals"] == [3]


def test_virksomhed_reads_own_agreements_only_and_never_writes(crm_client, login, konsulent, factories):
    own, other = factories.CompanyFactory(), factories.CompanyFactory()
    mine = crm_client.post("/api/v1/partnerships", json=_payload(own), headers=konsulent).json()
    theirs = crm_client.post("/api/v1/partnerships", json=_payload(other), headers=konsulent).json()
    _, headers = login("virksomhed", own)
    listing = crm_client.get("/api/v1/partnerships", headers=headers).json()
    assert [i["id"] for i in listing["items"]] == [mine["id"]] and listing["total"] == 1
    assert crm_client.get(f"/api/v1/partnerships/{mine['id']}", headers=headers).status_code == 200
    assert crm_client.get(f"/api/v1/partnerships/{mine['id']}/history", headers=headers).status_code == 200
    assert crm_client.get(f"/api/v1/partnerships/{theirs['id']}", headers=headers).status_code == 404
    assert crm_client.get(f"/api/v1/partnerships/{theirs['id']}/history", headers=headers).status_code == 404
    assert crm_client.get("/api/v1/partnerships", params={"company_id": other.id}, headers=headers).status_code == 404
    for method, path, kwargs in [
        ("post", "/api/v1/partnerships", {"json": _payload(own)}),
        ("patch", f"/api/v1/partnerships/{mine['id']}", {"json": {"sdg_goals": [1]}}),
        ("post", f"/api/v1/partnerships/{mine['id']}/renew", {"json": {}}),
        ("delete", f"/api/v1/partnerships/{mine['id']}", {}),
        ("patch", f"/api/v1/partnerships/{theirs['id']}", {"json": {"sdg_goals": [1]}}),
    ]:
        res = getattr(crm_client, method)(path, headers=headers, **kwargs)
        assert res.status_code == 403, (method, path, res.text)
    assert crm_client.get(f"/api/v1/partnerships/{mine['id']}", headers=konsulent).json()["sdg_goals"] == [4, 8, 10, 17]


def test_delete_refused_when_renewed(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    first = crm_client.post("/api/v1/partnerships", json=_payload(company), headers=konsulent).json()
    new = crm_client.post(f"/api/v1/partnerships/{first['id']}/renew", json={}, headers=konsulent).json()
    assert crm_client.delete(f"/api/v1/partnerships/{first['id']}", headers=konsulent).status_code == 409
    assert crm_client.delete(f"/api/v1/partnerships/{new['id']}", headers=konsulent).status_code == 204
    assert crm_client.delete(f"/api/v1/partnerships/{first['id']}", headers=konsulent).status_code == 204
    assert crm_client.get(f"/api/v1/partnerships/{first['id']}", headers=konsulent).status_code == 404


def test_csv_export(crm_client, konsulent, factories):
    company = factories.CompanyFactory(name="Ærø Maskiner")
    crm_client.post("/api/v1/partnerships", json=_payload(company), headers=konsulent)
    res = crm_client.get("/api/v1/partnerships", headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,company_id,company_name,signed_on")
    assert "Ærø Maskiner" in lines[1] and "4 8 10 17" in lines[1]

from datetime import UTC, date, datetime

import pytest

from shared.audit import AuditLog

VALID = {"cvr": "13585628", "name": "Slagelse Stål A/S", "sector": "privat", "industry_code": "251100",
         "employees": 42, "postcode": "4200", "municipality_code": 330}


def test_create_and_read_company(crm_client, konsulent):
    res = crm_client.post("/api/v1/companies", json=VALID, headers=konsulent)
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["id"] > 0 and body["cvr"] == "13585628" and body["is_partner"] is False
    got = crm_client.get(f"/api/v1/companies/{body['id']}", headers=konsulent)
    assert got.json()["name"] == "Slagelse Stål A/S"


@pytest.mark.parametrize(
    ("cvr", "fragment"),
    [("13585627", "kontrolcifferet"), ("1234567", "8 cifre"), ("abcdefgh", "cifre")],
)
def test_bad_cvr_is_422_naming_the_field_and_rule(crm_client, konsulent, cvr, fragment):
    res = crm_client.post("/api/v1/companies", json={**VALID, "cvr": cvr}, headers=konsulent)
    assert res.status_code == 422
    err = res.json()["errors"][0]
    assert err["field"] == "cvr"
    assert fragment in err["message"]


def test_duplicate_cvr_is_409_with_the_existing_record_and_no_second_company(crm_client, konsulent):
    first = crm_client.post("/api/v1/companies", json=VALID, headers=konsulent).json()
    res = crm_client.post("/api/v1/companies", json={**VALID, "name": "Anden"}, headers=konsulent)
    assert res.status_code == 409
    assert res.json()["existing"]["id"] == first["id"]
    listing = crm_client.get("/api/v1/companies", params={"q": "13585628"}, headers=konsulent).json()
    assert listing["total"] == 1


def test_bad_postcode_sector_and_unknown_field_are_422(crm_client, konsulent):
    for payload, field in [({**VALID, "postcode": "42"}, "postcode"), ({**VALID, "sector": "offentlig"}, "sector"),
                           ({**VALID, "employees": -1}, "employees"), ({**VALID, "cpr": "0101011234"}, "cpr")]:
        res = crm_client.post("/api/v1/companies", json=payload, headers=konsulent)
        assert res.status_code == 422, payload
        assert res.json()["errors"][0]["field"] == field


def test_search_by_name_or_cvr_prefix_with_paging(crm_client, konsulent, factories):
    factories.CompanyFactory(name="Bager Hansen", cvr="13585628")
    factories.CompanyFactory(name="Hansen VVS")
    factories.CompanyFactory(name="Korsør Fisk")
    res = crm_client.get("/api/v1/companies", params={"q": "hansen", "limit": 1}, headers=konsulent).json()
    assert res["total"] == 2 and len(res["items"]) == 1
    assert res["items"][0]["name"] == "Hansen VVS"  # starts with the term first
    by_cvr = crm_client.get("/api/v1/companies", params={"q": "135856"}, headers=konsulent).json()
    assert [c["name"] for c in by_cvr["items"]] == ["Bager Hansen"]


def test_csv_export_of_the_list(crm_client, konsulent, factories):
    factories.CompanyFactory(name="Æblegården")
    res = crm_client.get("/api/v1/companies", headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,cvr,name")
    assert any("Æblegården" in line for line in lines[1:])


def test_virksomhed_sees_only_its_own_company_others_answer_404(crm_client, login, factories):
    own = factories.CompanyFactory(name="Egen ApS")
    other = factories.CompanyFactory(name="Fremmed ApS")
    factories.ContactFactory(company_id=other.id)
    _, headers = login("virksomhed", own)
    listing = crm_client.get("/api/v1/companies", headers=headers).json()
    assert [c["id"] for c in listing["items"]] == [own.id]
    assert crm_client.get(f"/api/v1/companies/{own.id}", headers=headers).status_code == 200
    for method, path, kwargs in [
        ("get", f"/api/v1/companies/{other.id}", {}),
        ("patch", f"/api/v1/companies/{other.id}", {"json": {"name": "Hacket"}}),
        ("get", f"/api/v1/companies/{other.id}/contacts", {}),
        ("post", f"/api/v1/companies/{other.id}/contacts", {"json": {"name": "X"}}),
        ("get", f"/api/v1/companies/{other.id}/workplaces", {}),
    ]:
        res = getattr(crm_client, method)(path, headers=headers, **kwargs)
        assert res.status_code == 404, (method, path, res.text)
    assert crm_client.get(f"/api/v1/companies/{other.id}", headers=headers).json()["detail"].startswith("Virksomhed")


def test_virksomhed_may_edit_its_address_but_not_its_sector(crm_client, login, factories):
    own = factories.CompanyFactory()
    _, headers = login("virksomhed", own)
    ok = crm_client.patch(f"/api/v1/companies/{own.id}", json={"address": "Torvet 1"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["address"] == "Torvet 1"
    refused = crm_client.patch(f"/api/v1/companies/{own.id}", json={"sector": "kommunal"}, headers=headers)
    assert refused.status_code == 422


def test_virksomhed_cannot_create_companies(crm_client, login, factories):
    _, headers = login("virksomhed", factories.CompanyFactory())
    assert crm_client.post("/api/v1/companies", json=VALID, headers=headers).status_code == 403


def test_company_with_history_cannot_be_deleted(crm_client, admin, factories):
    company = factories.CompanyFactory()
    factories.ActivityFactory(company_id=company.id)
    assert crm_client.delete(f"/api/v1/companies/{company.id}", headers=admin).status_code == 409
    empty = factories.CompanyFactory()
    assert crm_client.delete(f"/api/v1/companies/{empty.id}", headers=admin).status_code == 204
    assert crm_client.get(f"/api/v1/companies/{empty.id}", headers=admin).status_code == 404


def test_p_number_unique_without_checksum(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    url = f"/api/v1/companies/{company.id}/workplaces"
    assert crm_client.post(url, json={"p_number": "1234567890"}, headers=konsulent).status_code == 201
    assert crm_client.post(url, json={"p_number": "1234567890"}, headers=konsulent).status_code == 409
    assert crm_client.post(url, json={"p_number": "12345"}, headers=konsulent).status_code == 422


def test_contacts_consent_and_audit(crm_client, konsulent, db, factories):
    company = factories.CompanyFactory()
    url = f"/api/v1/companies/{company.id}/contacts"
    no_email = crm_client.post(url, json={"name": "Bo", "newsletter_consent": True}, headers=konsulent)
    assert no_email.status_code == 422
    res = crm_client.post(url, json={"name": "Bo", "email": "bo@firma.dk", "newsletter_consent": True,
                                     "consent_method": "skriftlig"}, headers=konsulent)
    assert res.status_code == 201, res.text
    contact = res.json()
    assert contact["consent_given_at"] and contact["consent_method"] == "skriftlig"
    off = crm_client.patch(f"{url}/{contact['id']}", json={"newsletter_consent": False}, headers=konsulent).json()
    assert off["newsletter_consent"] is False and off["unsubscribed_at"]
    crm_client.get(url, headers=konsulent)
    actions = [(a.action, a.entity) for a in db.query(AuditLog).order_by(AuditLog.id)]
    assert ("create", "contact") in actions and ("update", "contact") in actions and ("read", "contact") in actions
    assert crm_client.delete(f"{url}/{contact['id']}", headers=konsulent).status_code == 204
    assert crm_client.get(f"{url}/{contact['id']}", headers=konsulent).status_code == 404
    assert db.query(AuditLog).filter(AuditLog.action == "erase").count() == 1


def test_timeline_lists_everything_newest_first(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    factories.ActivityFactory(company_id=company.id, occurred_at=datetime(2020, 3, 1, 9, tzinfo=UTC), summary="Besøg")
    factories.OrderFactory(company_id=company.id, received_on=date(2020, 4, 1), title="Kok")
    factories.PartnershipFactory(company_id=company.id, signed_on=date(2019, 1, 1))
    factories.PlacementFactory(company_id=company.id, starts_on=date(2020, 5, 1), ends_on=date(2020, 6, 1),
                               outcome="ordinaer_ansaettelse")
    res = crm_client.get(f"/api/v1/companies/{company.id}/timeline", headers=konsulent)
    assert res.status_code == 200, res.text
    body = res.json()
    kinds = [i["kind"] for i in body["items"]]
    assert kinds == ["placering_slut", "placering_start", "ordre", "aktivitet", "partnerskab"]
    assert body["total"] == 5
    assert body["items"][0]["detail"] == "Ordinær ansættelse"
    page = crm_client.get(f"/api/v1/companies/{company.id}/timeline", params={"limit": 2, "offset": 2},
                          headers=konsulent).json()
    assert [i["kind"] for i in page["items"]] == ["ordre", "aktivitet"]


def test_timeline_is_for_staff_only(crm_client, login, factories):
    company = factories.CompanyFactory()
    _, headers = login("virksomhed", company)
    assert crm_client.get(f"/api/v1/companies/{company.id}/timeline", headers=headers).status_code == 403


def test_health_and_ready(crm_client):
    assert crm_client.get("/health").json() == {"status": "ok", "service": "crm"}
    ready = crm_client.get("/ready")
    assert ready.status_code in (200, 503)
    assert ready.json()["service"] == "crm"

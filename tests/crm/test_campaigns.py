from datetime import date

import pytest
from sqlalchemy import event, insert

from services.crm.companies.models import Company
from tests.factories import valid_cvr


def _campaign(**kw):
    return {"name": "Besøgskampagne 2024", "kind": "besoegskampagne", "starts_on": "2024-01-01",
            "ends_on": "2024-12-31", "segment": {"kind": "all"}, **kw}


def _targets(crm_client, headers, campaign_id, **params):
    res = crm_client.get(f"/api/v1/campaigns/{campaign_id}/targets", params={"limit": 1000, **params}, headers=headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_yearly_visit_campaign_targets_every_company_with_employees_in_one_insert(crm_client, konsulent, db, engine):
    rows = [{"cvr": valid_cvr(), "name": f"Firma {i:04d}", "sector": "privat", "postcode": "4200",
             "employees": 0 if i % 10 == 0 else 1 + i % 50, "industry_code": "471100"}
            for i in range(1300)]
    # Companies whose CVR the generator repeated would collide; keep the first of each.
    unique = list({r["cvr"]: r for r in rows}.values())
    db.exec(insert(Company), params=unique)
    db.flush()
    with_employees = sum(1 for r in unique if r["employees"] >= 1)

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "campaign_target" in statement and statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        res = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=konsulent)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert res.status_code == 201, res.text
    body = res.json()
    assert len(statements) == 1 and "SELECT" in statements[0].upper()
    assert body["targets_total"] == with_employees > 1000
    assert body["counts"] == {"planlagt": with_employees, "kontaktet": 0, "besoegt": 0, "afslaaet": 0}
    assert body["kind_label"] == "Besøgskampagne" and body["segment"] == {"kind": "all"}


def test_segments_partners_industry_and_sector(crm_client, konsulent, factories):
    butcher = factories.CompanyFactory(industry_code="101100", sector="privat")
    baker = factories.CompanyFactory(industry_code="107100", sector="privat")
    school = factories.CompanyFactory(industry_code="852010", sector="kommunal")
    ex_partner = factories.CompanyFactory(industry_code="107200")
    factories.PartnershipFactory(company_id=butcher.id, signed_on=date(2023, 1, 1))
    factories.PartnershipFactory(company_id=baker.id, signed_on=date(2020, 1, 1), ends_on=None)
    factories.PartnershipFactory(company_id=school.id, signed_on=date(2025, 1, 1))  # not yet a partner
    factories.PartnershipFactory(company_id=ex_partner.id, signed_on=date(2019, 1, 1), ends_on=date(2023, 12, 31))
    ours = {butcher.id, baker.id, school.id, ex_partner.id}

    def company_ids(segment):
        res = crm_client.post("/api/v1/campaigns", json=_campaign(segment=segment), headers=konsulent)
        assert res.status_code == 201, res.text
        return {t["company_id"] for t in _targets(crm_client, konsulent, res.json()["id"])["items"]} & ours

    assert company_ids({"kind": "partners"}) == {butcher.id, baker.id}
    assert company_ids({"kind": "partners", "industry_code": "107"}) == {baker.id}
    assert company_ids({"kind": "industry", "industry_code": "10"}) == {butcher.id, baker.id, ex_partner.id}
    assert company_ids({"kind": "sector", "sector": "kommunal"}) == {school.id}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2023-12-31"}, "ends_on"),
        ({"kind": "spam"}, "kind"),
        ({"segment": {"kind": "alle"}}, "segment.kind"),
        ({"segment": {"kind": "industry"}}, "segment"),
        ({"segment": {"kind": "sector", "sector": "offentlig"}}, "segment.sector"),
        ({"segment": {"kind": "sector"}}, "segment"),
        ({"segment": {"kind": "all", "sector": "privat"}}, "segment"),
        ({"segment": {"kind": "industry", "industry_code": "ab"}}, "segment.industry_code"),
        ({"segment": {"kind": "all", "postcode": "4200"}}, "segment.postcode"),
        ({"name": ""}, "name"),
        ({"starts_on": "2024-02-30"}, "starts_on"),
    ],
)
def test_bad_campaign_input_is_422_naming_the_field(crm_client, konsulent, change, field):
    res = crm_client.post("/api/v1/campaigns", json=_campaign(**change), headers=konsulent)
    assert res.status_code == 422, res.text
    assert res.json()["errors"][0]["field"] == field


def test_targets_status_filter_counts_and_patch(crm_client, login, factories, db):
    me, headers = login("konsulent")
    companies = [factories.CompanyFactory(name=f"Mål {i}") for i in range(4)]
    ids = {c.id for c in companies}
    campaign = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=headers).json()
    targets = {t["company_id"]: t for t in _targets(crm_client, headers, campaign["id"])["items"]
               if t["company_id"] in ids}
    assert len(targets) == 4 and all(t["status"] == "planlagt" for t in targets.values())
    url = f"/api/v1/campaigns/{campaign['id']}/targets"
    first, second = targets[companies[0].id], targets[companies[1].id]
    res = crm_client.patch(f"{url}/{first['id']}", headers=headers,
                           json={"status": "kontaktet", "follow_up_on": "2024-03-01", "consultant_id": me.id,
                                 "note": "Ring efter ferien"})
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "kontaktet" and res.json()["status_label"] == "Kontaktet"
    assert res.json()["follow_up_on"] == "2024-03-01" and res.json()["consultant_id"] == me.id
    crm_client.patch(f"{url}/{second['id']}", json={"status": "afslaaet"}, headers=headers)
    page = _targets(crm_client, headers, campaign["id"], status="kontaktet")
    assert [t["id"] for t in page["items"]] == [first["id"]] and page["total"] == 1
    assert page["counts"]["kontaktet"] == 1 and page["counts"]["afslaaet"] == 1
    assert page["counts"]["planlagt"] == campaign["targets_total"] - 2
    assert crm_client.get(f"/api/v1/campaigns/{campaign['id']}", headers=headers).json()["counts"]["afslaaet"] == 1

    for payload, field in [({"status": "ringet"}, "status"), ({"status": None}, "status"),
                           ({"follow_up_on": "snart"}, "follow_up_on"), ({"consultant_id": 999999}, "consultant_id"),
                           ({"company_id": 1}, "company_id")]:
        bad = crm_client.patch(f"{url}/{first['id']}", json=payload, headers=headers)
        assert bad.status_code == 422, payload
        assert bad.json().get("field") == field or bad.json()["errors"][0]["field"] == field
    other = crm_client.post("/api/v1/campaigns", json=_campaign(name="Anden"), headers=headers).json()
    assert crm_client.patch(f"/api/v1/campaigns/{other['id']}/targets/{first['id']}", json={"note": "x"},
                            headers=headers).status_code == 404
    assert crm_client.get(f"{url}", params={"status": "ringet"}, headers=headers).status_code == 422


def test_campaign_target_with_follow_up_becomes_a_task_until_final(crm_client, login, factories):
    me, headers = login("konsulent")
    company = factories.CompanyFactory()
    campaign = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=headers).json()
    target = next(t for t in _targets(crm_client, headers, campaign["id"])["items"] if t["company_id"] == company.id)
    url = f"/api/v1/campaigns/{campaign['id']}/targets/{target['id']}"
    crm_client.patch(url, json={"follow_up_on": "2024-05-01", "consultant_id": me.id}, headers=headers)
    tasks = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id}, headers=headers).json()["items"]
    assert [(t["kind"], t["id"]) for t in tasks] == [("kampagne", target["id"])]
    crm_client.patch(url, json={"status": "besoegt"}, headers=headers)
    assert crm_client.get("/api/v1/tasks", params={"consultant_id": me.id}, headers=headers).json()["total"] == 0


def test_add_target_by_hand_update_and_delete_campaign(crm_client, konsulent, factories):
    small = factories.CompanyFactory(employees=0)
    campaign = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=konsulent).json()
    url = f"/api/v1/campaigns/{campaign['id']}"
    added = crm_client.post(f"{url}/targets", json={"company_id": small.id}, headers=konsulent)
    assert added.status_code == 201 and added.json()["status"] == "planlagt"
    assert crm_client.post(f"{url}/targets", json={"company_id": small.id}, headers=konsulent).status_code == 409
    assert crm_client.post(f"{url}/targets", json={"company_id": 999999}, headers=konsulent).status_code == 422
    patched = crm_client.patch(url, json={"name": "Besøg 2024/25", "ends_on": "2025-06-30"}, headers=konsulent)
    assert patched.status_code == 200 and patched.json()["name"] == "Besøg 2024/25"
    bad = crm_client.patch(url, json={"ends_on": "2023-01-01"}, headers=konsulent)
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    assert crm_client.patch(url, json={"segment": {"kind": "all"}}, headers=konsulent).status_code == 422
    factories.ActivityFactory(company_id=small.id, campaign_id=campaign["id"])
    assert crm_client.delete(url, headers=konsulent).status_code == 409
    empty = crm_client.post("/api/v1/campaigns", json=_campaign(name="Tom"), headers=konsulent).json()
    assert crm_client.delete(f"/api/v1/campaigns/{empty['id']}", headers=konsulent).status_code == 204
    assert crm_client.get(f"/api/v1/campaigns/{empty['id']}", headers=konsulent).status_code == 404


def test_list_filters_and_csv_exports(crm_client, konsulent, factories):
    factories.CompanyFactory(name="Ølstykke Tømrer", cvr="13585628")
    visit = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=konsulent).json()
    crm_client.post("/api/v1/campaigns", json=_campaign(name="Ukraine", kind="rekrutteringskampagne",
                                                        starts_on="2022-04-01", ends_on="2022-12-31"), headers=konsulent)
    listing = crm_client.get("/api/v1/campaigns", params={"active_on": "2024-06-01"}, headers=konsulent).json()
    assert [c["id"] for c in listing["items"]] == [visit["id"]]
    assert crm_client.get("/api/v1/campaigns", params={"kind": "rekrutteringskampagne"},
                          headers=konsulent).json()["total"] == 1
    assert crm_client.get("/api/v1/campaigns", params={"kind": "reklame"}, headers=konsulent).status_code == 422
    res = crm_client.get(f"/api/v1/campaigns/{visit['id']}/targets", params={"q": "135856"},
                         headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,company_id,cvr,company_name")
    assert len(lines) == 2 and "Ølstykke Tømrer" in lines[1] and "planlagt" in lines[1]
    campaigns_csv = crm_client.get("/api/v1/campaigns", headers={**konsulent, "Accept": "text/csv"})
    assert campaigns_csv.text.lstrip("\ufeff").splitlines()[0].startswith("id,name,kind")


def test_staff_only(crm_client, login, konsulent, factories):
    company = factories.CompanyFactory()
    campaign = crm_client.post("/api/v1/campaigns", json=_campaign(), headers=konsulent).json()
    _, headers = login("virksomhed", company)
    for method, path, kwargs in [
        ("get", "/api/v1/campaigns", {}),
        ("post", "/api/v1/campaigns", {"json": _campaign()}),
        ("get", f"/api/v1/campaigns/{campaign['id']}", {}),
        ("patch", f"/api/v1/campaigns/{campaign['id']}", {"json": {"name": "x"}}),
        ("get", f"/api/v1/campaigns/{campaign['id']}/targets", {}),
        ("patch", f"/api/v1/campaigns/{campaign['id']}/targets/1", {"json": {"status": "besoegt"}}),
        ("delete", f"/api/v1/campaigns/{campaign['id']}", {}),
    ]:
        assert getattr(crm_client, method)(path, headers=headers, **kwargs).status_code == 403, (method, path)


def test_unknown_campaign_is_404(crm_client, konsulent):
    assert crm_client.get("/api/v1/campaigns/999999", headers=konsulent).status_code == 404
    assert crm_client.get("/api/v1/campaigns/999999/targets", headers=konsulent).status_code == 404
    assert crm_client.patch("/api/v1/campaigns/999999/targets/1", json={}, headers=konsulent).status_code == 404

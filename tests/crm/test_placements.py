from datetime import date

import pytest

from services.crm.placements.models import HoursFollowUp, Placement
from shared.audit import AuditLog
from shared.event_contracts import validate as validate_event
from shared.events import read_events

URL = "/api/v1/placements"


def body(company_id, **over):
    data = {"company_id": company_id, "candidate_ref": "K-100", "scheme": "virksomhedspraktik",
            "target_group": "kontanthjaelp_aktivitetsparat", "starts_on": "2025-03-03", "ends_on": "2025-05-25",
            "candidate_municipality_code": 330, "candidate_birth_year": 1990, "hours_per_week": 25}
    data.update(over)
    return data


def audit_actions(db, entity="placement"):
    return [(a.action, a.entity_id) for a in db.query(AuditLog).filter(AuditLog.entity == entity).order_by(AuditLog.id)]


# -- create, read, audit -----------------------------------------------------------------------------

def test_create_read_and_every_access_is_audited(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json=body(company.id), headers=konsulent)
    assert res.status_code == 201, res.text
    placement = res.json()
    assert placement["id"] and placement["scheme"] == "virksomhedspraktik" and placement["override_reason"] is None
    pid = str(placement["id"])
    assert crm_client.get(f"{URL}/{pid}", headers=konsulent).json()["candidate_ref"] == "K-100"
    listing = crm_client.get(URL, params={"company_id": company.id}, headers=konsulent).json()
    assert listing["total"] == 1
    crm_client.patch(f"{URL}/{pid}", json={"outcome_reason": "Trives"}, headers=konsulent)
    actions = audit_actions(db)
    assert actions[:2] == [("create", pid), ("read", pid)]
    assert ("read", None) in actions and ("update", pid) in actions
    list_entry = db.query(AuditLog).filter(AuditLog.entity == "placement", AuditLog.entity_id.is_(None)).one()
    assert list_entry.detail["placement_ids"] == [placement["id"]]
    assert list_entry.detail["filters"] == {"company_id": company.id}


def test_csv_export_is_audited_as_export(crm_client, konsulent, factories, db):
    factories.PlacementFactory(candidate_ref="K-CSV")
    res = crm_client.get(URL, headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert "K-CSV" in res.text and res.text.lstrip("\ufeff").startswith("id,company_id,order_id,candidate_ref")
    assert [a for a, _ in audit_actions(db)] == ["export"]


def test_companies_never_see_placements(crm_client, login, factories):
    company = factories.CompanyFactory()
    placement = factories.PlacementFactory(company_id=company.id)
    _, headers = login("virksomhed", company)
    assert crm_client.get(URL, headers=headers).status_code == 403
    assert crm_client.get(f"{URL}/{placement.id}", headers=headers).status_code == 403
    assert crm_client.post(URL, json=body(company.id), headers=headers).status_code == 403
    assert crm_client.get(f"{URL}/{placement.id}/hours", headers=headers).status_code == 403


@pytest.mark.parametrize("ref", ["0101901234", "010190-1234", "cpr 010190 1234"])
def test_cpr_numbers_are_never_stored(crm_client, konsulent, factories, db, ref):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json=body(company.id, candidate_ref=ref), headers=konsulent)
    assert res.status_code == 422
    err = res.json()["errors"][0]
    assert err["field"] == "candidate_ref" and err["message"].startswith("CPR-numre må ikke gemmes")
    assert db.query(Placement).count() == 0
    ok = factories.PlacementFactory(company_id=company.id)
    assert crm_client.patch(f"{URL}/{ok.id}", json={"candidate_ref": ref}, headers=konsulent).status_code == 422


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"ends_on": "2025-03-02"}, "ends_on"),
        ({"scheme": "praktik"}, "scheme"),
        ({"target_group": "kontanthjaelp"}, "target_group"),
        ({"target_group": None}, "target_group"),
        ({"outcome": "faerdig"}, "outcome"),
        ({"candidate_municipality_code": 999}, "candidate_municipality_code"),
        ({"candidate_birth_year": 1850}, "candidate_birth_year"),
        ({"hours_per_week": 0}, "hours_per_week"),
        ({"hours_per_week": 40}, "hours_per_week"),  # praktik: at most normal full time
        ({"override_reason": "fordi"}, "override_reason"),
        ({"company_id": 987654}, "company_id"),
        ({"outcome": "stoppet", "ends_on": None}, "ends_on"),
        ({"scheme": "fleksjob", "hours_per_week": None, "target_group": "ledighedsydelse", "ends_on": None},
         "hours_per_week"),
    ],
)
def test_bad_placement_input_is_422_naming_the_field(crm_client, konsulent, factories, db, over, field):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json={**body(company.id), **over}, headers=konsulent)
    assert res.status_code == 422, res.text
    got = res.json().get("field") or res.json()["errors"][0]["field"]
    assert got == field
    assert db.query(Placement).count() == 0


def test_end_before_start_message_is_danish(crm_client, konsulent, factories):
    res = crm_client.post(URL, json=body(factories.CompanyFactory().id, ends_on="2025-03-01"), headers=konsulent)
    assert "ligger før startdatoen" in res.json()["errors"][0]["message"]


def test_ordinary_hires_need_no_target_group(crm_client, konsulent, factories):
    res = crm_client.post(URL, json=body(factories.CompanyFactory().id, scheme="ordinaer", target_group=None,
                                         ends_on=None), headers=konsulent)
    assert res.status_code == 201, res.text


def test_linking_to_an_order_of_another_company_or_a_closed_order_is_refused(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    foreign = factories.OrderFactory()
    res = crm_client.post(URL, json=body(company.id, order_id=foreign.id), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "order_id"
    closed = factories.OrderFactory(company_id=company.id, status="annulleret")
    assert crm_client.post(URL, json=body(company.id, order_id=closed.id), headers=konsulent).status_code == 409
    missing = crm_client.post(URL, json=body(company.id, order_id=999999), headers=konsulent)
    assert missing.status_code == 422 and missing.json()["field"] == "order_id"


# -- scheme rules: duration ---------------------------------------------------------------------------

def test_too_long_praktik_is_409_with_rule_law_and_figures(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory()
    res = crm_client.post(URL, json=body(company.id, target_group="a_dagpenge", ends_on="2025-05-25"),
                          headers=konsulent)
    assert res.status_code == 409
    out = res.json()
    assert "Maksimal varighed" in out["detail"] and "override_reason" in out["detail"]
    [breach] = out["breaches"]
    assert breach["rule"] == "max_varighed"
    assert breach["law"].startswith("LAB § 61")
    assert breach["figures"]["max"] == 4 and breach["figures"]["seneste_slutdato"] == "2025-03-30"
    assert "4 uger" in breach["message"]
    assert db.query(Placement).count() == 0


def test_override_with_a_reason_creates_stores_and_audits(crm_client, login, factories, db):
    user, headers = login("leder")
    company = factories.CompanyFactory()
    reason = "Nyuddannet: 8 ugers praktik aftalt med a-kassen"
    res = crm_client.post(URL, json=body(company.id, target_group="a_dagpenge", ends_on="2025-04-27",
                                         override_reason=reason), headers=headers)
    assert res.status_code == 201, res.text
    assert res.json()["override_reason"] == reason
    entry = db.query(AuditLog).filter(AuditLog.action == "override").one()
    assert entry.actor_id == user.id and entry.entity_id == str(res.json()["id"])
    assert entry.detail["rules"] == ["max_varighed"] and entry.detail["reason"] == reason


def test_override_reason_is_not_stored_when_nothing_was_breached(crm_client, konsulent, factories, db):
    res = crm_client.post(URL, json=body(factories.CompanyFactory().id, override_reason="For en sikkerheds skyld"),
                          headers=konsulent)
    assert res.status_code == 201 and res.json()["override_reason"] is None
    assert db.query(AuditLog).filter(AuditLog.action == "override").count() == 0


def test_a_limited_scheme_needs_an_end_date(crm_client, konsulent, factories):
    res = crm_client.post(URL, json=body(factories.CompanyFactory().id, ends_on=None), headers=konsulent)
    assert res.status_code == 409 and "angiv en slutdato" in res.json()["breaches"][0]["message"]


def test_loentilskud_limit_depends_on_the_employers_sector(crm_client, konsulent, factories):
    nine_months = {"scheme": "loentilskud", "target_group": "sygedagpenge", "starts_on": "2025-01-01",
                   "ends_on": "2025-09-30"}
    private = factories.CompanyFactory(sector="privat", employees=100)
    public = factories.CompanyFactory(sector="kommunal", employees=100)
    assert crm_client.post(URL, json=body(private.id, **nine_months), headers=konsulent).status_code == 409
    assert crm_client.post(URL, json=body(public.id, **nine_months), headers=konsulent).status_code == 201


def test_changing_dates_reruns_the_rules_but_shortening_never_needs_an_override(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    placement = crm_client.post(URL, json=body(company.id, target_group="a_dagpenge", ends_on="2025-03-30"),
                                headers=konsulent).json()
    url = f"{URL}/{placement['id']}"
    longer = crm_client.patch(url, json={"ends_on": "2025-04-30"}, headers=konsulent)
    assert longer.status_code == 409 and longer.json()["breaches"][0]["rule"] == "max_varighed"
    assert crm_client.get(url, headers=konsulent).json()["ends_on"] == "2025-03-30"
    overridden = crm_client.patch(url, json={"ends_on": "2025-04-30", "override_reason": "Nyuddannet, 8 uger bevilget"},
                                  headers=konsulent)
    assert overridden.status_code == 200 and overridden.json()["override_reason"] == "Nyuddannet, 8 uger bevilget"
    shorter = crm_client.patch(url, json={"ends_on": "2025-04-20", "outcome": "stoppet",
                                          "outcome_reason": "Sygdom"}, headers=konsulent)
    assert shorter.status_code == 200, shorter.text
    bad = crm_client.patch(url, json={"starts_on": "2025-05-01"}, headers=konsulent)
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    group = crm_client.patch(url, json={"target_group": "kontanthjaelp_aktivitetsparat"}, headers=konsulent)
    assert group.status_code == 200  # 13 weeks for aktivitetsparat: the 7 weeks are fine now
    assert crm_client.patch(url, json={"scheme": None}, headers=konsulent).status_code == 422


# -- scheme rules: IGU -----------------------------------------------------------------------------------

def igu(company_id, birth_year, starts_on, **over):
    start = date.fromisoformat(starts_on)
    end = date(start.year + 2, start.month, start.day - 1 if start.day > 1 else 1)
    return body(company_id, scheme="igu", target_group="integration", candidate_birth_year=birth_year,
                starts_on=starts_on, ends_on=end.isoformat(), **over)


def test_igu_age_rule_follows_the_start_date(crm_client, konsulent, factories):
    company = factories.CompanyFactory(employees=50)
    before = crm_client.post(URL, json=igu(company.id, 1979, "2023-09-04"), headers=konsulent)  # 43-44 in 2023
    assert before.status_code == 409
    [breach] = before.json()["breaches"]
    assert breach["rule"] == "igu_alder" and breach["figures"]["under_alder"] == 40
    after = crm_client.post(URL, json=igu(company.id, 1979, "2024-09-02", candidate_ref="K-101"), headers=konsulent)
    assert after.status_code == 201, after.text


def test_igu_needs_the_birth_year_and_ends_with_2027(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    unknown = crm_client.post(URL, json=igu(company.id, None, "2025-01-06"), headers=konsulent)
    assert unknown.status_code == 409 and unknown.json()["breaches"][0]["rule"] == "igu_alder"
    late = crm_client.post(URL, json=igu(company.id, 1995, "2028-01-03"), headers=konsulent)
    assert late.status_code == 409 and late.json()["breaches"][0]["rule"] == "igu_sidste_start"


# -- scheme rules: ratio (rimelighedskrav) ------------------------------------------------------------

def test_ratio_rule_counts_the_ratio_schemes_active_on_the_start_day(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory(employees=10)  # room for 2
    start = date(2025, 3, 3)
    factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik", starts_on=date(2025, 2, 1),
                               ends_on=date(2025, 4, 1))
    factories.PlacementFactory(company_id=company.id, scheme="loentilskud", starts_on=date(2025, 1, 1),
                               ends_on=None)
    # Not counted: another scheme, ended before the start day, starting after it, another company.
    factories.PlacementFactory(company_id=company.id, scheme="fleksjob", starts_on=date(2025, 1, 1), ends_on=None)
    factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik", starts_on=date(2025, 1, 1),
                               ends_on=date(2025, 3, 2))
    factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik", starts_on=date(2025, 3, 4),
                               ends_on=date(2025, 4, 1))
    factories.PlacementFactory(scheme="virksomhedspraktik", starts_on=start, ends_on=date(2025, 4, 1))
    before = db.query(Placement).count()

    res = crm_client.post(URL, json=body(company.id, starts_on=start.isoformat()), headers=konsulent)
    assert res.status_code == 409
    [breach] = res.json()["breaches"]
    assert breach["rule"] == "rimelighedskrav" and "§ 65" in breach["law"]
    assert breach["figures"] == {"ordinaert_ansatte": 10, "tilladt": 2, "aktive": 2, "efter_oprettelse": 3}
    assert db.query(Placement).count() == before

    # An ordinary hire is not a supported person: no ratio check.
    ordinary = body(company.id, scheme="ordinaer", target_group=None, ends_on=None, starts_on=start.isoformat())
    assert crm_client.post(URL, json=ordinary, headers=konsulent).status_code == 201


def test_check_endpoint_returns_breaches_without_writing(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory(employees=4)  # room for 1 (the minimum)
    factories.PlacementFactory(company_id=company.id, scheme="nytteindsats", starts_on=date(2025, 1, 1), ends_on=None)
    before = (db.query(Placement).count(), db.query(AuditLog).count())
    res = crm_client.post(f"{URL}/check", json=body(company.id, target_group="a_dagpenge"), headers=konsulent)
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["ok"] is False
    assert sorted(b["rule"] for b in out["breaches"]) == ["max_varighed", "rimelighedskrav"]
    assert (db.query(Placement).count(), db.query(AuditLog).count()) == before
    fine = crm_client.post(f"{URL}/check", json=body(company.id, scheme="ordinaer", target_group=None, ends_on=None),
                           headers=konsulent)
    assert fine.json() == {"ok": True, "breaches": []}
    assert crm_client.post(f"{URL}/check", json=body(company.id, ends_on="2025-01-01"),
                           headers=konsulent).status_code == 422


def test_moving_a_placement_reruns_the_ratio_rule_without_counting_itself(crm_client, konsulent, factories):
    company = factories.CompanyFactory(employees=5)  # room for 1
    placement = factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik",
                                           target_group="kontanthjaelp_aktivitetsparat",
                                           starts_on=date(2025, 3, 3), ends_on=date(2025, 4, 1))
    moved = crm_client.patch(f"{URL}/{placement.id}", json={"starts_on": "2025-03-10"}, headers=konsulent)
    assert moved.status_code == 200, moved.text
    factories.PlacementFactory(company_id=company.id, scheme="loentilskud", starts_on=date(2025, 3, 15),
                               ends_on=date(2025, 6, 1))
    clash = crm_client.patch(f"{URL}/{placement.id}", json={"starts_on": "2025-03-20"}, headers=konsulent)
    assert clash.status_code == 409 and clash.json()["breaches"][0]["rule"] == "rimelighedskrav"


# -- orders: positions_filled follows create, delete and relink ---------------------------------------

def test_relinking_a_placement_moves_the_fill_between_orders(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory()
    first = factories.OrderFactory(company_id=company.id, positions=1, status="i_gang")
    second = factories.OrderFactory(company_id=company.id, positions=2, status="i_gang")
    placement = crm_client.post(URL, json=body(company.id, order_id=first.id, scheme="ordinaer", target_group=None,
                                               ends_on=None), headers=konsulent).json()
    db.refresh(first)
    assert (first.positions_filled, first.status) == (1, "besat")

    moved = crm_client.patch(f"{URL}/{placement['id']}", json={"order_id": second.id}, headers=konsulent)
    assert moved.status_code == 200, moved.text
    db.refresh(first)
    db.refresh(second)
    assert (first.positions_filled, first.status) == (0, "i_gang")  # reopened automatically
    assert (second.positions_filled, second.status) == (1, "delvist_besat")

    unlinked = crm_client.patch(f"{URL}/{placement['id']}", json={"order_id": None}, headers=konsulent)
    assert unlinked.status_code == 200 and unlinked.json()["order_id"] is None
    db.refresh(second)
    assert (second.positions_filled, second.status) == (0, "i_gang")


# -- events ----------------------------------------------------------------------------------------------

@pytest.mark.redis
def test_started_and_ended_events_without_sensitive_data(crm_client, konsulent, factories, redis_conn):
    company = factories.CompanyFactory()
    placement = crm_client.post(URL, json=body(company.id), headers=konsulent).json()
    crm_client.patch(f"{URL}/{placement['id']}", json={"outcome_reason": "Godt i gang"}, headers=konsulent)
    crm_client.patch(f"{URL}/{placement['id']}", json={"ends_on": "2025-04-30", "outcome": "ordinaer_ansaettelse"},
                     headers=konsulent)
    events = [(e["type"], e["payload"]) for e in read_events(redis_conn) if e["type"].startswith("placement.")]
    assert [t for t, _ in events] == ["placement.started", "placement.ended"]
    assert events[0][1] == {"placement_id": placement["id"], "company_id": company.id, "order_id": None,
                            "scheme": "virksomhedspraktik", "starts_on": "2025-03-03",
                            "ends_on": placement["ends_on"], "outcome": placement["outcome"]}
    assert events[1][1]["ends_on"] == "2025-04-30" and events[1][1]["outcome"] == "ordinaer_ansaettelse"
    for type_, payload in events:
        assert "candidate_ref" not in payload and "target_group" not in payload
        validate_event(type_, payload)


@pytest.mark.redis
def test_a_refused_placement_publishes_nothing(crm_client, konsulent, factories, redis_conn):
    company = factories.CompanyFactory()
    crm_client.post(URL, json=body(company.id, target_group="a_dagpenge"), headers=konsulent)
    assert [e for e in read_events(redis_conn) if e["type"].startswith("placement.")] == []


# -- weekly hours (fleksjob) ----------------------------------------------------------------------------

def fleksjob(factories, **over):
    values = {"scheme": "fleksjob", "target_group": "ledighedsydelse", "starts_on": date(2023, 1, 2),
              "ends_on": None, "hours_per_week": 10}
    values.update(over)
    return factories.PlacementFactory(**values)


def test_weekly_hours_are_recorded_listed_and_corrected(crm_client, konsulent, factories, db):
    placement = fleksjob(factories)
    url = f"{URL}/{placement.id}/hours"
    first = crm_client.post(url, json={"on": "2023-03-01", "hours_per_week": 12}, headers=konsulent)
    assert first.status_code == 201, first.text
    crm_client.post(url, json={"on": "2023-02-01", "hours_per_week": 11}, headers=konsulent)
    again = crm_client.post(url, json={"on": "2023-03-01", "hours_per_week": 12.5}, headers=konsulent)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listing = crm_client.get(url, headers=konsulent).json()
    assert listing["total"] == 2
    assert [(h["on"], h["hours_per_week"]) for h in listing["items"]] == [("2023-02-01", 11), ("2023-03-01", 12.5)]
    assert db.query(HoursFollowUp).filter(HoursFollowUp.placement_id == placement.id).count() == 2
    actions = [a for a, _ in audit_actions(db)]
    assert actions == ["create", "create", "update", "read"]


def test_weekly_hours_only_for_fleksjob_and_within_the_placement(crm_client, konsulent, factories):
    praktik = factories.PlacementFactory(scheme="virksomhedspraktik")
    res = crm_client.post(f"{URL}/{praktik.id}/hours", json={"on": "2019-05-10", "hours_per_week": 10},
                          headers=konsulent)
    assert res.status_code == 409 and "kun fleksjob" in res.json()["detail"]
    placement = fleksjob(factories, ends_on=date(2023, 12, 31))
    url = f"{URL}/{placement.id}/hours"
    early = crm_client.post(url, json={"on": "2023-01-01", "hours_per_week": 10}, headers=konsulent)
    assert early.status_code == 422 and early.json()["field"] == "on"
    late = crm_client.post(url, json={"on": "2024-01-01", "hours_per_week": 10}, headers=konsulent)
    assert late.status_code == 422 and late.json()["field"] == "on"
    for hours in (0, 38, -2):
        bad = crm_client.post(url, json={"on": "2023-05-01", "hours_per_week": hours}, headers=konsulent)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "hours_per_week"
    assert crm_client.post(f"{URL}/999999/hours", json={"on": "2023-05-01", "hours_per_week": 5},
                           headers=konsulent).status_code == 404


def test_follow_ups_keep_the_placement_a_fleksjob_within_its_period(crm_client, konsulent, factories):
    placement = fleksjob(factories)
    crm_client.post(f"{URL}/{placement.id}/hours", json={"on": "2023-06-01", "hours_per_week": 14}, headers=konsulent)
    change = crm_client.patch(f"{URL}/{placement.id}", json={"scheme": "skaanejob"}, headers=konsulent)
    assert change.status_code == 409 and change.json()["field"] == "scheme"
    cut = crm_client.patch(f"{URL}/{placement.id}", json={"ends_on": "2023-05-31"}, headers=konsulent)
    assert cut.status_code == 422 and cut.json()["field"] == "ends_on"
    assert crm_client.delete(f"{URL}/{placement.id}", headers=konsulent).status_code == 204
    assert crm_client.get(f"{URL}/{placement.id}", headers=konsulent).status_code == 404


def test_list_filters(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    a = factories.PlacementFactory(company_id=company.id, scheme="igu", target_group="integration",
                                   starts_on=date(2024, 1, 1), ends_on=date(2025, 12, 31), outcome="igang")
    b = factories.PlacementFactory(company_id=company.id, scheme="virksomhedspraktik", starts_on=date(2025, 2, 1),
                                   ends_on=date(2025, 3, 1), outcome="stoppet")

    def ids(**params):
        res = crm_client.get(URL, params={"company_id": company.id, **params}, headers=konsulent)
        assert res.status_code == 200, res.text
        return [p["id"] for p in res.json()["items"]]

    assert ids() == [b.id, a.id]
    assert ids(scheme="igu") == [a.id]
    assert ids(target_group="integration") == [a.id]
    assert ids(outcome="stoppet") == [b.id]
    assert ids(active_on="2025-03-15") == [a.id]
    assert ids(started_from="2025-01-01") == [b.id]
    assert ids(started_to="2024-12-31") == [a.id]
    assert ids(candidate_ref=a.candidate_ref) == [a.id]
    assert crm_client.get(URL, params={"scheme": "x"}, headers=konsulent).status_code == 422


def test_an_old_record_missing_a_field_can_still_be_corrected_elsewhere(crm_client, konsulent, factories):
    legacy = factories.PlacementFactory(scheme="loentilskud", target_group=None, starts_on=date(2019, 1, 7),
                                        ends_on=date(2019, 6, 30))
    url = f"{URL}/{legacy.id}"
    ok = crm_client.patch(url, json={"outcome": "gennemfoert", "outcome_reason": "Forløbet fuldført"},
                          headers=konsulent)
    assert ok.status_code == 200, ok.text
    still = crm_client.patch(url, json={"scheme": "virksomhedspraktik"}, headers=konsulent)
    assert still.status_code == 422 and still.json()["field"] == "target_group"

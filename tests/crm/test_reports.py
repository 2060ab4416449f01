"""The reports of the contract, each against a small dataset counted by hand."""

from datetime import UTC, date, datetime

import pytest


def get(client, headers, path, **params):
    res = client.get(f"/api/v1/reports/{path}", params=params, headers=headers)
    assert res.status_code == 200, res.text
    return res.json()


# -- placements per month ------------------------------------------------------------------------

@pytest.fixture
def placements(factories):
    f = factories
    priv = f.CompanyFactory(sector="privat")
    kom = f.CompanyFactory(sector="kommunal")

    def pl(company, scheme, start, end, target_group="kontanthjaelp_aktivitetsparat"):
        f.PlacementFactory(company_id=company.id, scheme=scheme, starts_on=start, ends_on=end,
                           target_group=target_group)

    pl(priv, "loentilskud", date(2019, 4, 10), date(2019, 5, 1))  # one day of May
    pl(priv, "loentilskud", date(2019, 5, 31), date(2019, 7, 1), "a_dagpenge")  # May, June, July
    pl(priv, "virksomhedspraktik", date(2019, 6, 1), None)  # June on, no end
    pl(kom, "virksomhedspraktik", date(2019, 7, 31), date(2019, 8, 31))  # last day of July
    pl(priv, "loentilskud", date(2019, 8, 1), None)  # after the range
    pl(priv, "loentilskud", date(2019, 1, 1), date(2019, 4, 30))  # before the range
    pl(priv, "ordinaer", date(2019, 6, 15), None)


def rows_of(report):
    return [(r["month"], r["sector"], r["scheme"], r["count"]) for r in report["rows"]]


def test_placements_count_in_every_month_they_are_active_by_sector_and_scheme(crm_client, leder, placements):
    report = get(crm_client, leder, "placements", **{"from": "2019-05", "to": "2019-07"})
    assert rows_of(report) == [
        ("2019-05", "privat", "loentilskud", 2),
        ("2019-06", "privat", "loentilskud", 1),
        ("2019-06", "privat", "ordinaer", 1),
        ("2019-06", "privat", "virksomhedspraktik", 1),
        ("2019-07", "kommunal", "virksomhedspraktik", 1),
        ("2019-07", "privat", "loentilskud", 1),
        ("2019-07", "privat", "ordinaer", 1),
        ("2019-07", "privat", "virksomhedspraktik", 1),
    ]


def test_placements_filtered_by_schemes_and_target_group(crm_client, konsulent, placements):
    only_schemes = get(crm_client, konsulent, "placements",
                       **{"from": "2019-05", "to": "2019-07", "schemes": "loentilskud,virksomhedspraktik"})
    assert all(r["scheme"] != "ordinaer" for r in only_schemes["rows"]) and len(only_schemes["rows"]) == 6
    by_group = get(crm_client, konsulent, "placements",
                   **{"from": "2019-05", "to": "2019-07", "target_group": "a_dagpenge"})
    assert rows_of(by_group) == [("2019-05", "privat", "loentilskud", 1), ("2019-06", "privat", "loentilskud", 1),
                                 ("2019-07", "privat", "loentilskud", 1)]


def test_placements_report_as_csv(crm_client, leder, placements):
    res = crm_client.get("/api/v1/reports/placements", params={"from": "2019-05", "to": "2019-05"},
                         headers={**leder, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert res.text.lstrip("\ufeff").splitlines() == ["month,sector,scheme,count", "2019-05,privat,loentilskud,2"]


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"from": "2019-13", "to": "2019-12"}, "from", "ÅÅÅÅ-MM"),
        ({"from": "2019-5", "to": "2019-12"}, "from", "ÅÅÅÅ-MM"),
        ({"from": "2019-01", "to": "maj"}, "to", "ÅÅÅÅ-MM"),
        ({"from": "2019-07", "to": "2019-05"}, "from", "ligger efter"),
        ({"from": "1995-01", "to": "2019-05"}, "to", "højst dække 240 måneder"),
        ({"from": "2019-01", "to": "2019-05", "schemes": "loentilskud,fastjob"}, "schemes", "ukendt ordning 'fastjob'"),
        ({"from": "2019-01", "to": "2019-05", "target_group": "studerende"}, "target_group", "skal være en af"),
    ],
)
def test_bad_report_parameters_are_422_in_danish(crm_client, leder, params, field, fragment):
    res = crm_client.get("/api/v1/reports/placements", params=params, headers=leder)
    assert res.status_code == 422, res.text
    body = res.json()
    assert fragment in body["detail"]
    assert body.get("field", (body.get("errors") or [{}])[0].get("field")) == field


def test_reports_are_for_staff_only(crm_client, login, factories):
    _, company_user = login("virksomhed", factories.CompanyFactory())
    for path in ("placements", "fleksjob-hours", "igu", "activities", "consultant-activity"):
        assert crm_client.get(f"/api/v1/reports/{path}", headers=company_user).status_code == 403
        assert crm_client.get(f"/api/v1/reports/{path}").status_code == 401


# -- fleksjob hours --------------------------------------------------------------------------------

def test_fleksjob_hours_compare_latest_hours_at_month_end_with_hours_at_start(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()

    def fleks(start, hours, end=None, follow_ups=(), scheme="fleksjob"):
        p = f.PlacementFactory(company_id=co.id, scheme=scheme, target_group="ledighedsydelse", starts_on=start,
                               ends_on=end, hours_per_week=hours)
        for on, h in follow_ups:
            f.HoursFollowUpFactory(placement_id=p.id, on=on, hours_per_week=h)

    fleks(date(2022, 6, 1), 10, follow_ups=[(date(2023, 1, 15), 12), (date(2023, 2, 28), 9)])  # op, ned, ned
    fleks(date(2023, 1, 10), 15)  # no follow-ups: unchanged
    fleks(date(2022, 1, 1), 20, end=date(2023, 2, 15), follow_ups=[(date(2022, 12, 1), 20)])  # January only
    fleks(date(2023, 2, 28), 5, follow_ups=[(date(2023, 3, 1), 8)])  # starts on February's last day
    fleks(date(2023, 1, 31), 10, end=date(2023, 1, 31))  # active on the month's last day
    fleks(date(2022, 1, 1), None, follow_ups=[(date(2022, 2, 1), 6), (date(2023, 3, 10), 4)])  # start = first
    fleks(date(2022, 1, 1), 10, follow_ups=[(date(2023, 1, 20), 30)], scheme="loentilskud")  # not fleksjob
    fleks(date(2023, 4, 1), 10)  # after the range

    report = get(crm_client, leder, "fleksjob-hours", **{"from": "2023-01", "to": "2023-03"})

    assert report["rows"] == [
        {"month": "2023-01", "op": 1, "ned": 0, "uaendret": 4, "total": 5},
        {"month": "2023-02", "op": 0, "ned": 1, "uaendret": 3, "total": 4},
        {"month": "2023-03", "op": 1, "ned": 2, "uaendret": 1, "total": 4},
    ]
    empty = get(crm_client, leder, "fleksjob-hours", **{"from": "2010-01", "to": "2010-02"})
    assert empty["rows"] == [{"month": "2010-01", "op": 0, "ned": 0, "uaendret": 0, "total": 0},
                             {"month": "2010-02", "op": 0, "ned": 0, "uaendret": 0, "total": 0}]
    csv = crm_client.get("/api/v1/reports/fleksjob-hours", params={"from": "2023-01", "to": "2023-01"},
                         headers={**leder, "Accept": "text/csv"})
    assert csv.text.lstrip("\ufeff").splitlines() == ["month,op,ned,uaendret,total", "2023-01,1,0,4,5"]


def test_fleksjob_report_rejects_a_malformed_month(crm_client, leder):
    res = crm_client.get("/api/v1/reports/fleksjob-hours", params={"from": "jan 2023"}, headers=leder)
    assert res.status_code == 422 and res.json()["field"] == "from"


# -- IGU -------------------------------------------------------------------------------------------

def test_igu_outcomes_on_a_day(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()

    def igu(start, end=None, outcome=None, reason=None, scheme="igu"):
        f.PlacementFactory(company_id=co.id, scheme=scheme, target_group="integration", starts_on=start, ends_on=end,
                           outcome=outcome, outcome_reason=reason)

    igu(date(2017, 1, 1), date(2019, 1, 1), "gennemfoert")
    igu(date(2018, 1, 1), date(2019, 11, 1), "gennemfoert")  # ends on `to`: completed, not ongoing
    igu(date(2018, 6, 1), date(2019, 3, 1), "stoppet", "ordinær beskæftigelse")
    igu(date(2018, 6, 1), date(2019, 4, 1), "ordinaer_ansaettelse", "ordinær beskæftigelse")
    igu(date(2018, 6, 1), date(2019, 5, 1), "stoppet", "flyttet kommune")
    igu(date(2019, 1, 1))  # ongoing
    igu(date(2019, 1, 1), date(2020, 12, 31), "igang")  # planned end after `to`: ongoing
    igu(date(2019, 2, 1), date(2019, 10, 1))  # ended without a recorded outcome: stopped, reason unknown
    igu(date(2019, 11, 2))  # starts after `to`
    igu(date(2019, 1, 1), date(2019, 3, 1), "stoppet", "x", scheme="loentilskud")  # not IGU

    report = get(crm_client, leder, "igu", to="2019-11-01")

    assert report == {
        "to": "2019-11-01", "established": 8, "completed": 2, "ongoing": 2, "stopped_early": 4,
        "stopped_by_reason": {"flyttet kommune": 1, "ordinær beskæftigelse": 2, "uoplyst": 1},
    }
    assert report["established"] == report["completed"] + report["ongoing"] + report["stopped_early"]
    csv = crm_client.get("/api/v1/reports/igu", params={"to": "2019-11-01"}, headers={**leder, "Accept": "text/csv"})
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "figure,outcome_reason,count"
    assert "established,,8" in lines and "stopped_early,ordinær beskæftigelse,2" in lines


def test_igu_report_rejects_a_bad_day(crm_client, leder):
    res = crm_client.get("/api/v1/reports/igu", params={"to": "2019-02-30"}, headers=leder)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "to"


# -- activities per month ----------------------------------------------------------------------------

def test_activities_per_month_and_channel_in_danish_time(crm_client, leder, factories):
    co = factories.CompanyFactory()
    for channel, at in [
        ("telefon", datetime(2018, 12, 31, 23, 30, tzinfo=UTC)),  # 00:30 on 1 Jan 2019 in Copenhagen
        ("telefon", datetime(2019, 1, 15, 9, 0, tzinfo=UTC)),
        ("besoeg", datetime(2019, 3, 31, 21, 59, tzinfo=UTC)),  # 23:59 summer time, 31 March
        ("besoeg", datetime(2019, 3, 31, 22, 0, tzinfo=UTC)),  # midnight, 1 April
        ("email", datetime(2019, 12, 31, 23, 30, tzinfo=UTC)),  # 00:30 on 1 Jan 2020: next year
        ("moede", datetime(2019, 12, 31, 22, 30, tzinfo=UTC)),  # 23:30 on 31 December
    ]:
        factories.ActivityFactory(company_id=co.id, channel=channel, occurred_at=at)

    report = get(crm_client, leder, "activities", year=2019)

    assert report["rows"] == [
        {"month": "2019-01", "channel": "telefon", "count": 2},
        {"month": "2019-03", "channel": "besoeg", "count": 1},
        {"month": "2019-04", "channel": "besoeg", "count": 1},
        {"month": "2019-12", "channel": "moede", "count": 1},
    ]
    csv = crm_client.get("/api/v1/reports/activities", params={"year": 2019}, headers={**leder, "Accept": "text/csv"})
    assert csv.text.lstrip("\ufeff").splitlines()[:2] == ["month,channel,count", "2019-01,telefon,2"]


@pytest.mark.parametrize("year", ["tyve", "1800", "2019.5"])
def test_activities_report_rejects_a_bad_year(crm_client, leder, year):
    res = crm_client.get("/api/v1/reports/activities", params={"year": year}, headers=leder)
    assert res.status_code == 422
    body = res.json()
    assert body.get("field", (body.get("errors") or [{}])[0].get("field")) == "year"


# -- activities per consultant per month -------------------------------------------------------------

def test_activities_per_consultant_and_month_in_danish_time(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()
    anne = f.UserFactory(full_name="Anne Andersen")
    bo = f.UserFactory(full_name="Bo Berg")
    f.UserFactory(full_name="Carl Clausen")  # a consultant without activities has no rows

    def act(consultant, at, channel="telefon"):
        f.ActivityFactory(company_id=co.id, consultant_id=consultant.id if consultant else None, channel=channel,
                          occurred_at=at)

    act(anne, datetime(2018, 12, 31, 22, 59, tzinfo=UTC))  # 23:59 on 31 December: before the range
    act(anne, datetime(2018, 12, 31, 23, 0, tzinfo=UTC))  # midnight, 1 January
    act(anne, datetime(2019, 1, 31, 22, 59, tzinfo=UTC))  # 23:59 on 31 January
    act(anne, datetime(2019, 1, 31, 23, 0, tzinfo=UTC))  # midnight, 1 February
    # every channel counts: visits, calls, e-mails, meetings, video and events
    for channel in ("besoeg", "email", "moede", "video", "arrangement"):
        act(anne, datetime(2019, 2, 14, 10, 0, tzinfo=UTC), channel)
    act(bo, datetime(2019, 2, 1, 8, 0, tzinfo=UTC), "besoeg")
    act(None, datetime(2019, 2, 10, 12, 0, tzinfo=UTC))  # logged without a consultant
    act(bo, datetime(2019, 3, 31, 21, 59, tzinfo=UTC))  # 23:59 summer time, 31 March
    act(bo, datetime(2019, 3, 31, 22, 0, tzinfo=UTC))  # midnight, 1 April: after the range

    report = get(crm_client, leder, "consultant-activity", **{"from": "2019-01", "to": "2019-03"})

    assert report["rows"] == [
        {"month": "2019-01", "consultant_id": anne.id, "consultant_name": "Anne Andersen", "count": 2},
        {"month": "2019-02", "consultant_id": anne.id, "consultant_name": "Anne Andersen", "count": 6},
        {"month": "2019-02", "consultant_id": bo.id, "consultant_name": "Bo Berg", "count": 1},
        {"month": "2019-02", "consultant_id": None, "consultant_name": "Uden konsulent", "count": 1},
        {"month": "2019-03", "consultant_id": bo.id, "consultant_name": "Bo Berg", "count": 1},
    ]
    one_month = get(crm_client, leder, "consultant-activity", **{"from": "2019-04", "to": "2019-04"})
    assert one_month["rows"] == [
        {"month": "2019-04", "consultant_id": bo.id, "consultant_name": "Bo Berg", "count": 1},
    ]
    assert get(crm_client, leder, "consultant-activity", **{"from": "2010-01", "to": "2010-12"})["rows"] == []
    csv = crm_client.get("/api/v1/reports/consultant-activity", params={"from": "2019-02", "to": "2019-02"},
                         headers={**leder, "Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").splitlines() == [
        "month,consultant_id,consultant_name,count",
        f"2019-02,{anne.id},Anne Andersen,6",
        f"2019-02,{bo.id},Bo Berg,1",
        "2019-02,,Uden konsulent,1",
    ]


def test_consultant_activity_is_for_every_staff_role(crm_client, konsulent, admin):
    for headers in (konsulent, admin):
        assert get(crm_client, headers, "consultant-activity", **{"from": "2019-01", "to": "2019-01"}) == {"rows": []}


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"from": "2019-1", "to": "2019-03"}, "from", "ÅÅÅÅ-MM"),
        ({"from": "2019-01", "to": "marts"}, "to", "ÅÅÅÅ-MM"),
        ({"from": "2019-04", "to": "2019-03"}, "from", "ligger efter"),
        ({"from": "1980-01", "to": "2019-03"}, "from", "uden for 1990-2100"),
        ({"from": "1995-01", "to": "2019-03"}, "to", "højst dække 240 måneder"),
    ],
)
def test_consultant_activity_rejects_bad_months_in_danish(crm_client, leder, params, field, fragment):
    res = crm_client.get("/api/v1/reports/consultant-activity", params=params, headers=leder)
    assert res.status_code == 422, res.text
    body = res.json()
    assert fragment in body["detail"] and body["field"] == field

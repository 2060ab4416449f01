"""GET /api/v1/kpi: every figure of kpi-definitions.md against a small dataset counted by hand."""

from datetime import UTC, date, datetime

import pytest

YEAR_2019 = {"from": "2019-01-01", "to": "2019-12-31"}


def kpi(client, headers, **params):
    res = client.get("/api/v1/kpi", params=params or YEAR_2019, headers=headers)
    assert res.status_code == 200, res.text
    return res.json()


def test_order_figures_count_companies_repeat_positions_and_capped_fills(crm_client, leder, factories):
    f = factories
    a, b, c, d = (f.CompanyFactory() for _ in range(4))
    o1 = f.OrderFactory(company_id=a.id, received_on=date(2019, 1, 1), positions=3, status="i_gang")
    f.OrderFactory(company_id=a.id, received_on=date(2019, 12, 31), positions=1, status="besat")
    o3 = f.OrderFactory(company_id=b.id, received_on=date(2019, 6, 1), positions=2, status="annulleret")
    o4 = f.OrderFactory(company_id=c.id, received_on=date(2018, 12, 31), positions=5)
    f.OrderFactory(company_id=c.id, received_on=date(2020, 1, 1), positions=5)
    o6 = f.OrderFactory(company_id=d.id, received_on=date(2019, 3, 1), positions=2, status="modtaget")
    for _ in range(4):  # more placements than positions: at most 3 count
        f.PlacementFactory(company_id=a.id, order_id=o1.id, scheme="ordinaer")
    f.PlacementFactory(company_id=b.id, order_id=o3.id)  # cancelled order: not counted
    f.PlacementFactory(company_id=c.id, order_id=o4.id)  # order outside the period
    f.PlacementFactory(company_id=c.id, order_id=o4.id)
    f.PlacementFactory(company_id=d.id, order_id=o6.id)
    # The stored column is not the source: the figure follows the placements.
    o6.positions_filled = 2
    f.ProposalFactory(order_id=o1.id, status="foreslaaet")
    f.ProposalFactory(order_id=o3.id, status="afvist")

    orders = kpi(crm_client, leder)["orders"]

    assert orders["companies"] == 3  # a, b, d (a cancelled order still is an order received)
    assert orders["repeat_company_share"] == pytest.approx(1 / 3)
    assert orders["positions"] == 6  # 3 + 1 + 2; the cancelled order's 2 excluded
    assert orders["positions_filled"] == 4  # min(4, 3) + 0 + 1
    assert orders["fill_rate"] == pytest.approx(4 / 6)
    assert orders["referral_rate"] == pytest.approx(2 / 4)  # o1 and o3 of the four orders in 2019
    assert orders["hire_rate"] == 0.0


def test_hire_rate_counts_hires_within_three_calendar_months(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()

    def order_with_hire(received, decided=None, placement_start=None):
        order = f.OrderFactory(company_id=co.id, received_on=received)
        placement = None
        if placement_start:
            placement = f.PlacementFactory(company_id=co.id, order_id=order.id, scheme="ordinaer",
                                           starts_on=placement_start, ends_on=None)
        f.ProposalFactory(order_id=order.id, status="ansat", decided_on=decided,
                          placement_id=placement.id if placement else None)
        return order

    order_with_hire(date(2019, 1, 31), decided=date(2019, 4, 30))  # 31 Jan + 3 months = 30 Apr: in
    order_with_hire(date(2019, 3, 1), decided=date(2019, 6, 1))  # exactly 3 months: in
    order_with_hire(date(2019, 3, 1), decided=date(2019, 6, 2))  # a day late: out
    order_with_hire(date(2019, 11, 30), placement_start=date(2020, 2, 29))  # no decision date: placement start
    proposed_only = f.OrderFactory(company_id=co.id, received_on=date(2019, 5, 1))
    f.ProposalFactory(order_id=proposed_only.id, status="foreslaaet")
    f.ProposalFactory(order_id=proposed_only.id, status="afvist")
    f.OrderFactory(company_id=co.id, received_on=date(2019, 5, 1))  # nobody proposed

    orders = kpi(crm_client, leder)["orders"]

    assert orders["referral_rate"] == pytest.approx(5 / 6)
    assert orders["hire_rate"] == pytest.approx(3 / 5)
    assert orders["companies"] == 1 and orders["repeat_company_share"] == 1.0


def test_partnership_active_agreements_and_shares_on_the_start_day(crm_client, leder, factories):
    f = factories
    p1, p2, none_, p3, p4, p5 = (f.CompanyFactory() for _ in range(6))
    f.PartnershipFactory(company_id=p1.id, signed_on=date(2019, 3, 1), ends_on=date(2019, 8, 31))
    f.PartnershipFactory(company_id=p2.id, signed_on=date(2018, 1, 1), ends_on=None)
    old = f.PartnershipFactory(company_id=p3.id, signed_on=date(2017, 1, 1), ends_on=date(2018, 12, 31))
    f.PartnershipFactory(company_id=p3.id, signed_on=date(2020, 1, 1), renews_id=old.id)
    f.PartnershipFactory(company_id=p4.id, signed_on=date(2019, 12, 31))  # active on `to`
    f.PartnershipFactory(company_id=p5.id, signed_on=date(2019, 1, 1), ends_on=date(2019, 12, 31))

    def placement(company, start, scheme="virksomhedspraktik"):
        f.PlacementFactory(company_id=company.id, starts_on=start, ends_on=None, scheme=scheme)

    placement(p1, date(2019, 3, 1))  # partner from that very day
    placement(p1, date(2019, 8, 31))  # the agreement's last day
    placement(p1, date(2019, 9, 1))  # after it ended
    placement(p2, date(2019, 5, 1), "loentilskud")
    placement(none_, date(2019, 5, 1))
    placement(p3, date(2019, 6, 1))  # between the agreement and its renewal
    placement(p2, date(2018, 12, 31))  # before the period
    placement(p2, date(2019, 2, 1), "ordinaer")
    placement(none_, date(2019, 2, 1), "ordinaer")
    placement(p1, date(2019, 2, 28), "ordinaer")  # the day before signing

    partnership = kpi(crm_client, leder)["partnership"]

    assert partnership["active_agreements"] == 3  # p2, p4 (signed on `to`), p5 (ends on `to`)
    assert partnership["placement_share"] == pytest.approx(3 / 6)
    assert partnership["recruitment_share"] == pytest.approx(1 / 3)


def test_cooperation_rate_counts_companies_with_employees_and_a_directed_placement(crm_client, leder, factories):
    f = factories
    e1, e2, e3, e4, e5, e6, e7 = (
        f.CompanyFactory(employees=n) for n in (10, 1, 5, 5, 0, None, 3)
    )
    f.PlacementFactory(company_id=e1.id, starts_on=date(2018, 11, 1), ends_on=date(2019, 1, 1))  # first day
    f.PlacementFactory(company_id=e1.id, starts_on=date(2019, 3, 1), ends_on=None)  # counted once
    f.PlacementFactory(company_id=e2.id, scheme="loentilskud", starts_on=date(2019, 12, 31), ends_on=None)
    f.PlacementFactory(company_id=e3.id, scheme="ordinaer", starts_on=date(2019, 3, 1), ends_on=None)
    f.PlacementFactory(company_id=e4.id, starts_on=date(2018, 1, 1), ends_on=date(2018, 12, 31))
    f.PlacementFactory(company_id=e5.id, starts_on=date(2019, 3, 1))  # no employees: outside both
    f.PlacementFactory(company_id=e6.id, starts_on=date(2019, 3, 1))  # employees unknown: outside both

    figures = kpi(crm_client, leder)

    assert figures["cooperation_rate"] == pytest.approx(2 / 5)  # e1, e2 of e1, e2, e3, e4, e7


def test_local_share_only_where_the_municipality_is_known(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()
    order = f.OrderFactory(company_id=co.id, received_on=date(2019, 1, 1))

    def placement(start, municipality, on_order=True):
        f.PlacementFactory(company_id=co.id, order_id=order.id if on_order else None, starts_on=start,
                           ends_on=None, scheme="ordinaer", candidate_municipality_code=municipality)

    placement(date(2019, 4, 1), 330)
    placement(date(2019, 12, 31), 330)
    placement(date(2019, 4, 1), 340)
    placement(date(2019, 4, 1), None)  # unknown: not in the denominator
    placement(date(2019, 4, 1), 330, on_order=False)  # not linked to an order
    placement(date(2018, 12, 31), 330)  # before the period

    assert kpi(crm_client, leder)["local_share"] == pytest.approx(2 / 3)


def test_activities_per_channel_in_danish_days(crm_client, leder, factories):
    f = factories
    co = f.CompanyFactory()
    for channel, at in [
        ("telefon", datetime(2018, 12, 31, 23, 30, tzinfo=UTC)),  # 00:30 on 1 Jan in Copenhagen: in
        ("telefon", datetime(2018, 12, 31, 22, 59, tzinfo=UTC)),  # 23:59 on 31 Dec: out
        ("besoeg", datetime(2019, 1, 31, 22, 30, tzinfo=UTC)),  # 23:30 on 31 Jan: in
        ("besoeg", datetime(2019, 1, 31, 23, 0, tzinfo=UTC)),  # midnight, 1 Feb: out
        ("email", datetime(2019, 1, 15, 10, 0, tzinfo=UTC)),
    ]:
        f.ActivityFactory(company_id=co.id, channel=channel, occurred_at=at)

    figures = kpi(crm_client, leder, **{"from": "2019-01-01", "to": "2019-01-31"})

    assert figures["activities"] == {"besoeg": 1, "telefon": 1, "email": 1, "moede": 0, "video": 0,
                                     "arrangement": 0}
    assert figures["from"] == "2019-01-01" and figures["to"] == "2019-01-31"


def test_an_empty_period_has_counts_of_zero_and_shares_without_basis(crm_client, konsulent):
    figures = kpi(crm_client, konsulent)
    assert figures["orders"] == {"companies": 0, "repeat_company_share": None, "positions": 0, "positions_filled": 0,
                                 "fill_rate": None, "referral_rate": None, "hire_rate": None}
    assert figures["partnership"] == {"active_agreements": 0, "placement_share": None, "recruitment_share": None}
    assert figures["cooperation_rate"] is None and figures["local_share"] is None


def test_kpi_as_csv_one_figure_a_row(crm_client, leder, factories):
    co = factories.CompanyFactory()
    factories.OrderFactory(company_id=co.id, received_on=date(2019, 2, 1), positions=4)
    res = crm_client.get("/api/v1/kpi", params=YEAR_2019, headers={**leder, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "figure,value"
    assert "orders.positions,4" in lines and "orders.fill_rate,0.0" in lines and "activities.telefon,0" in lines


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"from": "2019-12-31", "to": "2019-01-01"}, "from", "ligger efter"),
        ({"from": "2019-02-30", "to": "2019-12-31"}, "from", "dato"),
        ({"from": "i går", "to": "2019-12-31"}, "from", "dato"),
        ({"from": "1800-01-01", "to": "2019-12-31"}, "from", "1800"),
    ],
)
def test_bad_period_is_422_in_danish_naming_the_field(crm_client, leder, params, field, fragment):
    res = crm_client.get("/api/v1/kpi", params=params, headers=leder)
    assert res.status_code == 422
    body = res.json()
    assert fragment in body["detail"]
    assert body.get("field") == field or body["errors"][0]["field"] == field


def test_figures_are_for_staff_only(crm_client, login, factories, admin):
    _, company_user = login("virksomhed", factories.CompanyFactory())
    assert crm_client.get("/api/v1/kpi", params=YEAR_2019, headers=company_user).status_code == 403
    assert crm_client.get("/api/v1/kpi", params=YEAR_2019).status_code == 401
    assert crm_client.get("/api/v1/kpi", params=YEAR_2019, headers=admin).status_code == 200

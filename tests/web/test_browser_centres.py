"""Company centres in headless Chromium: a consultant sees the free places and reserves one (and a
second reservation of the last place comes back with crm's reason next to the field); a manager
sees the centres' occupancy on the dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
from playwright.sync_api import expect

from tests.web.candidates import api_token
from tests.web.conftest import login_in_browser, screenshot


def new_centre(stack, name: str, places: dict[str, int], starts_on: date) -> dict:
    headers = api_token(stack, stack.seeded.konsulent_email)
    res = httpx.post(f"{stack.crm_url}/api/v1/centres", headers=headers, json={
        "company_id": stack.seeded.company_id, "name": name, "title": "Lager og svejsning",
        "description": "Pakning, truckkørsel og enkel svejsning med en fast mentor.",
        "starts_on": starts_on.isoformat(), "places": places})
    assert res.status_code == 201, res.text
    return res.json()


def test_consultant_sees_free_places_and_reserves_one(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    centre = new_centre(stack, "Stålcentret i browseren", {"virksomhedspraktik": 1}, date.today() - timedelta(days=30))
    login_in_browser(page, s.konsulent_email, s.password)

    page.get_by_role("link", name="Virksomhedscentre").click()
    card = page.locator("section", has=page.get_by_role("heading", name="Stålcentret i browseren"))
    expect(card).to_contain_text("1 af 1 pladser ledige i dag")
    card.get_by_role("link", name="Reservér en plads i Stålcentret i browseren").click()
    expect(page).to_have_url(re.compile(f"/virksomhedscentre/{centre['id']}"))

    form = page.locator("#reserver")
    form.get_by_label(re.compile("^Kandidatens reference")).fill("K-VC-1")
    form.get_by_label(re.compile("^Målgruppe")).select_option("kontanthjaelp_aktivitetsparat")
    start = form.get_by_label(re.compile("^Startdato")).input_value()
    form.get_by_role("button", name="Reservér plads").click()
    expect(page.get_by_role("status")).to_contain_text("Pladsen er reserveret: K-VC-1 i virksomhedspraktik")
    expect(page.locator("#optagne")).to_contain_text("K-VC-1")
    week = date.fromisoformat(start).isocalendar().week
    expect(page.locator("#ledige-uger")).to_contain_text(f"Uge {week}")

    # The only place is taken in that period: crm says so, next to the start date, typed values kept.
    form.get_by_label(re.compile("^Kandidatens reference")).fill("K-VC-2")
    form.get_by_label(re.compile("^Målgruppe")).select_option("kontanthjaelp_aktivitetsparat")
    form.get_by_role("button", name="Reservér plads").click()
    expect(page.locator("#fejl")).to_contain_text("ingen ledig plads til virksomhedspraktik")
    start_field = page.locator("#reserver").get_by_label(re.compile("^Startdato"))
    expect(start_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reserver").get_by_label(re.compile("^Kandidatens reference"))).to_have_value("K-VC-2")
    page.goto(f"/virksomhedscentre/{centre['id']}")
    screenshot(page, "virksomhedscenter")


def test_manager_sees_the_centres_occupancy_on_the_dashboard(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    start = date(date.today().year, 1, 1)
    centre = new_centre(stack, "Belægningscentret", {"virksomhedspraktik": 2}, start)
    headers = api_token(stack, s.konsulent_email)
    res = httpx.post(f"{stack.crm_url}/api/v1/centres/{centre['id']}/reservations", headers=headers, json={
        "candidate_ref": "K-VC-OCC", "scheme": "virksomhedspraktik", "target_group": "sygedagpenge",
        "starts_on": start.isoformat(), "ends_on": (start + timedelta(weeks=13) - timedelta(days=1)).isoformat()})
    assert res.status_code == 201, res.text
    login_in_browser(page, s.leder_email, s.password)
    page.goto(f"/leder?from={start.isoformat()}&to={(start + timedelta(days=89)).isoformat()}")
    panel = page.locator("section#virksomhedscentre")
    expect(panel).to_contain_text("Belægningscentret")
    # 13 weeks of one of two places over 90 days: 91 of 180 place-days... within the period 90 of 180.
    expect(panel.locator("tr", has_text="Belægningscentret")).to_contain_text("50")
    expect(panel.get_by_role("link", name=re.compile("Hent CSV"))).to_have_attribute(
        "href", re.compile("/leder/virksomhedscentre.csv"))

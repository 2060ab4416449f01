"""The consultant's order page in headless Chromium: shortlist a ranked candidate, propose from the
shortlist, and a hire with a bad value comes back with the error next to the field, typed values kept."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.web.candidates import add_welders, api_token, welder_order
from tests.web.conftest import login_in_browser


def test_consultant_shortlists_proposes_and_sees_a_hire_error_next_to_the_field(desktop_page, stack):
    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    page, s = desktop_page, stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser i browseren")
    first, second = add_welders(stack, headers, "K-BROWSER")
    login_in_browser(page, s.konsulent_email, s.password)

    ranked = page.locator("section[aria-labelledby='m-h']")
    deadline = time.monotonic() + 30  # matching refreshes its index in the background
    while True:
        page.goto(f"/ordrer/{order['id']}")
        if ranked.get_by_text(second).count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    ranked.get_by_role("button", name=f"Sæt på kortlisten {first}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Kandidat {first} står på kortlisten")
    shortlist = page.locator("section[aria-labelledby='kortliste']")
    expect(shortlist).to_contain_text(first)
    expect(shortlist).to_contain_text("Karin Konsulent")
    expect(ranked.locator("li.candidate", has_text=first)).to_contain_text("På kortlisten")

    shortlist.get_by_role("button", name=f"Foreslå {first} til virksomheden").click()
    expect(page.get_by_role("status")).to_contain_text(f"Kandidat {first} er foreslået")
    expect(shortlist).to_contain_text("Kortlisten er tom")
    proposals = page.locator("section[aria-labelledby='forslag']")
    expect(proposals).to_contain_text(first)

    proposals.get_by_text("Ansat eller afvist?").click()
    start = date.today()
    proposals.get_by_label("Startdato").fill(start.isoformat())
    proposals.get_by_label("Slutdato").fill((start - timedelta(days=5)).isoformat())
    proposals.get_by_label(re.compile("^Målgruppe")).select_option("a_dagpenge")
    proposals.get_by_label(re.compile("^Bopælskommune")).fill("330")
    proposals.get_by_role("button", name=f"Ansat {first}").click()

    expect(page).to_have_title(re.compile("^Fejl: "))
    expect(page.locator("#fejl")).to_be_focused()  # the keyboard lands on the summary, next to the form
    end = proposals.get_by_label("Slutdato")
    expect(end).to_have_attribute("aria-invalid", "true")
    error_id = end.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_be_visible()
    expect(page.locator(f"#{error_id}")).to_contain_text("lutdato")
    expect(end).to_have_value((start - timedelta(days=5)).isoformat())  # what was typed is kept
    expect(proposals.get_by_label(re.compile("^Bopælskommune"))).to_have_value("330")
    expect(proposals.get_by_label(re.compile("^Målgruppe"))).to_have_value("a_dagpenge")

    end.fill((start + timedelta(days=90)).isoformat())
    proposals.get_by_role("button", name=f"Ansat {first}").click()
    expect(page.get_by_role("status")).to_contain_text("Kandidaten er ansat")

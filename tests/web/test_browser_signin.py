"""Sign-in with MitID Erhverv and with the municipality's login, in headless Chromium, against the
real development providers (infra/oidc-dev) and the real services."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect



@pytest.fixture(autouse=True)
def _providers(stack):
    if stack.oidc is None:
        pytest.skip(f"sign-in tests skipped: {stack.oidc_missing}")


def test_a_company_person_signs_in_with_mitid_erhverv_and_lands_on_their_portal(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    page.goto("/login")
    page.get_by_role("link", name="Log ind med MitID Erhverv").click()
    expect(page).to_have_url(re.compile(r"^" + re.escape(stack.oidc.company_issuer) + "/interaction/"))
    page.get_by_role("button", name=f"Sofie Svejser – {s.company_name}", exact=True).click()
    expect(page).to_have_url(stack.web_url + "/portal")
    expect(page.locator("main")).to_contain_text(s.company_name)


def test_an_unknown_cvr_gets_the_danish_page(desktop_page, stack):
    page = desktop_page
    page.goto("/login")
    page.get_by_role("link", name="Log ind med MitID Erhverv").click()
    page.get_by_label("CVR-nummer").fill("45454545")
    page.get_by_label("Navn").fill("Niels Nystartet")
    page.get_by_role("button", name="Log ind som denne person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeres virksomhed er ikke kendt af jobcentret endnu")
    expect(page.locator("main")).to_contain_text("Ring til")
    # Shown at its own address, so a reload shows it again rather than replaying the used code.
    expect(page).to_have_url(stack.web_url + "/login/ikke-logget-ind")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeres virksomhed er ikke kendt af jobcentret endnu")


def test_a_consultant_signs_in_with_the_municipalitys_login_and_signs_out_of_both(desktop_page, stack):
    page = desktop_page
    page.goto("/login")
    page.get_by_role("link", name="Medarbejder: log ind med kommunens login").click()
    page.get_by_role("button", name="Nikolaj Nykonsulent").click()
    expect(page).to_have_url(stack.web_url + "/min-dag")
    expect(page).to_have_title(re.compile(r"^Min dag"))
    page.get_by_role("button", name="Log ud").click()
    # The provider asks (in Danish) whether to end its session too, then sends us back.
    expect(page).to_have_url(re.compile(r"^" + re.escape(stack.oidc.staff_issuer) + "/session/end"))
    page.get_by_role("button", name="Ja, log mig ud").click()
    expect(page).to_have_url(re.compile(r"/login\?logget_ud=1$"))
    expect(page.get_by_role("status")).to_have_text("Du er logget ud.")
    # Signing in again needs the provider's login again: its session ended too.
    page.get_by_role("link", name="Medarbejder: log ind med kommunens login").click()
    expect(page.get_by_role("button", name="Nikolaj Nykonsulent")).to_be_visible()

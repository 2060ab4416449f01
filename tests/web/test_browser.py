"""Each group's main flow in headless Chromium, against the real services; screenshots for the README."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.web.conftest import login_in_browser, screenshot


def test_consultant_logs_a_visit_on_a_phone_in_under_30_seconds(phone_page, stack):
    page, s = phone_page, stack.seeded
    login_in_browser(page, s.konsulent_email, s.password)
    expect(page).to_have_title(re.compile(r"^Min dag"))
    screenshot(page, "konsulent-min-dag")

    started = time.monotonic()
    page.get_by_role("link", name="Registrér kontakt").first.click()
    expect(page).to_have_title("Registrér kontakt – Jobbro")
    page.get_by_placeholder("Navn eller CVR").press_sequentially("korsør b", delay=30)
    pick = page.get_by_role("radio", name=re.compile("Korsør Bageri ApS"))
    expect(pick).to_be_checked()  # a single hit is picked already
    page.get_by_text("Besøg", exact=True).click()
    page.get_by_text("Virksomhedspraktik", exact=True).click()
    page.get_by_label("Notat").fill("Besøg i bageriet: klar til en praktikant fra næste måned.")
    page.get_by_role("button", name="Om 2 uger").click()
    screenshot(page, "konsulent-registrer-kontakt")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page).to_have_title("Korsør Bageri ApS – Jobbro")
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"logging a visit took {elapsed:.1f}s"
    expect(page.get_by_role("status")).to_contain_text("Besøg er registreret")
    expect(page.locator(".timeline")).to_contain_text("klar til en praktikant")

    page.goto(f"/virksomheder/{s.company_id}")
    expect(page.get_by_role("heading", name="Forbered besøget")).to_be_visible()
    screenshot(page, "konsulent-virksomhed")
    for path in ("/min-dag", "/aktivitet/ny", f"/virksomheder/{s.company_id}", f"/ordrer/{s.order_id}",
                 f"/kampagner/{s.campaign_id}"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{path} is wider than a phone"


def test_consultant_error_is_next_to_the_field_and_keyboard_reaches_it(phone_page, stack):
    page, s = phone_page, stack.seeded
    login_in_browser(page, s.konsulent_email, s.password)
    page.goto("/aktivitet/ny")
    page.get_by_label("Notat").fill("Notat uden virksomhed")
    page.get_by_role("button", name="Gem kontakt").click()
    summary = page.locator("#fejl")
    expect(summary).to_be_focused()
    expect(page.locator("#e-company_id")).to_contain_text("Vælg virksomheden")
    expect(page.get_by_label("Notat")).to_have_value("Notat uden virksomhed")


def test_company_submits_an_order_and_sees_it(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    login_in_browser(page, s.firma_email, s.password)
    expect(page).to_have_title(re.compile(s.company_name))
    screenshot(page, "virksomhed-oversigt")
    page.get_by_role("link", name="Bestil medarbejdere").first.click()
    page.get_by_label("Jobtitel").fill("Truckfører")
    page.get_by_role("radio", name="Løntilskud").check()
    expect(page.locator("#x-loentilskud")).to_contain_text("tilskud til lønnen")  # the scheme explained
    page.get_by_label("Timer pr. uge").fill("50")
    page.get_by_label("Antal stillinger").click()  # leaving the field validates it
    expect(page.locator("#e-hours_per_week")).to_contain_text("37")
    screenshot(page, "virksomhed-bestilling")
    page.get_by_label("Timer pr. uge").fill("37")
    page.get_by_label("Beskrivelse af jobbet").fill("Kørsel med gaffeltruck på lageret. Truckcertifikat B.")
    expect(page.locator("#e-hours_per_week")).to_be_hidden()
    page.get_by_role("button", name="Send bestilling").click()
    expect(page.get_by_role("heading", name=re.compile("Tak"))).to_be_visible()
    expect(page.get_by_text("Status: Modtaget")).to_be_visible()
    screenshot(page, "virksomhed-kvittering")
    page.get_by_role("link", name="Tilbage til oversigten").click()
    expect(page.get_by_role("link", name="Truckfører")).to_be_visible()


def test_company_manages_contacts_and_newsletter_consent(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    login_in_browser(page, s.firma_email, s.password)
    page.goto("/portal/kontakter")
    new = page.locator("form[action='/portal/kontakter']")
    new.get_by_label("Navn").fill("Ulla Udvikling")
    new.get_by_label("Ja tak til jobcentrets nyhedsbrev").check()
    new.get_by_role("button", name="Tilføj").click()
    expect(new.get_by_text("skriv en e-mailadresse")).to_be_visible()  # error next to the field
    expect(new.get_by_label("Navn")).to_have_value("Ulla Udvikling")  # typed value kept
    new.get_by_label("E-mail", exact=True).fill("ulla@slagelsestaal.dk")
    new.get_by_role("button", name="Tilføj").click()
    expect(page.get_by_role("status")).to_contain_text("Ulla Udvikling er tilføjet")
    expect(page.get_by_role("heading", name=re.compile("Ulla Udvikling.*Modtager nyhedsbrev"))).to_be_visible()
    screenshot(page, "virksomhed-kontakter")


def test_manager_opens_the_dashboard_and_downloads_a_csv(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    login_in_browser(page, s.leder_email, s.password)
    expect(page).to_have_title(re.compile("^Nøgletal"))
    expect(page.locator(".kpi", has_text="Aktive partnerskabsaftaler")).to_contain_text("mod forrige periode")
    # Chart.js drew every chart (served by Jobbro itself)
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 5 && "
                           "[...document.querySelectorAll('canvas[data-chart]')].every(c => c._chart)")
    screenshot(page, "leder-dashboard")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Hent CSV.*Placeringer")).click()
    download = info.value
    assert download.suggested_filename.startswith("placeringer_")
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "month,sector,scheme,count"
    assert any(",loentilskud," in line for line in text.splitlines()[1:])


def test_no_request_leaves_jobbro(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(stack.web_url) or r.url.startswith("data:")
            else outside.append(r.url))
    login_in_browser(page, s.leder_email, s.password)
    page.goto("/leder")
    page.wait_for_load_state("networkidle")
    assert outside == []


def test_screenshots_of_the_other_main_pages(desktop_page, stack):
    page, s = desktop_page, stack.seeded
    page.goto("/login")
    screenshot(page, "login", full_page=False)
    login_in_browser(page, s.konsulent_email, s.password)
    page.goto(f"/ordrer/{s.order_id}")
    expect(page.get_by_role("heading", name="Bedst egnede kandidater")).to_be_visible()
    screenshot(page, "konsulent-ordre")
    page.goto(f"/kampagner/{s.campaign_id}")
    expect(page.get_by_role("heading", name=re.compile("Målliste"))).to_be_visible()
    screenshot(page, "konsulent-kampagne")
    page.goto("/nyhedsbreve/ny")
    page.get_by_label("Emnelinje").fill("Nyt fra Virksomhedsservice")
    page.get_by_label("Tekst").fill("# Praktik i sommerferien\n\nVi har **12 kandidater** klar. Ring til os.")
    expect(page.locator("#preview h1")).to_have_text("Praktik i sommerferien")
    screenshot(page, "konsulent-nyhedsbrev")
    context = page.context
    context.clear_cookies()
    login_in_browser(page, s.leder_email, s.password)
    page.goto("/leder/konsulenter")
    page.wait_for_function("[...document.querySelectorAll('canvas[data-chart]')].every(c => c._chart)")
    screenshot(page, "leder-konsulenter")

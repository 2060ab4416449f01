"""The satisfaction survey in the web front (issue 14 part 1), against the real services.

An order is closed through crm's API; crm's `survey.requested` becomes notifications' delivery row
and goes through the real sending code to a real SMTP server on loopback; the person opens the
link from that mail on a phone (Chromium) and has answered with that one click; a comment follows
on the page. A mail link scanner's GET records nothing. The manager sees the share on the
dashboard, a consultant the company's answers on its page."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlmodel import Session, select

from tests.web.conftest import SCREENSHOTS, login_in_browser, screenshot


def _token(stack, email):
    res = httpx.post(f"{stack.crm_url}/api/v1/auth/token", data={"username": email, "password": stack.seeded.password})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def _ok(res, code=200):
    assert res.status_code == code, res.text
    return res.json()


@pytest.fixture(scope="module")
def survey_mail(stack):
    """A new company's order, closed by its consultant; the survey mail as the contact receives it."""
    from services.notifications.deliveries import queries as dq
    from services.notifications.deliveries.service import _Process, send_batch
    from services.notifications.smtp.sink import MemoryStore
    from services.notifications.surveys.service import survey_requested
    from shared.db import make_engine
    from shared.events import OutboxEvent
    from shared.settings import get_settings
    from tests.conftest import service_database_url
    from tests.notifications.conftest import Sink, free_port

    staff = _token(stack, stack.seeded.konsulent_email)
    crm = httpx.Client(base_url=stack.crm_url, headers=staff, timeout=30)
    company = _ok(crm.post("/api/v1/companies", json={"cvr": "25313763", "name": "Skælskør Havnekiosk ApS",
                                                      "sector": "privat", "postcode": "4230"}), 201)
    contact = _ok(crm.post(f"/api/v1/companies/{company['id']}/contacts", json={
        "name": "Susanne Havn", "email": "susanne@havnekiosk.dk"}), 201)
    order = _ok(crm.post("/api/v1/orders", json={
        "company_id": company["id"], "title": "Kioskmedarbejder", "scheme": "ordinaer", "positions": 1,
        "postcode": "4230", "received_via": "hotline", "received_on": date.today().isoformat(),
        "contact_id": contact["id"]}), 201)
    _ok(crm.post(f"/api/v1/orders/{order['id']}/status", json={"status": "annulleret", "reason": "Besat selv"}))

    crm_engine = make_engine(service_database_url(stack.database_url, "crm"))
    notifications_engine = make_engine(service_database_url(stack.database_url, "notifications"))
    with Session(crm_engine) as s:
        (event,) = [e for e in s.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested"))
                    if e.payload["order_id"] == order["id"]]
        payload = dict(event.payload)
    sink = Sink(port=free_port(), store=MemoryStore())
    sink.start()
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("SMTP_HOST", "127.0.0.1")
        mp.setenv("SMTP_PORT", str(sink.port))
        mp.setenv("WEB_URL", stack.web_url)
        mp.setenv("NOTIFICATIONS_RATE_LIMIT", "0")
        get_settings.cache_clear()
        _Process.reset()
        with Session(notifications_engine) as s:
            keys = survey_requested(s, payload)
            survey_requested(s, payload)  # the event twice: still one row
            s.commit()
            ids = dq.ids_by_keys(s, keys)
        assert len(ids) == 1
        send_batch(notifications_engine, ids)
        send_batch(notifications_engine, ids)  # a job run twice: still one mail
        (mail,) = sink.messages()
        assert mail.rcpt_tos == ["susanne@havnekiosk.dk"]
        yield {"message": mail.parsed(), "order": order, "company": company, "crm": crm}
    finally:
        _Process.reset()
        mp.undo()
        get_settings.cache_clear()
        sink.stop()
        crm.close()
        crm_engine.dispose()
        notifications_engine.dispose()


def _links(message) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()
    return {m.group(2): m.group(1) for m in re.finditer(r"\((http://[^)\s]+/tilfredshed/[^)\s/]+/([1-5]))\)", text)}


def _answer(stack, survey_mail):
    leder = _token(stack, stack.seeded.leder_email)
    report = _ok(httpx.get(f"{stack.crm_url}/api/v1/reports/satisfaction", headers=leder))
    mine = [c for c in report["comments"] if c["order_id"] == survey_mail["order"]["id"]]
    return report, mine


def test_a_link_scanner_fetching_every_link_answers_nothing(stack, survey_mail):
    links = _links(survey_mail["message"])
    assert sorted(links) == ["1", "2", "3", "4", "5"]
    for link in links.values():
        res = httpx.get(link, timeout=30)
        assert res.status_code == 200 and "Send svaret" in res.text
    token = links["5"].rsplit("/", 2)[1]
    state = _ok(httpx.get(f"{stack.crm_url}/api/v1/public/satisfaction/{token}"))
    assert state["score"] is None


def test_the_contact_answers_in_one_click_on_a_phone_and_adds_a_comment(phone_page, stack, survey_mail):
    page = phone_page
    links = _links(survey_mail["message"])
    page.goto(links["4"])  # the one click in the mail
    page.wait_for_url(re.compile(r"/tilfredshed/[^/]+\?gemt=1$"))
    saved = page.locator("#survey-saved")
    assert "Jeres svar er registreret: 4 – Tilfredse" in saved.inner_text()
    assert page.get_by_label("4 – Tilfredse").is_checked()
    # Fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "virksomhed-tilfredshed")

    page.get_by_label("5 – Meget tilfredse").check()
    page.get_by_label("Kommentar (valgfri)").fill("Hurtig og venlig hjælp – tak!")
    page.get_by_role("button", name="Gem svar").click()
    page.wait_for_load_state("networkidle")
    assert "Jeres svar er registreret: 5 – Meget tilfredse" in page.locator("#survey-saved").inner_text()
    assert "Kommentaren er gemt" in page.locator("#survey-saved").inner_text()

    report, mine = _answer(stack, survey_mail)
    assert [(c["score"], c["comment"], c["company"]) for c in mine] == [
        (5, "Hurtig og venlig hjælp – tak!", "Skælskør Havnekiosk ApS")]
    assert report["answered"] >= 1 and report["satisfied_share"] is not None

    # Another link from the mail later: that answer replaces this one.
    page.goto(links["1"])
    page.wait_for_url(re.compile(r"\?gemt=1$"))
    _, mine = _answer(stack, survey_mail)
    assert [c["score"] for c in mine] == [], "a new score drops the comment of the old answer"
    token = links["1"].rsplit("/", 2)[1]
    assert _ok(httpx.get(f"{stack.crm_url}/api/v1/public/satisfaction/{token}"))["score"] == 1, "the latest wins"
    page.goto(links["5"])  # and back to the answer they meant
    page.wait_for_url(re.compile(r"\?gemt=1$"))
    assert _ok(httpx.get(f"{stack.crm_url}/api/v1/public/satisfaction/{token}"))["score"] == 5


def test_an_unknown_link_says_so_in_danish(web):
    res = web.get("/tilfredshed/ikke-et-rigtigt-link-123/5")
    assert res.status_code == 404 and "ikke gyldigt" in res.text
    for bad in ("9", "fem"):
        res = web.get(f"/tilfredshed/ikke-et-rigtigt-link-123/{bad}")
        assert res.status_code == 422 and "et tal fra 1 til 5" in res.text


def test_the_manager_sees_the_share_and_a_consultant_the_company_s_answers(web, stack, survey_mail):
    web.login(stack.seeded.leder_email, stack.seeded.password)
    dashboard = web.get("/leder")
    assert 'hx-get="/leder/tilfredshed?' in dashboard.text
    fragment = web.get("/leder/tilfredshed", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Tilfredse virksomheder" in fragment.text and 'data-chart="spec-tilfredshed"' in fragment.text
    csv = web.get("/leder/tilfredshed.csv")
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("month,sent,answered")

    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    company_id = survey_mail["company"]["id"]
    assert f'hx-get="/virksomheder/{company_id}/tilfredshed"' in web.get(f"/virksomheder/{company_id}").text
    section = web.get(f"/virksomheder/{company_id}/tilfredshed", headers={"HX-Request": "true"})
    assert section.status_code == 200 and "Kioskmedarbejder" in section.text
    assert web.get("/leder/tilfredshed").status_code == 403, "the report is the manager's"


def test_the_dashboard_draws_the_satisfaction_section_in_the_browser(desktop_page, stack, survey_mail):
    page = desktop_page
    login_in_browser(page, stack.seeded.leder_email, stack.seeded.password)
    page.goto("/leder")
    section = page.locator("#tilfredshed")
    section.locator("#sat-share").wait_for()
    assert "Tilfredse virksomheder (svar 4-5)" in section.inner_text()
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SCREENSHOTS / "leder-tilfredshed.png"), animations="disabled")

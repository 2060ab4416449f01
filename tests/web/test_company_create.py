"""A consultant creates a company in the web front (issue 13): crm's Danish refusals come back next
to the fields with what was typed kept; a created company is the consultant's next page."""

from __future__ import annotations

import html
import re

from tests.web.conftest import WebClient


def _csrf(web: WebClient, url: str = "/virksomheder/ny") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(url).text).group(1)


def _field_error(page: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="e-{name}"[^>]*>([^<]*)</p>', page)
    assert match, f"no error element for {name}"
    return html.unescape(match.group(1))


def _value(page: str, name: str) -> str | None:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="[^"]+" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def test_the_companies_page_links_to_the_form_and_a_company_person_may_not_open_it(stack, web):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    assert 'href="/virksomheder/ny"' in web.get("/virksomheder").text
    form = web.get("/virksomheder/ny")
    assert form.status_code == 200 and "<h1>Opret virksomhed</h1>" in form.text

    firma = WebClient(stack.web_url)
    firma.login(stack.seeded.firma_email, stack.seeded.password)
    assert firma.get("/virksomheder/ny").status_code == 403
    refused = firma.post("/virksomheder/ny", data={"csrf_token": _csrf(firma, "/portal"), "cvr": "41234598",
                                                   "name": "Må ikke", "sector": "privat", "postcode": "4200"})
    assert refused.status_code == 403


def test_crms_messages_stand_next_to_the_fields_and_what_was_typed_is_kept(stack, web):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    typed = {"cvr": "12345678", "name": "Skælskør Snedkeri ApS", "sector": "privat", "postcode": "12",
             "address": "Havnegade 3", "mine": "ja"}
    res = web.post("/virksomheder/ny", data={"csrf_token": _csrf(web), **typed})
    assert res.status_code == 422
    page = res.text
    # crm's own words (the check digit, the postcode), not a generic failure.
    assert "kontrolcifferet passer ikke" in _field_error(page, "cvr")
    assert "Postnummeret '12' skal være et dansk postnummer" in _field_error(page, "postcode")
    assert 'aria-invalid="true"' in page and 'href="#f-cvr"' in page
    assert _value(page, "cvr") == "12345678" and _value(page, "name") == "Skælskør Snedkeri ApS"
    assert _value(page, "address") == "Havnegade 3" and _value(page, "postcode") == "12"
    assert re.search(r'<option value="privat"\s+selected>', page)

    # What is missing is said before crm is asked.
    empty = web.post("/virksomheder/ny", data={"csrf_token": _csrf(web), "address": "Kun en adresse"})
    assert empty.status_code == 422
    assert _field_error(empty.text, "name") == "Navn skal udfyldes."
    assert _field_error(empty.text, "sector") == "Vælg virksomhedens sektor."
    assert _value(empty.text, "address") == "Kun en adresse"

    # A CVR Jobbro knows already: crm's 409 next to the CVR, and a way to the company that has it.
    taken = web.post("/virksomheder/ny", data={"csrf_token": _csrf(web), **typed, "cvr": "13585628",
                                               "postcode": "4230"})
    assert taken.status_code == 422
    assert "Der findes allerede en virksomhed med CVR 13585628" in _field_error(taken.text, "cvr")
    assert f'href="/virksomheder/{stack.seeded.company_id}"' in taken.text


def test_a_created_company_is_the_consultants_next_page(stack, web):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    res = web.post("/virksomheder/ny", data={"csrf_token": _csrf(web), "cvr": "4123 4598",
                                             "name": "Boeslunde Blomster I/S", "sector": "privat",
                                             "postcode": "4242", "employees": "3", "mine": "ja"})
    assert res.status_code == 303, res.text[:500]
    assert re.fullmatch(r"/virksomheder/\d+", res.headers["location"])
    page = web.get(res.headers["location"]).text
    assert "Boeslunde Blomster I/S" in page and "41234598" in page
    assert "Boeslunde Blomster I/S er oprettet" in page
    # It is the consultant's: it is on "Mine virksomheder".
    assert "Boeslunde Blomster I/S" in web.get("/virksomheder").text

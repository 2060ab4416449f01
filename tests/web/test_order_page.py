"""The consultant's order page over HTTP: the shortlist (kortliste), proposing from it, and the
propose and hire forms coming back with each error next to its field and what was typed kept."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

import httpx
import pytest

from tests.web.candidates import add_welders, api_token, wait_for_ranked, welder_order


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _section(html: str, heading_id: str) -> str:
    """The HTML of the page's <section> whose heading has this id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def _field(html: str, field_id: str, error_id: str | None = None) -> tuple[str, str]:
    """(the field's error text, the field element) for an id."""
    error = re.search(rf'<p class="field-error" id="{error_id or field_id + "-e"}"\s*>(.*?)</p>', html, re.S)
    element = re.search(rf'<(?:input|select|textarea) id="{field_id}"[^>]*>(?:.*?</(?:select|textarea)>)?', html, re.S)
    assert element, f"no field {field_id}"
    return (html_lib.unescape(error.group(1)).strip() if error else ""), element.group(0)


def test_consultant_shortlists_a_ranked_candidate_and_proposes_from_the_shortlist(web, stack):
    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til kortlisten")
    refs = add_welders(stack, headers, "K-KORT")
    web.login(s.konsulent_email, s.password)
    url = f"/ordrer/{order['id']}"
    page = wait_for_ranked(lambda: web.get(url).text, refs)
    assert all(ref in _section(page, "m-h") for ref in refs), page[-3000:]
    assert "Kortlisten er tom" in _section(page, "kortliste")

    # put both ranked candidates on the shortlist; the second click on the same one changes nothing
    for ref in (refs[0], refs[1], refs[0]):
        res = web.post(f"{url}/kortliste", data={"csrf_token": _token(page), "candidate_ref": ref})
        assert res.status_code == 303 and res.headers["location"].endswith("#kortliste")
    page = web.get(url).text
    shortlist = _section(page, "kortliste")
    assert shortlist.count('class="candidate"') == 2 and "Karin Konsulent" in shortlist
    assert _section(page, "m-h").count("På kortlisten") == 2
    assert "Kandidat K-KORT-0 står på kortlisten." in html_lib.unescape(page)

    # the shortlist lives in crm: another staff member's session sees the same list
    other = type(web)(stack.web_url)
    other.login(s.leder_email, s.password)
    assert all(ref in _section(other.get(url).text, "kortliste") for ref in refs)
    other.http.close()

    # propose the first from the shortlist: it moves to the proposals and leaves the shortlist
    assert f'<input type="hidden" name="candidate_ref" value="{refs[0]}">' in shortlist
    res = web.post(f"{url}/forslag", data={"csrf_token": _token(page), "candidate_ref": refs[0]})
    assert res.status_code == 303
    page = web.get(url).text
    assert refs[0] in _section(page, "forslag") and refs[0] not in _section(page, "kortliste")
    ranked = {c.split("</strong>")[0].split(". ")[-1]: c for c in _section(page, "m-h").split('<li class="candidate">')[1:]}
    assert 'badge ok">Foreslået' in ranked[refs[0]] and "På kortlisten" in ranked[refs[1]]
    order_now = httpx.get(f"{stack.crm_url}/api/v1/orders/{order['id']}", headers=headers).json()
    assert order_now["status"] == "i_gang"

    # take the second off again
    res = web.post(f"{url}/kortliste/fjern", data={"csrf_token": _token(page), "candidate_ref": refs[1]})
    assert res.status_code == 303
    page = web.get(url).text
    assert "Kortlisten er tom" in _section(page, "kortliste")
    assert "Kandidat K-KORT-1 er taget af kortlisten." in html_lib.unescape(page)
    # the same removal a moment later (another consultant was first) is not an error
    res = web.post(f"{url}/kortliste/fjern", data={"csrf_token": _token(page), "candidate_ref": refs[1]})
    assert res.status_code == 303


def test_a_company_user_never_reaches_the_shortlist(web, stack):
    s = stack.seeded
    web.login(s.firma_email, s.password)
    res = web.post(f"/ordrer/{s.order_id}/kortliste",
                   data={"csrf_token": web.csrf("/portal"), "candidate_ref": "K-1"})
    assert res.status_code == 403


def test_the_propose_form_shows_its_error_next_to_the_field(web, stack):
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til forslag")
    web.login(s.konsulent_email, s.password)
    url = f"/ordrer/{order['id']}"
    token = _token(web.get(url).text)

    res = web.post(f"{url}/forslag", data={"csrf_token": token, "candidate_ref": ""})
    assert res.status_code == 422
    error, element = _field(res.text, "f-candidate_ref", "e-candidate_ref")
    assert error == "Kandidatreferencen skal udfyldes." and 'aria-invalid="true"' in element
    assert '<div class="error-summary" role="alert" tabindex="-1" id="fejl">' in res.text
    assert res.text.count('href="#f-candidate_ref"') == 1

    res = web.post(f"{url}/forslag", data={"csrf_token": token, "candidate_ref": "010190-1234"})
    assert res.status_code == 422
    error, element = _field(res.text, "f-candidate_ref", "e-candidate_ref")
    assert error.startswith("CPR-numre må ikke gemmes") and "010190-1234" not in res.text  # never echoed

    assert web.post(f"{url}/forslag", data={"csrf_token": token, "candidate_ref": "K-TO-GANGE"}).status_code == 303
    res = web.post(f"{url}/forslag", data={"csrf_token": token, "candidate_ref": "K-TO-GANGE"})
    assert res.status_code == 409
    error, element = _field(res.text, "f-candidate_ref", "e-candidate_ref")
    assert "allerede foreslået" in error and 'value="K-TO-GANGE"' in element  # what was typed is kept


def _proposed(stack, headers, order, ref):
    res = httpx.post(f"{stack.crm_url}/api/v1/orders/{order['id']}/proposals", headers=headers,
                     json={"candidate_ref": ref})
    assert res.status_code == 201, res.text
    return res.json()["id"]


def test_a_hire_form_with_a_bad_value_shows_the_error_next_to_the_field_keeping_what_was_typed(web, stack):
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til ansættelse")
    pid = _proposed(stack, headers, order, "K-ANSAT-1")
    web.login(s.konsulent_email, s.password)
    url = f"/ordrer/{order['id']}"
    token = _token(web.get(url).text)
    start = date.today()
    typed = {"csrf_token": token, "status": "ansat", "starts_on": start.isoformat(),
             "ends_on": (start - timedelta(days=10)).isoformat(), "target_group": "a_dagpenge",
             "candidate_municipality_code": "330", "override_reason": "Aftalt med lederen"}

    # a value crm refuses: the end before the start
    res = web.post(f"{url}/forslag/{pid}", data=typed)
    assert res.status_code == 422, res.text[-2000:]
    page = res.text
    error, element = _field(page, f"h{pid}-ends_on")
    assert error and "slut" in error.lower() and "ends_on" not in error, error
    assert 'aria-invalid="true"' in element and f'value="{typed["ends_on"]}"' in element
    assert f'aria-describedby="h{pid}-ends_on-h h{pid}-ends_on-e"' in element
    assert f'value="{typed["starts_on"]}"' in _field(page, f"h{pid}-starts_on")[1]
    assert 'value="330"' in _field(page, f"h{pid}-candidate_municipality_code")[1]
    assert '<option value="a_dagpenge" selected>' in _field(page, f"h{pid}-target_group")[1]
    assert "Aftalt med lederen" in _field(page, f"h{pid}-override_reason")[1]
    assert re.search(r'<details class="hire" open>', page)  # the form is open where the error is
    assert f'href="#h{pid}-ends_on"' in page and 'class="warning"' not in page  # not a message at the top
    assert "<title>Fejl: " in page

    # a value the page itself cannot read: a municipality code that is not a number
    res = web.post(f"{url}/forslag/{pid}", data={**typed, "ends_on": "", "candidate_municipality_code": "33x"})
    assert res.status_code == 422
    error, element = _field(res.text, f"h{pid}-candidate_municipality_code")
    assert error == "Bopælskommune skal være et helt tal." and 'value="33x"' in element
    assert _field(res.text, f"h{pid}-ends_on")[0] == ""

    # corrected, the hire goes through
    res = web.post(f"{url}/forslag/{pid}", data={**typed, "ends_on": (start + timedelta(days=90)).isoformat()})
    assert res.status_code == 303
    assert "Kandidaten er ansat" in web.get(url).text


def test_a_broken_scheme_rule_is_shown_next_to_the_end_date_and_the_reason(web, stack):
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser i lang tid")
    pid = _proposed(stack, headers, order, "K-REGEL-1")
    web.login(s.konsulent_email, s.password)
    url = f"/ordrer/{order['id']}"
    start = date.today()
    res = web.post(f"{url}/forslag/{pid}", data={
        "csrf_token": _token(web.get(url).text), "status": "ansat", "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=700)).isoformat(), "target_group": "a_dagpenge"})
    assert res.status_code == 409, res.text[-2000:]
    assert "højst" in _field(res.text, f"h{pid}-ends_on")[0]
    assert "begrundelse på mindst 10 tegn" in _field(res.text, f"h{pid}-override_reason")[0]


def test_the_workplace_is_shown_with_its_town_to_the_consultant_and_the_company(web, stack):
    s = stack.seeded
    order = welder_order(stack, api_token(stack, s.konsulent_email), title="Svejser med arbejdssted")
    web.login(s.konsulent_email, s.password)
    assert re.search(r"<dt>Arbejdssted</dt><dd>4200 Slagelse</dd>", web.get(f"/ordrer/{order['id']}").text)
    company = type(web)(stack.web_url)
    company.login(s.firma_email, s.password)
    page = company.get(f"/portal/ordrer/{order['id']}")
    assert page.status_code == 200 and re.search(r"<dt>Arbejdssted</dt><dd>4200 Slagelse</dd>", page.text)

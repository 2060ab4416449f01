"""The order page hands its ranking record on, asks for a reason when a consultant proposes someone
the ranking did not put at the top, and a manager reads the record and the bias audit back."""

from __future__ import annotations

import html as html_lib
import re
import time

import httpx
import pytest

from shared.glossary import MATCH_PART_LABELS
from tests.web.candidates import add_welders, api_token, order_vacancy, ranked_order_page, welder_order
from tests.web.test_order_page import _field, _token

# matching's own names of the score parts (services/matching/ranking/scoring.py PARTS)
ENGLISH_PART = re.compile(r"\b(semantic|lexical|skills|occupation|distance)\b")


def _visible(html: str) -> str:
    """The page's text as read: no markup, scripts or styles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def _row_headers(html: str) -> list[str]:
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r'(?s)<th scope="row">(.*?)</th>', html)]


def test_a_proposal_outside_the_top_needs_a_reason_and_the_manager_reads_the_record(web, stack):
    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    s = stack.seeded
    order, refs, page = ranked_order_page(web, stack, "Svejser til rangeringsloggen", "K-LOG")
    url = f"/ordrer/{order['id']}"
    record_ids = set(re.findall(r'name="ranking_record_id" value="(\d+)"', page))
    assert len(record_ids) == 1, page[-3000:]
    record_id = record_ids.pop()

    # someone the ranking did not show: the reason is asked for, next to its field, the reference kept
    data = {"csrf_token": _token(page), "candidate_ref": "K-LOG-UDEN", "ranking_record_id": record_id}
    res = web.post(f"{url}/forslag", data=data)
    assert res.status_code == 422
    error, element = _field(res.text, "f-reason", "e-reason")
    assert "K-LOG-UDEN var ikke blandt de" in error and "Skriv kort, hvorfor" in error
    assert 'aria-invalid="true"' in element
    assert 'value="K-LOG-UDEN"' in _field(res.text, "f-candidate_ref", "e-candidate_ref")[1]
    res = web.post(f"{url}/forslag", data={**data, "reason": "Kort"})
    assert res.status_code == 422 and "mindst 10 tegn" in _field(res.text, "f-reason", "e-reason")[0]
    res = web.post(f"{url}/forslag", data={**data, "reason": "Har arbejdet hos virksomheden før"})
    assert res.status_code == 303
    # one of the ranked: no reason needed
    res = web.post(f"{url}/forslag", data={"csrf_token": _token(page), "candidate_ref": refs[0],
                                             "ranking_record_id": record_id})
    assert res.status_code == 303

    # the manager reads the record back: who was ranked then, with score and reasons
    manager = type(web)(stack.web_url)
    manager.login(s.leder_email, s.password)
    listed = manager.get("/leder/rangeringer/liste", params={"ordre": order["id"]})
    assert listed.status_code == 200 and f'/leder/rangeringer/{record_id}"' in listed.text
    rec = manager.get(f"/leder/rangeringer/{record_id}")
    assert rec.status_code == 200
    text = html_lib.unescape(rec.text)
    assert all(ref in text for ref in refs) and "Kandidaterne, som de blev vist" in text
    # in words: who was shown it (by name, from crm), each score part, what the consultant chose
    assert "vist til Karin Konsulent (konsulent)" in text
    assert all(label in text for label in MATCH_PART_LABELS.values())
    assert not ENGLISH_PART.search(_visible(text)), ENGLISH_PART.search(_visible(text))
    assert "Antal kandidater bedt om" in text and "Vægtenes version" in text
    audit = manager.get("/leder/rangeringer")
    assert audit.status_code == 200 and "Eksponering" in audit.text and "CV&#39;ets sprog" in audit.text
    groups = _row_headers(audit.text)
    # the welders live in Slagelse (330), their birth year and IGU basis unknown
    assert "Slagelse" in groups and "Ukendt" in groups and "A-dagpenge" in groups, groups
    assert not {"330", "ukendt", "a_dagpenge"} & set(groups), groups
    csv = manager.get("/leder/rangeringer.csv")
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("dimension,group,pool")
    manager.http.close()
    # a consultant has no oversight pages
    assert web.get("/leder/rangeringer").status_code == 403


def test_a_record_made_by_a_user_crm_no_longer_has_says_so(web, stack):
    """The record keeps the user's id only; the page asks crm for the name, and a user who is gone is
    said to be deleted, not shown as a bare number."""
    from sqlmodel import Session

    from services.crm.users.models import User
    from shared.db import make_engine
    from tests.conftest import service_database_url
    from tests.factories import UserFactory, bind

    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til en konsulent, der er gået")
    vacancy = order_vacancy(stack, headers, order)
    engine = make_engine(service_database_url(stack.database_url, "crm"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            bind(session)
            gone = UserFactory(email="gaaet@test.jobbro.dk", full_name="Gitte Gået", role="konsulent")
            session.commit()
        ranked = httpx.get(f"{stack.matching_url}/api/v1/vacancies/{vacancy['id']}/matches",
                           headers=api_token(stack, gone.email), params={"scheme": "ordinaer"}, timeout=60)
        assert ranked.status_code == 200, ranked.text
        record_id = ranked.json()["ranking_record_id"]
        with Session(engine) as session:
            session.delete(session.get(User, gone.id))
            session.commit()
    finally:
        engine.dispose()
    manager = type(web)(stack.web_url)
    manager.login(s.leder_email, s.password)
    text = html_lib.unescape(manager.get(f"/leder/rangeringer/{record_id}").text)
    manager.http.close()
    assert f"vist til Bruger {gone.id} (slettet)" in text and "Gitte" not in text
    # the consultant chose another scheme than the order's: the page says which, in words
    assert "<dt>Ordning valgt</dt><dd>Ordinær ansættelse</dd>" in text


def test_the_manager_sees_the_audit_with_its_flags_in_a_browser(desktop_page, stack, web):
    """After the order page has shown a few rankings (the test above, or made here), the audit page
    shows every group's exposure, and a group under 0.8 carries its flag."""
    from tests.web.conftest import login_in_browser, screenshot

    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til revisionen")
    add_welders(stack, headers, "K-REV")
    res = httpx.post(f"{stack.matching_url}/api/v1/candidates", headers=headers, timeout=60, json={
        "candidate_ref": "K-REV-EN", "postcode": "4200", "municipality_code": 330, "target_group": "integration",
        "birth_year": 1970, "months_unemployed": 8, "hours_available": 37,
        "cv_text": "Welder with five years of experience in MIG and MAG welding of steel structures. I hold a "
                   "driving licence and I can read technical drawings."})
    assert res.status_code in (201, 409), res.text
    vacancy = order_vacancy(stack, headers, order)
    vacancy_id, leder = vacancy["id"], api_token(stack, s.leder_email)
    deadline = time.monotonic() + 40
    while True:  # the top 1 only: the English CV's groups stay out of it (once the index has them)
        ranked = httpx.get(f"{stack.matching_url}/api/v1/vacancies/{vacancy_id}/matches", params={"limit": 1},
                           headers=headers, timeout=60).json()
        audit = httpx.get(f"{stack.matching_url}/api/v1/audit/ranking", headers=leder, timeout=60).json()
        if audit["flagged"] or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert ranked["items"] and audit["rankings"] >= 1 and audit["flagged"], audit
    page = desktop_page
    login_in_browser(page, s.leder_email, s.password)
    page.goto("/leder/rangeringer")
    assert page.get_by_role("heading", name="Matchningens skævhedsrevision").is_visible()
    assert page.locator("tr.flagged").count() == len(audit["flagged"])
    assert page.get_by_text("Under 0,8").first.is_visible()
    screenshot(page, "leder-rangeringer")

"""Orders and ranked candidates for the order-page tests, made through the services' own APIs."""

from __future__ import annotations

import time
from datetime import date, timedelta

import httpx

WELDER_CVS = [
    "Uddannet svejser. Fem års erfaring med MIG/MAG-svejsning af stålkonstruktioner. Kørekort B.",
    "Smed og svejser med erfaring fra skibsværft. Kan læse tegninger og svejse rustfrit stål.",
]


def api_token(stack, email: str) -> dict[str, str]:
    res = httpx.post(f"{stack.crm_url}/api/v1/auth/token", data={"username": email, "password": stack.seeded.password})
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def welder_order(stack, headers: dict[str, str], title: str = "Svejser") -> dict:
    """A fresh wage-subsidy order for a welder at the seeded company, so a test owns its order."""
    res = httpx.post(f"{stack.crm_url}/api/v1/orders", headers=headers, json={
        "company_id": stack.seeded.company_id, "title": title, "scheme": "loentilskud", "positions": 2,
        "hours_per_week": 37, "postcode": "4200", "received_via": "hotline",
        "deadline": (date.today() + timedelta(days=40)).isoformat(),
        "description": "MIG/MAG-svejsning af konstruktioner. Kørekort B."})
    assert res.status_code == 201, res.text
    return res.json()


def order_vacancy(stack, headers: dict[str, str], order: dict) -> dict:
    """The vacancy matching makes from the order's `order.received` (no consumer runs in the web tests' stack)."""
    res = httpx.post(f"{stack.matching_url}/api/v1/vacancies", headers=headers, timeout=60, json={
        "order_id": order["id"], "title": order["title"], "text": order["description"], "scheme": order["scheme"],
        "hours_per_week": order["hours_per_week"], "postcode": order["postcode"]})
    assert res.status_code == 201, res.text
    return res.json()


def add_welders(stack, headers: dict[str, str], prefix: str) -> list[str]:
    """Two welders in matching, referenced `<prefix>-0` and `<prefix>-1`."""
    refs = []
    for i, cv in enumerate(WELDER_CVS):
        ref = f"{prefix}-{i}"
        res = httpx.post(f"{stack.matching_url}/api/v1/candidates", headers=headers, timeout=60, json={
            "candidate_ref": ref, "postcode": "4200", "municipality_code": 330, "target_group": "a_dagpenge",
            "months_unemployed": 7 + 2 * i, "hours_available": 37, "desired_occupations": ["svejser"],
            "cv_text": cv})
        assert res.status_code in (201, 409), res.text
        refs.append(ref)
    return refs


def wait_for_ranked(get_page, refs: list[str], timeout: float = 30) -> str:
    """The order page once matching's index (refreshed in the background) ranks every one of `refs`."""
    deadline = time.monotonic() + timeout
    while True:
        html = get_page()
        if all(ref in html for ref in refs) or time.monotonic() > deadline:
            return html
        time.sleep(0.5)


def ranked_order_page(web, stack, title: str, prefix: str) -> tuple[dict, list[str], str]:
    """A fresh welder order with its vacancy and two welders, and its page once the consultant
    (signed in on `web`) sees both ranked: (order, the welders' refs, the page)."""
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title=title)
    refs = add_welders(stack, headers, prefix)
    order_vacancy(stack, headers, order)
    web.login(s.konsulent_email, s.password)
    return order, refs, wait_for_ranked(lambda: web.get(f"/ordrer/{order['id']}").text, refs)

"""Reserving a centre's place from its page: a fleksjob place carries the hours the person is
visiteret to, and hours that are not a number come back next to the field with what was typed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from tests.web.candidates import api_token
from tests.web.test_browser_centres import new_centre


def _form(page: str, **over) -> dict:
    start = date.today() + timedelta(days=7)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "candidate_ref": "K-FLEKS-1", "scheme": "fleksjob", "target_group": "ledighedsydelse",
            "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=180)).isoformat(),
            "candidate_birth_year": "", "hours_per_week": "18,5", "override_reason": ""}
    form.update(over)
    return form


def test_a_fleksjob_place_is_reserved_with_its_weekly_hours(web, stack):
    s = stack.seeded
    centre = new_centre(stack, "Fleksjobcentret", {"fleksjob": 2}, date.today() - timedelta(days=30))
    web.login(s.konsulent_email, s.password)
    url = f"/virksomhedscentre/{centre['id']}"
    page = web.get(url).text
    assert 'name="hours_per_week"' in page

    bad = web.post(f"{url}/reserver", data=_form(page, hours_per_week="atten"))
    assert bad.status_code == 422
    error = re.search(r'<p class="field-error" id="e-hours_per_week"\s*>(.*?)</p>', bad.text, re.S)
    assert error and "tal" in error.group(1)
    assert 'value="atten"' in bad.text and 'value="K-FLEKS-1"' in bad.text

    res = web.post(f"{url}/reserver", data=_form(page))
    assert res.status_code == 303, res.text[-1500:]
    headers = api_token(stack, s.konsulent_email)
    placements = httpx.get(f"{stack.crm_url}/api/v1/placements", headers=headers,
                           params={"company_id": s.company_id, "limit": 200}).json()["items"]
    mine = [p for p in placements if p["candidate_ref"] == "K-FLEKS-1"]
    assert len(mine) == 1 and mine[0]["scheme"] == "fleksjob" and mine[0]["hours_per_week"] == 18.5

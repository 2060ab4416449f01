"""The order page lets a consultant correct how matching read the order (EU AI Act art. 14): they
choose the ESCO occupation from those offered, the page says the choice is theirs, and they can
hand the reading back to matching."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.web.candidates import api_token, ranked_order_page, welder_order


def _read_as(page: str) -> str:
    found = re.search(r'<p class="read-as">(.*?)</p>', page, re.S)
    assert found, page[-3000:]
    return html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def _options(page: str) -> list[tuple[str, str]]:
    form = re.search(r'<form method="post" action="/ordrer/\d+/stilling">(.*?)</form>', page, re.S)
    assert form, "no correction form on the order page"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', form.group(1))


def test_a_consultant_chooses_the_occupation_of_a_misread_order(web, stack):
    if "matching" not in stack.services:
        pytest.skip("the matching service is not in this checkout")
    order, _, page = ranked_order_page(web, stack, "Svejser til rettelse", "K-RET")
    url = f"/ordrer/{order['id']}"
    assert "svejser" in _read_as(page) and "som en konsulent har valgt" not in _read_as(page)
    options = _options(page)
    assert options[0][0] == "" and options[1][1] == "svejser"  # matching's own reading first
    uri, label = next((u, lab) for u, lab in options[2:] if lab != "svejser")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    vacancy_id = re.search(r'name="vacancy_id" value="(\d+)"', page).group(1)

    res = web.post(f"{url}/stilling", data={"csrf_token": token, "vacancy_id": vacancy_id, "occupation_uri": uri})
    assert res.status_code == 303 and res.headers["location"] == f"{url}#m-h"
    page = web.get(url).text
    assert f"Matchningen læser nu ordren som {label}" in html_lib.unescape(page)
    read = _read_as(page)
    assert read.startswith(f"Matchningen har læst ordren som {label} (ESCO), som en konsulent har valgt"), read
    assert re.search(rf'<option value="{re.escape(uri)}"\s+selected', page)

    # Another order's vacancy cannot be changed from this page.
    other = welder_order(stack, api_token(stack, stack.seeded.konsulent_email), title="Svejser et andet sted")
    res = web.post(f"/ordrer/{other['id']}/stilling",
                   data={"csrf_token": token, "vacancy_id": vacancy_id, "occupation_uri": ""})
    assert res.status_code == 404
    assert "som en konsulent har valgt" in _read_as(web.get(url).text)

    # A title whose neighbours are all wrong: the consultant searches a word of their own.
    searched = _options(web.get(url, params={"stilling": "vicevært"}).text)
    assert searched[1][1] == label and searched[2][1] == "vicevært"  # their choice, then what they searched

    res = web.post(f"{url}/stilling", data={"csrf_token": token, "vacancy_id": vacancy_id, "occupation_uri": ""})
    assert res.status_code == 303
    page = web.get(url).text
    assert "Matchningen læser igen selv ordrens titel: svejser" in html_lib.unescape(page)
    assert "som en konsulent har valgt" not in _read_as(page)

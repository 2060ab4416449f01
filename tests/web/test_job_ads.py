"""Open job ads through the real services: a consultant publishes an order from its page, anyone reads
the public list, the ad's page (with valid JobPosting JSON-LD) and the Atom feed without signing in,
and withdrawal or closing the order takes the ad down everywhere."""

from __future__ import annotations

import html as html_lib
import json
import re

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from tests.web.candidates import api_token, welder_order
from tests.web.conftest import screenshot
from tests.web.schemaorg import google_problems, schemaorg_problems


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def _publish_form(page: str, **over) -> dict:
    form = {"csrf_token": _token(page), "ad_title": "Svejser til værkstedet", "ad_description": "MIG/MAG-svejsning.",
            "ad_postcode": "4200", "ad_city": "Slagelse", "ad_how_to_apply": "", "ad_name_company": "1"}
    form.update(over)
    return form


def _public(stack) -> httpx.Client:
    return httpx.Client(base_url=stack.web_url, timeout=30)


def _jsonld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _accessible_basics(page: str) -> None:
    """lang, landmarks, one h1, no skipped heading level, a label for every field, the skip link."""
    doc = lxml_html.fromstring(page)
    assert doc.get("lang") == "da"
    assert doc.xpath("//header") and len(doc.xpath("//main")) == 1 and doc.xpath("//footer")
    assert doc.xpath("//a[@class='skip']/@href") == ["#indhold"] and doc.xpath("//main/@id") == ["indhold"]
    levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4")]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    for field in doc.xpath("//input[not(@type='hidden')]|//select|//textarea"):
        assert doc.xpath(f"//label[@for='{field.get('id')}']") or field.xpath("ancestor::label"), field.get("name")
    assert doc.xpath("//meta[@name='viewport']")


@pytest.fixture
def published(web, stack):
    """A fresh order published from its page by a consultant: (order, ad id)."""
    s = stack.seeded
    headers = api_token(stack, s.konsulent_email)
    order = welder_order(stack, headers, title="Svejser til jobopslag")
    web.login(s.konsulent_email, s.password)
    url = f"/ordrer/{order['id']}"
    page = web.get(url).text
    assert "Slå op som åbent jobopslag" in _section(page, "jobopslag")
    res = web.post(f"{url}/jobopslag", data=_publish_form(page))
    assert res.status_code == 303 and res.headers["location"].endswith("#jobopslag"), res.text[-2000:]
    ad = httpx.get(f"{stack.crm_url}/api/v1/orders/{order['id']}/job-ad", headers=headers).json()
    return order, ad["id"], headers


def test_consultant_publishes_from_the_order_page_and_sees_the_badge(web, stack, published):
    order, ad_id, _ = published
    panel = _section(web.get(f"/ordrer/{order['id']}").text, "jobopslag")
    assert "Offentliggjort" in panel and f'href="/job/{ad_id}"' in panel and "Træk jobopslaget tilbage" in panel


def test_the_public_list_and_ad_page_need_no_sign_in_and_set_no_cookie(stack, published):
    order, ad_id, _ = published
    with _public(stack) as client:
        listing = client.get("/job")
        assert listing.status_code == 200 and "set-cookie" not in listing.headers
        assert listing.headers["cache-control"].startswith("public") and listing.headers["etag"]
        assert f'href="/job/{ad_id}"' in listing.text and "Svejser til værkstedet" in listing.text
        assert 'type="application/atom+xml"' in listing.text
        _accessible_basics(listing.text)

        res = client.get(f"/job/{ad_id}")
        assert res.status_code == 200 and "set-cookie" not in res.headers
        page = res.text
        _accessible_basics(page)
        assert "<h1" in page and "Svejser til værkstedet" in html_lib.unescape(page)
        assert "Sådan søger du" in page and "Slagelse" in page
        # the company agreed to be named (the box was ticked)
        assert stack.seeded.company_name in html_lib.unescape(page)
        assert client.get(f"/job/{ad_id}", headers={"If-None-Match": res.headers["etag"]}).status_code == 304


def test_the_ad_page_carries_valid_job_posting_json_ld(stack, published):
    order, ad_id, _ = published
    with _public(stack) as client:
        posting = _jsonld(client.get(f"/job/{ad_id}").text)
    assert schemaorg_problems(posting) == []
    assert google_problems(posting) == []
    assert posting["title"] == "Svejser til værkstedet"
    assert posting["hiringOrganization"]["name"] == stack.seeded.company_name
    assert posting["jobLocation"]["address"]["postalCode"] == "4200"
    assert posting["validThrough"].startswith(order["deadline"])
    assert posting["employmentType"] == ["FULL_TIME", "TEMPORARY"]  # 37 hours, løntilskud
    assert posting["directApply"] is False and posting["url"].endswith(f"/job/{ad_id}")


def test_the_atom_feed_lists_the_open_ads(stack, published):
    _, ad_id, _ = published
    with _public(stack) as client:
        res = client.get("/job/feed.atom")
        assert res.status_code == 200 and res.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(res.content)
        assert not feed.bozo and feed.version == "atom10"
        assert any(e.link.endswith(f"/job/{ad_id}") and e.title == "Svejser til værkstedet" for e in feed.entries)
        assert client.get("/job/feed.atom", headers={"If-None-Match": res.headers["etag"]}).status_code == 304


def test_nothing_about_candidates_reaches_the_public_pages(web, stack, published):
    order, ad_id, headers = published
    res = httpx.post(f"{stack.crm_url}/api/v1/orders/{order['id']}/proposals", headers=headers,
                     json={"candidate_ref": "K-OFFENTLIG-NEJ"})
    assert res.status_code == 201
    with _public(stack) as client:
        for url in ("/job", f"/job/{ad_id}", "/job/feed.atom"):
            assert "K-OFFENTLIG-NEJ" not in client.get(url).text


def test_withdrawing_takes_the_ad_down_everywhere(web, stack, published):
    order, ad_id, _ = published
    page = web.get(f"/ordrer/{order['id']}").text
    res = web.post(f"/ordrer/{order['id']}/jobopslag/tilbage", data={"csrf_token": _token(page)})
    assert res.status_code == 303
    assert "Trukket tilbage" in _section(web.get(f"/ordrer/{order['id']}").text, "jobopslag")
    with _public(stack) as client:
        gone = client.get(f"/job/{ad_id}")
        assert gone.status_code == 404 and "ikke længere ledigt" in gone.text
        _accessible_basics(gone.text)
        assert f"/job/{ad_id}" not in client.get("/job").text
        assert not [e for e in feedparser.parse(client.get("/job/feed.atom").content).entries
                    if e.link.endswith(f"/job/{ad_id}")]


def test_cancelling_the_order_takes_the_ad_down(web, stack, published):
    order, ad_id, headers = published
    res = httpx.post(f"{stack.crm_url}/api/v1/orders/{order['id']}/status", headers=headers,
                     json={"status": "annulleret"})
    assert res.status_code == 200
    with _public(stack) as client:
        assert client.get(f"/job/{ad_id}").status_code == 404
    panel = html_lib.unescape(_section(web.get(f"/ordrer/{order['id']}").text, "jobopslag"))
    assert "Trukket tilbage" in panel and "fordi ordren blev annulleret" in panel
    assert "<form" not in panel  # a closed order is not published again


def test_a_form_without_a_town_comes_back_with_the_error_next_to_the_field(web, stack):
    s = stack.seeded
    order = welder_order(stack, api_token(stack, s.konsulent_email), title="Svejser uden by")
    web.login(s.konsulent_email, s.password)
    page = web.get(f"/ordrer/{order['id']}").text
    # The new ad's town is filled in from the order's postcode ...
    assert re.search(r'name="ad_city"[^>]*value="Slagelse"', _section(page, "jobopslag"))
    # ... but a postcode Jobbro cannot name the town of, with the town left empty, is asked about.
    res = web.post(f"/ordrer/{order['id']}/jobopslag",
                   data=_publish_form(page, ad_city="", ad_postcode="4199", ad_title="Min titel"))
    assert res.status_code == 422
    panel = _section(res.text, "jobopslag")
    error = re.search(r'<p class="field-error" id="e-ad_city"\s*>(.*?)</p>', panel, re.S).group(1)
    assert "by" in html_lib.unescape(error)
    assert 'value="Min titel"' in panel and 'href="#f-ad_city"' in panel


def test_unknown_or_malformed_ad_ids_answer_the_public_404_page(stack):
    with _public(stack) as client:
        for url in ("/job/999999", "/job/ikke-et-tal"):
            res = client.get(url)
            assert res.status_code == 404 and "Jobbet er ikke længere ledigt" in res.text


def test_the_ad_page_fits_a_phone(phone_page, stack, published):
    _, ad_id, _ = published
    page = phone_page
    for path in ("/job", f"/job/{ad_id}"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{path} is wider than a phone"
    assert page.get_by_role("heading", level=1).inner_text() == "Svejser til værkstedet"
    assert page.get_by_role("heading", name="Sådan søger du").is_visible()
    screenshot(page, "job-ad-phone")

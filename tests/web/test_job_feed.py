"""The machine-readable job ads without services: JSON-LD valid per schema.org and Google's JobPosting rules,
safe inside a script element; employment types; the Atom feed per RFC 4287."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest
from lxml import etree

from services.web.public import job_feed
from shared.settings import Settings
from tests.web.schemaorg import google_problems, schemaorg_problems

AD = {"id": 7, "title": "Lagermedarbejder", "description": "Pluk og pak.\n\nTruckcertifikat er et plus.",
      "postcode": "4200", "city": "Slagelse", "scheme": "ordinaer", "hours_per_week": 37.0, "positions": 2,
      "deadline": "2026-12-24", "how_to_apply": "Skriv til jobcentret.", "employer_name": None,
      "published_at": "2026-12-01T08:00:00Z", "updated_at": "2026-12-02T09:30:00Z"}
SETTINGS = Settings(jobads_public_url="https://job.example.dk", jobads_apply_phone="+45 11 22 33 44")
ATOM_NS = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("over", [
    {},
    {"employer_name": "Slagelse Lager ApS"},
    {"hours_per_week": None, "deadline": None, "scheme": "loentilskud"},
    {"hours_per_week": 12.5, "scheme": "fleksjob"},
    {"scheme": "virksomhedspraktik", "hours_per_week": 20},
])
def test_the_job_posting_is_valid_schema_org_and_has_what_google_requires(over):
    posting = job_feed.job_posting({**AD, **over}, SETTINGS)
    assert schemaorg_problems(posting) == []
    assert google_problems(posting) == []


def test_the_schema_org_check_catches_what_is_not_schema_org():
    posting = job_feed.job_posting(AD, SETTINGS)
    assert any("salery" in p for p in schemaorg_problems({**posting, "salery": 100}))
    assert any("JobPostng" in p for p in schemaorg_problems({**posting, "@type": "JobPostng"}))
    wrong_range = {**posting, "hiringOrganization": {"@type": "PostalAddress", "postalCode": "4200"}}
    assert schemaorg_problems(wrong_range)
    nested = {**posting, "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "postCode": "4200"}}}
    assert any("postCode" in p for p in schemaorg_problems(nested))
    assert schemaorg_problems({**posting, "datePosted": "1. december"})
    assert google_problems({k: v for k, v in posting.items() if k != "hiringOrganization"})
    assert google_problems({**posting, "employmentType": ["FULDTID"]})


def test_the_posting_carries_the_ad_and_names_the_jobcentre_unless_the_company_agreed():
    posting = job_feed.job_posting(AD, SETTINGS)
    assert posting["title"] == "Lagermedarbejder" and posting["datePosted"] == "2026-12-01"
    assert posting["validThrough"] == "2026-12-24T23:59:59+01:00"
    assert posting["jobLocation"]["address"] == {"@type": "PostalAddress", "postalCode": "4200",
                                                 "addressLocality": "Slagelse", "addressCountry": "DK"}
    assert posting["hiringOrganization"]["name"] == "Jobcenter Slagelse"
    assert posting["directApply"] is False and posting["url"] == "https://job.example.dk/job/7"
    assert posting["applicationContact"]["telephone"] == "+45 11 22 33 44"
    assert "<p>Pluk og pak.</p><p>Truckcertifikat er et plus.</p>" in posting["description"]
    named = job_feed.job_posting({**AD, "employer_name": "Slagelse Lager ApS"}, SETTINGS)
    assert named["hiringOrganization"] == {"@type": "Organization", "name": "Slagelse Lager ApS"}


@pytest.mark.parametrize(("scheme", "hours", "expected"), [
    ("ordinaer", 37, ["FULL_TIME"]), ("ordinaer", 30, ["FULL_TIME"]), ("ordinaer", 20, ["PART_TIME"]),
    ("fleksjob", 8, ["PART_TIME"]), ("loentilskud", 37, ["FULL_TIME", "TEMPORARY"]),
    ("virksomhedspraktik", 25, ["PART_TIME", "INTERN"]), ("ordinaer", None, ["OTHER"]), ("igu", None, ["TEMPORARY"]),
])
def test_employment_type_follows_hours_and_scheme(scheme, hours, expected):
    assert job_feed.employment_types(scheme, hours) == expected


def test_text_in_an_ad_cannot_end_the_script_element_and_still_reads_back():
    evil = {**AD, "title": "Kok </script><script>alert(1)</script> & <b>tjener</b>"}
    block = str(job_feed.script_json(job_feed.job_posting(evil, SETTINGS)))
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    assert json.loads(block)["title"] == evil["title"]
    assert "&lt;b&gt;tjener&lt;/b&gt;" in json.loads(block)["description"] or "<b>" not in json.loads(block)["description"]


def _atom(ads, updated=datetime(2026, 12, 2, 9, 30, tzinfo=UTC)) -> bytes:
    return job_feed.atom(ads, SETTINGS, updated)


def test_the_feed_is_atom_per_rfc_4287():
    body = _atom([AD, {**AD, "id": 8, "title": "Chauffør <C/E>", "employer_name": "Fisk & Co"}])
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == ["Lagermedarbejder", "Chauffør <C/E>"]
    assert parsed.entries[0].link == "https://job.example.dk/job/7"

    root = etree.fromstring(body)
    assert root.tag == f"{ATOM_NS}feed"
    # atom:feed MUST have exactly one id, title and updated; an author unless every entry has one;
    # SHOULD have a self link (RFC 4287 4.1.1).
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM_NS}{name}")) == 1, name
    assert root.find(f"{ATOM_NS}author/{ATOM_NS}name").text == "Jobcenter Slagelse"
    assert root.find(f"{ATOM_NS}link[@rel='self']").get("href") == "https://job.example.dk/job/feed.atom"
    assert root.find(f"{ATOM_NS}updated").text.startswith("2026-12-02T09:30:00")
    entries = root.findall(f"{ATOM_NS}entry")
    ids = [e.find(f"{ATOM_NS}id").text for e in entries]
    assert len(set(ids)) == len(ids) == 2 and all(re.match(r"^https://", i) for i in ids)
    for entry in entries:
        # atom:entry MUST have exactly one id, title and updated, and an alternate link when it has no content
        # of its own; its content here is HTML, escaped.
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM_NS}{name}")) == 1, name
        # a link without rel is rel="alternate" (RFC 4287 4.2.7.2)
        assert [link for link in entry.findall(f"{ATOM_NS}link") if link.get("rel", "alternate") == "alternate"]
        assert entry.find(f"{ATOM_NS}content").get("type") == "html"
        datetime.fromisoformat(entry.find(f"{ATOM_NS}updated").text)


def test_an_empty_feed_is_still_valid_and_the_same_every_time():
    body = _atom([], updated=None)
    assert not feedparser.parse(body).bozo
    assert body == _atom([], updated=None)

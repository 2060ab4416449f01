"""Job ads for machines: schema.org `JobPosting` JSON-LD per ad and an Atom feed (RFC 4287) of the open ads.

Both follow published standards only (schema.org, Google's JobPosting guidelines, RFC 4287): no job
board's own import format is guessed. `docs/job-ads.md` lists every property and why.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

from shared.glossary import SCHEME_LABELS, Scheme
from shared.settings import Settings

TZ = ZoneInfo("Europe/Copenhagen")
# An Atom feed must say when it last changed; a feed that never had an ad says "long ago", the
# same on every request, so its ETag stays put.
NEVER = datetime(2026, 1, 1, tzinfo=UTC)
FULL_TIME_HOURS = 30  # from here a week counts as full time for job boards (37 is Danish full time)
# Schemes that are time-limited by law or agreement (løntilskud, jobrotation, IGU, nytteindsats).
TEMPORARY = {Scheme.loentilskud, Scheme.jobrotation, Scheme.igu, Scheme.nytteindsats}


def public_base(s: Settings) -> str:
    return (s.jobads_public_url or s.web_url).rstrip("/")


def ad_url(s: Settings, ad_id: int) -> str:
    return f"{public_base(s)}/job/{ad_id}"


def list_url(s: Settings) -> str:
    return f"{public_base(s)}/job"


def feed_url(s: Settings) -> str:
    return f"{public_base(s)}/job/feed.atom"


def jobcentre_url(s: Settings) -> str:
    return s.jobads_jobcentre_url or list_url(s)


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def employment_types(scheme: str, hours: float | None) -> list[str]:
    """schema.org/Google `employmentType` values from the weekly hours and the scheme."""
    types: list[str] = []
    if hours is not None:
        types.append("FULL_TIME" if hours >= FULL_TIME_HOURS else "PART_TIME")
    if scheme == Scheme.virksomhedspraktik:
        types.append("INTERN")
    elif scheme in TEMPORARY:
        types.append("TEMPORARY")
    return types or ["OTHER"]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def html_text(text: str) -> str:
    """Plain text as escaped HTML paragraphs (job boards show `description` as HTML)."""
    return "".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in paragraphs(text))


def scheme_label(scheme: str) -> str:
    try:
        return SCHEME_LABELS[Scheme(scheme)]
    except ValueError:
        return scheme


def hours(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def facts(ad: dict) -> str:
    lines = [f"Ansættelsesform: {scheme_label(ad['scheme'])}."]
    if ad.get("hours_per_week") is not None:
        lines.append(f"Timer pr. uge: {hours(ad['hours_per_week'])}.")
    lines.append(f"Arbejdssted: {ad['postcode']} {ad['city']}.")
    if ad.get("deadline"):
        d = date.fromisoformat(ad["deadline"])
        lines.append(f"Ansøgningsfrist: {d.day}/{d.month} {d.year}.")
    return "\n".join(lines)


def valid_through(deadline: str | None) -> str | None:
    if not deadline:
        return None
    # The deadline is the last day applications are taken: until its end, Danish time.
    return datetime.combine(date.fromisoformat(deadline), time(23, 59, 59), tzinfo=TZ).isoformat()


def hiring_organization(ad: dict, s: Settings) -> dict[str, Any]:
    if ad.get("employer_name"):
        return {"@type": "Organization", "name": ad["employer_name"]}
    # Not named: the jobcentre recruits on the company's behalf.
    return {"@type": "Organization", "name": s.jobads_jobcentre_name, "url": jobcentre_url(s)}


def job_posting(ad: dict, s: Settings) -> dict[str, Any]:
    """One ad as a schema.org JobPosting (the properties Google requires and recommends that Jobbro knows)."""
    url = ad_url(s, ad["id"])
    contact: dict[str, Any] = {"@type": "ContactPoint", "name": s.jobads_jobcentre_name,
                               "contactType": "Jobcenter", "email": s.jobads_apply_email, "url": url}
    if s.jobads_apply_phone:
        contact["telephone"] = s.jobads_apply_phone
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": ad["title"],
        "description": html_text(ad["description"]) + html_text(facts(ad)) + html_text(ad["how_to_apply"]),
        "datePosted": parse_time(ad["published_at"]).astimezone(TZ).date().isoformat(),
        "hiringOrganization": hiring_organization(ad, s),
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "postalCode": ad["postcode"], "addressLocality": ad["city"],
            "addressCountry": "DK"}},
        "employmentType": employment_types(ad["scheme"], ad.get("hours_per_week")),
        "totalJobOpenings": ad["positions"],
        "directApply": False,
        "applicationContact": contact,
        "identifier": {"@type": "PropertyValue", "name": s.jobads_jobcentre_name, "value": str(ad["id"])},
        "url": url,
    }
    if ad.get("hours_per_week") is not None:
        posting["workHours"] = f"{hours(ad['hours_per_week'])} timer om ugen"
    through = valid_through(ad.get("deadline"))
    if through:
        posting["validThrough"] = through
    return posting


def script_json(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` escaped, so no text in an
    ad can close the script element or start markup (the way Django's json_script does it)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def atom(ads: list[dict], s: Settings, updated: datetime | None) -> bytes:
    """The open ads as an Atom 1.0 feed, newest first; each entry links to its page (with the JSON-LD)."""
    fg = FeedGenerator()
    fg.id(list_url(s))
    fg.title(f"Ledige job via {s.jobads_jobcentre_name}")
    fg.subtitle("Åbne jobopslag fra jobcentrets virksomhedsservice")
    fg.author({"name": s.jobads_jobcentre_name, "uri": jobcentre_url(s)})
    fg.link(href=feed_url(s), rel="self", type="application/atom+xml")
    fg.link(href=list_url(s), rel="alternate", type="text/html")
    fg.language("da")
    fg.generator("Jobbro")
    fg.updated(updated or NEVER)
    for ad in ads:
        fe = fg.add_entry(order="append")
        fe.id(ad_url(s, ad["id"]))
        fe.title(ad["title"])
        fe.link(href=ad_url(s, ad["id"]), rel="alternate", type="text/html")
        fe.published(parse_time(ad["published_at"]))
        fe.updated(parse_time(ad["updated_at"]))
        fe.summary(f"{scheme_label(ad['scheme'])} i {ad['postcode']} {ad['city']}"
                   + (f", ansøgningsfrist {ad['deadline']}" if ad.get("deadline") else "") + ".")
        fe.content(html_text(ad["description"]) + html_text(facts(ad)) + html_text(ad["how_to_apply"]), type="html")
        fe.category(term=ad["scheme"], label=scheme_label(ad["scheme"]))
    return fg.atom_str(pretty=True)

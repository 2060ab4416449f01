"""The job-ad form's fields on the order page (partials/job_ad.html), shared by the page and its form routes."""

from __future__ import annotations

from shared.postcodes import town

# crm's field -> the form's field (prefixed: the order page has other forms), and the label used in messages.
FIELDS = {"title": "ad_title", "description": "ad_description", "postcode": "ad_postcode", "city": "ad_city",
          "how_to_apply": "ad_how_to_apply"}
LABELS = {"title": "Titlen", "description": "Teksten", "postcode": "Postnummeret", "city": "Byen",
          "how_to_apply": "Teksten om at søge"}


def initial(job_ad: dict | None, order: dict) -> dict:
    """The form as the page first shows it: the ad's text, or for a new ad the order's."""
    source = job_ad or {"title": order["title"], "description": order.get("description") or "",
                        "postcode": order["postcode"], "city": town(order["postcode"]) or "", "how_to_apply": "", "name_company": False}
    values = {form: source.get(api) or "" for api, form in FIELDS.items()}
    values["ad_name_company"] = bool(source.get("name_company"))
    return {"values": values, "errors": {}, "top": None}

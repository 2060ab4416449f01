"""The public job-ad pages: a list of open ads, a page per ad with its JSON-LD, and the Atom feed.

No sign-in and no session: a jobseeker on a phone, a search engine or a job board reads them. The
data comes from crm's public API (`/api/v1/public/job-ads`), which holds only the published ads'
public fields. Pages may be cached by anyone for a few minutes; each answer has an ETag.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import Api, ApiError
from services.web.public import job_feed
from services.web.rendering import templates
from shared.settings import get_settings

router = APIRouter(prefix="/job")

CACHE_CONTROL = "public, max-age=300"
ATOM = "application/atom+xml; charset=utf-8"


def _api(request: Request) -> Api:
    return Api(request.app.state.http, None)


def _cached(request: Request, body: bytes, media_type: str, last_modified: str | None = None,
            status_code: int = 200) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified:
        headers["Last-Modified"] = last_modified
    match = request.headers.get("if-none-match")
    if status_code == 200 and match and etag in {t.strip().removeprefix("W/") for t in match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content=body, status_code=status_code, media_type=media_type, headers=headers)


def _page(request: Request, name: str, context: dict, status_code: int = 200, last_modified: str | None = None):
    s = get_settings()
    ctx = {"jobcentre": s.jobads_jobcentre_name, "apply_email": s.jobads_apply_email, "feed_url": job_feed.feed_url(s), "scheme_label": job_feed.scheme_label,
           "hours": job_feed.hours, "paragraphs": job_feed.paragraphs, **context}
    body = templates.get_template(name).render({"request": request, **ctx}).encode()
    return _cached(request, body, "text/html; charset=utf-8", last_modified, status_code)


@router.get("")
async def job_list(request: Request):
    res = await _api(request).request("GET", "crm", "/api/v1/public/job-ads")
    ads = res.json()["items"]
    return _page(request, "public/job_list.html", {"ads": ads}, last_modified=res.headers.get("last-modified"))


@router.get("/feed.atom")
async def job_feed_atom(request: Request):
    res = await _api(request).request("GET", "crm", "/api/v1/public/job-ads")
    modified = res.headers.get("last-modified")
    updated = parsedate_to_datetime(modified) if modified else None
    body = job_feed.atom(res.json()["items"], get_settings(), updated)
    return _cached(request, body, ATOM, format_datetime(updated, usegmt=True) if updated else None)


@router.get("/{ad_id}")
async def job_page(request: Request, ad_id: str):
    if not ad_id.isdigit() or len(ad_id) > 12:
        return _page(request, "public/job_gone.html", {}, status_code=404)
    try:
        res = await _api(request).request("GET", "crm", f"/api/v1/public/job-ads/{ad_id}")
    except ApiError as exc:
        if exc.status not in (404, 422):
            raise
        return _page(request, "public/job_gone.html", {}, status_code=404)
    ad = res.json()
    posting = job_feed.job_posting(ad, get_settings())
    return _page(request, "public/job_ad.html", {"ad": ad, "jsonld": job_feed.script_json(posting), "posting": posting},
                 last_modified=res.headers.get("last-modified"))

"""The public read API of open job ads: no login, cacheable, only the published ads' public fields.

Job boards and the web front's public pages read it. Each answer carries an `ETag` (a hash of the
body) and `Last-Modified`, and answers `304 Not Modified` to a matching `If-None-Match` (or, without
one, to an `If-Modified-Since` not older than the last change), so a board polling every few
minutes costs a query and no body.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import APIRouter, Request, Response

from services.crm.deps import SessionDep
from services.crm.job_ads import service
from services.crm.job_ads.schemas import JobAdPublic, JobAdPublicList

router = APIRouter(prefix="/api/v1/public/job-ads", tags=["public"])

CACHE_CONTROL = "public, max-age=60"
_NOT_MODIFIED = {"description": "Uændret siden `If-None-Match`/`If-Modified-Since`; intet indhold"}
_NOT_FOUND = {"description": "Opslaget findes ikke, eller det er trukket tilbage",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        # Weak comparison (RFC 9110 13.1.2): a proxy may have weakened our tag.
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def conditional(request: Request, body: bytes, last_modified: datetime | None) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


@router.get("", response_model=JobAdPublicList, summary="Åbne jobopslag (offentlig, uden login)",
            responses={304: _NOT_MODIFIED})
def public_job_ads(request: Request, session: SessionDep):
    items = service.public_list(session)
    body = JobAdPublicList(items=items, total=len(items)).model_dump_json().encode()
    return conditional(request, body, service.last_change(session))


@router.get("/{ad_id}", response_model=JobAdPublic, summary="Ét åbent jobopslag (offentlig, uden login)",
            responses={304: _NOT_MODIFIED, 404: _NOT_FOUND})
def public_job_ad(ad_id: int, request: Request, session: SessionDep):
    ad = service.public_ad(session, ad_id)
    return conditional(request, ad.model_dump_json().encode(), ad.updated_at)

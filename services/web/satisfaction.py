"""Satisfaction surveys in the web front (docs/satisfaction.md).

Public pages (no login, the signed token in the address is the authorisation, checked by crm):
- `GET /tilfredshed/{token}/{score}`: the link in the mail. It records nothing by itself: mail
  link scanners fetch every link of a mail, and a GET that answered would record whichever link
  they fetched last. The page submits the answer at once with a tiny script (one click for the
  person); without scripts it shows one button.
- `POST /tilfredshed/{token}`: records the score (and the comment, when the comment form sent
  one), then shows the page below. No CSRF token: a forged cross-site POST would need the
  unguessable signed token, and the answer must work without a session cookie.
- `GET /tilfredshed/{token}`: the question with the current answer and the optional comment.

Staff pages: the manager's dashboard section (`/leder/tilfredshed`, HTMX) with its monthly
trend and CSV, and the company page's section (`/virksomheder/{id}/tilfredshed`, HTMX).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.web.api import Api, gather
from services.web.manager.routes import parse_period
from services.web.rendering import maaned, render
from services.web.session import Manager, Staff, api_for
from shared.errors import Invalid
from shared.glossary import SATISFACTION_SCORE_LABELS

router = APIRouter()

REPORT = "/api/v1/reports/satisfaction"


def _public_api(request: Request) -> Api:
    return Api(request.app.state.http, None)


def _choices() -> list[tuple[int, str]]:
    return sorted(SATISFACTION_SCORE_LABELS.items(), reverse=True)


# -- the survey (public) ----------------------------------------------------------------------------

@router.get("/tilfredshed/{token}")
async def survey_page(request: Request, token: str, gemt: int = 0):
    survey = await _public_api(request).get("crm", f"/api/v1/public/satisfaction/{token}")
    return render(request, "satisfaction/survey.html", {
        "survey": survey, "token": token, "saved": bool(gemt), "choices": _choices(),
        "values": {"score": survey.get("score"), "comment": survey.get("comment") or ""}})


@router.get("/tilfredshed/{token}/{score}")
async def survey_link(request: Request, token: str, score: str):
    if score not in {str(k) for k in SATISFACTION_SCORE_LABELS}:
        raise Invalid("Svaret skal være et tal fra 1 til 5.", field="score")
    score = int(score)
    # Check the link now, so an expired or unknown one says so instead of a form that cannot work.
    survey = await _public_api(request).get("crm", f"/api/v1/public/satisfaction/{token}")
    return render(request, "satisfaction/confirm.html", {
        "survey": survey, "token": token, "score": score, "score_label": SATISFACTION_SCORE_LABELS[score]},
        headers={"X-Robots-Tag": "noindex"})


@router.post("/tilfredshed/{token}")
async def survey_answer(request: Request, token: str):
    form = await request.form()
    try:
        score = int(str(form.get("score") or ""))
    except ValueError:
        score = 0
    body: dict = {"score": score}
    if "comment" in form:
        body["comment"] = str(form.get("comment") or "")[:2000]
    api = _public_api(request)
    if score not in SATISFACTION_SCORE_LABELS:
        survey = await api.get("crm", f"/api/v1/public/satisfaction/{token}")
        return render(request, "satisfaction/survey.html", {
            "survey": survey, "token": token, "saved": False, "choices": _choices(),
            "values": {"score": None, "comment": body.get("comment", "")},
            "errors": {"score": "Vælg hvor tilfredse I er (1-5)."}}, status_code=422)
    await api.post("crm", f"/api/v1/public/satisfaction/{token}", body)
    return RedirectResponse(f"/tilfredshed/{token}?gemt=1", status_code=303)


# -- the manager's dashboard section -------------------------------------------------------------

def _trend_spec(months: list[dict]) -> dict:
    return {"type": "line", "options": {"scales": {"y": {"beginAtZero": True, "max": 100,
                                                         "title": {"display": True, "text": "% tilfredse"}}}},
            "data": {"labels": [maaned(m["month"]) for m in months],
                     "datasets": [{"label": "Tilfredse (4-5) i procent af svarene",
                                   "data": [None if m["satisfied_share"] is None else round(m["satisfied_share"] * 100, 1)
                                            for m in months], "spanGaps": True}]}}


@router.get("/leder/tilfredshed")
async def manager_section(request: Request, user: Manager):
    period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
    prev = period.previous
    api = api_for(request, user)
    now, before = await gather(
        api.get("crm", REPORT, **{"from": period.start.isoformat(), "to": period.end.isoformat()}),
        api.get_or_none("crm", REPORT, **{"from": prev.start.isoformat(), "to": prev.end.isoformat()}),
    )
    return render(request, "manager/satisfaction.html", {
        "nav": "leder", "r": now, "before": before, "period": period, "prev": prev,
        "spec": json.dumps(_trend_spec(now.get("by_month", [])), ensure_ascii=False),
        "labels": SATISFACTION_SCORE_LABELS, "comments": (now.get("comments") or [])[:10],
        "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}",
        "fragment": request.headers.get("hx-request") == "true"})


@router.get("/leder/tilfredshed.csv")
async def manager_csv(request: Request, user: Manager):
    period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
    res = await api_for(request, user).request("GET", "crm", REPORT, params={
        "from": period.start.isoformat(), "to": period.end.isoformat()}, headers={"Accept": "text/csv"})
    name = f"tilfredshed_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    return Response(res.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- the company page's section ------------------------------------------------------------------

@router.get("/virksomheder/{company_id}/tilfredshed")
async def company_section(request: Request, user: Staff, company_id: int):
    data = await api_for(request, user).get("crm", f"/api/v1/companies/{company_id}/satisfaction", limit=20)
    return render(request, "consultant/company_satisfaction.html", {
        "nav": "virksomheder", "s": data, "company_id": company_id, "labels": SATISFACTION_SCORE_LABELS,
        "fragment": request.headers.get("hx-request") == "true"})

"""Company centres (virksomhedscentre) for the consultant: free places now and in the next weeks,
the candidates matching ranks for a centre's free places, and reserving a place for a candidate.

A reservation is a placement on the centre's place (crm checks the place is free for the whole
period and runs the scheme rules); a form that fails comes back with each message next to its
field and what was typed kept.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from services.web import forms
from services.web.api import ApiError, gather
from services.web.consultant.orders import HIRE_LABELS, api_field_errors, hire_errors
from services.web.rendering import flash, render
from services.web.session import Staff, WebUser, api_for
from shared.glossary import SCHEME_LABELS, TARGET_GROUP_LABELS, Scheme, TargetGroup
from shared.settings import get_settings

router = APIRouter(prefix="/virksomhedscentre")

RESERVE_FIELDS = {"candidate_ref", "scheme", "target_group", "starts_on", "ends_on", "candidate_birth_year",
                  "hours_per_week", "override_reason"}
RESERVE_LABELS = {"candidate_ref": "Kandidatens reference", "scheme": "Ordning",
                  **{k: v for k, v in HIRE_LABELS.items() if k in RESERVE_FIELDS}}
MATCH_LIMIT = 5


def reserve_errors(exc: ApiError) -> tuple[dict[str, str], str | None]:
    """crm's refusal next to the field it concerns; a broken scheme rule says it can be overridden."""
    if exc.body.get("breaches"):
        return hire_errors(exc, RESERVE_FIELDS)
    return api_field_errors(exc, RESERVE_LABELS)


@router.get("")
async def centres(request: Request, user: Staff):
    api = api_for(request, user)
    weeks = get_settings().centre_availability_weeks
    result = await api.get("crm", "/api/v1/centres", active_on=date.today().isoformat(), limit=100)
    items = result.get("items", [])
    free = await gather(*(api.get("crm", f"/api/v1/centres/{c['id']}/availability", weeks=weeks) for c in items))
    return render(request, "consultant/centres.html", {
        "nav": "centre", "centres": list(zip(items, free, strict=True)), "weeks": weeks})


async def ranked_for_places(api, centre: dict) -> dict[str, list[dict]]:
    """Candidates matching ranks for each scheme with a free place (its standing vacancies); a
    matching service that is down leaves the panel out, not the page."""
    vacancies = await api.get_or_none("matching", "/api/v1/vacancies", centre_id=centre["id"], standing="true",
                                      status="aaben", limit=20)
    if not vacancies:
        return {}
    items = [v for v in vacancies.get("items", []) if v.get("centre_id") == centre["id"]]
    ranked = await gather(*(api.get_or_none("matching", f"/api/v1/vacancies/{v['id']}/matches", limit=MATCH_LIMIT)
                            for v in items))
    return {v["scheme"]: (r or {}).get("items", []) for v, r in zip(items, ranked, strict=True)}


async def centre_context(request: Request, user: WebUser, centre_id: int) -> dict:
    api = api_for(request, user)
    weeks = get_settings().centre_availability_weeks
    centre, free, placements = await gather(
        api.get("crm", f"/api/v1/centres/{centre_id}"),
        api.get("crm", f"/api/v1/centres/{centre_id}/availability", weeks=weeks),
        api.get("crm", "/api/v1/placements", centre_id=centre_id, limit=100),
    )
    today = date.today().isoformat()
    current = [p for p in placements.get("items", []) if not p.get("ends_on") or p["ends_on"] >= today]
    groups = centre.get("target_groups") or [g.value for g in TargetGroup]
    schemes = [p["scheme"] for p in centre.get("places", [])]
    next_monday = date.today() + timedelta(days=7 - date.today().weekday())
    return {
        "nav": "centre", "centre": centre, "free": free, "placements": current,
        "ranked": await ranked_for_places(api, centre),
        "scheme_options": [(s, SCHEME_LABELS[Scheme(s)]) for s in schemes],
        "group_options": [(g, TARGET_GROUP_LABELS[TargetGroup(g)]) for g in groups],
        "values": {"scheme": schemes[0] if schemes else "", "starts_on": next_monday.isoformat(),
                   "ends_on": (next_monday + timedelta(weeks=4) - timedelta(days=1)).isoformat(),
                   **({"candidate_ref": request.query_params["kandidat"][:64]}
                      if request.query_params.get("kandidat") else {}),
                   **({"scheme": request.query_params["ordning"]}
                      if request.query_params.get("ordning") in schemes else {})},
        "errors": {}, "top": None,
    }


@router.get("/{centre_id}")
async def centre_page(request: Request, user: Staff, centre_id: int):
    return render(request, "consultant/centre.html", await centre_context(request, user, centre_id))


def reservation_payload(form: FormData, errors: dict[str, str]) -> dict:
    payload = {
        "candidate_ref": forms.text(form, "candidate_ref"),
        "scheme": forms.text(form, "scheme"),
        "target_group": forms.text(form, "target_group"),
        "starts_on": forms.as_date(form, "starts_on", errors, "Startdato", required=True),
        "ends_on": forms.as_date(form, "ends_on", errors, "Slutdato", required=True),
        "candidate_birth_year": forms.as_int(form, "candidate_birth_year", errors, "Fødselsår"),
        "hours_per_week": forms.as_float(form, "hours_per_week", errors, "Timer pr. uge"),
        "override_reason": forms.optional(form, "override_reason"),
    }
    if not payload["candidate_ref"]:
        errors["candidate_ref"] = "Skriv kandidatens reference."
    if not payload["target_group"]:
        errors["target_group"] = "Vælg kandidatens målgruppe."
    return {k: v for k, v in payload.items() if v not in (None, "")}


@router.post("/{centre_id}/reserver")
async def reserve(request: Request, user: Staff, centre_id: int):
    form = await request.form()
    errors: dict[str, str] = {}
    payload = reservation_payload(form, errors)
    top = None
    if not errors:
        try:
            placement = await api_for(request, user).post("crm", f"/api/v1/centres/{centre_id}/reservations", payload)
        except ApiError as exc:
            if exc.status == 404:
                raise
            errors, top = reserve_errors(exc)
            if not errors and not top:
                top = exc.detail
        else:
            scheme = SCHEME_LABELS.get(Scheme(placement["scheme"]), placement["scheme"]).lower()
            flash(request, f"Pladsen er reserveret: {placement['candidate_ref']} i {scheme} "
                           f"{date.fromisoformat(placement['starts_on']):%d.%m.%Y} – "
                           f"{date.fromisoformat(placement['ends_on']):%d.%m.%Y}.")
            return RedirectResponse(f"/virksomhedscentre/{centre_id}", status_code=303)
    ctx = await centre_context(request, user, centre_id)
    ctx.update(values=forms.values_of(form), errors=errors, top=top)
    return render(request, "consultant/centre.html", ctx, 422)

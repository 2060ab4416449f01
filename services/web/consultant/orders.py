"""Orders for the consultant: the list, and an order with its ranked candidates and proposals.

Candidates come from `matching` (ranked, each with its explanation); proposing and hiring go to
crm, where hiring creates the placement and moves the order's status in one transaction.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError, ServiceDown, gather
from services.web.rendering import flash, render
from services.web.session import Staff, api_for
from shared.glossary import ORDER_STATUS_LABELS, OrderStatus

router = APIRouter(prefix="/ordrer")

MATCH_LIMIT = 10


@router.get("")
async def orders(request: Request, user: Staff, status: str = "aabne", q: str = "", offset: int = 0):
    params = {"limit": 50, "offset": max(offset, 0), "q": q.strip()[:100] or None}
    if status == "aabne":
        params["open"] = "true"
    elif status in OrderStatus.__members__:
        params["status"] = status
    result = await api_for(request, user).get("crm", "/api/v1/orders", **params)
    return render(request, "consultant/orders.html", {
        "nav": "ordrer", "result": result, "status": status, "q": q, "offset": offset,
        "statuses": [("aabne", "Åbne"), *((s.value, lbl) for s, lbl in ORDER_STATUS_LABELS.items()), ("alle", "Alle")],
    })


async def ranked_candidates(api, order_id: int) -> tuple[list[dict] | None, str | None]:
    """The matching service's ranking for the order's vacancy, or why it cannot be shown."""
    try:
        vacancies = await api.get("matching", "/api/v1/vacancies", order_id=order_id, limit=1)
        items = vacancies.get("items", []) if isinstance(vacancies, dict) else vacancies
        if not items:
            return None, "Ordren er endnu ikke klar til matchning (den behandles lige efter modtagelsen)."
        result = await api.get("matching", f"/api/v1/vacancies/{items[0]['id']}/matches", limit=MATCH_LIMIT)
    except ServiceDown:
        return None, "Matchningen svarer ikke lige nu. Prøv igen om lidt."
    except ApiError as exc:
        return None, exc.detail
    if isinstance(result, dict):
        rows = result.get("items") or result.get("matches") or result.get("ranking") or []
    else:
        rows = result or []
    return [normalise_match(r) for r in rows], None


def normalise_match(row: dict) -> dict:
    """One ranked candidate as the page shows it: reference, score and explanation lines."""
    candidate = row.get("candidate") if isinstance(row.get("candidate"), dict) else {}
    ref = row.get("candidate_ref") or candidate.get("ref") or candidate.get("candidate_ref") or row.get("ref")
    explanation = row.get("explanation") or row.get("why") or []
    lines: list[str] = []
    if isinstance(explanation, str):
        lines = [explanation]
    elif isinstance(explanation, list):
        lines = [str(x) for x in explanation]
    elif isinstance(explanation, dict):
        for key in ("summary", "text", "lines"):
            value = explanation.get(key)
            if isinstance(value, str):
                lines.append(value)
            elif isinstance(value, list):
                lines.extend(str(v) for v in value)
        shared, missing = explanation.get("shared_skills"), explanation.get("missing_skills")
        if shared:
            lines.append("Fælles kompetencer: " + ", ".join(map(str, shared)))
        if missing:
            lines.append("Mangler: " + ", ".join(map(str, missing)))
    return {"ref": ref, "score": row.get("score"), "lines": lines, "raw": row}


@router.get("/{order_id}")
async def order_page(request: Request, user: Staff, order_id: int):
    api = api_for(request, user)
    order, proposals = await gather(
        api.get("crm", f"/api/v1/orders/{order_id}"),
        api.get("crm", f"/api/v1/orders/{order_id}/proposals", limit=100),
    )
    matches, match_problem = await ranked_candidates(api, order_id)
    proposed = {p["candidate_ref"] for p in proposals.get("items", [])}
    return render(request, "consultant/order.html", {
        "nav": "ordrer", "order": order, "proposals": proposals.get("items", []), "matches": matches,
        "match_problem": match_problem, "proposed": proposed,
        "open": order["status"] in ("modtaget", "i_gang", "delvist_besat"), "today": date.today(),
    })


@router.post("/{order_id}/forslag")
async def propose(request: Request, user: Staff, order_id: int):
    form = await request.form()
    ref = forms.text(form, "candidate_ref")
    if not ref:
        flash(request, "Skriv kandidatens reference.", error=True)
        return RedirectResponse(f"/ordrer/{order_id}", status_code=303)
    try:
        await api_for(request, user).post("crm", f"/api/v1/orders/{order_id}/proposals", {"candidate_ref": ref})
    except ApiError as exc:
        flash(request, f"Kandidat {ref} blev ikke foreslået: {exc.detail}", error=True)
    else:
        flash(request, f"Kandidat {ref} er foreslået til virksomheden.")
    return RedirectResponse(f"/ordrer/{order_id}#forslag", status_code=303)


@router.post("/{order_id}/forslag/{proposal_id}")
async def decide(request: Request, user: Staff, order_id: int, proposal_id: int):
    form = await request.form()
    status = forms.text(form, "status")
    payload: dict = {"status": status}
    errors: dict[str, str] = {}
    if status == "ansat":
        payload["starts_on"] = forms.as_date(form, "starts_on", errors, "Startdato") or date.today().isoformat()
    try:
        if errors:
            raise ApiError(422, "; ".join(errors.values()))
        await api_for(request, user).patch("crm", f"/api/v1/orders/{order_id}/proposals/{proposal_id}", payload)
    except ApiError as exc:
        flash(request, f"Ændringen blev ikke gemt: {exc.detail}", error=True)
    else:
        flash(request, "Kandidaten er ansat, og placeringen er oprettet." if status == "ansat"
              else "Forslaget er opdateret.")
    return RedirectResponse(f"/ordrer/{order_id}#forslag", status_code=303)

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
from shared.glossary import ORDER_STATUS_LABELS, TARGET_GROUP_LABELS, OrderStatus

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


async def ranked_candidates(api, order: dict) -> tuple[list[dict] | None, str | None, str | None]:
    """The matching service's ranking for the order: (candidates, why none can be shown, a note).

    The order's own vacancy (made by matching from the order.received event) is used when matching
    can find it by order id; otherwise the order's text is ranked ad hoc with the same engine.
    """
    try:
        vacancies = await api.get("matching", "/api/v1/vacancies", order_id=order["id"], limit=1)
        items = [v for v in vacancies.get("items", []) if v.get("order_id") == order["id"]]
        if items:
            result = await api.get("matching", f"/api/v1/vacancies/{items[0]['id']}/matches", limit=MATCH_LIMIT)
        else:
            result = await api.post("matching", "/api/v1/match", {k: v for k, v in {
                "title": order["title"], "text": order.get("description") or order["title"],
                "scheme": order["scheme"], "hours_per_week": order.get("hours_per_week"),
                "postcode": order.get("postcode"), "limit": MATCH_LIMIT}.items() if v is not None})
    except ServiceDown:
        return None, "Matchningen svarer ikke lige nu. Prøv igen om lidt.", None
    except ApiError as exc:
        return None, exc.detail, None
    if not isinstance(result, dict):
        return None, "Matchningen gav et svar, siden ikke kan læse.", None
    rows = result.get("items") or []
    if not rows and result.get("message"):
        return [], result["message"], None
    return [normalise_match(r) for r in rows], None, result.get("note")


def normalise_match(row: dict) -> dict:
    """One ranked candidate as the page shows it: reference, score and explanation lines."""
    ex = row.get("explanation") if isinstance(row.get("explanation"), dict) else {}
    lines: list[str] = []
    if ex.get("resume"):
        lines.append(str(ex["resume"])[:1].upper() + str(ex["resume"])[1:] + ".")
    occupation = ex.get("stilling")
    if isinstance(occupation, dict) and occupation.get("kandidat"):
        lines.append(f"Erfaring: {occupation['kandidat']} ({occupation.get('match', '')}).")
    if ex.get("fælles_kompetencer"):
        lines.append("Har de væsentlige kompetencer: " + ", ".join(map(str, ex["fælles_kompetencer"])) + ".")
    if ex.get("manglende_kompetencer"):
        lines.append("Mangler: " + ", ".join(map(str, ex["manglende_kompetencer"])) + ".")
    reasons = [r.get("begrundelse") for r in ex.get("hvorfor_berettiget") or [] if isinstance(r, dict)
               and r.get("begrundelse")]
    if reasons:
        lines.append("Kan ansættes i ordningen: " + "; ".join(map(str, reasons)) + ".")
    if ex.get("afstand_km") is not None:
        lines.append(f"Bor {round(float(ex['afstand_km']))} km fra arbejdsstedet.")
    return {"ref": row.get("candidate_ref"), "score": row.get("score"), "lines": lines}


@router.get("/{order_id}")
async def order_page(request: Request, user: Staff, order_id: int):
    api = api_for(request, user)
    order, proposals = await gather(
        api.get("crm", f"/api/v1/orders/{order_id}"),
        api.get("crm", f"/api/v1/orders/{order_id}/proposals", limit=100),
    )
    matches, match_problem, match_note = await ranked_candidates(api, order)
    proposed = {p["candidate_ref"] for p in proposals.get("items", [])}
    return render(request, "consultant/order.html", {
        "nav": "ordrer", "order": order, "proposals": proposals.get("items", []), "matches": matches,
        "match_problem": match_problem, "match_note": match_note, "proposed": proposed,
        "open": order["status"] in ("modtaget", "i_gang", "delvist_besat"), "today": date.today(),
        "target_groups": list(TARGET_GROUP_LABELS.items()),
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
        for name, value in (("target_group", forms.optional(form, "target_group")),
                            ("ends_on", forms.as_date(form, "ends_on", errors, "Slutdato")),
                            ("override_reason", forms.optional(form, "override_reason")),
                            ("candidate_municipality_code",
                             forms.as_int(form, "candidate_municipality_code", errors, "Bopælskommune")),
                            ("candidate_birth_year", forms.as_int(form, "candidate_birth_year", errors, "Fødselsår"))):
            if value is not None:
                payload[name] = value
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

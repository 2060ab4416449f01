"""The recruitment cooperation in the web front (issue 15, docs/cooperation.md).

- /samarbejde: the orders partner jobcentres shared with us, marked with the ordering jobcentre;
  one of them with our consenting job seekers ranked for it (with the commute) and our proposals.
- On our own order page (a partial loaded by htmx, `partials/cooperation_order.html`): share the
  order with the cooperation, and the partners' proposals beside the local ones, hire or reject.
- On the manager dashboard (`partials/cooperation_dashboard.html`): the cooperation per partner
  and month, with CSV.
- /samarbejde/partnere: the admin's list of partner jobcentres, add and remove.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError, ServiceDown
from services.web.consultant.orders import normalise_match
from services.web.rendering import flash, render
from services.web.session import Manager, Staff, WebUser, api_for, require
from shared.csv_response import csv_response
from shared.glossary import Role

router = APIRouter(prefix="/samarbejde")
Admin = Annotated[WebUser, Depends(require(Role.admin))]
CLOSED = ("besat", "annulleret", "udloebet", "trukket_tilbage")


@router.get("")
async def received_orders(request: Request, user: Staff):
    orders = await api_for(request, user).get("crm", "/api/v1/cooperation/orders")
    return render(request, "consultant/cooperation_orders.html", {"nav": "ordrer", "orders": orders,
                                                                  "closed": CLOSED})


@router.get("/uddrag")
async def received_excerpt(request: Request, user: Staff):
    """The open shared orders, shown on the consultant's order list (loaded into it by htmx)."""
    orders = await api_for(request, user).get("crm", "/api/v1/cooperation/orders", open="true")
    return render(request, "partials/cooperation_orders_excerpt.html", {"orders": orders})


@router.get("/ordrer/{received_id}")
async def received_order(request: Request, user: Staff, received_id: int):
    api = api_for(request, user)
    order = await api.get("crm", f"/api/v1/cooperation/orders/{received_id}")
    proposals = await api.get("crm", f"/api/v1/cooperation/orders/{received_id}/proposals")
    matches, problem = [], None
    try:
        found = await api.get("matching", "/api/v1/vacancies", shared_order_id=received_id, limit=1)
        if found.get("items"):
            result = await api.get("matching", f"/api/v1/vacancies/{found['items'][0]['id']}/matches", limit=10)
            for row in result.get("items") or []:
                m = normalise_match(row)
                commute = (row.get("explanation") or {}).get("pendling")
                if commute:
                    m["lines"].append(commute[:1].upper() + commute[1:] + ".")
                matches.append(m)
            if not matches:
                problem = result.get("message") or "Ingen af jobcentrets jobsøgere med samtykke opfylder ordrens krav."
        else:
            problem = "Matchningen har ikke fået ordren endnu; prøv igen om lidt."
    except ServiceDown:
        problem = "Matchningen svarer ikke lige nu. Prøv igen om lidt."
    except ApiError as exc:
        problem = exc.detail
    return render(request, "consultant/cooperation_order.html", {
        "nav": "ordrer", "order": order, "proposals": proposals, "matches": matches, "match_problem": problem,
        "proposed": {p["candidate_ref"]: p["status"] for p in proposals if p.get("candidate_ref")},
        "open": order["status"] not in CLOSED})


@router.post("/ordrer/{received_id}/foreslaa")
async def propose(request: Request, user: Staff, received_id: int):
    form = await request.form()
    ref = forms.text(form, "candidate_ref")
    try:
        await api_for(request, user).post("crm", f"/api/v1/cooperation/orders/{received_id}/proposals",
                                          {"candidate_ref": ref})
        flash(request, f"Kandidat {ref} er foreslået til det andet jobcenter (som et pseudonym).")
    except ApiError as exc:
        flash(request, exc.detail, error=True)
    return RedirectResponse(f"/samarbejde/ordrer/{received_id}", status_code=303)


# -- our own order -----------------------------------------------------------------------------------

@router.get("/ordre/{order_id}")
async def order_part(request: Request, user: Staff, order_id: int):
    api = api_for(request, user)
    partners = await api.get("crm", "/api/v1/cooperation/partners")
    state = await api.get("crm", f"/api/v1/orders/{order_id}/cooperation")
    proposals = await api.get("crm", f"/api/v1/orders/{order_id}/partner-proposals")
    return render(request, "partials/cooperation_order.html", {
        "order_id": order_id, "partners": [p for p in partners if not p.get("removed_at")],
        "state": state, "proposals": proposals})


@router.post("/ordre/{order_id}/del")
async def share(request: Request, user: Staff, order_id: int):
    try:
        await api_for(request, user).post("crm", f"/api/v1/orders/{order_id}/cooperation")
        flash(request, "Ordren er delt med rekrutteringssamarbejdet.")
    except ApiError as exc:
        flash(request, exc.detail, error=True)
    return RedirectResponse(f"/ordrer/{order_id}#samarbejde", status_code=303)


@router.post("/ordre/{order_id}/forslag/{proposal_id}")
async def decide(request: Request, user: Staff, order_id: int, proposal_id: int):
    form = await request.form()
    status = forms.text(form, "status")
    try:
        await api_for(request, user).post("crm", f"/api/v1/cooperation/partner-proposals/{proposal_id}/outcome",
                                          {"status": status})
        flash(request, "Udfaldet er registreret og sendt til det foreslående jobcenter.")
    except ApiError as exc:
        flash(request, exc.detail, error=True)
    return RedirectResponse(f"/ordrer/{order_id}#samarbejde", status_code=303)


# -- the manager's figures ---------------------------------------------------------------------------

@router.get("/tal")
async def figures(request: Request, user: Manager):
    params = {k: v for k in ("from", "to") if (v := request.query_params.get(k))}
    stats = await api_for(request, user).get("crm", "/api/v1/cooperation/stats", **params)
    return render(request, "partials/cooperation_figures.html", {"stats": stats, "params": params})


@router.get("/tal.csv")
async def figures_csv(request: Request, user: Manager):
    params = {k: v for k in ("from", "to") if (v := request.query_params.get(k))}
    rows = (await api_for(request, user).get("crm", "/api/v1/cooperation/stats", **params))["rows"]
    return csv_response(rows, ["partner", "municipality_code", "month", "orders_shared", "orders_received",
                               "proposals_sent", "proposals_received", "hires_received", "hires_sent"],
                        "rekrutteringssamarbejde.csv")


# -- partners (admin) --------------------------------------------------------------------------------

@router.get("/partnere")
async def partners(request: Request, user: Admin):
    api = api_for(request, user)
    listed = await api.get("crm", "/api/v1/cooperation/partners")
    me = await api.get("crm", "/api/v1/cooperation/public-key")
    return render(request, "consultant/cooperation_partners.html", {"nav": "ordrer", "partners": listed, "me": me})


@router.post("/partnere")
async def add_partner(request: Request, user: Admin):
    form = await request.form()
    body = {"name": forms.text(form, "name"), "municipality_code": forms.text(form, "municipality_code"),
            "base_url": forms.text(form, "base_url"), "public_key": forms.text(form, "public_key")}
    try:
        await api_for(request, user).post("crm", "/api/v1/cooperation/partners", body)
        flash(request, f"{body['name']} er tilføjet som samarbejdspartner.")
    except ApiError as exc:
        flash(request, exc.detail, error=True)
    return RedirectResponse("/samarbejde/partnere", status_code=303)


@router.post("/partnere/{partner_id}/fjern")
async def remove_partner(request: Request, user: Admin, partner_id: int):
    await api_for(request, user).delete("crm", f"/api/v1/cooperation/partners/{partner_id}")
    flash(request, "Partneren er fjernet; dens beskeder afvises fra nu af.")
    return RedirectResponse("/samarbejde/partnere", status_code=303)

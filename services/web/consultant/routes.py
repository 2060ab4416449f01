"""The consultant's pages: log a contact fast, "Min dag", companies, orders, campaigns."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError, gather
from services.web.consultant import summary
from services.web.rendering import TZ, flash, form_errors, render
from services.web.session import Staff, api_for
from shared.glossary import CHANNEL_LABELS, PURPOSE_LABELS, Channel

router = APIRouter()

SEARCH_LIMIT = 8
# "Min dag" is a to-do list for one day, not an archive: each list links on to the full one.
MY_DAY_TASKS = 25
MY_DAY_CAMPAIGNS = 5
MY_DAY_TARGETS = 5
MY_DAY_ORDERS = 25


# -- company search (as you type) ------------------------------------------------------------

@router.get("/virksomheder/soeg")
async def company_search(request: Request, user: Staff, q: str = "", mode: str = "link", selected: int | None = None):
    """HTMX partial: matching companies, as links or as radio buttons to pick one for a form."""
    q = q.strip()[:100]
    result = {"items": [], "total": 0}
    if q:
        result = await api_for(request, user).get("crm", "/api/v1/companies", q=q, limit=SEARCH_LIMIT)
    template = "partials/company_pick.html" if mode == "pick" else "partials/company_links.html"
    return render(request, template, {"q": q, "result": result, "selected": selected})


@router.get("/virksomheder")
async def companies(request: Request, user: Staff, q: str = "", offset: int = 0):
    api = api_for(request, user)
    result, unknown_signins = await gather(
        api.get("crm", "/api/v1/companies", q=q.strip()[:100] or None, limit=25, offset=max(offset, 0),
                consultant_id=None if q else user.id),
        api.get_or_none("crm", "/api/v1/signin/unknown-companies"))
    return render(request, "consultant/companies.html",
                  {"nav": "virksomheder", "q": q, "result": result, "offset": offset, "mine": not q,
                   "unknown_signins": unknown_signins or []})


# -- log a visit or call -----------------------------------------------------------------------

async def _activity_form_context(request: Request, user, company_id: int | None, campaign_id: int | None,
                                 target_id: int | None) -> dict:
    api = api_for(request, user)
    company = contacts = None
    if company_id:
        company, contacts = await gather(
            api.get("crm", f"/api/v1/companies/{company_id}"),
            api.get_or_none("crm", f"/api/v1/companies/{company_id}/contacts", limit=100),
        )
    return {
        "nav": "log", "company": company, "contacts": (contacts or {}).get("items", []),
        "campaign_id": campaign_id, "target_id": target_id,
        "channels": list(CHANNEL_LABELS.items()), "purposes": list(PURPOSE_LABELS.items()),
        "quick_dates": forms.quick_dates(), "now_input": forms.local_now_input(),
    }


@router.get("/aktivitet/ny")
async def activity_form(request: Request, user: Staff, company_id: int | None = None, campaign_id: int | None = None,
                        target_id: int | None = None, channel: str | None = None):
    ctx = await _activity_form_context(request, user, company_id, campaign_id, target_id)
    ctx["values"] = {"channel": channel if channel in Channel.__members__ else Channel.besoeg.value,
                     "purposes": ["kampagne"] if campaign_id else [], "occurred_at": ctx["now_input"]}
    return render(request, "consultant/activity_form.html", ctx)


ACTIVITY_FIELDS = {"company_id", "channel", "purposes", "occurred_at", "summary", "follow_up_on", "contact_id",
                   "campaign_id"}


@router.post("/aktivitet/ny")
async def activity_create(request: Request, user: Staff):
    form = await request.form()
    errors: dict[str, str] = {}
    company_id = forms.as_int(form, "company_id", errors, "Virksomhed")
    if company_id is None and "company_id" not in errors:
        errors["company_id"] = "Vælg virksomheden: søg på navn eller CVR-nummer, og vælg den på listen."
    channel = forms.text(form, "channel")
    if not channel:
        errors["channel"] = "Vælg hvordan I var i kontakt."
    purposes = forms.many(form, "purposes")
    if not purposes:
        errors["purposes"] = "Vælg mindst ét formål."
    summary_text = forms.text(form, "summary")
    if not summary_text:
        errors["summary"] = "Skriv et kort notat om kontakten."
    occurred_at = forms.as_local_datetime(form, "occurred_at", errors, "Tidspunkt")
    follow_up_on = forms.as_date(form, "follow_up_on", errors, "Opfølgningsdato")
    contact_id = forms.as_int(form, "contact_id", errors, "Kontaktperson")
    campaign_id = forms.as_int(form, "campaign_id", errors, "Kampagne")
    target_id = forms.as_int(form, "target_id", errors, "Kampagnemål")
    top = None
    if not errors:
        payload = {"company_id": company_id, "channel": channel, "purposes": purposes, "occurred_at": occurred_at,
                   "summary": summary_text, "follow_up_on": follow_up_on, "campaign_id": campaign_id,
                   "contact_id": contact_id}
        try:
            await api_for(request, user).post("crm", "/api/v1/activities",
                                              {k: v for k, v in payload.items() if v is not None})
        except ApiError as exc:
            errors, top = form_errors(exc, ACTIVITY_FIELDS)
        else:
            label = CHANNEL_LABELS.get(channel, channel)
            flash(request, f"{label} er registreret" + (f", opfølgning {follow_up_on}." if follow_up_on else "."))
            if campaign_id:
                return RedirectResponse(f"/kampagner/{campaign_id}", status_code=303)
            return RedirectResponse(f"/virksomheder/{company_id}", status_code=303)
    ctx = await _activity_form_context(request, user, company_id if "company_id" not in errors else None,
                                       campaign_id, target_id)
    ctx.update(values=forms.values_of(form, multi=("purposes",)), errors=errors, top=top)
    return render(request, "consultant/activity_form.html", ctx, status_code=422)


# -- company page ---------------------------------------------------------------------------------

@router.get("/virksomheder/{company_id}")
async def company_page(request: Request, user: Staff, company_id: int):
    api = api_for(request, user)
    company, timeline, contacts, partnerships, orders, placements, followups = await gather(
        api.get("crm", f"/api/v1/companies/{company_id}"),
        api.get("crm", f"/api/v1/companies/{company_id}/timeline", limit=40),
        api.get("crm", f"/api/v1/companies/{company_id}/contacts", limit=100),
        api.get_or_none("crm", "/api/v1/partnerships", company_id=company_id, limit=20),
        api.get_or_none("crm", "/api/v1/orders", company_id=company_id, limit=50),
        api.get_or_none("crm", "/api/v1/placements", company_id=company_id, limit=100),
        api.get_or_none("crm", "/api/v1/tasks", company_id=company_id, limit=20),
    )
    prep = summary.prepare_visit(company, timeline, contacts, partnerships, orders, placements, followups)
    return render(request, "consultant/company.html", {
        "nav": "virksomheder", "company": company, "timeline": timeline, "contacts": contacts.get("items", []),
        "prep": prep,
    })


# -- my day ---------------------------------------------------------------------------------------

@router.get("/min-dag")
async def my_day(request: Request, user: Staff):
    api = api_for(request, user)
    today = date.today()
    followups, campaigns, orders = await gather(
        api.get_or_none("crm", "/api/v1/tasks", consultant_id=user.id,
                        due_before=(today + timedelta(days=7)).isoformat(), limit=MY_DAY_TASKS),
        api.get_or_none("crm", "/api/v1/campaigns", active_on=today.isoformat(), limit=MY_DAY_CAMPAIGNS),
        api.get_or_none("crm", "/api/v1/orders", open="true", consultant_id=user.id, limit=MY_DAY_ORDERS),
    )
    targets = None
    if campaigns is not None:
        pages = await gather(*(api.get_or_none("crm", f"/api/v1/campaigns/{c['id']}/targets", consultant_id=user.id,
                                               status="planlagt", limit=MY_DAY_TARGETS)
                               for c in campaigns.get("items", [])))
        targets = [{**t, "campaign_name": c["name"], "campaign_total": (page or {}).get("total", 0)}
                   for c, page in zip(campaigns.get("items", []), pages, strict=True)
                   for t in (page or {}).get("items", [])]
    return render(request, "consultant/my_day.html", {
        "nav": "dag", **summary.my_day(today, followups, targets, orders),
    })


@router.post("/opfoelgning/{activity_id}/udfoert")
async def follow_up_done(request: Request, user: Staff, activity_id: int):
    await api_for(request, user).post("crm", f"/api/v1/activities/{activity_id}/follow-up/done")
    flash(request, "Opfølgningen er markeret som udført.")
    return RedirectResponse("/min-dag", status_code=303)


__all__ = ["router", "TZ"]

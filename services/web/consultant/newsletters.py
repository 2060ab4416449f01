"""The newsletter editor: write in Markdown with a live preview, choose who gets it, send or schedule.

Sending belongs to the notifications service (consent, unsubscribe links, no double sends); the
preview here uses the same Markdown and sanitising libraries so what is seen is what is sent.
"""

from __future__ import annotations

from datetime import datetime

import nh3
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from markdown_it import MarkdownIt

from services.web import forms
from services.web.api import ApiError, gather
from services.web.rendering import TZ, flash, form_errors, render
from services.web.session import Staff, api_for
from shared.glossary import SECTOR_LABELS

router = APIRouter(prefix="/nyhedsbreve")
_md = MarkdownIt("commonmark", {"html": False, "linkify": False})

SEGMENTS = [
    ("all_consenting", "Alle kontaktpersoner med samtykke"),
    ("partners", "Partnervirksomheder"),
    ("sector", "En sektor"),
    ("industry", "En branche"),
    ("campaign", "En kampagnes målgruppe"),
]
NEWSLETTER_FIELDS = {"subject", "body_markdown", "segment", "sector", "industry_code", "campaign_id", "at"}


def preview_html(markdown: str) -> str:
    return nh3.clean(_md.render(markdown or ""))


def _segment(form, errors: dict[str, str]) -> dict:
    kind = forms.text(form, "segment") or "all_consenting"
    segment: dict = {"kind": kind}
    if kind == "sector":
        if not forms.text(form, "sector"):
            errors["sector"] = "Vælg sektoren."
        segment["sector"] = forms.text(form, "sector")
    elif kind == "industry":
        if not forms.text(form, "industry_code"):
            errors["industry_code"] = "Skriv branchekoden (DB07), fx 47 eller 471100."
        segment["industry_code"] = forms.text(form, "industry_code")
    elif kind == "campaign":
        segment["campaign_id"] = forms.as_int(form, "campaign_id", errors, "Kampagne", required=True)
    return segment


async def _context(request: Request, user) -> dict:
    campaigns = await api_for(request, user).get_or_none("crm", "/api/v1/campaigns", limit=50)
    return {"nav": "nyhedsbreve", "segments": SEGMENTS, "sectors": list(SECTOR_LABELS.items()),
            "campaigns": [(c["id"], c["name"]) for c in (campaigns or {}).get("items", [])]}


@router.get("")
async def newsletters(request: Request, user: Staff):
    result = await api_for(request, user).get_or_none("notifications", "/api/v1/newsletters", limit=50)
    return render(request, "consultant/newsletters.html", {"nav": "nyhedsbreve", "result": result})


@router.get("/ny")
async def editor(request: Request, user: Staff):
    ctx = await _context(request, user)
    ctx["values"] = {"segment": "all_consenting"}
    return render(request, "consultant/newsletter_form.html", ctx)


@router.post("/forhaandsvisning")
async def preview(request: Request, user: Staff):
    form = await request.form()
    return render(request, "partials/newsletter_preview.html",
                  {"subject": forms.text(form, "subject"), "html": preview_html(forms.text(form, "body_markdown"))})


@router.post("/ny")
async def create(request: Request, user: Staff):
    form = await request.form()
    errors: dict[str, str] = {}
    subject, body = forms.text(form, "subject"), forms.text(form, "body_markdown")
    if not subject:
        errors["subject"] = "Skriv en emnelinje."
    if not body:
        errors["body_markdown"] = "Skriv nyhedsbrevets tekst."
    segment = _segment(form, errors)
    top = None
    if not errors:
        try:
            created = await api_for(request, user).post("notifications", "/api/v1/newsletters",
                                                        {"subject": subject, "body_markdown": body, "segment": segment})
        except ApiError as exc:
            errors, top = form_errors(exc, NEWSLETTER_FIELDS)
        else:
            flash(request, "Nyhedsbrevet er gemt som kladde. Se det igennem, og send eller planlæg det.")
            return RedirectResponse(f"/nyhedsbreve/{created['id']}", status_code=303)
    ctx = await _context(request, user)
    ctx.update(values=forms.values_of(form), errors=errors, top=top, preview=preview_html(body))
    return render(request, "consultant/newsletter_form.html", ctx, status_code=422)


async def _newsletter_context(request: Request, user, newsletter_id: int) -> dict:
    api = api_for(request, user)
    item, official = await gather(
        api.get("notifications", f"/api/v1/newsletters/{newsletter_id}"),
        api.get_or_none("notifications", f"/api/v1/newsletters/{newsletter_id}/preview"),
    )
    # The notifications service's own rendering is what recipients get; the local one is a fallback.
    html = nh3.clean(official["html"]) if official and official.get("html") else preview_html(item.get("body_markdown", ""))
    return {"nav": "nyhedsbreve", "item": item, "html": html, "segments": dict(SEGMENTS),
            "recipients": official.get("recipients") if official else None,
            "segment_label": official.get("segment_label") if official else None}


@router.get("/{newsletter_id}")
async def newsletter(request: Request, user: Staff, newsletter_id: int):
    return render(request, "consultant/newsletter.html", await _newsletter_context(request, user, newsletter_id))


@router.post("/{newsletter_id}/test")
async def send_test(request: Request, user: Staff, newsletter_id: int):
    try:
        await api_for(request, user).post("notifications", f"/api/v1/newsletters/{newsletter_id}/test", {})
    except ApiError as exc:
        flash(request, f"Testen blev ikke sendt: {exc.detail}", error=True)
    else:
        flash(request, f"En testudgave er sendt til {user.email}.")
    return RedirectResponse(f"/nyhedsbreve/{newsletter_id}", status_code=303)


@router.post("/{newsletter_id}/send")
async def send(request: Request, user: Staff, newsletter_id: int):
    form = await request.form()
    errors: dict[str, str] = {}
    at = None
    if forms.text(form, "when") == "later":
        raw = forms.text(form, "at")
        try:
            at = datetime.fromisoformat(raw).replace(tzinfo=TZ).isoformat() if raw else None
        except ValueError:
            at = None
        if not at:
            errors["at"] = "Vælg dato og klokkeslæt for afsendelsen."
    if not errors:
        try:
            await api_for(request, user).post("notifications", f"/api/v1/newsletters/{newsletter_id}/send",
                                              {"at": at} if at else {})
        except ApiError as exc:
            errors = {"at": exc.detail}
        else:
            flash(request, "Nyhedsbrevet er planlagt." if at else "Nyhedsbrevet sendes nu.")
            return RedirectResponse(f"/nyhedsbreve/{newsletter_id}", status_code=303)
    ctx = await _newsletter_context(request, user, newsletter_id)
    ctx.update(errors=errors, values=forms.values_of(form))
    return render(request, "consultant/newsletter.html", ctx, status_code=422)

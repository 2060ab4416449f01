"""Campaign worklists: each target company with its status, one click to log the contact."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError
from services.web.rendering import flash, render
from services.web.session import Staff, api_for
from shared.glossary import CAMPAIGN_TARGET_LABELS, CampaignTargetStatus

router = APIRouter(prefix="/kampagner")


@router.get("")
async def campaigns(request: Request, user: Staff, alle: int = 0):
    params = {"limit": 50} if alle else {"limit": 50, "active_on": date.today().isoformat()}
    result = await api_for(request, user).get("crm", "/api/v1/campaigns", **params)
    return render(request, "consultant/campaigns.html", {"nav": "kampagner", "result": result, "alle": alle})


@router.get("/{campaign_id}")
async def worklist(request: Request, user: Staff, campaign_id: int, status: str = "", mine: int = 1, q: str = "",
                   offset: int = 0):
    api = api_for(request, user)
    campaign = await api.get("crm", f"/api/v1/campaigns/{campaign_id}")
    targets = await api.get("crm", f"/api/v1/campaigns/{campaign_id}/targets",
                            status=status if status in CampaignTargetStatus.__members__ else None,
                            consultant_id=user.id if mine else None, q=q.strip()[:100] or None,
                            limit=50, offset=max(offset, 0))
    return render(request, "consultant/campaign.html", {
        "nav": "kampagner", "campaign": campaign, "targets": targets, "status": status, "mine": mine, "q": q,
        "offset": offset, "statuses": list(CAMPAIGN_TARGET_LABELS.items()),
    })


@router.post("/{campaign_id}/maal/{target_id}")
async def set_target_status(request: Request, user: Staff, campaign_id: int, target_id: int):
    form = await request.form()
    status = forms.text(form, "status")
    try:
        await api_for(request, user).patch("crm", f"/api/v1/campaigns/{campaign_id}/targets/{target_id}",
                                           {"status": status})
    except ApiError as exc:
        flash(request, f"Status blev ikke ændret: {exc.detail}", error=True)
    else:
        flash(request, "Status er ændret.")
    back = forms.text(form, "back") or f"/kampagner/{campaign_id}"
    return RedirectResponse(back if back.startswith("/kampagner/") else f"/kampagner/{campaign_id}", status_code=303)

"""The order page's job-ad panel: publish the order as an open job ad, edit it, or withdraw it.

crm keeps the ad and its rules (an open order, a town, no CPR number); a form that fails comes back on
the order page with each message next to its field and what was typed kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError
from services.web.consultant.job_ad_form import FIELDS, LABELS
from services.web.consultant.orders import api_field_errors, order_context
from services.web.rendering import flash, render
from services.web.session import Staff, api_for

router = APIRouter(prefix="/ordrer")

@router.post("/{order_id}/jobopslag")
async def publish(request: Request, user: Staff, order_id: int):
    form = await request.form()
    body = {api: forms.text(form, name) for api, name in FIELDS.items()}
    body["name_company"] = forms.text(form, "ad_name_company") == "1"
    try:
        res = await api_for(request, user).post("crm", f"/api/v1/orders/{order_id}/job-ad", body)
    except ApiError as exc:
        errors, top = api_field_errors(exc, LABELS)
        ctx = await order_context(request, user, order_id)
        ctx["job_ad_form"] = {"values": forms.values_of(form), "top": top,
                              "errors": {FIELDS[k]: v for k, v in errors.items()}}
        return render(request, "consultant/order.html", ctx, exc.status if exc.status in (404, 409, 422) else 422)
    flash(request, f"Jobopslaget er gemt og vises offentligt som job nr. {res['id']}.")
    return RedirectResponse(f"/ordrer/{order_id}#jobopslag", status_code=303)


@router.post("/{order_id}/jobopslag/tilbage")
async def withdraw(request: Request, user: Staff, order_id: int):
    await api_for(request, user).delete("crm", f"/api/v1/orders/{order_id}/job-ad")
    flash(request, "Jobopslaget er trukket tilbage og vises ikke længere offentligt.")
    return RedirectResponse(f"/ordrer/{order_id}#jobopslag", status_code=303)

"""A consultant creates a company (issue 13): from the companies page, or from a row of the list of
unknown CVRs that tried to sign in with MitID Erhverv, pre-filled with that CVR and name.

crm validates (the CVR's check digit, a CVR already known, the postcode); its Danish messages come
back next to the fields, with what was typed kept. Once the company exists, crm's list of unknown
sign-ins leaves its CVR out, and the company's people get the portal the next time they sign in.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from services.web import forms
from services.web.api import ApiError
from services.web.consultant.orders import api_field_errors
from services.web.rendering import flash, render
from services.web.session import Staff, WebUser, api_for
from shared.glossary import SECTOR_LABELS

router = APIRouter()

LABELS = {"cvr": "CVR-nummer", "name": "Navn", "sector": "Sektor", "postcode": "Postnummer",
          "address": "Adresse", "municipality_code": "Kommunekode", "industry_code": "Branchekode",
          "employees": "Antal ansatte", "consultant_id": "Konsulent"}
REQUIRED = ("cvr", "name", "sector", "postcode")


def _context(user: WebUser, values: dict, errors: dict[str, str] | None = None, top: str | None = None,
             existing: dict | None = None, from_signin: bool = False) -> dict:
    return {"nav": "virksomheder", "values": values, "errors": errors or {}, "top": top, "existing": existing,
            "from_signin": from_signin, "sector_options": [(k.value, v) for k, v in SECTOR_LABELS.items()]}


@router.get("/virksomheder/ny")
async def company_form(request: Request, user: Staff, cvr: str = "", navn: str = ""):
    # The unknown-sign-in row links here with the CVR and the name MitID Erhverv sent.
    values = {"cvr": cvr.strip()[:20], "name": navn.strip()[:200], "mine": "ja"}
    return render(request, "consultant/company_form.html", _context(user, values, from_signin=bool(cvr)))


def _payload(form: FormData, user: WebUser, errors: dict[str, str]) -> dict:
    payload = {
        # CVR numbers are often written "1234 5678": crm wants the eight digits.
        "cvr": "".join(forms.text(form, "cvr").split()),
        "name": forms.text(form, "name"),
        "sector": forms.text(form, "sector"),
        "postcode": forms.text(form, "postcode"),
        "address": forms.optional(form, "address"),
        "industry_code": forms.optional(form, "industry_code"),
        "employees": forms.as_int(form, "employees", errors, LABELS["employees"], minimum=0),
        "municipality_code": forms.as_int(form, "municipality_code", errors, LABELS["municipality_code"]),
        "consultant_id": user.id if forms.text(form, "mine") else None,
    }
    for name in REQUIRED:
        if not payload[name]:
            errors[name] = "Vælg virksomhedens sektor." if name == "sector" else f"{LABELS[name]} skal udfyldes."
    return {k: v for k, v in payload.items() if v is not None}


@router.post("/virksomheder/ny")
async def company_create(request: Request, user: Staff):
    form = await request.form()
    errors: dict[str, str] = {}
    payload = _payload(form, user, errors)
    top = existing = None
    if not errors:
        try:
            company = await api_for(request, user).post("crm", "/api/v1/companies", payload)
        except ApiError as exc:
            errors, top = api_field_errors(exc, LABELS)
            # A CVR crm already knows: the consultant is offered the company that has it.
            found = exc.body.get("existing")
            existing = found if exc.status == 409 and isinstance(found, dict) and found.get("id") else None
        else:
            flash(request, f"{company['name']} er oprettet. Virksomhedens medarbejdere kan nu logge ind med "
                           "MitID Erhverv.")
            return RedirectResponse(f"/virksomheder/{company['id']}", status_code=303)
    ctx = _context(user, forms.values_of(form), errors, top, existing,
                   from_signin=forms.text(form, "from_signin") == "1")
    return render(request, "consultant/company_form.html", ctx, status_code=422)


__all__ = ["router"]

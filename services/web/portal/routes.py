"""The company's portal (hotline portal): order recruitment, follow the order, contacts, consent.

A company user's token is bound to its own company, so every crm answer here is already limited
to that company; CVs and candidate data never reach these pages.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.web import forms
from services.web.api import ApiError, gather
from services.web.rendering import flash, form_errors, render
from services.web.session import CompanyUser, Forbidden, api_for
from shared.glossary import SCHEME_EXPLANATIONS, SCHEME_LABELS, ConsentMethod, Scheme

router = APIRouter(prefix="/portal")

# Schemes a company can order; nytteindsats and skånejob are arranged by the jobcentre itself.
PORTAL_SCHEMES = (Scheme.ordinaer, Scheme.virksomhedspraktik, Scheme.loentilskud, Scheme.igu, Scheme.fleksjob,
                  Scheme.voksenlaerling)

FIELD_HELP = {
    "title": "Jobtitlen, som I ville skrive den i et stillingsopslag, fx \"Lagermedarbejder\" eller \"Social- og sundhedshjælper\".",
    "description": "Opgaver, arbejdstider, krav (kørekort, sprog, certifikater) og hvad I tilbyder. Jo mere, jo bedre kandidater.",
    "scheme": "Vælg den form for ansættelse, I ønsker. Er I i tvivl, så vælg ordinær ansættelse; jobcentret kontakter jer.",
    "positions": "Hvor mange personer I vil ansætte til denne stilling.",
    "hours_per_week": "Det ugentlige timetal. Fuld tid er 37 timer. Ved fleksjob kan det være få timer.",
    "postcode": "Postnummeret hvor arbejdet foregår. Vi finder kandidater, der kan nå frem.",
    "deadline": "Hvornår I senest ønsker kandidater. Lad feltet stå tomt, hvis det ikke haster.",
    "contact_id": "Hvem jobcentret skal kontakte om ordren.",
}
ORDER_FIELDS = set(FIELD_HELP)


def _company_id(user) -> int:
    if user.company_id is None:
        raise Forbidden()
    return user.company_id


@router.get("")
async def overview(request: Request, user: CompanyUser):
    api = api_for(request, user)
    company_id = _company_id(user)
    company, orders, contacts = await gather(
        api.get("crm", f"/api/v1/companies/{company_id}"),
        api.get_or_none("crm", "/api/v1/orders", limit=100),
        api.get("crm", f"/api/v1/companies/{company_id}/contacts", limit=100),
    )
    return render(request, "portal/overview.html", {"nav": "portal", "company": company,
                                                    "orders": (orders or {}).get("items", []),
                                                    "orders_known": orders is not None,
                                                    "contacts": contacts.get("items", [])})


def _payload(form) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    payload = {
        "title": forms.text(form, "title"),
        "description": forms.text(form, "description"),
        "scheme": forms.text(form, "scheme") or None,
        "positions": forms.as_int(form, "positions", errors, "Antal stillinger", required=True, minimum=1),
        "hours_per_week": forms.as_float(form, "hours_per_week", errors, "Timer pr. uge"),
        "postcode": forms.text(form, "postcode"),
        "deadline": forms.as_date(form, "deadline", errors, "Frist"),
        "contact_id": forms.as_int(form, "contact_id", errors, "Kontaktperson"),
        "received_via": "portal",
    }
    if not payload["title"]:
        errors["title"] = "Skriv en jobtitel."
    if not payload["scheme"]:
        errors["scheme"] = "Vælg ansættelsesform."
    if not payload["postcode"]:
        errors["postcode"] = "Skriv postnummeret for arbejdsstedet."
    return payload, errors


async def check_order(request: Request, user, payload: dict, errors: dict[str, str]) -> dict[str, str]:
    """crm's own order rules (same schema, same Danish messages), asked of crm without saving."""
    try:
        await api_for(request, user).post("crm", "/api/v1/orders/validate",
                                          {k: v for k, v in payload.items() if v not in (None, "") and k not in errors})
    except ApiError as exc:
        found, top = form_errors(exc, ORDER_FIELDS)
        for name, message in found.items():
            if name not in errors:
                errors[name] = message[:1].upper() + message[1:]
    if payload.get("deadline") and "deadline" not in errors and payload["deadline"] < date.today().isoformat():
        errors["deadline"] = "Fristen ligger i fortiden."
    return errors


async def _form_context(request: Request, user) -> dict:
    api = api_for(request, user)
    company_id = _company_id(user)
    company, contacts = await gather(
        api.get("crm", f"/api/v1/companies/{company_id}"),
        api.get("crm", f"/api/v1/companies/{company_id}/contacts", limit=100),
    )
    return {"nav": "ny-ordre", "company": company, "contacts": contacts.get("items", []), "help": FIELD_HELP,
            "schemes": [(s.value, SCHEME_LABELS[s], SCHEME_EXPLANATIONS[s]) for s in PORTAL_SCHEMES]}


@router.get("/ordrer/ny")
async def order_form(request: Request, user: CompanyUser):
    ctx = await _form_context(request, user)
    ctx["values"] = {"positions": "1", "postcode": ctx["company"].get("postcode", ""), "scheme": "ordinaer"}
    return render(request, "portal/order_form.html", ctx)


@router.post("/ordrer/valider")
async def order_validate(request: Request, user: CompanyUser):
    """HTMX: check the form as the company fills it in; answers each field's message out of band."""
    form = await request.form()
    payload, errors = _payload(form)
    errors = await check_order(request, user, payload, errors)
    touched = set(forms.many(form, "touched")) | {k for k in ORDER_FIELDS if forms.text(form, k)}
    return render(request, "portal/order_errors.html",
                  {"errors": {k: v for k, v in errors.items() if k in touched}, "fields": sorted(ORDER_FIELDS)})


@router.post("/ordrer/ny")
async def order_create(request: Request, user: CompanyUser):
    form = await request.form()
    payload, errors = _payload(form)
    errors = await check_order(request, user, payload, errors)
    top = None
    if not errors:
        try:
            order = await api_for(request, user).post("crm", "/api/v1/orders",
                                                      {k: v for k, v in payload.items() if v not in (None, "")})
        except ApiError as exc:
            errors, top = form_errors(exc, ORDER_FIELDS)
        else:
            return RedirectResponse(f"/portal/ordrer/{order['id']}?kvittering=1", status_code=303)
    ctx = await _form_context(request, user)
    ctx.update(values=forms.values_of(form), errors=errors, top=top)
    return render(request, "portal/order_form.html", ctx, status_code=422)


@router.get("/ordrer/{order_id}")
async def order_page(request: Request, user: CompanyUser, order_id: int, kvittering: int = 0):
    api = api_for(request, user)
    order = await api.get("crm", f"/api/v1/orders/{order_id}")
    if order.get("company_id") != _company_id(user):
        raise ApiError(404, f"Ordre {order_id} findes ikke.")
    return render(request, "portal/order.html", {"nav": "portal", "order": order, "receipt": bool(kvittering),
                                                 "explanation": SCHEME_EXPLANATIONS.get(order.get("scheme"))})


# -- contacts and newsletter consent --------------------------------------------------------------

CONTACT_FIELDS = {"name", "email", "phone", "title", "newsletter_consent"}


def _contact_payload(form) -> dict:
    return {
        "name": forms.text(form, "name"),
        "email": forms.optional(form, "email"),
        "phone": forms.optional(form, "phone"),
        "title": forms.optional(form, "title"),
        "newsletter_consent": form.get("newsletter_consent") == "1",
    }


async def _contacts_page(request: Request, user, *, values=None, errors=None, top=None, editing=None,
                         status_code=200):
    company_id = _company_id(user)
    contacts = await api_for(request, user).get("crm", f"/api/v1/companies/{company_id}/contacts", limit=100)
    return render(request, "portal/contacts.html", {
        "nav": "kontakter", "contacts": contacts.get("items", []), "values": values or {}, "errors": errors or {},
        "top": top, "editing": editing}, status_code=status_code)


@router.get("/kontakter")
async def contacts(request: Request, user: CompanyUser, ret: int | None = None):
    return await _contacts_page(request, user, editing=ret)


@router.post("/kontakter")
async def contact_create(request: Request, user: CompanyUser):
    form = await request.form()
    payload = _contact_payload(form)
    errors: dict[str, str] = {}
    if not payload["name"]:
        errors["name"] = "Skriv kontaktpersonens navn."
    if payload["newsletter_consent"] and not payload["email"]:
        errors["email"] = "Nyhedsbrevet sendes på e-mail: skriv en e-mailadresse."
    top = None
    if not errors:
        payload["consent_method"] = ConsentMethod.portal.value if payload["newsletter_consent"] else None
        try:
            await api_for(request, user).post("crm", f"/api/v1/companies/{_company_id(user)}/contacts",
                                              {k: v for k, v in payload.items() if v is not None})
        except ApiError as exc:
            errors, top = form_errors(exc, CONTACT_FIELDS)
        else:
            flash(request, f"{payload['name']} er tilføjet.")
            return RedirectResponse("/portal/kontakter", status_code=303)
    return await _contacts_page(request, user, values=forms.values_of(form), errors=errors, top=top,
                                status_code=422)


@router.post("/kontakter/{contact_id}")
async def contact_update(request: Request, user: CompanyUser, contact_id: int):
    form = await request.form()
    payload = _contact_payload(form)
    errors: dict[str, str] = {}
    if not payload["name"]:
        errors["name"] = "Navnet kan ikke være tomt."
    if payload["newsletter_consent"] and not payload["email"]:
        errors["email"] = "Nyhedsbrevet sendes på e-mail: skriv en e-mailadresse."
    top = None
    if not errors:
        if payload["newsletter_consent"]:
            payload["consent_method"] = ConsentMethod.portal.value
        try:
            await api_for(request, user).patch("crm", f"/api/v1/companies/{_company_id(user)}/contacts/{contact_id}",
                                               payload)
        except ApiError as exc:
            if exc.status == 404:
                raise
            errors, top = form_errors(exc, CONTACT_FIELDS)
        else:
            flash(request, f"Ændringerne for {payload['name']} er gemt.")
            return RedirectResponse("/portal/kontakter", status_code=303)
    values = {f"{contact_id}": forms.values_of(form)}
    return await _contacts_page(request, user, values=values, errors={f"{contact_id}": errors}, top=top,
                                editing=contact_id, status_code=422)


@router.post("/kontakter/{contact_id}/slet")
async def contact_delete(request: Request, user: CompanyUser, contact_id: int):
    await api_for(request, user).delete("crm", f"/api/v1/companies/{_company_id(user)}/contacts/{contact_id}")
    flash(request, "Kontaktpersonen er slettet.")
    return RedirectResponse("/portal/kontakter", status_code=303)

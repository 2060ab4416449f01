"""Orders for the consultant: the list, and an order with its ranked candidates, shortlist and proposals.

Candidates come from `matching` (ranked, each with its explanation). A consultant puts the ones worth
a closer look on the order's shortlist (kortliste, kept in crm, so every consultant and every
replica sees the same list), proposes from it, and marks a proposed candidate hired or rejected;
crm takes a proposed candidate off the shortlist, and hiring creates the placement and moves the
order's status in one transaction. A form that fails comes back with each message next to its field
and what was typed kept.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from services.web import forms
from services.web.api import ApiError, ServiceDown, gather
from services.web.consultant import job_ad_form
from services.web.rendering import flash, render
from services.web.session import Staff, WebUser, api_for
from shared.glossary import ORDER_STATUS_LABELS, TARGET_GROUP_LABELS, OrderStatus, Scheme
from shared.validators import clean_candidate_ref

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


async def ranked_candidates(api, order: dict, search: str | None = None) -> tuple[list[dict] | None, str | None, str | None, int | None,
                                                     dict | None]:
    """The matching service's ranking for the order: (candidates, why none can be shown, a note,
    the ranking record matching kept of what is shown: the forms send it on with what is done,
    how matching read the order: its ESCO occupations and essential skills, for the consultant to check).

    The order's own vacancy (made by matching from the order.received event) is used when matching
    can find it by order id; otherwise the order's text is ranked ad hoc with the same engine.
    """
    try:
        vacancies = await api.get("matching", "/api/v1/vacancies", order_id=order["id"], limit=1)
        items = [v for v in vacancies.get("items", []) if v.get("order_id") == order["id"]]
        vacancy, choices = (items[0] if items else None), None
        if vacancy is not None:
            result, choices = await gather(
                api.get("matching", f"/api/v1/vacancies/{vacancy['id']}/matches", limit=MATCH_LIMIT),
                api.get_or_none("matching", f"/api/v1/vacancies/{vacancy['id']}/occupation-choices",
                                **({"q": search} if search else {})))
        else:
            result = await api.post("matching", "/api/v1/match", {k: v for k, v in {
                "title": order["title"], "text": order.get("description") or order["title"],
                "scheme": order["scheme"], "hours_per_week": order.get("hours_per_week"),
                "postcode": order.get("postcode"), "limit": MATCH_LIMIT}.items() if v is not None})
    except ServiceDown:
        return None, "Matchningen svarer ikke lige nu. Prøv igen om lidt.", None, None, None
    except ApiError as exc:
        return None, exc.detail, None, None, None
    if not isinstance(result, dict):
        return None, "Matchningen gav et svar, siden ikke kan læse.", None, None, None
    rows = result.get("items") or []
    record_id = result.get("ranking_record_id") if isinstance(result.get("ranking_record_id"), int) else None
    read_as = _read_as(result)
    if read_as is not None and vacancy is not None and isinstance(choices, list):
        read_as["correction"] = {"vacancy_id": vacancy["id"], "chosen": vacancy.get("occupation_uri"), "search": search,
                                 "choices": [(c["uri"], c["label"]) for c in choices
                                             if isinstance(c, dict) and c.get("uri") and c.get("label")]}
    if not rows and result.get("message"):
        return [], result["message"], None, record_id, read_as
    return [normalise_match(r) for r in rows], None, result.get("note"), record_id, read_as


READ_AS_SKILLS = 6


def _read_as(result: dict) -> dict | None:
    occupations = [o["label"] for o in result.get("occupations") or []
                   if isinstance(o, dict) and isinstance(o.get("label"), str)]
    skills = [s for s in result.get("essential_skills") or [] if isinstance(s, str)]
    if not occupations:
        return None
    return {"occupations": occupations, "skills": skills[:READ_AS_SKILLS],
            "more_skills": max(len(skills) - READ_AS_SKILLS, 0), "chosen": result.get("occupation_chosen") is True,
            "correction": None}


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


# What the hire form sends, with the label shown next to each field (for messages that lack one).
HIRE_LABELS = {
    "starts_on": "Startdato", "ends_on": "Slutdato", "target_group": "Målgruppe", "hours_per_week": "Timer pr. uge",
    "candidate_municipality_code": "Bopælskommune", "candidate_birth_year": "Fødselsår",
    "override_reason": "Begrundelse", "decided_on": "Afgørelsesdato",
}
PROPOSE_LABELS = {"candidate_ref": "Kandidatens reference", "proposed_on": "Forslagsdato", "reason": "Begrundelse"}
# Which hire field a broken scheme rule concerns (crm's rule names, shared/rules/book.py).
RULE_FIELDS = {"max_varighed": "ends_on", "igu_sidste_start": "starts_on", "igu_alder": "candidate_birth_year"}
OPEN_STATUSES = ("modtaget", "i_gang", "delvist_besat")


def _sentence(name: str, label: str, message: str) -> str:
    """A crm message as a sentence next to its field: "må højst være 37" becomes "Timer pr. uge må højst være 37."."""
    message = message.strip().rstrip(".")
    if f"{name}: " in message:  # "Ansættelsen kan ikke oprettes — ends_on: …": the field says which
        message = message.split(f"{name}: ", 1)[1]
        message = message[:1].upper() + message[1:]
    if message[:1].islower():
        message = f"{label} {message}"
    return message + "."


def api_field_errors(exc: ApiError, labels: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """crm's answer split into messages next to the form's fields (`labels`) and one for the whole form."""
    errors = {name: _sentence(name, labels[name], msg) for name, msg in exc.fields.items() if name in labels}
    others = set(exc.fields) - set(labels)
    return errors, (exc.detail if others or not errors else None)


def hire_errors(exc: ApiError, fields: set[str]) -> tuple[dict[str, str], str | None]:
    """As `api_field_errors`, with a broken scheme rule next to the field it concerns.

    The rules (maximum duration, IGU age and last start, the ratio rule) can be set aside with a
    reason: when the form has that field, the message says so next to it.
    """
    breaches = [b for b in exc.body.get("breaches") or [] if isinstance(b, dict)]
    if not breaches:
        return api_field_errors(exc, {k: v for k, v in HIRE_LABELS.items() if k in fields})
    errors: dict[str, str] = {}
    for breach in breaches:
        name = RULE_FIELDS.get(str(breach.get("rule")), "override_reason")
        name = name if name in fields else "override_reason"
        errors[name] = f"{errors.get(name, '')} {str(breach.get('message', '')).strip()}".strip()
    if "override_reason" not in fields:
        return {k: v for k, v in errors.items() if k in fields}, exc.detail
    note = "Reglerne kan kun fraviges med en begrundelse på mindst 10 tegn."
    errors["override_reason"] = f"{errors.get('override_reason', '')} {note}".strip()
    return errors, None


async def order_context(request: Request, user: WebUser, order_id: int) -> dict:
    """Everything the order page shows: the order, its proposals, its shortlist and the ranking."""
    api = api_for(request, user)
    order, proposals, shortlist, job_ad = await gather(
        api.get("crm", f"/api/v1/orders/{order_id}"),
        api.get("crm", f"/api/v1/orders/{order_id}/proposals", limit=100),
        api.get("crm", f"/api/v1/orders/{order_id}/shortlist", limit=100),
        api.get_or_none("crm", f"/api/v1/orders/{order_id}/job-ad"),  # 404: no ad yet
    )
    search = (request.query_params.get("stilling") or "").strip()[:100] or None
    matches, match_problem, match_note, record_id, read_as = await ranked_candidates(api, order, search)
    items = proposals.get("items", [])
    return {
        "nav": "ordrer", "order": order, "proposals": items, "shortlist": shortlist.get("items", []),
        "matches": matches, "match_problem": match_problem, "match_note": match_note,
        "ranking_record_id": record_id, "read_as": read_as,
        "proposed": {p["candidate_ref"]: p["status"] for p in items},
        "shortlisted": {e["candidate_ref"] for e in shortlist.get("items", [])},
        "open": order["status"] in OPEN_STATUSES, "today": date.today(),
        "target_groups": list(TARGET_GROUP_LABELS.items()),
        # a form that came back with errors: which one, what was typed, and the messages
        "hire": {"id": None, "values": {}, "errors": {}, "top": None},
        "propose": {"values": {}, "errors": {}, "top": None},
        "candidate_errors": {},
        "job_ad": job_ad, "job_ad_form": job_ad_form.initial(job_ad, order),
    }


def _status_of(exc: ApiError) -> int:
    return exc.status if exc.status in (404, 409, 422) else 422


@router.get("/{order_id}")
async def order_page(request: Request, user: Staff, order_id: int):
    return render(request, "consultant/order.html", await order_context(request, user, order_id))


@router.post("/{order_id}/stilling")
async def choose_occupation(request: Request, user: Staff, order_id: int):
    """The consultant's correction of how matching read the order (matching keeps and audits it)."""
    form = await request.form()
    vacancy_id = forms.text(form, "vacancy_id")
    uri = forms.text(form, "occupation_uri") or None
    if not vacancy_id.isdigit():
        flash(request, "Stillingen blev ikke ændret: siden var forældet. Prøv igen.")
        return RedirectResponse(f"/ordrer/{order_id}#m-h", status_code=303)
    api = api_for(request, user)
    if (await api.get("matching", f"/api/v1/vacancies/{vacancy_id}")).get("order_id") != order_id:
        raise ApiError(404, "Stillingen hører ikke til denne ordre.")
    vacancy = await api.put("matching", f"/api/v1/vacancies/{vacancy_id}/occupation", {"uri": uri})
    read = ", ".join(o["label"] for o in vacancy.get("occupations") or [])
    flash(request, f"Matchningen læser nu ordren som {read}, som du har valgt. Kandidaterne er rangeret igen."
          if uri else f"Matchningen læser igen selv ordrens titel: {read}. Kandidaterne er rangeret igen.")
    return RedirectResponse(f"/ordrer/{order_id}#m-h", status_code=303)


@router.post("/{order_id}/kortliste")
async def shortlist_add(request: Request, user: Staff, order_id: int):
    form = await request.form()
    ref = forms.text(form, "candidate_ref")
    try:
        if not ref:
            raise ApiError(422, "Kandidatens reference mangler.")
        await api_for(request, user).post("crm", f"/api/v1/orders/{order_id}/shortlist", {
            "candidate_ref": ref, **_record_of(form)})
    except ApiError as exc:
        ctx = await order_context(request, user, order_id)
        ctx["candidate_errors"] = {ref: f"{ref} blev ikke sat på kortlisten: {exc.fields.get('candidate_ref') or exc.detail}"}
        return render(request, "consultant/order.html", ctx, _status_of(exc))
    flash(request, f"Kandidat {ref} står på kortlisten.")
    return RedirectResponse(f"/ordrer/{order_id}#kortliste", status_code=303)


@router.post("/{order_id}/kortliste/fjern")
async def shortlist_remove(request: Request, user: Staff, order_id: int):
    form = await request.form()
    ref = forms.text(form, "candidate_ref")
    try:
        await api_for(request, user).delete("crm", f"/api/v1/orders/{order_id}/shortlist/{quote(ref, safe='')}")
    except ApiError as exc:
        if exc.status != 404 or "candidate_ref" not in exc.fields:
            raise
        # another consultant took the candidate off (or proposed them) a moment ago: the result is the same
    flash(request, f"Kandidat {ref} er taget af kortlisten.")
    return RedirectResponse(f"/ordrer/{order_id}#kortliste", status_code=303)


@router.post("/{order_id}/forslag")
async def propose(request: Request, user: Staff, order_id: int):
    form = await request.form()
    ref = forms.text(form, "candidate_ref")
    try:
        clean_candidate_ref(ref)
    except ValueError as exc:
        # A CPR number is refused before it leaves the browser's page, and not written back into it.
        ctx = await order_context(request, user, order_id)
        ctx["propose"] = {"values": {}, "errors": {"candidate_ref": f"{exc}."}, "top": None}
        return render(request, "consultant/order.html", ctx, 422)
    record, reason = _record_of(form), forms.optional(form, "reason")
    missing = await reason_missing(api_for(request, user), record.get("ranking_record_id"), ref, reason)
    try:
        if missing:
            raise ApiError(422, missing, {"reason": missing})
        await api_for(request, user).post("crm", f"/api/v1/orders/{order_id}/proposals", {
            "candidate_ref": ref, **record, **({"reason": reason} if reason else {})})
    except ApiError as exc:
        errors, top = api_field_errors(exc, PROPOSE_LABELS)
        ctx = await order_context(request, user, order_id)
        ctx["propose"] = {"values": {"candidate_ref": ref, "reason": reason}, "errors": errors, "top": top}
        return render(request, "consultant/order.html", ctx, _status_of(exc))
    flash(request, f"Kandidat {ref} er foreslået til virksomheden.")
    return RedirectResponse(f"/ordrer/{order_id}#forslag", status_code=303)


MIN_REASON = 10


def _record_of(form: FormData) -> dict:
    """The ranking record the page showed (matching's id), for crm's `ranking.action` event."""
    raw = forms.text(form, "ranking_record_id")
    return {"ranking_record_id": int(raw)} if raw.isdigit() and int(raw) > 0 else {}


async def reason_missing(api, record_id: int | None, ref: str, reason: str | None) -> str | None:
    """A candidate proposed from outside the ranking's top-N needs the consultant's reason (EU AI
    Act art. 14: the consultant may override the ranking, and says why). Where the candidate stood
    is read from the ranking record, not guessed from the page; when matching cannot say, the
    reason is asked for."""
    if record_id is None or (reason and len(reason) >= MIN_REASON):
        return None
    try:
        where = await api.get("matching", f"/api/v1/ranking-records/{record_id}/rank", candidate_ref=ref)
        if isinstance(where, dict) and where.get("in_top"):
            return None
        top = where.get("top") if isinstance(where, dict) else None
        why = f"{ref} var ikke blandt de {top} bedst egnede i rangeringen" if top else \
            f"{ref} var ikke med i rangeringen"
    except (ApiError, ServiceDown):
        why = "Matchningen kan ikke bekræfte kandidatens plads i rangeringen"
    if reason:
        return f"{why}; begrundelsen skal være på mindst {MIN_REASON} tegn."
    return f"{why}. Skriv kort, hvorfor du foreslår kandidaten."


def hire_payload(form: FormData, errors: dict[str, str]) -> dict:
    """What crm needs to mark a proposal hired; a date or number that cannot be read goes in `errors`."""
    payload: dict = {"status": "ansat",
                     "starts_on": forms.as_date(form, "starts_on", errors, "Startdato") or date.today().isoformat()}
    for name, value in (("target_group", forms.optional(form, "target_group")),
                        ("ends_on", forms.as_date(form, "ends_on", errors, "Slutdato")),
                        ("override_reason", forms.optional(form, "override_reason")),
                        ("candidate_municipality_code",
                         forms.as_int(form, "candidate_municipality_code", errors, "Bopælskommune")),
                        ("candidate_birth_year", forms.as_int(form, "candidate_birth_year", errors, "Fødselsår"))):
        if value is not None:
            payload[name] = value
    return payload


def hire_fields(scheme: str) -> set[str]:
    """The fields the hire form shows for an order of this scheme (order.html)."""
    fields = {"starts_on", "candidate_municipality_code"}
    if scheme != Scheme.ordinaer:
        fields |= {"ends_on", "target_group", "override_reason"}
    if scheme == Scheme.igu:
        fields.add("candidate_birth_year")
    return fields


@router.post("/{order_id}/forslag/{proposal_id}")
async def decide(request: Request, user: Staff, order_id: int, proposal_id: int):
    form = await request.form()
    status = forms.text(form, "status")
    errors: dict[str, str] = {}
    payload = hire_payload(form, errors) if status == "ansat" else {"status": status}
    top = None
    if not errors:
        try:
            await api_for(request, user).patch("crm", f"/api/v1/orders/{order_id}/proposals/{proposal_id}", payload)
        except ApiError as exc:
            if status != "ansat":
                flash(request, f"Ændringen blev ikke gemt: {exc.detail}", error=True)
                return RedirectResponse(f"/ordrer/{order_id}#forslag", status_code=303)
            ctx = await order_context(request, user, order_id)
            errors, top = hire_errors(exc, hire_fields(ctx["order"]["scheme"]))
            code = _status_of(exc)
        else:
            flash(request, "Kandidaten er ansat, og placeringen er oprettet." if status == "ansat"
                  else "Forslaget er opdateret.")
            return RedirectResponse(f"/ordrer/{order_id}#forslag", status_code=303)
    else:
        ctx = await order_context(request, user, order_id)
        code = 422
    ctx["hire"] = {"id": proposal_id, "values": forms.values_of(form), "errors": errors, "top": top}
    return render(request, "consultant/order.html", ctx, code)

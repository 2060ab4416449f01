"""The manager's oversight of the matching (EU AI Act art. 10, 12, 14): the bias audit over the
rankings consultants were shown, and each ranking record read back as it was kept: who was ranked,
with what score and why, and what the consultant did (with the reason for going outside the top)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.web.api import ApiError, ServiceDown
from services.web.manager.routes import parse_period
from services.web.rendering import render
from services.web.session import Manager, api_for
from shared.csv_response import csv_response
from shared.errors import Invalid
from shared.glossary import SCHEME_LABELS, TARGET_GROUP_LABELS

router = APIRouter(prefix="/leder/rangeringer")

ACTION_LABELS = {"kortliste": "Sat på kortlisten", "foreslaaet": "Foreslået", "ansat": "Ansat", "afvist": "Afvist"}
GROUP_LABELS = {"ordning": {"fleksjob": "Visiteret til fleksjob", "igu": "IGU-grundlag", "ingen": "Ingen ordning"},
                "cv_sprog": {"dansk": "Dansk", "andet": "Andet sprog"},
                "malgruppe": {k.value: v for k, v in TARGET_GROUP_LABELS.items()}}
CSV_COLUMNS = ["dimension", "group", "pool", "pool_share", "top10", "top10_share", "shortlisted", "shortlist_share",
               "proposed", "proposal_share", "exposure_ratio", "flagged", "rankings", "small_sample"]


def _period(request: Request):
    q = request.query_params
    try:
        return parse_period(q.get("from"), q.get("to")), {}
    except Invalid as exc:
        return parse_period(None, None), {exc.field: exc.message}


async def _audit(request: Request, user, period) -> tuple[dict | None, str | None]:
    try:
        return await api_for(request, user).get("matching", "/api/v1/audit/ranking", **{
            "from": period.start.isoformat(), "to": period.end.isoformat()}), None
    except ServiceDown:
        return None, "Matchningen svarer ikke lige nu. Prøv igen om lidt."
    except ApiError as exc:
        return None, exc.detail


@router.get("")
async def audit_page(request: Request, user: Manager):
    period, errors = _period(request)
    result, problem = await _audit(request, user, period)
    return render(request, "manager/ranking_audit.html", {
        "nav": "rangeringer", "result": result, "problem": problem, "errors": errors, "group_labels": GROUP_LABELS,
        "values": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}"})


@router.get(".csv")
async def audit_csv(request: Request, user: Manager):
    period, errors = _period(request)
    if errors:
        raise Invalid(next(iter(errors.values())), field=next(iter(errors)))
    result, problem = await _audit(request, user, period)
    if result is None:
        raise Invalid(problem or "Revisionen kunne ikke hentes.", field="from")
    rows = [{"dimension": d["key"], **g} for d in result["dimensions"] for g in d["groups"]]
    return csv_response(rows, CSV_COLUMNS, f"rangeringsrevision_{period.start.isoformat()}_{period.end.isoformat()}.csv")


@router.get("/liste")
async def records(request: Request, user: Manager, ordre: str = "", kandidat: str = "", offset: int = 0):
    params: dict = {"limit": 50, "offset": max(offset, 0)}
    errors: dict[str, str] = {}
    if ordre.strip():
        if ordre.strip().isdigit():
            params["order_id"] = int(ordre.strip())
        else:
            errors["ordre"] = "Ordrenummeret skal være et tal."
    if kandidat.strip():
        params["candidate_ref"] = kandidat.strip()[:64]
    result, problem = None, None
    if not errors:
        try:
            result = await api_for(request, user).get("matching", "/api/v1/ranking-records", **params)
        except ServiceDown:
            problem = "Matchningen svarer ikke lige nu. Prøv igen om lidt."
        except ApiError as exc:
            if "candidate_ref" in exc.fields:
                errors["kandidat"] = "Kandidatens reference må kun indeholde bogstaver, tal og . _ : -"
            else:
                problem = exc.detail
    return render(request, "manager/ranking_records.html", {
        "nav": "rangeringer", "result": result, "problem": problem, "errors": errors,
        "values": {"ordre": ordre, "kandidat": kandidat}, "action_labels": ACTION_LABELS,
        "scheme_labels": {k.value: v for k, v in SCHEME_LABELS.items()}})


@router.get("/{record_id}")
async def record(request: Request, user: Manager, record_id: int):
    rec = await api_for(request, user).get("matching", f"/api/v1/ranking-records/{record_id}")
    return render(request, "manager/ranking_record.html", {
        "nav": "rangeringer", "rec": rec, "action_labels": ACTION_LABELS, "group_labels": GROUP_LABELS,
        "scheme_labels": {k.value: v for k, v in SCHEME_LABELS.items()}})

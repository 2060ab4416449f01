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
from shared.glossary import (
    MATCH_PART_LABELS,
    MUNICIPALITY_NAMES,
    ROLE_LABELS,
    SCHEME_LABELS,
    TARGET_GROUP_LABELS,
)

router = APIRouter(prefix="/leder/rangeringer")

ACTION_LABELS = {"kortliste": "Sat på kortlisten", "foreslaaet": "Foreslået", "ansat": "Ansat", "afvist": "Afvist"}
# The audit's groups (matching's records/groups.py) are kept as codes; "ukendt" is a group in every dimension.
GROUP_LABELS = {"ordning": {"fleksjob": "Visiteret til fleksjob", "igu": "IGU-grundlag", "ingen": "Ingen ordning"},
                "cv_sprog": {"dansk": "Dansk", "andet": "Andet sprog"},
                "malgruppe": {k.value: v for k, v in TARGET_GROUP_LABELS.items()}}
UNKNOWN_GROUP = "ukendt"
ROLE_NAMES = {k.value: v for k, v in ROLE_LABELS.items()}
# What the consultant chose when the ranking was made (the record's `filters`).
FILTER_LABELS = {"scheme": "Ordning valgt", "limit": "Antal kandidater bedt om", "read_as": "Ordren læst som (ESCO)"}


def group_label(dimension: str, group: str) -> str:
    """An audit group in words: an age band with its unit, a municipality by its name."""
    group = str(group)
    if group == UNKNOWN_GROUP:
        return "Ukendt"
    if dimension == "alder":
        if group.startswith("under "):
            return f"Under {group.removeprefix('under ')} år"
        if group.endswith("+"):
            return f"{group[:-1]} år og derover"
        return f"{group.replace('-', '–')} år"
    if dimension == "kommune":
        code = int(group) if group.isdigit() else None
        return MUNICIPALITY_NAMES.get(code, f"Kommune {group}")
    return GROUP_LABELS.get(dimension, {}).get(group, group)


def filter_value(key: str, value) -> str:
    if key == "scheme":
        return SCHEME_LABELS.get(value, str(value)) if value else "Ordrens egen"
    return "–" if value is None else str(value)


async def _people(request: Request, user, ids) -> dict[int, dict] | None:
    """The users named by id in a record, from crm (matching keeps no names); None when crm does not answer."""
    wanted = sorted({i for i in ids if isinstance(i, int)})
    if not wanted:
        return {}
    found = await api_for(request, user).get_or_none("crm", "/api/v1/users", id=wanted)
    if not isinstance(found, dict):
        return None
    return {u["id"]: u for u in found.get("items") or [] if isinstance(u, dict) and isinstance(u.get("id"), int)}


def person_label(people: dict[int, dict] | None, user_id: int | None, role: str | None = None) -> str:
    """"Mette Kjær (konsulent)": the role kept with the record when there is one, else the user's
    role now; a user crm no longer has is said to be deleted."""
    if user_id is None:
        return "en ukendt bruger"
    if people is None:
        return f"Bruger {user_id}"
    found = people.get(user_id)
    if found is None:
        return f"Bruger {user_id} (slettet)"
    role = role or found.get("role")
    notes = [ROLE_NAMES.get(role, str(role)).lower()] if role else []
    if found.get("is_active") is False:
        notes.append("deaktiveret")
    name = found.get("full_name") or f"Bruger {user_id}"
    return f"{name} ({', '.join(notes)})" if notes else name


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
        "nav": "rangeringer", "result": result, "problem": problem, "errors": errors, "group_label": group_label,
        "dimension_labels": {d.get("key"): d.get("label") for d in (result or {}).get("dimensions") or []},
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
    actions = rec.get("actions") or []
    people = await _people(request, user, [rec.get("user_id"), *(a.get("user_id") for a in actions)])
    return render(request, "manager/ranking_record.html", {
        "nav": "rangeringer", "rec": rec, "action_labels": ACTION_LABELS, "part_labels": MATCH_PART_LABELS,
        "shown_by": person_label(people, rec.get("user_id"), rec.get("role")),
        "acted_by": {a["user_id"]: person_label(people, a["user_id"]) for a in actions if a.get("user_id")},
        "names_missing": people is None,
        "filters": [(FILTER_LABELS.get(k, k), filter_value(k, v)) for k, v in (rec.get("filters") or {}).items()],
        "scheme_labels": {k.value: v for k, v in SCHEME_LABELS.items()}})

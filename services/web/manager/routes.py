"""The manager's dashboard: key figures for a period against the previous one, charts, CSV."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Request

from services.web.api import gather
from services.web.manager import charts
from services.web.manager.charts import CHARTS, Period
from services.web.rendering import render
from services.web.session import Manager, api_for
from shared.csv_response import csv_response
from shared.errors import Invalid

router = APIRouter(prefix="/leder")

DASHBOARD_CHARTS = {
    "aktiviteter": "Aktiviteter pr. måned og kanal",
    "placeringer": "Placeringer pr. måned efter arbejdsgivers sektor og ordning",
    "fleksjob": "Fleksjob: ugentlige timer i forhold til start",
    "igu": "IGU-forløb",
    "verdensmaal": "Aktive partnerskabsaftaler pr. verdensmål",
}

# (key path in /kpi, label, format, which direction is better)
FIGURES = [
    (("orders", "fill_rate"), "Opfyldelsesgrad (besatte stillinger)", "pct", "up"),
    (("orders", "repeat_company_share"), "Genbestillinger (virksomheder med 2+ ordrer)", "pct", "up"),
    (("partnership", "placement_share"), "Partnerskabsandel af virksomhedsrettede forløb", "pct", "up"),
    (("partnership", "recruitment_share"), "Partnerskabsandel af ordinære ansættelser", "pct", "up"),
    (("cooperation_rate",), "Samarbejdsgrad", "pct", "up"),
    (("local_share",), "Lokale kandidater på ordrer", "pct", "up"),
    (("partnership", "active_agreements"), "Aktive partnerskabsaftaler", "tal", "up"),
    (("orders", "companies"), "Virksomheder med ordrer", "tal", "up"),
    (("orders", "positions"), "Stillinger bestilt", "tal", "up"),
    (("orders", "referral_rate"), "Formidlingsgrad", "pct", "up"),
    (("orders", "hire_rate"), "Besættelsesgrad", "pct", "up"),
]


def _dig(data: dict | None, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def parse_period(start: str | None, end: str | None) -> Period:
    today = date.today()
    try:
        s = date.fromisoformat(start) if start else date(today.year, 1, 1)
    except ValueError as exc:
        raise Invalid("Fra-dato skal være en dato (ÅÅÅÅ-MM-DD).", field="from") from exc
    try:
        e = date.fromisoformat(end) if end else today
    except ValueError as exc:
        raise Invalid("Til-dato skal være en dato (ÅÅÅÅ-MM-DD).", field="to") from exc
    if e < s:
        raise Invalid("Til-datoen ligger før fra-datoen.", field="to")
    if (e - s).days > 3 * 366:
        raise Invalid("Vælg en periode på højst tre år.", field="from")
    return Period(s, e)


@router.get("")
async def dashboard(request: Request, user: Manager):
    q = request.query_params
    values = {"from": q.get("from", ""), "to": q.get("to", "")}
    try:
        period = parse_period(q.get("from"), q.get("to"))
    except Invalid as exc:
        period = parse_period(None, None)
        errors = {exc.field: exc.message}
    else:
        errors = {}
    values = {"from": period.start.isoformat(), "to": period.end.isoformat()} if not errors else values
    api = api_for(request, user)
    prev = period.previous
    # The key figures come with the page; each chart follows in its own request (HTMX), so the page
    # answers as soon as crm has counted the figures and a slow report delays only its own chart.
    now_kpi, prev_kpi = await gather(
        api.get("crm", "/api/v1/kpi", **{"from": period.start.isoformat(), "to": period.end.isoformat()}),
        api.get("crm", "/api/v1/kpi", **{"from": prev.start.isoformat(), "to": prev.end.isoformat()}),
    )
    figures = [{"label": label, "fmt": fmt, "better": better, "now": _dig(now_kpi, path),
                "before": _dig(prev_kpi, path)} for path, label, fmt, better in FIGURES]
    activities_now = sum((now_kpi.get("activities") or {}).values())
    activities_before = sum((prev_kpi.get("activities") or {}).values())
    return render(request, "manager/dashboard.html", {
        "nav": "leder", "period": period, "prev": prev, "figures": figures, "values": values, "errors": errors,
        "activities_now": activities_now, "activities_before": activities_before,
        "chart_titles": list(DASHBOARD_CHARTS.items()),
        "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}",
    })


@router.get("/graf/{chart}")
async def chart_fragment(request: Request, user: Manager, chart: str):
    build = CHARTS.get(chart)
    if build is None:
        raise Invalid(f"Der findes ingen graf ved navn '{chart}'.", field="chart")
    period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
    result = await build(api_for(request, user), period)
    template = "manager/chart.html" if request.headers.get("hx-request") == "true" else "manager/chart_page.html"
    return render(request, template, {"nav": "leder", "c": result, "spec": json.dumps(result.spec, ensure_ascii=False),
                                      "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}"})


@router.get("/konsulenter")
async def consultants(request: Request, user: Manager):
    q = request.query_params
    try:
        period = parse_period(q.get("from"), q.get("to"))
        errors = {}
    except Invalid as exc:
        period, errors = parse_period(None, None), {exc.field: exc.message}
    chart = await charts.consultant_activity(api_for(request, user), period)
    return render(request, "manager/consultants.html", {
        "nav": "leder", "period": period, "chart": chart, "spec": json.dumps(chart.spec, ensure_ascii=False),
        "values": {"from": period.start.isoformat(), "to": period.end.isoformat()}, "errors": errors,
        "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}"})


@router.get("/csv/{chart}.csv")
async def chart_csv(request: Request, user: Manager, chart: str):
    build = CHARTS.get(chart)
    if build is None:
        raise Invalid(f"Der findes ingen graf ved navn '{chart}'.", field="chart")
    period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
    result = await build(api_for(request, user), period)
    return csv_response(result.rows, result.columns,
                        f"{result.key}_{period.start.isoformat()}_{period.end.isoformat()}.csv")


__all__ = ["router", "charts"]

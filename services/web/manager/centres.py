"""The manager's view of company centres: occupancy per centre and month (occupied place-days /
available place-days), a panel on the dashboard loaded on its own (HTMX) and as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.web.manager.routes import parse_period
from services.web.rendering import render
from services.web.session import Manager, api_for
from shared.csv_response import csv_response

router = APIRouter(prefix="/leder/virksomhedscentre")

COLUMNS = ["month", "centre_id", "centre_name", "company_id", "company_name", "available_place_days",
           "occupied_place_days", "occupancy"]


async def _report(request: Request, user) -> tuple[dict, object]:
    period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
    report = await api_for(request, user).get("crm", "/api/v1/reports/company-centres",
                                              **{"from": period.start.isoformat(), "to": period.end.isoformat()})
    return report, period


def pivot(report: dict) -> tuple[list[str], list[dict]]:
    """One row per centre, one column per month, and the period's total."""
    months = sorted({r["month"] for r in report.get("rows", [])})
    centres: dict[int, dict] = {}
    for r in report.get("rows", []):
        c = centres.setdefault(r["centre_id"], {"name": r["centre_name"], "company": r["company_name"], "months": {}})
        c["months"][r["month"]] = r["occupancy"]
    for t in report.get("totals", []):
        if t["centre_id"] in centres:
            centres[t["centre_id"]].update(total=t["occupancy"], occupied=t["occupied_place_days"],
                                           available=t["available_place_days"])
    return months, list(centres.values())


@router.get("")
async def occupancy(request: Request, user: Manager):
    report, period = await _report(request, user)
    months, rows = pivot(report)
    template = "manager/centres.html" if request.headers.get("hx-request") == "true" else "manager/centres_page.html"
    return render(request, template, {"nav": "leder", "months": months, "rows": rows, "period": period,
                                      "query": f"from={period.start.isoformat()}&to={period.end.isoformat()}"})


@router.get(".csv")
async def occupancy_csv(request: Request, user: Manager):
    report, period = await _report(request, user)
    return csv_response([*report.get("rows", []), *report.get("totals", [])], COLUMNS,
                        f"virksomhedscentre_{period.start.isoformat()}_{period.end.isoformat()}.csv")

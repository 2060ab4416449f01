from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.crm.deps import SessionDep
from services.crm.kpi import service
from services.crm.kpi.schemas import (
    ActivitiesReport,
    ConsultantActivityReport,
    FleksjobReport,
    IguReport,
    Kpi,
    PlacementsReport,
)
from shared.auth import Staff
from shared.csv_response import csv_response, wants_csv
from shared.glossary import TargetGroup

router = APIRouter(prefix="/api/v1", tags=["figures"])

MonthParam = Annotated[str | None, Query(max_length=20, description="Måned ÅÅÅÅ-MM")]
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, eller CSV med `Accept: text/csv`"}}


@router.get("/kpi", response_model=Kpi, summary="Nøgletal for en periode (begge dage medregnet)", responses=CSV)
def get_kpi(
    request: Request,
    session: SessionDep,
    _: Staff,
    from_: Annotated[date | None, Query(alias="from", description="Første dag; standard 1. januar i år")] = None,
    to: Annotated[date | None, Query(description="Sidste dag; standard i dag")] = None,
):
    figures = service.kpi(session, from_, to)
    if wants_csv(request):
        return csv_response(service.kpi_csv_rows(figures), ["figure", "value"], "noegletal.csv")
    return figures


@router.get("/reports/placements", response_model=PlacementsReport, responses=CSV,
            summary="Placeringer aktive i måneden, pr. sektor og ordning")
def placements_report(
    request: Request,
    session: SessionDep,
    _: Staff,
    from_: Annotated[MonthParam, Query(alias="from")] = None,
    to: MonthParam = None,
    schemes: Annotated[str | None, Query(max_length=300, description="Ordninger, kommasepareret")] = None,
    target_group: TargetGroup | None = None,
):
    report = service.placements_report(session, from_, to, schemes, target_group.value if target_group else None)
    if wants_csv(request):
        return csv_response((r.model_dump() for r in report.rows), ["month", "sector", "scheme", "count"],
                            "placeringer.csv")
    return report


@router.get("/reports/fleksjob-hours", response_model=FleksjobReport, responses=CSV,
            summary="Personer i fleksjob ved månedens udgang: timer op, ned eller uændret siden start")
def fleksjob_report(
    request: Request,
    session: SessionDep,
    _: Staff,
    from_: Annotated[MonthParam, Query(alias="from")] = None,
    to: MonthParam = None,
):
    report = service.fleksjob_report(session, from_, to)
    if wants_csv(request):
        return csv_response((r.model_dump() for r in report.rows), ["month", "op", "ned", "uaendret", "total"],
                            "fleksjob-timer.csv")
    return report


@router.get("/reports/igu", response_model=IguReport, responses=CSV, summary="IGU-forløb: etableret, gennemført, "
            "igangværende og stoppet før tid",
            description="Opgjort på dagen `to`. Et forløb hvis sidste dag er `to` eller tidligere, er afsluttet "
                        "(gennemført eller stoppet før tid); de øvrige er igangværende, så etableret = gennemført "
                        "+ igangværende + stoppet før tid. Stoppede forløb uden årsag tælles som 'uoplyst'.")
def igu_report(
    request: Request,
    session: SessionDep,
    _: Staff,
    to: Annotated[date | None, Query(description="Opgørelsesdag; standard i dag")] = None,
):
    report = service.igu_report(session, to)
    if wants_csv(request):
        return csv_response(service.igu_csv_rows(report), ["figure", "outcome_reason", "count"], "igu.csv")
    return report


@router.get("/reports/activities", response_model=ActivitiesReport, responses=CSV,
            summary="Aktiviteter pr. måned og kanal for et år")
def activities_report(
    request: Request,
    session: SessionDep,
    _: Staff,
    year: Annotated[int | None, Query(description="År, fx 2019; standard i år")] = None,
):
    report = service.activities_report(session, year)
    if wants_csv(request):
        return csv_response((r.model_dump() for r in report.rows), ["month", "channel", "count"], "aktiviteter.csv")
    return report


@router.get("/reports/consultant-activity", response_model=ConsultantActivityReport, responses=CSV,
            summary="Aktiviteter pr. konsulent pr. måned (besøg, opkald, e-mails, møder, arrangementer)",
            description="Alle registrerede aktiviteter, uanset kanal, talt pr. måned (dansk tid) og den konsulent "
                        "der registrerede dem. Aktiviteter uden konsulent står som 'Uden konsulent' med "
                        "`consultant_id` null. Måneder uden aktiviteter udelades.")
def consultant_activity_report(
    request: Request,
    session: SessionDep,
    _: Staff,
    from_: Annotated[MonthParam, Query(alias="from")] = None,
    to: MonthParam = None,
):
    report = service.consultant_activity_report(session, from_, to)
    if wants_csv(request):
        columns = ["month", "consultant_id", "consultant_name", "count"]
        return csv_response((r.model_dump() for r in report.rows), columns, "konsulentaktivitet.csv")
    return report

"""Company centres: agreements and places for staff; free places and reservations for consultants;
occupancy per centre and month as a report (JSON or CSV)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.centres import service
from services.crm.centres.schemas import (
    Availability,
    CentreCreate,
    CentreRead,
    CentreUpdate,
    OccupancyReport,
    ReservationCreate,
)
from services.crm.deps import SessionDep
from services.crm.placements.schemas import PlacementRead
from shared.auth import Staff
from shared.csv_response import csv_response, wants_csv
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1", tags=["company centres"])
Params = Annotated[PageParams, Depends(page_params)]
_CONFLICT = {409: {"description": "Ingen ledig plads, rimelighedskravet eller ordningens regler: `{detail, ...}`"}}
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, eller CSV med `Accept: text/csv`"}}
OCCUPANCY_COLUMNS = ["month", "centre_id", "centre_name", "company_id", "company_name", "available_place_days",
                     "occupied_place_days", "occupancy"]


@router.get("/centres", response_model=Page[CentreRead], summary="Virksomhedscentre med faste pladser")
def list_centres(session: SessionDep, _: Staff, params: Params, company_id: int | None = None,
                 consultant_id: int | None = None,
                 active_on: Annotated[date | None, Query(description="Kun aftaler der gælder denne dag")] = None):
    items, total = service.list_centres(session, params, company_id=company_id, consultant_id=consultant_id,
                                        active_on=active_on)
    return Page(items=items, total=total)


@router.post("/centres", response_model=CentreRead, status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def create_centre(data: CentreCreate, session: SessionDep, principal: Staff):
    return service.create(session, principal, data)


@router.get("/centres/{centre_id}", response_model=CentreRead)
def get_centre(centre_id: int, session: SessionDep, _: Staff):
    return service.read_one(session, service.get(session, centre_id))


@router.patch("/centres/{centre_id}", response_model=CentreRead, responses=_CONFLICT)
def update_centre(centre_id: int, data: CentreUpdate, session: SessionDep, principal: Staff):
    return service.update(session, principal, centre_id, data)


@router.delete("/centres/{centre_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_CONFLICT)
def delete_centre(centre_id: int, session: SessionDep, principal: Staff) -> Response:
    service.remove(session, principal, centre_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/centres/{centre_id}/availability", response_model=Availability, response_model_by_alias=True,
            summary="Ledige pladser pr. ordning og uge")
def centre_availability(
    centre_id: int, session: SessionDep, _: Staff,
    from_: Annotated[date | None, Query(alias="from", description="Ugen med denne dag og frem; standard i dag")] = None,
    weeks: Annotated[int | None, Query(description="Antal uger (1-26); standard CENTRE_AVAILABILITY_WEEKS")] = None,
):
    return service.availability(session, centre_id, from_, weeks)


@router.post("/centres/{centre_id}/reservations", response_model=PlacementRead, status_code=status.HTTP_201_CREATED,
             responses=_CONFLICT, summary="Reservér en fast plads til en kandidat (opretter en placering)")
def reserve_place(centre_id: int, data: ReservationCreate, session: SessionDep, principal: Staff):
    return service.reserve(session, principal, centre_id, data)


@router.get("/reports/company-centres", response_model=OccupancyReport, response_model_by_alias=True,
            responses=CSV, summary="Belægning pr. virksomhedscenter og måned (belagte / tilgængelige pladsdage)")
def company_centres_report(
    request: Request, session: SessionDep, _: Staff,
    from_: Annotated[str | None, Query(alias="from", max_length=10, description="ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM")] = None,
    to: Annotated[str | None, Query(max_length=10, description="ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM; standard i dag")] = None,
):
    report = service.occupancy_report(session, from_, to)
    if wants_csv(request):
        return csv_response((r.model_dump() for r in [*report.rows, *report.totals]), OCCUPANCY_COLUMNS,
                            f"virksomhedscentre_{report.from_.isoformat()}_{report.to.isoformat()}.csv")
    return report

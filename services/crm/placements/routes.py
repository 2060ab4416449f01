"""Placements: staff only (target group and scheme are sensitive; companies never see them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.deps import SessionDep
from services.crm.placements import queries, service
from services.crm.placements.schemas import (
    PLACEMENT_COLUMNS,
    HoursCreate,
    HoursRead,
    PlacementCreate,
    PlacementRead,
    PlacementUpdate,
    RuleCheck,
)
from shared.auth import Staff
from shared.csv_response import csv_response, wants_csv
from shared.glossary import Outcome, Scheme, TargetGroup
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/placements", tags=["placements"])
Params = Annotated[PageParams, Depends(page_params)]

_CONFLICT = {409: {"description": "Regelbrud: `{detail, breaches: [{rule, message, law, figures}]}`"}}


@router.get("", response_model=Page[PlacementRead], summary="Placeringer (læsningen logges)")
def list_placements(
    request: Request,
    session: SessionDep,
    principal: Staff,
    params: Params,
    company_id: int | None = None,
    order_id: int | None = None,
    scheme: Scheme | None = None,
    target_group: TargetGroup | None = None,
    outcome: Outcome | None = None,
    candidate_ref: Annotated[str | None, Query(max_length=64)] = None,
    consultant_id: int | None = None,
    active_on: Annotated[date | None, Query(description="Aktive på denne dag")] = None,
    started_from: date | None = None,
    started_to: date | None = None,
    centre_id: Annotated[int | None, Query(description="Placeringer på virksomhedscentrets faste pladser")] = None,
):
    f = queries.PlacementFilter(company_id, order_id, scheme, target_group, outcome, candidate_ref, consultant_id,
                                active_on, started_from, started_to, centre_id)
    export = wants_csv(request)
    if export:
        params = PageParams(limit=1_000_000, offset=0)
    items, total = service.list_placements(session, principal, f, params, export=export)
    reads = [PlacementRead.model_validate(p) for p in items]
    if export:
        return csv_response((r.model_dump() for r in reads), PLACEMENT_COLUMNS, "placeringer.csv")
    return Page(items=reads, total=total)


@router.post("", response_model=PlacementRead, status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def create_placement(data: PlacementCreate, session: SessionDep, principal: Staff):
    return service.create(session, principal, data)


@router.post("/check", response_model=RuleCheck, summary="Tjek ordningens regler uden at gemme")
def check_placement(data: PlacementCreate, session: SessionDep, _: Staff,
                    placement_id: Annotated[int | None, Query(description="Placeringen der ændres, hvis nogen")] = None):
    breaches = service.check(session, data, exclude_id=placement_id)
    return RuleCheck(ok=not breaches, breaches=[b.as_dict() for b in breaches])


@router.get("/{placement_id}", response_model=PlacementRead)
def get_placement(placement_id: int, session: SessionDep, principal: Staff):
    return service.read(session, principal, placement_id)


@router.patch("/{placement_id}", response_model=PlacementRead, responses=_CONFLICT)
def update_placement(placement_id: int, data: PlacementUpdate, session: SessionDep, principal: Staff):
    return service.update(session, principal, placement_id, data)


@router.delete("/{placement_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_placement(placement_id: int, session: SessionDep, principal: Staff) -> Response:
    service.remove(session, principal, placement_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{placement_id}/hours", response_model=HoursRead, status_code=status.HTTP_201_CREATED,
             summary="Registrér ugentlige timer (fleksjob); samme dato igen retter tallet (200)")
def record_hours(placement_id: int, data: HoursCreate, session: SessionDep, principal: Staff, response: Response):
    row, created = service.record_hours(session, principal, placement_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return row


@router.get("/{placement_id}/hours", response_model=Page[HoursRead])
def list_hours(placement_id: int, session: SessionDep, principal: Staff):
    _, rows = service.list_hours(session, principal, placement_id)
    return Page(items=[HoursRead.model_validate(r) for r in rows], total=len(rows))

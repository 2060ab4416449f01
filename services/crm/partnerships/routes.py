from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.deps import SessionDep
from services.crm.partnerships import service
from services.crm.partnerships.schemas import (
    PartnershipCreate,
    PartnershipRead,
    PartnershipRenew,
    PartnershipUpdate,
)
from shared.auth import CurrentPrincipal, Staff
from shared.csv_response import csv_response, wants_csv
from shared.glossary import PartnershipStatus
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/partnerships", tags=["partnerships"])
Params = Annotated[PageParams, Depends(page_params)]

CSV_COLUMNS = ["id", "company_id", "company_name", "signed_on", "ends_on", "status", "sdg_goals",
               "consultant_id", "contact_id", "renews_id", "renewed_by_id", "note"]


@router.get("", response_model=Page[PartnershipRead], summary="Partnerskabsaftaler")
def list_partnerships(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    params: Params,
    company_id: int | None = None,
    active_on: Annotated[date | None, Query(description="Kun aftaler der gælder på denne dag")] = None,
    goal: Annotated[int | None, Query(ge=1, le=17, description="Kun aftaler med dette verdensmål")] = None,
    consultant_id: int | None = None,
    status_: Annotated[PartnershipStatus | None, Query(alias="status")] = None,
):
    if wants_csv(request):
        params = PageParams(limit=1_000_000, offset=0)
    items, total = service.list_partnerships(session, principal, params, company_id=company_id, active_on=active_on,
                                             goal=goal, consultant_id=consultant_id, status=status_)
    if wants_csv(request):
        rows = ({**i.model_dump(), "sdg_goals": " ".join(str(g) for g in i.sdg_goals)} for i in items)
        return csv_response(rows, CSV_COLUMNS, "partnerskabsaftaler.csv")
    return Page(items=items, total=total)


@router.post("", response_model=PartnershipRead, status_code=status.HTTP_201_CREATED)
def create_partnership(data: PartnershipCreate, session: SessionDep, principal: Staff):
    return service.create_partnership(session, principal, data)


@router.get("/{partnership_id}", response_model=PartnershipRead)
def get_partnership(partnership_id: int, session: SessionDep, principal: CurrentPrincipal):
    return service.read_one(session, service.get_visible(session, principal, partnership_id))


@router.patch("/{partnership_id}", response_model=PartnershipRead)
def update_partnership(partnership_id: int, data: PartnershipUpdate, session: SessionDep, principal: Staff):
    return service.update_partnership(session, principal, partnership_id, data)


@router.delete("/{partnership_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_partnership(partnership_id: int, session: SessionDep, principal: Staff) -> Response:
    service.delete_partnership(session, principal, partnership_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{partnership_id}/renew", response_model=PartnershipRead, status_code=status.HTTP_201_CREATED,
             summary="Forny aftalen: en ny aftale der peger tilbage på den gamle")
def renew_partnership(partnership_id: int, session: SessionDep, principal: Staff,
                      data: PartnershipRenew | None = None):
    return service.renew_partnership(session, principal, partnership_id, data or PartnershipRenew())


@router.get("/{partnership_id}/history", response_model=list[PartnershipRead],
            summary="Aftalen med alle dens fornyelser, ældste først")
def partnership_history(partnership_id: int, session: SessionDep, principal: CurrentPrincipal):
    return service.history(session, principal, partnership_id)

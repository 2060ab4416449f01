from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.campaigns import service
from services.crm.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    TargetAdd,
    TargetPage,
    TargetRead,
    TargetUpdate,
)
from services.crm.deps import SessionDep
from shared.auth import Staff
from shared.csv_response import csv_response, wants_csv
from shared.glossary import CampaignKind, CampaignTargetStatus
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
Params = Annotated[PageParams, Depends(page_params)]

CAMPAIGN_COLUMNS = ["id", "name", "kind", "starts_on", "ends_on", "targets_total", "planlagt", "kontaktet",
                    "besoegt", "afslaaet"]
TARGET_COLUMNS = ["id", "company_id", "cvr", "company_name", "postcode", "industry_code", "employees", "status",
                  "consultant_id", "follow_up_on", "note", "updated_at"]


@router.get("", response_model=Page[CampaignRead], summary="Kampagner")
def list_campaigns(
    request: Request,
    session: SessionDep,
    _: Staff,
    params: Params,
    kind: CampaignKind | None = None,
    active_on: Annotated[date | None, Query(description="Kun kampagner der løber denne dag")] = None,
):
    if wants_csv(request):
        params = PageParams(limit=1_000_000, offset=0)
    items, total = service.list_campaigns(session, params, kind=kind, active_on=active_on)
    if wants_csv(request):
        return csv_response(({**i.model_dump(), **i.counts} for i in items), CAMPAIGN_COLUMNS, "kampagner.csv")
    return Page(items=items, total=total)


@router.post("", response_model=CampaignRead, status_code=status.HTTP_201_CREATED,
             summary="Opret kampagne; målgruppen dannes straks ud fra segmentet")
def create_campaign(data: CampaignCreate, session: SessionDep, principal: Staff):
    return service.create_campaign(session, principal, data)


@router.get("/{campaign_id}", response_model=CampaignRead)
def get_campaign(campaign_id: int, session: SessionDep, _: Staff):
    return service.read_campaign(session, campaign_id)


@router.patch("/{campaign_id}", response_model=CampaignRead)
def update_campaign(campaign_id: int, data: CampaignUpdate, session: SessionDep, _: Staff):
    return service.update_campaign(session, campaign_id, data)


@router.delete("/{campaign_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_campaign(campaign_id: int, session: SessionDep, _: Staff) -> Response:
    service.delete_campaign(session, campaign_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{campaign_id}/targets", response_model=TargetPage, summary="Kampagnens målliste med status")
def list_targets(
    campaign_id: int,
    request: Request,
    session: SessionDep,
    _: Staff,
    params: Params,
    status_: Annotated[CampaignTargetStatus | None, Query(alias="status")] = None,
    consultant_id: int | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Navn eller CVR")] = None,
):
    if wants_csv(request):
        params = PageParams(limit=1_000_000, offset=0)
    items, total, counts = service.list_targets(session, campaign_id, params, status=status_,
                                                consultant_id=consultant_id, q=q)
    if wants_csv(request):
        return csv_response((i.model_dump() for i in items), TARGET_COLUMNS, f"kampagne-{campaign_id}-maal.csv")
    return TargetPage(items=items, total=total, counts=counts)


@router.post("/{campaign_id}/targets", response_model=TargetRead, status_code=status.HTTP_201_CREATED,
             summary="Sæt en virksomhed på mållisten")
def add_target(campaign_id: int, data: TargetAdd, session: SessionDep, _: Staff):
    return service.add_target(session, campaign_id, data)


@router.patch("/{campaign_id}/targets/{target_id}", response_model=TargetRead)
def update_target(campaign_id: int, target_id: int, data: TargetUpdate, session: SessionDep, _: Staff):
    return service.update_target(session, campaign_id, target_id, data)

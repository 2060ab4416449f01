from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.activities import service
from services.crm.activities.schemas import ActivityCreate, ActivityRead, ActivityUpdate, TaskRead
from services.crm.deps import SessionDep
from shared.auth import Staff
from shared.csv_response import csv_response, wants_csv
from shared.errors import Invalid
from shared.glossary import Channel
from shared.pagination import Page, PageParams, page_params

activities = APIRouter(prefix="/api/v1/activities", tags=["activities"])
tasks = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])
router = APIRouter()
Params = Annotated[PageParams, Depends(page_params)]

CSV_COLUMNS = ["id", "occurred_at", "company_id", "company_name", "channel", "purposes", "summary", "consultant_id",
               "consultant_name", "contact_id", "campaign_id", "follow_up_on", "follow_up_done_at"]


@activities.get("", response_model=Page[ActivityRead], summary="Aktiviteter (besøg, opkald, møder, ...)")
def list_activities(
    request: Request,
    session: SessionDep,
    _: Staff,
    params: Params,
    company_id: int | None = None,
    consultant_id: int | None = None,
    channel: Channel | None = None,
    from_: Annotated[date | None, Query(alias="from", description="Fra og med dag")] = None,
    to: Annotated[date | None, Query(description="Til og med dag")] = None,
    campaign_id: int | None = None,
):
    if from_ and to and to < from_:
        raise Invalid(f"Slutdatoen {to.isoformat()} ligger før startdatoen {from_.isoformat()}.", field="to")
    if wants_csv(request):
        params = PageParams(limit=10_000_000, offset=0)
    items, total = service.list_activities(session, params, company_id=company_id, consultant_id=consultant_id,
                                           channel=channel, from_day=from_, to_day=to, campaign_id=campaign_id)
    if wants_csv(request):
        rows = ({**i.model_dump(), "purposes": ", ".join(i.purposes)} for i in items)
        return csv_response(rows, CSV_COLUMNS, "aktiviteter.csv")
    return Page(items=items, total=total)


@activities.post("", response_model=ActivityRead, status_code=status.HTTP_201_CREATED)
def create_activity(data: ActivityCreate, session: SessionDep, principal: Staff):
    return service.create_activity(session, principal, data)


@activities.get("/{activity_id}", response_model=ActivityRead)
def get_activity(activity_id: int, session: SessionDep, _: Staff):
    return service.read_activity(session, activity_id)


@activities.patch("/{activity_id}", response_model=ActivityRead)
def update_activity(activity_id: int, data: ActivityUpdate, session: SessionDep, principal: Staff):
    return service.update_activity(session, principal, activity_id, data)


@activities.delete("/{activity_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_activity(activity_id: int, session: SessionDep, principal: Staff) -> Response:
    service.delete_activity(session, principal, activity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@activities.post("/{activity_id}/follow-up/done", response_model=ActivityRead, summary="Luk opfølgningen")
def complete_follow_up(activity_id: int, session: SessionDep, _: Staff):
    return service.complete_follow_up(session, activity_id)


@tasks.get("", response_model=Page[TaskRead], summary="Åbne opfølgninger fra aktiviteter og kampagner")
def list_tasks(
    session: SessionDep,
    _: Staff,
    params: Params,
    consultant_id: int | None = None,
    company_id: int | None = None,
    due_before: Annotated[date | None, Query(description="Kun opfølgninger med dato til og med denne dag")] = None,
):
    items, total = service.list_tasks(session, params, consultant_id=consultant_id, company_id=company_id,
                                      due_before=due_before)
    return Page(items=items, total=total)


router.include_router(activities)
router.include_router(tasks)

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel

from services.crm.access import is_staff
from services.crm.deps import SessionDep
from services.crm.orders import queries, service
from services.crm.orders.schemas import (
    ORDER_COLUMNS,
    OrderCreate,
    OrderRead,
    OrderUpdate,
    ProposalCreate,
    ProposalRead,
    ProposalUpdate,
    ShortlistAdd,
    ShortlistRead,
    StatusChange,
)
from shared.auth import CurrentPrincipal, Principal, Staff
from shared.csv_response import csv_response, wants_csv
from shared.errors import Invalid
from shared.glossary import OrderStatus, Role, Scheme
from shared.pagination import Page, PageParams, page_params
from shared.validators import clean_candidate_ref

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
Params = Annotated[PageParams, Depends(page_params)]


def _company_or_staff(principal: Principal) -> Principal:
    if principal.role is not Role.virksomhed and not is_staff(principal):
        raise HTTPException(status_code=403, detail="Din rolle giver ikke adgang til denne funktion.")
    return principal


def _statuses(raw: str | None) -> list[str]:
    if not raw:
        return []
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in OrderStatus.__members__]
    if unknown:
        raise Invalid(f"Ukendt status: {', '.join(unknown)}; gyldige er {', '.join(OrderStatus)}.", field="status")
    return values


@router.get("", response_model=Page[OrderRead], summary="Rekrutteringsordrer (virksomheder ser kun egne)")
def list_orders(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    params: Params,
    company_id: int | None = None,
    status_: Annotated[str | None, Query(alias="status", description="Én eller flere, kommasepareret")] = None,
    scheme: Scheme | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    consultant_id: int | None = None,
    open_: Annotated[bool | None, Query(alias="open", description="Kun åbne (true) eller kun afsluttede (false)")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Del af titlen")] = None,
):
    _company_or_staff(principal)
    f = queries.OrderFilter(company_id=company_id, statuses=_statuses(status_), scheme=scheme,
                            received_from=received_from, received_to=received_to, consultant_id=consultant_id,
                            open=open_, q=q)
    export = wants_csv(request)
    if export:
        params = PageParams(limit=1_000_000, offset=0)
    items, total = service.list_orders(session, principal, f, params)
    if export:
        return csv_response((o.model_dump() for o in items), ORDER_COLUMNS, "ordrer.csv")
    return Page(items=items, total=total)


@router.post("", response_model=OrderRead, status_code=status.HTTP_201_CREATED)
def create_order(data: OrderCreate, session: SessionDep, principal: CurrentPrincipal):
    return service.create_order(session, _company_or_staff(principal), data)


class OrderCheck(BaseModel):
    valid: bool = True


@router.post("/validate", response_model=OrderCheck,
             summary="Tjek en ordre uden at gemme den (samme regler og fejltekster som oprettelse)")
def validate_order(data: OrderCreate, principal: CurrentPrincipal) -> OrderCheck:
    # Forms (the hotline portal) check as the company types, with crm's own rules, over the API.
    return OrderCheck()


@router.get("/{order_id}", response_model=OrderRead)
def get_order(order_id: int, session: SessionDep, principal: CurrentPrincipal):
    return service.read_order(session, _company_or_staff(principal), order_id)


@router.patch("/{order_id}", response_model=OrderRead)
def update_order(order_id: int, data: OrderUpdate, session: SessionDep, principal: CurrentPrincipal):
    return service.update_order(session, _company_or_staff(principal), order_id, data)


@router.post("/{order_id}/status", response_model=OrderRead, summary="Skift status (ulovlige skift giver 409)",
             responses={409: {"description": "`{detail, current, requested, allowed}`"}})
def change_status(order_id: int, data: StatusChange, session: SessionDep, principal: CurrentPrincipal):
    return service.change_status(session, _company_or_staff(principal), order_id, data)


@router.delete("/{order_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_order(order_id: int, session: SessionDep, principal: Staff) -> Response:
    service.delete_order(session, principal, order_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{order_id}/proposals", response_model=Page[ProposalRead])
def list_proposals(order_id: int, session: SessionDep, principal: Staff, params: Params):
    items, total = service.list_proposals(session, principal, order_id, params)
    return Page(items=[ProposalRead.model_validate(p) for p in items], total=total)


@router.post("/{order_id}/proposals", response_model=ProposalRead, status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "Kandidaten er allerede foreslået, ordren er lukket, eller regelbrud"}})
def create_proposal(order_id: int, data: ProposalCreate, session: SessionDep, principal: Staff):
    return service.create_proposal(session, principal, order_id, data)


@router.patch("/{order_id}/proposals/{proposal_id}", response_model=ProposalRead,
              summary="Skift forslagets status; 'ansat' opretter placeringen")
def update_proposal(order_id: int, proposal_id: int, data: ProposalUpdate, session: SessionDep, principal: Staff):
    return service.update_proposal(session, principal, order_id, proposal_id, data)


@router.get("/{order_id}/shortlist", response_model=Page[ShortlistRead],
            summary="Ordrens kortliste: kandidater valgt af konsulenterne, endnu ikke foreslået")
def list_shortlist(order_id: int, session: SessionDep, principal: Staff, params: Params):
    items, total = service.list_shortlist(session, principal, order_id, params)
    return Page(items=items, total=total)


@router.post("/{order_id}/shortlist", response_model=ShortlistRead, status_code=status.HTTP_201_CREATED,
             summary="Sæt en kandidat på kortlisten (200 med den eksisterende, hvis kandidaten allerede står der)",
             responses={200: {"description": "Kandidaten stod allerede på kortlisten", "model": ShortlistRead},
                        409: {"description": "Kandidaten er allerede foreslået, eller ordren er lukket"}})
def add_to_shortlist(order_id: int, data: ShortlistAdd, response: Response, session: SessionDep, principal: Staff):
    entry, created = service.add_to_shortlist(session, principal, order_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return entry


@router.delete("/{order_id}/shortlist/{candidate_ref}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Tag en kandidat af kortlisten")
def remove_from_shortlist(order_id: int, candidate_ref: Annotated[str, Path(max_length=64)], session: SessionDep,
                          principal: Staff) -> Response:
    try:
        ref = clean_candidate_ref(candidate_ref)
    except ValueError as exc:
        raise Invalid(str(exc) + ".", field="candidate_ref") from exc
    service.remove_from_shortlist(session, principal, order_id, ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

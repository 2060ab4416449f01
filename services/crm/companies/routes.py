from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.crm.access import is_staff
from services.crm.companies import queries, service
from services.crm.companies.schemas import (
    CompanyCreate,
    CompanyRead,
    CompanyUpdate,
    ContactCreate,
    ContactRead,
    ContactUpdate,
    Timeline,
    WorkplaceCreate,
    WorkplaceRead,
)
from services.crm.deps import SessionDep
from shared.auth import CurrentPrincipal, Principal, Staff, require_roles
from shared.csv_response import csv_response, wants_csv
from shared.glossary import Role, Sector
from shared.pagination import Page, PageParams, page_params, paginate

router = APIRouter(prefix="/api/v1/companies", tags=["companies"])
Params = Annotated[PageParams, Depends(page_params)]

COMPANY_COLUMNS = ["id", "cvr", "name", "sector", "industry_code", "employees", "postcode",
                   "municipality_code", "address", "consultant_id", "is_partner"]


@router.get("", response_model=Page[CompanyRead], summary="Søg virksomheder på navn eller CVR")
def list_companies(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    params: Params,
    q: Annotated[str | None, Query(max_length=100, description="Navn eller CVR (begyndelsen)")] = None,
    sector: Sector | None = None,
    industry_code: Annotated[str | None, Query(pattern=r"^\d{1,6}$")] = None,
    partner: bool | None = None,
    consultant_id: int | None = None,
):
    from datetime import date

    own = principal.company_id if principal.role is Role.virksomhed else None
    if principal.role is Role.virksomhed and own is None:
        return Page(items=[], total=0)
    stmt = queries.search(q, sector, industry_code, partner, consultant_id, only_company_id=own)
    if wants_csv(request):
        params = PageParams(limit=1_000_000, offset=0)
    items, total = paginate(session, stmt, params)
    partners = queries.partner_ids(session, [c.id for c in items], date.today())
    reads = [service.to_read(c, c.id in partners) for c in items]
    if wants_csv(request):
        return csv_response((r.model_dump() for r in reads), COMPANY_COLUMNS, "virksomheder.csv")
    return Page(items=reads, total=total)


@router.post("", response_model=CompanyRead, status_code=status.HTTP_201_CREATED)
def create_company(data: CompanyCreate, session: SessionDep, _: Staff):
    return service.to_read(service.create_company(session, data), False)


@router.get("/{company_id}", response_model=CompanyRead)
def get_company(company_id: int, session: SessionDep, principal: CurrentPrincipal):
    from datetime import date

    company = service.get_visible(session, principal, company_id)
    return service.to_read(company, bool(queries.partner_ids(session, [company.id], date.today())))


@router.patch("/{company_id}", response_model=CompanyRead)
def update_company(company_id: int, data: CompanyUpdate, session: SessionDep, principal: CurrentPrincipal):
    from datetime import date

    if principal.role is not Role.virksomhed and not is_staff(principal):
        raise_forbidden()
    company = service.update_company(session, principal, company_id, data)
    return service.to_read(company, bool(queries.partner_ids(session, [company.id], date.today())))


@router.delete("/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_company(
    company_id: int, session: SessionDep, _: Annotated[Principal, Depends(require_roles(Role.admin))]
) -> Response:
    service.delete_company(session, company_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{company_id}/timeline", response_model=Timeline, summary="Alt hvad der er sket med virksomheden")
def company_timeline(
    company_id: int,
    session: SessionDep,
    principal: Staff,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
):
    items, total = service.timeline(session, principal, company_id, limit, offset)
    return Timeline(company_id=company_id, items=items, total=total)


@router.get("/{company_id}/workplaces", response_model=list[WorkplaceRead])
def list_workplaces(company_id: int, session: SessionDep, principal: CurrentPrincipal):
    service.get_visible(session, principal, company_id)
    return queries.workplaces_of(session, company_id)


@router.post("/{company_id}/workplaces", response_model=WorkplaceRead, status_code=status.HTTP_201_CREATED)
def add_workplace(company_id: int, data: WorkplaceCreate, session: SessionDep, principal: Staff):
    return service.add_workplace(session, principal, company_id, data)


@router.get("/{company_id}/contacts", response_model=Page[ContactRead])
def list_contacts(company_id: int, session: SessionDep, principal: CurrentPrincipal, params: Params):
    items, total = service.list_contacts(session, principal, company_id, params)
    return Page(items=[ContactRead.model_validate(c) for c in items], total=total)


@router.post("/{company_id}/contacts", response_model=ContactRead, status_code=status.HTTP_201_CREATED)
def create_contact(company_id: int, data: ContactCreate, session: SessionDep, principal: CurrentPrincipal):
    return service.create_contact(session, principal, company_id, data)


@router.get("/{company_id}/contacts/{contact_id}", response_model=ContactRead)
def get_contact(company_id: int, contact_id: int, session: SessionDep, principal: CurrentPrincipal):
    return service.read_contact(session, principal, company_id, contact_id)


@router.patch("/{company_id}/contacts/{contact_id}", response_model=ContactRead)
def update_contact(
    company_id: int, contact_id: int, data: ContactUpdate, session: SessionDep, principal: CurrentPrincipal
):
    return service.update_contact(session, principal, company_id, contact_id, data)


@router.delete("/{company_id}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(company_id: int, contact_id: int, session: SessionDep, principal: CurrentPrincipal) -> Response:
    service.delete_contact(session, principal, company_id, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def raise_forbidden():
    from fastapi import HTTPException

    raise HTTPException(status_code=403, detail="Din rolle giver ikke adgang til denne funktion.")

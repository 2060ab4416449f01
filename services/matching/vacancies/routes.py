from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlmodel import select

from services.matching.deps import MatchingStaff, SessionDep
from services.matching.vacancies import service
from services.matching.vacancies.models import Vacancy
from services.matching.vacancies.schemas import (
    OccupationChoice,
    OccupationOption,
    VacancyCreate,
    VacancyRead,
    VacancyUpdate,
)
from shared.glossary import Scheme, VacancyStatus
from shared.pagination import Page, PageParams, page_params, paginate

router = APIRouter(prefix="/api/v1/vacancies", tags=["vacancies"])
Params = Annotated[PageParams, Depends(page_params)]


@router.post("", response_model=VacancyRead, status_code=status.HTTP_201_CREATED)
def create_vacancy(data: VacancyCreate, session: SessionDep, _: MatchingStaff):
    return service.to_read(service.create(session, data))


@router.get("", response_model=Page[VacancyRead])
def list_vacancies(session: SessionDep, _: MatchingStaff, params: Params, scheme: Scheme | None = None,
                   status_: Annotated[VacancyStatus | None, Query(alias="status")] = None,
                   order_id: Annotated[int | None, Query(description="crm-ordren vakancen kommer fra")] = None,
                   standing: Annotated[bool | None, Query(description="Kun faste pladser i virksomhedscentre")] = None,
                   centre_id: Annotated[int | None, Query(description="crm-virksomhedscentret")] = None,
                   shared_order_id: Annotated[int | None, Query(
                       description="ordren delt af en samarbejdspartner (crm's id)")] = None):
    stmt = select(Vacancy)
    if standing is not None:
        stmt = stmt.where(Vacancy.standing.is_(standing))
    if centre_id is not None:
        stmt = stmt.where(Vacancy.centre_id == centre_id)
    if order_id is not None:
        stmt = stmt.where(Vacancy.order_id == order_id)
    if shared_order_id is not None:
        stmt = stmt.where(Vacancy.shared_order_id == shared_order_id)
    if scheme:
        stmt = stmt.where(Vacancy.scheme == scheme.value)
    if status_:
        stmt = stmt.where(Vacancy.status == status_.value)
    items, total = paginate(session, stmt.order_by(Vacancy.id.desc()), params)
    return Page(items=[service.to_read(v) for v in items], total=total)


@router.get("/{vacancy_id}", response_model=VacancyRead)
def get_vacancy(vacancy_id: int, session: SessionDep, _: MatchingStaff):
    return service.to_read(service.get(session, vacancy_id))


@router.patch("/{vacancy_id}", response_model=VacancyRead)
def update_vacancy(vacancy_id: int, data: VacancyUpdate, session: SessionDep, _: MatchingStaff):
    return service.to_read(service.update(session, vacancy_id, data))


@router.get("/{vacancy_id}/occupation-choices", response_model=list[OccupationOption],
            summary="Stillinger en konsulent kan vælge, når matchningen har læst titlen forkert")
def occupation_choices(vacancy_id: int, session: SessionDep, _: MatchingStaff,
                       q: Annotated[str | None, Query(max_length=100, description="Søg en anden stilling, fx 'vicevært'")]
                       = None):
    return service.occupation_choices(session, vacancy_id, q)


@router.put("/{vacancy_id}/occupation", response_model=VacancyRead,
            summary="Konsulentens valg af stilling (ESCO) for vakancen; null: matchningen læser selv titlen")
def choose_occupation(vacancy_id: int, data: OccupationChoice, session: SessionDep, principal: MatchingStaff):
    return service.to_read(service.choose_occupation(session, principal, vacancy_id, data.uri))


@router.delete("/{vacancy_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_vacancy(vacancy_id: int, session: SessionDep, _: MatchingStaff) -> Response:
    service.delete(session, vacancy_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

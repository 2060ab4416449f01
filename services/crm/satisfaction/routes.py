"""Satisfaction surveys over HTTP: the manager's report, a company's answers, and the public
survey endpoints the web front's survey page calls (the signed token is the authorisation)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from services.crm.deps import SessionDep
from services.crm.satisfaction import service
from services.crm.satisfaction.schemas import CompanySatisfaction, SatisfactionReport, SurveyAnswer, SurveyPublic
from shared.auth import AnyUser, Principal, require_roles
from shared.csv_response import csv_response, wants_csv
from shared.errors import Error
from shared.glossary import Role

router = APIRouter(prefix="/api/v1", tags=["satisfaction"])

Managers = Annotated[Principal, Depends(require_roles(Role.leder))]
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, eller CSV med `Accept: text/csv`"}}
Token = Annotated[str, Path(min_length=10, max_length=400, description="Det signerede link fra e-mailen")]
PUBLIC = {404: {"model": Error, "description": "Linket er ikke gyldigt (eller kontaktpersonen er slettet)"},
          410: {"model": Error, "description": "Linket er udløbet"}}


@router.get("/reports/satisfaction", response_model=SatisfactionReport, responses=CSV,
            summary="Virksomhedernes tilfredshed efter afsluttede rekrutteringsordrer",
            description="Sendt efter afsendelsesdato, svar efter svardato (danske dage, begge dage medregnet). "
                        "`satisfied_share` = svar på 4 eller 5 / svar. CSV: tallene pr. måned og i alt, uden "
                        "kommentarer.")
def satisfaction_report(
    request: Request,
    session: SessionDep,
    principal: Managers,
    from_: Annotated[date | None, Query(alias="from", description="Første dag; standard 1. januar i år")] = None,
    to: Annotated[date | None, Query(description="Sidste dag; standard i dag")] = None,
):
    report = service.report(session, principal, from_, to)
    if wants_csv(request):
        return csv_response(service.report_csv_rows(report), service.REPORT_CSV_COLUMNS, "tilfredshed.csv")
    return report


@router.get("/companies/{company_id}/satisfaction", response_model=CompanySatisfaction,
            summary="En virksomheds svar på tilfredshedsmålingerne",
            description="Medarbejdere ser enhver virksomheds svar; en virksomhedsbruger kun sin egen virksomheds.")
def company_satisfaction(
    session: SessionDep,
    principal: AnyUser,
    company_id: int,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    return service.company_answers(session, principal, company_id, limit)


@router.get("/public/satisfaction/{token}", response_model=SurveyPublic, responses=PUBLIC,
            summary="Tilfredshedsmålingen bag et link (uden login)")
def read_survey(session: SessionDep, token: Token):
    return service.read_survey(session, token)


@router.post("/public/satisfaction/{token}", response_model=SurveyPublic, responses=PUBLIC,
             summary="Svar på tilfredshedsmålingen (uden login); et nyt svar erstatter det forrige")
def answer_survey(session: SessionDep, token: Token, data: SurveyAnswer):
    return service.answer(session, token, data)

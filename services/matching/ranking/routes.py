from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.deps import MatchingStaff, SessionDep
from services.matching.ranking import service
from services.matching.vacancies.schemas import AdHocMatch, OutcomeCreate
from shared.glossary import Scheme

router = APIRouter(prefix="/api/v1", tags=["matches"])


@router.get("/vacancies/{vacancy_id}/matches", summary="Kandidater rangeret til stillingen, med forklaring")
def vacancy_matches(vacancy_id: int, session: SessionDep, principal: MatchingStaff,
                    scheme: Scheme | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 20):
    return service.vacancy_matches(session, principal, vacancy_id, scheme.value if scheme else None, limit)


@router.get("/candidates/{ref}/matches", summary="Åbne stillinger rangeret til kandidaten")
def candidate_matches(ref: str, session: SessionDep, principal: MatchingStaff,
                      limit: Annotated[int, Query(ge=1, le=200)] = 20):
    return service.candidate_matches(session, principal, ref, limit)


@router.post("/match", summary="Rangér kandidater til en fritekst (ad hoc)")
def adhoc_match(data: AdHocMatch, session: SessionDep, principal: MatchingStaff):
    return service.adhoc_matches(session, principal, data)


@router.post("/vacancies/{vacancy_id}/outcomes", status_code=201, summary="Registrér udfald (foreslået/ansat/afvist)")
def record_outcome(vacancy_id: int, data: OutcomeCreate, session: SessionDep, principal: MatchingStaff):
    return service.record_outcome(session, principal, vacancy_id, data.candidate_ref, data.outcome.value)


@router.get("/matching/status", summary="Model, indeks og fremdrift for genindlejring")
def matching_status(session: SessionDep, _: MatchingStaff):
    return service.status(session)

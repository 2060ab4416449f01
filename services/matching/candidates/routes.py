from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile, status

from services.matching.candidates import service
from services.matching.candidates.schemas import CandidateCreate, CandidateRead, CandidateSummary, CandidateUpdate
from services.matching.candidates.textcheck import extract_upload
from services.matching.deps import MatchingStaff, SessionDep
from shared.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/api/v1/candidates", tags=["candidates"])
Params = Annotated[PageParams, Depends(page_params)]


@router.post("", response_model=CandidateRead, status_code=status.HTTP_201_CREATED, summary="Opret kandidat")
def create_candidate(data: CandidateCreate, session: SessionDep, principal: MatchingStaff):
    c, warnings = service.create(session, principal, data)
    return service.to_read(session, c, warnings)


@router.get("", response_model=Page[CandidateSummary], summary="Kandidater (læsningen logges)")
def list_candidates(session: SessionDep, principal: MatchingStaff, params: Params,
                    q: Annotated[str | None, Query(max_length=64, description="Reference (begyndelsen)")] = None,
                    postcode: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None):
    items, total = service.list_page(session, principal, params, q, postcode)
    return Page(items=[CandidateSummary.model_validate(c, from_attributes=True) for c in items], total=total)


@router.get("/{ref}", response_model=CandidateRead)
def get_candidate(ref: str, session: SessionDep, principal: MatchingStaff):
    return service.to_read(session, service.get(session, principal, ref))


@router.patch("/{ref}", response_model=CandidateRead)
def update_candidate(ref: str, data: CandidateUpdate, session: SessionDep, principal: MatchingStaff):
    c, warnings = service.update(session, principal, ref, data)
    return service.to_read(session, c, warnings)


@router.post("/{ref}/cv", response_model=CandidateRead, summary="Upload CV (.txt, .docx, .pdf)")
async def upload_cv(ref: str, session: SessionDep, principal: MatchingStaff, file: UploadFile = File(...)):
    data = await file.read()
    text = extract_upload(file.filename or "", data)
    c, warnings = service.set_cv_from_upload(session, principal, ref, text)
    return service.to_read(session, c, warnings)


@router.delete("/{ref}", status_code=status.HTTP_204_NO_CONTENT, summary="Slet kandidaten helt (tekst, træk, vektorer)")
def erase_candidate(ref: str, session: SessionDep, principal: MatchingStaff) -> Response:
    service.erase(session, principal, ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

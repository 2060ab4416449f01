"""`GET /api/v1/erasures`: an owner's erasures that not every service has confirmed yet (admin)."""


from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlmodel import Session

from shared import erasure
from shared.auth import Principal, require_roles
from shared.glossary import Role

Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


class ErasureRead(BaseModel):
    id: str
    subject: str
    requested_at: datetime
    waiting_for: list[str]
    confirmed_by: dict[str, Any]
    missing: list[str]
    republished_at: datetime | None


class ErasurePage(BaseModel):
    items: list[ErasureRead]
    total: int


def router(owner: str, get_session) -> APIRouter:
    r = APIRouter(prefix="/api/v1/erasures", tags=["personal data"])

    @r.get("", response_model=ErasurePage, summary="Sletninger som endnu ikke er bekræftet af alle tjenester (admin)")
    def open_erasures(session: Annotated[Session, Depends(get_session)], _: Admin,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      offset: Annotated[int, Query(ge=0)] = 0) -> ErasurePage:
        rows, total = erasure.open_requests(session, owner, limit, offset)
        return ErasurePage(total=total, items=[ErasureRead(
            id=r.id, subject=r.subject, requested_at=r.requested_at, waiting_for=r.waiting_for,
            confirmed_by=r.confirmations, missing=erasure.missing(r), republished_at=r.republished_at) for r in rows])

    return r

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from services.crm.deps import SessionDep
from services.crm.signin import service
from services.crm.signin.schemas import IdTokenExchange, UnknownCompanyRead
from services.crm.users.schemas import Token
from shared.auth import Staff

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/oidc/{provider}", response_model=Token,
             summary="Log ind med et ID-token fra MitID Erhverv-brokeren eller kommunens login (OpenID Connect)",
             responses={401: {"description": "ID-tokenet er ugyldigt, udløbet eller allerede brugt"},
                        403: {"description": "Personen får ikke adgang (`reason`: unknown_cvr, loa_too_low, "
                                             "no_role, inactive, ...)"},
                        404: {"description": "Dette login er ikke slået til"}})
def exchange_id_token(provider: Literal["virksomhed", "personale"], data: IdTokenExchange,
                      session: SessionDep) -> Token:
    return Token(access_token=service.sign_in(session, provider, data.id_token))


@router.get("/signin/unknown-companies", response_model=list[UnknownCompanyRead],
            summary="Virksomheder med et CVR-nummer Jobbro ikke kender, som har forsøgt at logge ind")
def unknown_companies(session: SessionDep, _: Staff):
    return service.unknown_companies(session)

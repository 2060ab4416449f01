from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from services.crm.deps import SessionDep
from services.crm.signin import service
from services.crm.signin.schemas import IdTokenExchange, RefusalReport, UnknownCompanyRead
from services.crm.users import throttle
from services.crm.users.schemas import Token
from shared.auth import Staff
from shared.redis_client import RedisDep

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


@router.post("/auth/oidc/{provider}/refusals", status_code=204,
             summary="Den offentlige web-front melder et login, den selv har afvist (state, nonce, kode, signatur)")
def record_refusal(provider: Literal["virksomhed", "personale"], data: RefusalReport, session: SessionDep,
                   request: Request, redis: RedisDep) -> None:
    # Anyone can call this, so it says nothing about a person and is limited like the password login.
    client = request.client.host if request.client else None
    throttle.check(redis, f"oidc-refusal:{client}", client)
    service.record_web_refusal(session, provider, data.reason)

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from services.crm.deps import SessionDep
from services.crm.users import service, throttle
from services.crm.users.schemas import Token, UserCreate, UserNames, UserRead
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.errors import NotFound
from shared.glossary import Role
from shared.redis_client import RedisDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=Token, summary="Log ind (OAuth2 password flow)")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, request: Request,
          redis: RedisDep) -> Token:
    throttle.check(redis, form.username, request.client.host if request.client else None)
    return Token(access_token=service.login(session, form.username, form.password))


@router.get("/users/me", response_model=UserRead)
def me(principal: CurrentPrincipal, session: SessionDep):
    from services.crm.users.models import User

    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke længere.")
    return user


@router.get("/users", response_model=UserNames,
            summary="Navn og rolle på brugere efter id (til ledernes sider om, hvem der gjorde hvad)")
def user_names(session: SessionDep, _: Annotated[Principal, Depends(require_roles(Role.leder))],
               ids: Annotated[list[int], Query(alias="id", max_length=100, description="Brugerens id (gentages)")] = []):
    # Other services' records name a user by id only (matching's ranking records): the name is
    # looked up when a manager reads them, so it is kept in crm alone.
    return UserNames(items=service.by_ids(session, ids))


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(
    data: UserCreate, session: SessionDep, _: Annotated[Principal, Depends(require_roles(Role.admin))]
):
    return service.create_user(session, data)

"""Passwords, bearer tokens and role checks shared by every service.

crm issues the tokens; matching and notifications only verify them, so a token carries what
authorisation needs (user id, role, company) and no service has to call crm per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash

from shared.glossary import Role
from shared.settings import get_settings

TOKEN_URL = "/api/v1/auth/token"
_ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()  # argon2id

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


# Verifying against a dummy hash when the user is unknown keeps the login time the same, so a
# response time does not reveal which e-mail addresses have accounts.
_DUMMY_HASH = _hasher.hash("jobbro-timing-equaliser")


def burn_verify_time(password: str) -> None:
    _hasher.verify(password, _DUMMY_HASH)


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    role: Role
    company_id: int | None = None

    def has_role(self, *roles: Role) -> bool:
        return self.role is Role.admin or self.role in roles


def create_access_token(principal: Principal, minutes: int | None = None) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "sub": str(principal.user_id),
        "email": principal.email,
        "role": principal.role.value,
        "company_id": principal.company_id,
        "iat": now,
        "exp": now + timedelta(minutes=minutes or settings.jobbro_token_minutes),
    }
    return jwt.encode(claims, settings.jobbro_secret_key, algorithm=_ALGORITHM)


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def decode_token(token: str) -> Principal:
    try:
        claims = jwt.decode(token, get_settings().jobbro_secret_key, algorithms=[_ALGORITHM])
        return Principal(
            user_id=int(claims["sub"]),
            email=claims["email"],
            role=Role(claims["role"]),
            company_id=claims.get("company_id"),
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorised("Dit login er udløbet. Log ind igen.") from exc
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise _unauthorised("Ugyldigt login-token.") from exc


# Async on purpose: no I/O here, and an async dependency runs on the event loop instead of taking
# a thread-pool hop per request.
async def current_principal(token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise _unauthorised("Du skal være logget ind.")
    return decode_token(token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role):
    """Dependency factory: the caller must hold one of `roles` (admin always passes)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail="Din rolle giver ikke adgang til denne funktion.",
            )
        return principal

    return _check


STAFF = (Role.konsulent, Role.leder)
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]
AnyUser = CurrentPrincipal

"""The browser's session: a signed, HTTP-only, Secure cookie holding the user's API token.

The token never reaches page scripts (HTTP-only), the cookie cannot be forged (signed with the
secret key), and every state-changing request must carry the session's CSRF token (a hidden form
field, or the `X-CSRF-Token` header HTMX sends from `<body hx-headers>`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from services.web.api import Api
from shared.glossary import Role

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class WebUser:
    id: int
    email: str
    full_name: str
    role: Role
    company_id: int | None
    token: str

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.konsulent, Role.leder, Role.admin)

    def can(self, *roles: Role) -> bool:
        return self.role is Role.admin or self.role in roles


class LoginRequired(Exception):
    def __init__(self, next_url: str = "/") -> None:
        self.next_url = next_url


class Forbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def start_session(request: Request, token: str, me: dict) -> None:
    # A fresh CSRF token at login: one fixed before login (e.g. by an attacker) is not reused.
    request.session.clear()
    request.session.update(
        {
            "token": token,
            "user": {k: me.get(k) for k in ("id", "email", "full_name", "role", "company_id")},
            "csrf": secrets.token_urlsafe(32),
        }
    )


def end_session(request: Request) -> None:
    request.session.clear()


def user_of(request: Request) -> WebUser | None:
    data = request.session.get("user")
    token = request.session.get("token")
    if not data or not token:
        return None
    try:
        return WebUser(id=int(data["id"]), email=data["email"], full_name=data.get("full_name") or data["email"],
                       role=Role(data["role"]), company_id=data.get("company_id"), token=token)
    except (KeyError, ValueError, TypeError):
        return None


def _next_of(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()  # cached by Starlette: the route reads the same form again
        sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def require(*roles: Role):
    """Dependency: a logged-in user holding one of `roles` (admin always passes)."""

    async def _dep(request: Request) -> WebUser:
        await verify_csrf(request)
        user = user_of(request)
        if user is None:
            raise LoginRequired(_next_of(request) if request.method == "GET" else "/")
        if roles and not user.can(*roles):
            raise Forbidden()
        return user

    return _dep


def api_for(request: Request, user: WebUser | None) -> Api:
    return Api(request.app.state.http, user.token if user else None)


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


STAFF_ROLES = (Role.konsulent, Role.leder)
Staff = Annotated[WebUser, Depends(require(*STAFF_ROLES))]
Manager = Annotated[WebUser, Depends(require(Role.leder))]
CompanyUser = Annotated[WebUser, Depends(require(Role.virksomhed))]
AnyUser = Annotated[WebUser, Depends(require())]

"""Log in, log out, and the front door that sends each role to its start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from services.web.api import Api, ApiError
from services.web.common.oidc import provider_logout_url, providers
from services.web.rendering import render
from services.web.session import end_session, start_session, user_of, verify_csrf
from shared.glossary import Role
from shared.settings import get_settings

router = APIRouter()

START_PAGES = {Role.konsulent: "/min-dag", Role.leder: "/leder", Role.virksomhed: "/portal", Role.admin: "/min-dag"}


def _safe_next(next_url: str | None) -> str | None:
    # Only paths on this site: an open redirect would let a phishing mail borrow Jobbro's name.
    if next_url and next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return None


@router.get("/", include_in_schema=False)
def home(request: Request):
    user = user_of(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(START_PAGES[user.role], status_code=303)


def _login_page(request: Request, context: dict, status_code: int = 200):
    # The sign-in buttons of the configured providers, and the password form while it is allowed.
    context = {**context, "signin_providers": list(providers().values()),
               "password_login": get_settings().jobbro_password_login != "off",
               "password_login_mode": get_settings().jobbro_password_login}
    return render(request, "login.html", context, status_code=status_code)


@router.get("/login")
def login_form(request: Request, next: str | None = None, udloebet: int | None = None,
               logget_ud: int | None = None):
    message = "Dit login er udløbet. Log ind igen." if udloebet else "Du er logget ud." if logget_ud else None
    return _login_page(request, {"next": _safe_next(next) or "", "message": message})


@router.post("/login", dependencies=[Depends(verify_csrf)])
async def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    values = {"email": email}
    errors = {}
    if not email.strip():
        errors["email"] = "Skriv din e-mailadresse."
    if not password:
        errors["password"] = "Skriv din adgangskode."
    if not errors:
        api = Api(request.app.state.http, None)
        try:
            token = await api.login(email.strip(), password, request.client.host if request.client else None)
            me = await Api(request.app.state.http, token).get("crm", "/api/v1/users/me")
        except ApiError as exc:
            errors["password"] = exc.detail if exc.status in (400, 401, 422, 429) else "Login mislykkedes."
        else:
            start_session(request, token, me)
            return RedirectResponse(_safe_next(next) or START_PAGES[Role(me["role"])], status_code=303)
    return _login_page(request, {"values": values, "errors": errors, "next": _safe_next(next) or ""},
                       status_code=422 if errors else 200)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
async def logout(request: Request):
    provider_url = await provider_logout_url(request, request.session.get("signin"))
    end_session(request)
    return RedirectResponse(provider_url or "/login?logget_ud=1", status_code=303)

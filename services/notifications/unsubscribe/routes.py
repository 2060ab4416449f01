"""The public unsubscribe page (no login): GET asks, POST unsubscribes (RFC 8058 one-click).

GET never unsubscribes by itself: mail scanners and link previews open links, and an
unsubscribe nobody asked for is a consent lost by mistake.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifications.deps import SessionDep
from services.notifications.unsubscribe import service
from services.notifications.unsubscribe.tokens import BadToken

router = APIRouter(tags=["unsubscribe"])
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}


@lru_cache
def _template():
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                      autoescape=select_autoescape(["html"]))
    return env.get_template("page.html")


def _page(state: str, title: str, status_code: int = 200, **ctx) -> HTMLResponse:
    return HTMLResponse(_template().render(state=state, title=title, **ctx), status_code=status_code, headers=_HEADERS)


def _invalid() -> HTMLResponse:
    return _page("invalid", "Ugyldigt afmeldingslink", 400)


# The one answer shared/openapi.py cannot read from the route's dependencies: a link that is not ours.
_INVALID_DOC = {400: {"description": "Ugyldigt eller ændret afmeldingslink (side)",
                      "content": {"text/html": {"schema": {"type": "string"}}}}}


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="Afmeld nyhedsbrev (side, uden login)",
            responses=_INVALID_DOC)
def unsubscribe_page(token: str, request: Request, session: SessionDep):
    try:
        claim = service.check(token)
    except BadToken:
        return _invalid()
    return _page("confirm", "Afmeld nyhedsbrev", email=service.masked_email(session, claim.contact_id),
                 action=str(request.url.path))


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, summary="Afmeld med ét klik (RFC 8058)",
             responses=_INVALID_DOC)
def unsubscribe(token: str, session: SessionDep):
    try:
        claim = service.check(token)
    except BadToken:
        return _invalid()
    email = service.masked_email(session, claim.contact_id)
    service.unsubscribe(session, claim, via="one-click")
    return _page("done", "Du er afmeldt", email=email)

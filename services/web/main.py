"""The web front: server-rendered pages over the crm, matching and notifications APIs (a BFF)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.web.api import SERVICES, ApiError, NotLoggedIn, ServiceDown, new_http_client
from services.web.rendering import STATIC_DIR, render
from services.web.session import CsrfFailed, Forbidden, LoginRequired, end_session, login_url
from shared.errors import DomainError
from shared.settings import get_settings

log = logging.getLogger("jobbro.web")

SERVICE_LABELS = {"crm": "CRM", "matching": "matchning", "notifications": "nyhedsbreve"}

# Every script and style comes from Jobbro itself; nothing is loaded from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _redirect(request: Request, url: str) -> Response:
    if _is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def build_app() -> FastAPI:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.http = new_http_client()
        yield
        await app.state.http.aclose()

    app = FastAPI(title="Jobbro web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key="jobbro-web-session:" + settings.jobbro_secret_key,
        session_cookie="jobbro_session",
        max_age=int(timedelta(minutes=settings.jobbro_token_minutes).total_seconds()),
        same_site="lax",
        https_only=settings.web_cookie_secure,
    )

    # Signing out ends the provider's session too: the logout form's redirect goes to its origin.
    from services.web.common.oidc import provider_origins

    csp = CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *provider_origins()]))

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path.startswith("/static/") and request.query_params.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif "cache-control" not in response.headers:
            # Pages hold personal data: never kept by a shared cache or the back button after logout.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return _redirect(request, login_url(exc.next_url))

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, exc: NotLoggedIn):
        end_session(request)
        return _redirect(request, login_url("/") + "&udloebet=1")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return render(request, "error.html", {"title": "Ingen adgang",
                                              "message": "Din rolle giver ikke adgang til denne side."}, 403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed):
        return render(request, "error.html", {"title": "Formularen er udløbet",
                                              "message": "Siden var for gammel til at sende. Gå tilbage, "
                                                         "genindlæs siden og prøv igen."}, 403)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        title = "Findes ikke" if exc.status == 404 else "Det kunne ikke lade sig gøre"
        return render(request, "error.html", {"title": title, "message": exc.detail}, exc.status)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return render(request, "error.html", {"title": "Det kunne ikke lade sig gøre", "message": exc.message},
                      exc.status_code)

    @app.exception_handler(ServiceDown)
    async def _service_down(request: Request, exc: ServiceDown):
        log.warning("service %s unavailable: %s", exc.service, exc.reason)
        name = SERVICE_LABELS.get(exc.service, exc.service)
        # A GET is safe to repeat as it was; after a form, "try again" goes back to the form, where
        # the browser still holds what was typed.
        retry = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        return render(request, "error.html", {"title": "Prøv igen om lidt",
                                              "message": f"Jobbros {name}-tjeneste svarer ikke lige nu.",
                                              "retry_url": retry if request.method == "GET" else None,
                                              "retry_back": request.method != "GET"},
                      503, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return render(request, "error.html", {"title": "Siden findes ikke",
                                                  "message": "Tjek adressen, eller gå til forsiden."}, 404)
        return render(request, "error.html", {"title": "Fejl", "message": str(exc.detail)}, exc.status_code)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "service": "web"}

    @app.get("/ready", include_in_schema=False)
    async def ready(request: Request):
        from services.web.api import _base_url

        problems = []
        try:
            res = await request.app.state.http.get(_base_url("crm") + "/health", timeout=3)
            if res.status_code != 200:
                problems.append(f"crm: HTTP {res.status_code}")
        except Exception as exc:  # any transport error means "not ready"
            problems.append(f"crm: {exc.__class__.__name__}")
        if problems:
            return JSONResponse({"status": "unavailable", "service": "web", "problems": problems}, status_code=503)
        return {"status": "ready", "service": "web"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        # Browsers ask for /favicon.ico before they read the page's <link rel="icon">.
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    from services.web.common import oidc
    from services.web.common import routes as common
    from services.web.consultant import campaigns, cooperation, job_ads, newsletters, orders
    from services.web.consultant import routes as consultant
    from services.web.manager import rankings
    from services.web.manager import routes as manager
    from services.web.portal import routes as portal
    from services.web.public import job_ads as public_job_ads

    from services.web.consultant import company_create  # issue 13; before /virksomheder/{company_id}

    app.include_router(company_create.router)
    for module in (common, oidc, consultant, orders, campaigns, newsletters, portal, manager, job_ads, public_job_ads,
                   cooperation, rankings):
        app.include_router(module.router)
    from services.web.consultant import centres as consultant_centres
    from services.web.manager import centres as manager_centres

    for module in (consultant_centres, manager_centres):  # issue 14: company centres
        app.include_router(module.router)
    from services.web import satisfaction  # issue 14 part 1: the survey pages and their figures

    app.include_router(satisfaction.router)
    return app


app = build_app()
__all__ = ["app", "build_app", "SERVICES"]

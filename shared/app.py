"""The FastAPI application factory every service uses: health, readiness, errors, request ids, and an
OpenAPI that declares every operation's error answers (shared/openapi.py)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from shared.db import get_engine
from shared.errors import Readiness, install_error_handlers
from shared.events import install_after_commit_flush
from shared.logs import configure_logging, request_id_var
from shared.openapi import install_openapi
from shared import metrics
from shared.redis_client import get_redis
from shared.settings import get_settings

log = logging.getLogger("jobbro")

ReadyCheck = Callable[[], str | None]  # returns None when fine, else a Danish reason


def check_database() -> str | None:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any driver error means "not ready"
        return f"database: {exc.__class__.__name__}"


def check_redis() -> str | None:
    try:
        get_redis().ping()
        return None
    except Exception as exc:
        return f"redis: {exc.__class__.__name__}"


DEFAULT_SECRET = "dev-insecure-change-me"


def check_secret() -> str | None:
    # The laptop default is fine on SQLite; a PostgreSQL deployment with it would accept forged tokens.
    settings = get_settings()
    if settings.jobbro_secret_key == DEFAULT_SECRET and not settings.is_sqlite:
        return "JOBBRO_SECRET_KEY er ikke sat (standardnøglen må ikke bruges i drift)"
    return None


class RequestContext:
    """Request id, access log line and latency metric for every request.

    A plain ASGI middleware rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware
    costs a task and a stream per request, measurable at hundreds of requests a second.
    """

    def __init__(self, app, service: str, access_log: logging.Logger) -> None:
        self.app = app
        self.service = service
        self.access_log = access_log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                rid = value.decode("latin-1")[:128]
                break
        rid = rid or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            # The route template, not the raw path, keeps the metric's label set small.
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "")
            metrics.REQUEST_LATENCY.labels(self.service, method, route, f"{status // 100}xx").observe(elapsed)
            self.access_log.info("request", extra={"method": method, "path": route, "status": status,
                                                   "duration_ms": round(elapsed * 1000, 2)})
            request_id_var.reset(token)


def create_app(
    service: str,
    routers: Iterable[APIRouter],
    *,
    ready_checks: Iterable[ReadyCheck] = (check_database, check_redis, check_secret),
    on_startup: Iterable[Callable[[], None]] = (),
    description: str = "",
) -> FastAPI:
    startup = list(on_startup)
    checks = list(ready_checks)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        for fn in startup:
            fn()
        yield

    app = FastAPI(title=f"Jobbro {service}", description=description, version="0.1.0", lifespan=lifespan)
    app.state.service = service
    configure_logging(service)
    access_log = logging.getLogger(f"jobbro.{service}.access")
    install_error_handlers(app)
    install_after_commit_flush(get_redis)

    app.add_middleware(RequestContext, service=service, access_log=access_log)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    # Public, no login, no database session: the only answers are these (shared/openapi.py adds no
    # error answers to them because they depend on nothing that fails).
    @app.get("/health", tags=["ops"], summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/ready", tags=["ops"], summary="Readiness: database, Redis and service-specific parts",
             response_model=Readiness, response_model_exclude_none=True,
             responses={503: {"model": Readiness, "description": "Ikke klar: `problems` siger hvad der ikke virker"}})
    def ready():
        problems = [p for p in (c() for c in checks) if p]
        if problems:
            body = Readiness(status="unavailable", service=service, problems=problems)
            return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
        return Readiness(status="ready", service=service)

    for router in routers:
        app.include_router(router)
    install_openapi(app)
    return app

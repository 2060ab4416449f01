"""Errors users can read: every 4xx names the field and the rule in Danish, never a 500."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("jobbro.errors")


# -- the bodies every error answer has --------------------------------------------------------------
# The handlers below render these models, and shared/openapi.py declares them in every service's
# OpenAPI, so what a client reads in /openapi.json is what it gets.

RETRY_AFTER_SECONDS = 5


class FieldError(BaseModel):
    """One field the request got wrong, and the rule it broke."""

    model_config = ConfigDict(title="Feltfejl", extra="forbid")

    field: str = Field(description="Feltet, med punktum mellem niveauer (fx `address.postcode`); `request` når "
                                   "det er hele forespørgslen")
    message: str = Field(description="Reglen på dansk, fx 'skal udfyldes'")


class Error(BaseModel):
    """Every 4xx/503 answer: a Danish sentence a person can read, and the field when one is to blame.

    Business-rule answers add what the rule needs to explain itself, e.g. a 409 on an order's status
    has `current`, `requested` and `allowed`, a 409 on a placement its `breaches`.
    """

    model_config = ConfigDict(title="Fejl", extra="allow")

    detail: str = Field(description="Forklaring på dansk")
    field: Annotated[str, Field(description="Feltet fejlen gælder")] | SkipJsonSchema[None] = None


class HTTPValidationError(Error):
    """A 422: the request could not be read (`errors` names each field), or a value breaks a rule."""

    model_config = ConfigDict(title="Valideringsfejl", extra="allow")

    errors: Annotated[list[FieldError], Field(description="Hvert felt der er galt (når forespørgslen ikke "
                                                          "kunne læses)")] | SkipJsonSchema[None] = None


class RateLimited(Error):
    """A 429: too many attempts; `Retry-After` (and `retry_after_seconds`) say when to try again."""

    model_config = ConfigDict(title="ForMangeForsoeg", extra="allow")

    retry_after_seconds: int = Field(ge=0, description="Sekunder til næste forsøg (som `Retry-After`)")


class Unavailable(Error):
    """A 503: the database or Redis does not answer; `Retry-After` says when to try again."""

    model_config = ConfigDict(title="Utilgaengelig", extra="allow")


class Readiness(BaseModel):
    """`GET /ready`: the service, and what is not usable when it is not ready."""

    model_config = ConfigDict(title="Parathed")

    status: Literal["ready", "unavailable"]
    service: str
    problems: Annotated[list[str], Field(description="Hvad der ikke virker")] | SkipJsonSchema[None] = None


def _json(body: BaseModel, status_code: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status_code, headers=headers)


class DomainError(Exception):
    """A request that breaks a business rule. Services raise it; the handler renders it."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def headers(self) -> dict[str, str] | None:
        return None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.details)
        return body


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT


class Invalid(DomainError):
    status_code = 422


_MESSAGES = {
    "missing": "skal udfyldes",
    "string_too_short": "er for kort",
    "string_too_long": "er for lang (højst {max_length} tegn)",
    "int_parsing": "skal være et helt tal",
    "int_type": "skal være et helt tal",
    "float_parsing": "skal være et tal",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
    "date_from_datetime_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "datetime_parsing": "skal være et tidspunkt (ISO 8601)",
    "datetime_from_date_parsing": "skal være et tidspunkt (ISO 8601)",
    "enum": "skal være en af: {expected}",
    "literal_error": "skal være en af: {expected}",
    "bool_parsing": "skal være sand eller falsk",
    "list_type": "skal være en liste",
    "dict_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "json_invalid": "er ikke gyldig JSON",
    "value_error": "{error}",
    "assertion_error": "{error}",
    "extra_forbidden": "er ikke et kendt felt",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "too_short": "skal have mindst {min_length} element(er)",
    "too_long": "må højst have {max_length} element(er)",
}


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "request"


def _translate(err: dict[str, Any]) -> str:
    if "email address" in str(err.get("msg", "")):
        return "er ikke en gyldig e-mailadresse"
    template = _MESSAGES.get(err.get("type", ""))
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
    if "error" in ctx:
        ctx["error"] = str(ctx["error"])
    if template:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            pass
    return err.get("msg", "er ugyldig")


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for e in errors:
        if e.get("type") == "json_invalid":
            # FastAPI puts the character position where the field goes: the field is the body.
            out.append({"field": "body", "message": f"er ikke gyldig JSON (tegn {e.get('loc', ('', '?'))[-1]})"})
        else:
            out.append({"field": _field_name(e.get("loc", ())), "message": _translate(e)})
    return out


def validation_failed(errors: list[dict[str, str]]) -> JSONResponse:
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    body = HTTPValidationError(detail=f"Ugyldige data — {summary}", errors=[FieldError(**e) for e in errors])
    return _json(body, 422)


# FastAPI and Starlette answer 400 in English when a body cannot be read at all: JSON that is not
# UTF-8, a broken or oversized multipart form. It is the same mistake as JSON that does not parse
# (422 naming the field), so it gets the same answer, in Danish.
_UNREADABLE_JSON = "There was an error parsing the body"
_MULTIPART_TOO_LARGE = ("Too many fields", "Too many files", "Field exceeded maximum size",
                        "Part exceeded maximum size")
_MULTIPART_BROKEN = ("Invalid multipart data", "Missing boundary in multipart",
                     'The Content-Disposition header field "name" must be provided')


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """The Danish rule an unreadable body broke, or None when the 400 is not about reading the body."""
    if exc.status_code != 400 or not isinstance(exc.detail, str):
        return None
    if exc.detail == _UNREADABLE_JSON:
        return "kan ikke læses (ugyldig JSON eller formular)"
    if exc.detail.startswith(_MULTIPART_TOO_LARGE):
        return "er for stor (for mange felter eller filer, eller en del er for stor)"
    if exc.detail.startswith(_MULTIPART_BROKEN):
        return "er ikke en gyldig formular (multipart/form-data)"
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_failed(validation_errors(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        rule = _unreadable_body(exc)
        if rule:
            return validation_failed([{"field": "body", "message": rule}])
        return await http_exception_handler(request, exc)

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        # SQLite's driver refuses integers beyond 64 bits before SQLAlchemy sees them (PostgreSQL's
        # says DataError, below): a number too large for the database is the client's mistake.
        log.info("overflow: %s", exc)
        return _json(Error(detail="En værdi kan ikke gemmes: et tal er for stort."), 422)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check the rules they know first; this catches races (two requests creating
        # the same CVR at once) so the loser gets a clear 409, not a 500.
        log.info("integrity error: %s", exc.orig)
        return _json(Error(detail="Ændringen strider mod eksisterende data (dublet eller manglende reference)."),
                     status.HTTP_409_CONFLICT)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # Values pydantic accepts but the database cannot hold (an id beyond its integer range, a
        # NUL character in a text) are the client's mistake: 422, never a 500.
        log.info("data error: %s", exc.orig)
        return _json(Error(detail="En værdi kan ikke gemmes: et tal er for stort, eller en tekst indeholder "
                                  "ugyldige tegn."), 422)

    @app.exception_handler(OperationalError)
    async def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return _json(Unavailable(detail="Databasen svarer ikke lige nu. Prøv igen om lidt."),
                     status.HTTP_503_SERVICE_UNAVAILABLE, {"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(RedisError)
    async def _redis_down(_: Request, exc: RedisError) -> JSONResponse:
        # Queues, locks and the login limit live in Redis; where a request cannot do without it, the
        # answer is the same as for the database: try again shortly, never a 500.
        log.warning("redis unavailable: %s", exc)
        return _json(Unavailable(detail="En intern tjeneste (Redis) svarer ikke lige nu. Prøv igen om lidt."),
                     status.HTTP_503_SERVICE_UNAVAILABLE, {"Retry-After": str(RETRY_AFTER_SECONDS)})

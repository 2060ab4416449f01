"""Errors users can read: every 4xx names the field and the rule in Danish, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

log = logging.getLogger("jobbro.errors")


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
    return [{"field": _field_name(e.get("loc", ())), "message": _translate(e)} for e in errors]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(list(exc.errors()))
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            {"detail": f"Ugyldige data — {summary}", "errors": errors},
            status_code=422,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check the rules they know first; this catches races (two requests creating
        # the same CVR at once) so the loser gets a clear 409, not a 500.
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(
            {"detail": "Ændringen strider mod eksisterende data (dublet eller manglende reference)."},
            status_code=status.HTTP_409_CONFLICT,
        )

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # Values pydantic accepts but the database cannot hold (an id beyond its integer range, a
        # NUL character in a text) are the client's mistake: 422, never a 500.
        log.info("data error: %s", exc.orig)
        return JSONResponse(
            {"detail": "En værdi kan ikke gemmes: et tal er for stort, eller en tekst indeholder ugyldige tegn."},
            status_code=422,
        )

    @app.exception_handler(OperationalError)
    async def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return JSONResponse(
            {"detail": "Databasen svarer ikke lige nu. Prøv igen om lidt."},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

"""Each service's OpenAPI declares the error answers its operations really give (issue 12).

The OpenAPI is the contract other systems code against, so every operation lists, with the body
schema of shared/errors.py, the answers it can give besides its success:

| code | when | body |
|---|---|---|
| 401 | the operation needs a login (`shared.auth.current_principal` is among its dependencies); `WWW-Authenticate: Bearer` | `Error` |
| 403 | the same: a role the operation (or the object) is not open to | `Error` |
| 404 | it needs a login and its path names an object, or a company's portal user may call it (another company's data answers 404, `docs/architecture.md`) | `Error` |
| 409 | it writes (POST, PUT, PATCH, DELETE) to the database: a business rule, or a race lost to another request | `Error` |
| 422 | it takes parameters or a body; the validation handler's body, with the field list | `HTTPValidationError` |
| 429 | the login (`shared.auth.TOKEN_URL`): too many attempts; `Retry-After` | `RateLimited` |
| 503 | it uses the database or Redis: one of them does not answer; `Retry-After` | `Unavailable` |

The login itself answers 401 for a wrong password but needs no login, so it gets no 403 or 404; the
public unsubscribe page answers an unknown link with its own 400 page, so it gets no 404 either.
What an operation needs is read from its dependency tree, so a new route is documented the moment
it is written; answers only its own code knows (the unsubscribe page's 400) stay on the route, and
what a route declares itself (a description, a richer schema) is kept, with the body schema added
where it has none.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.auth import TOKEN_URL, current_principal
from shared.db import get_session
from shared.errors import Error, HTTPValidationError, RateLimited, Unavailable
from shared.redis_client import get_redis

REF = "#/components/schemas/{model}"
ERROR_MODELS: tuple[type[BaseModel], ...] = (Error, HTTPValidationError, RateLimited, Unavailable)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_RETRY_AFTER = {"Retry-After": {"description": "Sekunder før et nyt forsøg giver mening", "required": True,
                                "schema": {"type": "integer", "minimum": 0}}}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`: log ind med `POST " + TOKEN_URL + "`",
                                          "required": True, "schema": {"type": "string"}}}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _answer(description: str, model: type[BaseModel], headers: dict | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": _ref(model)}}}
    if headers:
        answer["headers"] = copy.deepcopy(headers)
    return answer


@dataclass(frozen=True)
class Needs:
    """What an operation depends on, read from its dependency tree."""

    login: bool  # a bearer token (shared.auth.current_principal)
    roles: bool  # a role check (shared.auth.require_roles)
    database: bool
    redis: bool
    inputs: bool  # parameters or a body, so a 422 is possible
    path_params: bool
    is_login_endpoint: bool


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _has_inputs(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params or dependant.cookie_params:
        return True
    if dependant.body_params:
        return True
    return any(_has_inputs(d) for d in dependant.dependencies)


def _has_path_params(dependant: Dependant) -> bool:
    return bool(dependant.path_params) or any(_has_path_params(d) for d in dependant.dependencies)


def needs_of(route: Any) -> Needs:
    dependant: Dependant = route.dependant
    calls = list(_calls(dependant))
    return Needs(
        login=current_principal in calls,
        roles=any(getattr(c, "__qualname__", "").startswith("require_roles.") for c in calls),
        database=get_session in calls,
        redis=get_redis in calls,
        inputs=_has_inputs(dependant),
        path_params=_has_path_params(dependant),
        is_login_endpoint=route.path_format == TOKEN_URL,
    )


def error_answers(needs: Needs, methods: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The error answers an operation with these needs can give, by status code."""
    answers: dict[str, dict[str, Any]] = {}
    if needs.is_login_endpoint:
        answers["401"] = _answer("Forkert e-mail eller adgangskode, eller kontoen er midlertidigt låst", Error)
        answers["429"] = _answer("For mange loginforsøg fra denne adresse eller til denne konto; vent "
                                 "`Retry-After` sekunder", RateLimited, _RETRY_AFTER)
    elif needs.login:
        answers["401"] = _answer("Ikke logget ind: token mangler, er ugyldigt eller udløbet", Error, _WWW_AUTHENTICATE)
        answers["403"] = _answer("Din rolle giver ikke adgang til denne funktion" if needs.roles else
                                 "Din rolle må ikke denne handling (fx en virksomhedsbruger der vil mere end at "
                                 "annullere sin ordre)", Error)
    if needs.login and needs.path_params:
        answers["404"] = _answer("Findes ikke (eller hører til en anden virksomhed)", Error)
    elif needs.login and not needs.roles and needs.database:
        answers["404"] = _answer("En virksomhed, aftale, ordre eller bruger der nævnes, findes ikke (en anden "
                                 "virksomheds data findes ikke for en virksomhedsbruger)", Error)
    if needs.database and not needs.is_login_endpoint and WRITES & {m.upper() for m in methods}:
        answers["409"] = _answer("Ændringen strider mod en regel eller mod data en anden lige har gemt", Error)
    if needs.inputs:
        answers["422"] = _answer("Ugyldige data: feltet og reglen står i svaret", HTTPValidationError)
    if needs.database or needs.redis:
        answers["503"] = _answer("Databasen eller Redis svarer ikke lige nu; prøv igen om `Retry-After` sekunder",
                                 Unavailable, _RETRY_AFTER)
    return answers


def _merge(responses: dict[str, Any], code: str, answer: dict[str, Any]) -> None:
    """Add `answer`; keep what the route says itself, adding the body schema and headers it lacks."""
    mine = responses.get(code)
    if mine is None:
        responses[code] = answer
        return
    if not mine.get("content"):
        mine["content"] = answer["content"]
    if code == "422" and mine.get("description") == "Validation Error":  # FastAPI's English default
        mine["description"] = answer["description"]
    if "headers" in answer:
        mine.setdefault("headers", {}).update({k: v for k, v in answer["headers"].items()
                                               if k not in mine["headers"]})


def _route_contexts(app: FastAPI) -> Iterator[Any]:
    # FastAPI 0.16x keeps included routers lazily; this is the walk its OpenAPI generator does.
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: the routes are flat
        yield from (r for r in app.routes if isinstance(r, APIRoute))
        return
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute):
            yield ctx


def _error_components() -> dict[str, Any]:
    _, top = models_json_schema([(m, "serialization") for m in ERROR_MODELS], ref_template=REF)
    components = top.get("$defs", {})
    for component in components.values():
        for prop in component.get("properties", {}).values():
            # Optional fields are left out of a body, never sent as null: no `default: null` either.
            if "default" in prop and prop["default"] is None:
                del prop["default"]
    return components


def document_errors(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add every operation's error answers and their body schemas to `schema` (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, component in _error_components().items():
        # HTTPValidationError is FastAPI's 422 body, replaced on purpose; any other name taken by a
        # service's own model would be overwritten silently, so it stops the start instead.
        if name in components and name != "HTTPValidationError" and components[name] != component:
            raise RuntimeError(f"OpenAPI component {name!r} is both an error body (shared/errors.py) and a "
                               "service model; rename the model")
        components[name] = component
    paths = schema.get("paths", {})
    for route in _route_contexts(app):
        if not route.include_in_schema:
            continue
        operations = paths.get(route.path_format, {})
        needs = needs_of(route)
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, answer in error_answers(needs, [method]).items():
                _merge(responses, code, answer)
            operation["responses"] = dict(sorted(responses.items()))
    # FastAPI's own 422 item schema describes a body Jobbro never sends.
    if "ValidationError" in components and '"#/components/schemas/ValidationError"' not in json.dumps(schema):
        del components["ValidationError"]
    schema["components"]["schemas"] = dict(sorted(components.items()))
    return schema


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and so `/openapi.json`) declare the error answers."""
    generate = app.openapi
    documented: dict[str, int] = {}

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's, cached by FastAPI until the routes change
        if documented.get("id") != id(schema):
            document_errors(app, schema)
            documented["id"] = id(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

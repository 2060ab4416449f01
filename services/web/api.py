"""The BFF's client for crm, matching and notifications: every call carries the user's token.

The web front owns no data. A page asks the services' public APIs (the same ones other systems
use, `../shared/api-contract.md`) with the logged-in user's bearer token, so every rule about who
may see what is enforced once, in the services.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.settings import get_settings

SERVICES = ("crm", "matching", "notifications")


@dataclass
class ApiError(Exception):
    """A 4xx answer from a service, with its Danish message and the fields it names."""

    status: int
    detail: str
    fields: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"


class NotLoggedIn(Exception):
    """The token is missing, expired or refused: the user must log in again."""


@dataclass
class ServiceDown(Exception):
    service: str
    reason: str


def _base_url(service: str) -> str:
    s = get_settings()
    return {"crm": s.crm_url, "matching": s.matching_url, "notifications": s.notifications_url}[service]


def _field_of(name: str) -> str:
    # crm names nested fields "purposes.0"; a form shows the error next to "purposes".
    return name.split(".", 1)[0]


def parse_error(res: httpx.Response) -> ApiError:
    try:
        body = res.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail")
    fields: dict[str, str] = {}
    for err in body.get("errors") or []:
        if isinstance(err, dict) and err.get("field"):
            fields.setdefault(_field_of(str(err["field"])), str(err.get("message", "er ugyldig")))
    if isinstance(detail, list):  # a plain FastAPI validation answer
        for err in detail:
            loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path")]
            if loc:
                fields.setdefault(_field_of(".".join(loc)), str(err.get("msg", "er ugyldig")))
        detail = "Nogle felter er ikke udfyldt korrekt."
    if body.get("field") and isinstance(detail, str):
        fields.setdefault(_field_of(str(body["field"])), detail)
    if not isinstance(detail, str) or not detail:
        detail = {404: "Findes ikke.", 403: "Din rolle giver ikke adgang til denne funktion."}.get(
            res.status_code, "Forespørgslen kunne ikke gennemføres."
        )
    return ApiError(res.status_code, detail, fields, body)


class Api:
    """One user's view of the services, for one request."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self._http = http
        self._token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if extra:
            headers.update(extra)
        return headers

    async def request(self, method: str, service: str, path: str, *, params: dict | None = None,
                      json: Any = None, data: dict | None = None, headers: dict | None = None,
                      login_call: bool = False) -> httpx.Response:
        url = _base_url(service) + path
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            res = await self._http.request(method, url, params=clean, json=json, data=data,
                                           headers=self._headers(headers))
        except httpx.HTTPError as exc:
            raise ServiceDown(service, exc.__class__.__name__) from exc
        if res.status_code == 401 and not login_call:
            raise NotLoggedIn()
        if res.status_code >= 500:
            raise ServiceDown(service, f"HTTP {res.status_code}")
        if res.status_code >= 400:
            raise parse_error(res)
        return res

    async def login(self, email: str, password: str, client: str | None = None) -> str:
        # crm limits login attempts per client address: it must see the browser's, not ours.
        res = await self.request("POST", "crm", "/api/v1/auth/token",
                                 data={"username": email, "password": password}, login_call=True,
                                 headers={"X-Forwarded-For": client} if client else None)
        return res.json()["access_token"]

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return (await self.request("GET", service, path, params=params)).json()

    async def get_or_none(self, service: str, path: str, **params: Any) -> Any:
        """For a panel a page can show without: a service that is down leaves it out, not the page."""
        try:
            return await self.get(service, path, **params)
        except (ServiceDown, ApiError):
            return None

    async def post(self, service: str, path: str, json: Any = None, *, data: dict | None = None) -> Any:
        res = await self.request("POST", service, path, json=json, data=data)
        return res.json() if res.content else None

    async def put(self, service: str, path: str, json: Any) -> Any:
        return (await self.request("PUT", service, path, json=json)).json()

    async def patch(self, service: str, path: str, json: Any) -> Any:
        return (await self.request("PATCH", service, path, json=json)).json()

    async def delete(self, service: str, path: str) -> None:
        await self.request("DELETE", service, path)


async def gather(*calls: Awaitable[Any]) -> list[Any]:
    """Run a page's independent API calls side by side: a page waits for its slowest call only."""
    return list(await asyncio.gather(*calls))


def new_http_client() -> httpx.AsyncClient:
    timeout = get_settings().web_api_timeout_seconds
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=3.0),
                             limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))

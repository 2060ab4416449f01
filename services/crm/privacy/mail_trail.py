"""The e-mails notifications sent a contact person, asked of notifications' API for an access
request (GDPR art. 15): crm never reads notifications' tables.

The caller's own token goes along, so notifications checks and audits the read as the person's
who asked. If notifications does not answer, the export is refused (503) rather than given
incomplete: a data subject is owed everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from shared.errors import DomainError
from shared.settings import get_settings

PAGE = 1000


class MailTrailUnavailable(DomainError):
    status_code = 503

    def __init__(self) -> None:
        super().__init__("Notifikationstjenesten svarer ikke, så udtrækket kan ikke gøres helt. Prøv igen om lidt.")

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": "5"}


Fetch = Callable[[int, str], list[dict[str, Any]]]


def client() -> httpx.Client:
    s = get_settings()
    return httpx.Client(base_url=s.notifications_url, timeout=s.web_api_timeout_seconds)


def fetcher(http: httpx.Client | None = None) -> Fetch:
    def fetch(contact_id: int, authorization: str) -> list[dict[str, Any]]:
        own = http is None
        c = http or client()
        items: list[dict[str, Any]] = []
        try:
            while True:
                res = c.get("/api/v1/deliveries", params={"contact_id": contact_id, "limit": PAGE,
                                                          "offset": len(items)},
                            headers={"Authorization": authorization})
                if res.status_code >= 500:
                    raise MailTrailUnavailable()
                res.raise_for_status()
                body = res.json()
                items += body["items"]
                if len(items) >= body["total"] or not body["items"]:
                    return items
        except httpx.TransportError as exc:
            raise MailTrailUnavailable() from exc
        finally:
            if own:
                c.close()

    return fetch


def get_fetcher() -> Fetch:
    """FastAPI dependency; tests swap it for one answering from the notifications app in-process."""
    return fetcher()

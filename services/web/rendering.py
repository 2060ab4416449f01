"""Templates, Danish formatting and the form conventions every page follows.

A form that fails is rendered again with what was typed (`values`) and each message next to its
field (`errors`), with a summary at the top that links to the fields (WCAG 3.3.1).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates

from services.web.api import ApiError
from services.web.session import csrf_token, user_of
from shared import glossary
from shared.postcodes import town

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TZ = ZoneInfo("Europe/Copenhagen")

MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december"]
MONTHS_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


def _parse(value: Any) -> date | datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (date, datetime)):
        return value
    text = str(value)
    try:
        if len(text) > 10:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        return date.fromisoformat(text)
    except ValueError:
        return None


def dato(value: Any) -> str:
    d = _parse(value)
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = (d.astimezone(TZ) if d.tzinfo else d).date()
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def tidspunkt(value: Any) -> str:
    d = _parse(value)
    if not isinstance(d, datetime):
        return dato(value)
    local = d.astimezone(TZ) if d.tzinfo else d
    return f"{local.day}. {MONTHS[local.month - 1]} {local.year} kl. {local:%H.%M}"


def maaned(value: str) -> str:
    try:
        year, month = str(value).split("-")[:2]
        return f"{MONTHS_SHORT[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return str(value)


def pct(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.{digits}f} %".replace(".", ",")


def tal(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{int(value):,}".replace(",", ".")


def sted(postcode) -> str:
    """A postcode as people say it, with its town when Jobbro knows it: "4200 Slagelse"."""
    if not postcode:
        return ""
    name = town(postcode)
    return f"{postcode} {name}" if name else str(postcode)


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(str(path.stat().st_size).encode())
            digest.update(str(int(path.stat().st_mtime)).encode())
    return digest.hexdigest()[:10]


templates = Jinja2Templates(directory=str(HERE / "templates"))
env = templates.env
env.filters.update(dato=dato, tidspunkt=tidspunkt, maaned=maaned, pct=pct, tal=tal, sted=sted)
env.globals.update(
    g=glossary,
    asset_version=_asset_version(),
    CHANNEL_LABELS=glossary.CHANNEL_LABELS,
    PURPOSE_LABELS=glossary.PURPOSE_LABELS,
    SCHEME_LABELS=glossary.SCHEME_LABELS,
    SECTOR_LABELS=glossary.SECTOR_LABELS,
    ORDER_STATUS_LABELS=glossary.ORDER_STATUS_LABELS,
    OUTCOME_LABELS=glossary.OUTCOME_LABELS,
    CAMPAIGN_TARGET_LABELS=glossary.CAMPAIGN_TARGET_LABELS,
    VERDENSMAAL=glossary.VERDENSMAAL,
    VERDENSMAAL_COLOURS=glossary.VERDENSMAAL_COLOURS,
    WEEKDAYS=WEEKDAYS,
)


def label(mapping: dict, value: Any) -> str:
    """A glossary label for an enum value, falling back to the value itself."""
    for key, text in mapping.items():
        if key == value:
            return text
    return str(value or "")


env.globals["label"] = label


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None):
    ctx = {"user": user_of(request), "csrf_token": csrf_token(request), "values": {}, "errors": {},
           "today": date.today(), "flash": request.session.pop("flash", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def form_errors(exc: ApiError, known_fields: set[str]) -> tuple[dict[str, str], str | None]:
    """Split an API error into messages next to known fields and a message for the top."""
    errors = {k: v for k, v in exc.fields.items() if k in known_fields}
    rest = [f"{k}: {v}" for k, v in exc.fields.items() if k not in known_fields]
    top = None
    if not errors or rest:
        top = exc.detail if not rest else "; ".join(rest)
    return errors, top


def flash(request: Request, message: str, *, error: bool = False) -> None:
    """A one-time message shown on the next page (after a redirect)."""
    request.session["flash"] = {"message": message, "error": error}

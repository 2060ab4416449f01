"""The crm service: the system of record for the jobcentre's work with employers."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from sqlmodel import Session

from shared.app import create_app
from shared.db import get_engine
from shared.settings import get_settings

# Each domain contributes its router; a domain not built yet is simply absent.
DOMAIN_ROUTERS = (
    "services.crm.users.routes",
    "services.crm.signin.routes",
    "services.crm.companies.routes",
    "services.crm.partnerships.routes",
    "services.crm.activities.routes",
    "services.crm.orders.routes",
    "services.crm.placements.routes",
    "services.crm.campaigns.routes",
    "services.crm.kpi.routes",
    "services.crm.imports.routes",
    "services.crm.privacy.routes",
    "services.crm.feeds.routes",
    "services.crm.privacy.erasures",
    "services.crm.job_ads.routes",
    "services.crm.job_ads.public",
    "services.crm.centres.routes",
    "services.crm.satisfaction.routes",
    "services.crm.cooperation.routes",
)


def _routers():
    for name in DOMAIN_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        yield module.router


def _ensure_admin() -> None:
    from services.crm.users.service import ensure_admin

    settings = get_settings()
    with Session(get_engine()) as session:
        ensure_admin(session, settings.jobbro_admin_email, settings.jobbro_admin_password)


def build_app() -> FastAPI:
    import services.crm.models  # noqa: F401  (register every table's mapper)

    return create_app(
        "crm",
        list(_routers()),
        on_startup=[_ensure_admin],
        description="Virksomheder, kontaktpersoner, partnerskaber, aktiviteter, ordrer, placeringer, kampagner og nøgletal.",
    )


app = build_app()

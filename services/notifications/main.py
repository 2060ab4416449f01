"""The notifications service: newsletters, deliveries and the public unsubscribe page."""

from __future__ import annotations

from fastapi import FastAPI

from shared.app import create_app


def build_app() -> FastAPI:
    import services.notifications.models  # noqa: F401  (register every table's mapper)
    from services.notifications.deliveries.routes import router as deliveries
    from services.notifications.newsletters.routes import router as newsletters
    from services.notifications.metrics import register as register_metrics
    from services.notifications.unsubscribe.routes import router as unsubscribe

    register_metrics()
    return create_app(
        "notifications",
        [newsletters, deliveries, unsubscribe],
        description="Nyhedsbreve, kvitteringer og påmindelser; afmelding uden login.",
    )


app = build_app()

"""Command-line helpers every service's `python -m services.<name>` shares."""

from __future__ import annotations

import argparse

from shared.settings import get_settings


def add_serve_parser(sub: argparse._SubParsersAction, default_port: int) -> None:
    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=default_port)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--reload", action="store_true")


def serve(app_path: str, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(app_path, host=args.host, port=args.port, workers=args.workers, reload=args.reload,
                proxy_headers=True, forwarded_allow_ips=get_settings().forwarded_allow_ips)


def migrate(service: str, database_url: str | None = None, configure_logger: bool = True) -> None:
    """Migrate `service`'s own database with its own history (migrations/versions/<service>)."""
    from alembic import command
    from alembic.config import Config

    from shared.settings import REPO_ROOT

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("version_locations", str(REPO_ROOT / "migrations" / "versions" / service))
    cfg.attributes["service"] = service
    cfg.attributes["database_url"] = database_url or get_settings().database_url_for(service)
    cfg.attributes["configure_logger"] = configure_logger
    command.upgrade(cfg, "heads")

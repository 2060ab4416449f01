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


def migrate() -> None:
    """alembic upgrade heads: every service's branch, on DATABASE_URL."""
    from alembic import command
    from alembic.config import Config

    from shared.settings import REPO_ROOT

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = get_settings().database_url
    command.upgrade(cfg, "heads")

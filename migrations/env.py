"""Alembic environment: the database URL comes from the one settings object (DATABASE_URL)."""

from __future__ import annotations

import importlib
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

from shared.db import make_engine
from shared.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Every service's tables, so autogenerate sees the whole database.
for module in ("services.crm.models", "services.matching.models", "services.notifications.models"):
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # A service that is not part of this checkout has no tables to migrate.
        if not exc.name or not module.startswith(exc.name):
            raise

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

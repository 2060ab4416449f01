"""Alembic environment. Each service migrates its own database with its own history
(`python -m services.<name> migrate`, shared/cli.py): the caller names the service, its URL and
its versions folder; the version table is the service's (`alembic_version_<name>`)."""

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

SERVICE = config.attributes.get("service") or context.get_x_argument(as_dictionary=True).get("service")
MODULES = {"crm": "services.crm.models", "matching": "services.matching.models",
           "notifications": "services.notifications.models"}

# The service's tables (all services' when none is named), so autogenerate sees what it owns.
for module in ([MODULES[SERVICE]] if SERVICE else MODULES.values()):
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
    url = config.attributes.get("database_url") or get_settings().database_url_for(SERVICE)
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    if SERVICE and connection.dialect.name == "postgresql":
        first = connection.exec_driver_sql("SHOW search_path").scalar().split(",")[0].strip().strip('"')
        if first == SERVICE:
            # One PostgreSQL database, a schema per service (DATABASE_URL without <SERVICE>_DATABASE_URL).
            connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{SERVICE}"')
            connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=f"alembic_version_{SERVICE}" if SERVICE else "alembic_version",
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

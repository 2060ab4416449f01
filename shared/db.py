"""Database engine and the per-request session (the request's single commit point)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from shared.settings import get_settings


def normalise_url(url: str) -> str:
    # Operators write postgresql://; SQLAlchemy needs the driver named to pick psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # pysqlite's own transaction handling breaks SAVEPOINTs (nested transactions, the
            # tests' rollback); SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Several processes write this one file. A DEFERRED transaction that reads and then
            # writes fails at once with SQLITE_BUSY when another process committed in between
            # (the busy timeout cannot help: waiting would not make its snapshot current). So a
            # transaction takes the write lock up front and waits for it (busy timeout) instead;
            # pollers that only read opt out with `read_only(engine)` (WAL readers never block).
            conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN_OPTION, 'IMMEDIATE')}")

        return engine
    # The pool matches the request thread pool (40 threads), so a busy replica reuses connections
    # instead of opening overflow ones; pre-ping keeps a PostgreSQL restart invisible to users.
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20, pool_recycle=1800)


_BEGIN_OPTION = "jobbro_sqlite_begin"


def read_only(engine: Engine) -> Engine:
    """The same engine for work that never writes: on SQLite its transactions start DEFERRED,
    so a reader does not queue behind writers for the write lock (PostgreSQL: unchanged)."""
    return engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})


SERVICE_ENV = "JOBBRO_SERVICE"
_service: str | None = None


def use_service(name: str) -> None:
    """This process is `name`'s (said by `python -m services.<name>`): its engine is that service's
    database. The environment carries it to the processes it starts (uvicorn's workers, the cron).
    A process that never says (the test suite, tools) uses DATABASE_URL."""
    global _service
    os.environ[SERVICE_ENV] = name
    if _service != name:
        _service = name
        get_engine.cache_clear()


def current_service() -> str | None:
    return _service or os.environ.get(SERVICE_ENV) or None


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url_for(current_service()))


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request; routers never commit, services do once."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session

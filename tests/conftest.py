"""Test set-up: real PostgreSQL and Redis when reachable (CI), SQLite otherwise, said out loud.

Each test runs inside a transaction that is rolled back (as Netflix Dispatch and Polar do): the
schema is migrated once per run with Alembic, and the app's session dependency is swapped for a
session joined to that transaction, so services can commit as they do in production.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent

# Parallel sessions on one machine must not share a test database or Redis db number.
_PG_URL = os.environ.get(
    "JOBBRO_TEST_DATABASE_URL",
    f"postgresql://postgres@127.0.0.1:5432/{os.environ.get('JOBBRO_TEST_DB', 'jobbro_test')}",
)
_REDIS_URL = os.environ.get(
    "JOBBRO_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{os.environ.get('JOBBRO_TEST_REDIS_DB', '15')}"
)


def _postgres_available(url: str) -> bool:
    import psycopg

    u = make_url(url)
    try:
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres",
                             connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{u.database}"')
        return True
    except Exception:
        return False


def _redis_available(url: str) -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


_SKIPPED: list[str] = []
# JOBBRO_TEST_BACKEND=sqlite runs on the embedded default even where PostgreSQL answers (make test's
# second pass), so the default every newcomer runs is tested too.
_FORCE_SQLITE = os.environ.get("JOBBRO_TEST_BACKEND", "").lower() == "sqlite"
PG = not _FORCE_SQLITE and _postgres_available(_PG_URL)
REDIS = _redis_available(_REDIS_URL)

if PG:
    DATABASE_URL = _PG_URL
else:
    DATABASE_URL = f"sqlite:///{tempfile.mkdtemp(prefix='jobbro-test-')}/test.sqlite3"
    _SKIPPED.append("JOBBRO_TEST_BACKEND=sqlite: ran on SQLite; postgres-marked tests skipped" if _FORCE_SQLITE else
                    f"PostgreSQL not reachable at {_PG_URL}: ran on SQLite; postgres-marked tests skipped")
if not REDIS:
    _SKIPPED.append(f"Redis not reachable at {_REDIS_URL}: redis-marked tests skipped")

# Settings are read from the environment: point every service at the test stores before import.
# The suite's API tests hold every service's tables in one test database (each service's own
# history migrated into it, services.conftest `engine`), so a test can set up crm's rows and
# check notifications' in one transaction; the process tests (tests/ops, tests/web) give each
# service a database of its own (`own_databases`).
os.environ["DATABASE_URL"] = DATABASE_URL
from tests.ops.stack import SERVICES, own_databases, service_database_url  # noqa: E402,F401

for _svc in SERVICES:
    os.environ[f"{_svc.upper()}_DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = _REDIS_URL
os.environ["JOBBRO_DEMO_DATA"] = "0"
# The suite logs in far more often than a person; tests of the login limit switch it on.
os.environ.setdefault("LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE", "0")
os.environ.setdefault("LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE", "0")
os.environ.setdefault("JOBBRO_SECRET_KEY", "test-secret-key-that-is-long-enough-for-hs256")
os.environ.pop("JOBBRO_ADMIN_EMAIL", None)
# A run of the suite is an installation of its own: a demo (or another run) on the same Redis never
# sees its events or jobs (shared/installation.py); subprocesses inherit it.
os.environ.setdefault("JOBBRO_INSTALLATION_ID", f"test-{os.getpid()}-{os.urandom(3).hex()}")


def pytest_report_header(config):
    return [f"jobbro database: {DATABASE_URL}", f"jobbro redis: {_REDIS_URL if REDIS else 'not reachable'}"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not PG:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL not reachable"))
        if "redis" in item.keywords and not REDIS:
            item.add_marker(pytest.mark.skip(reason="Redis not reachable"))


def pytest_terminal_summary(terminalreporter):
    for line in _SKIPPED:
        terminalreporter.write_line(f"NOTE: {line}", yellow=True)


def _reset_caches() -> None:
    from shared.db import get_engine
    from shared.installation import installation_id
    from shared.redis_client import get_redis
    from shared.settings import get_settings

    get_settings.cache_clear()
    installation_id.cache_clear()
    get_engine.cache_clear()
    get_redis.cache_clear()


_PREPARED = False


def _prepare_database() -> None:
    """A fresh schema with every service's history applied, once per run."""
    global _PREPARED
    if _PREPARED:
        return
    _reset_caches()
    from shared.db import get_engine

    eng = get_engine()
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    from shared import cli

    for service in SERVICES:  # crm first: its history made the common tables before the split
        cli.migrate(service, database_url=DATABASE_URL, configure_logger=False)
    eng.dispose()
    _PREPARED = True


def pytest_sessionstart(session):
    # Before collection: test modules that load an app's OpenAPI at import (tests/test_fuzz_openapi.py)
    # run its start-up against the test database, which must already have today's schema, not
    # whatever an earlier run of older code left there.
    _prepare_database()


@pytest.fixture(scope="session")
def engine():
    _prepare_database()
    _reset_caches()
    from shared.db import get_engine

    eng = get_engine()
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine) -> Iterator:
    from sqlmodel import Session

    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


def wipe(engine) -> None:
    """Empty every table of every service (for tests whose data must really be committed)."""
    from sqlmodel import SQLModel

    import services.crm.models  # noqa: F401
    import services.matching.models  # noqa: F401
    import services.notifications.models  # noqa: F401

    tables = sorted(SQLModel.metadata.tables)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            return
        # foreign_keys=OFF is a no-op inside a transaction; deferring the checks to the commit,
        # when every table is empty, is what works there.
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for t in tables:
            conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def committed(engine):
    """A session whose commits are real, for code under test that uses its own connections (RQ
    workers, event consumers, subprocesses) and cannot see the `db` fixture's open transaction.
    Every table is emptied before and after."""
    from sqlmodel import Session

    wipe(engine)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        wipe(engine)


@pytest.fixture
def redis_conn():
    if not REDIS:
        pytest.skip("Redis not reachable")
    from shared.redis_client import get_redis

    r = get_redis()
    r.flushdb()
    yield r
    r.flushdb()


def _client_for(app, db):
    from fastapi.testclient import TestClient

    from shared.db import get_session

    def _session():
        # As in production, a request that fails leaves no half-done work behind: each request
        # runs in a savepoint of its own, rolled back if the request fails before committing, so
        # the test's own data stays and the next request starts clean.
        request_tx = db.begin_nested()
        try:
            yield db
        except Exception:
            if request_tx.is_active:
                request_tx.rollback()
            raise
        else:
            if request_tx.is_active:
                request_tx.commit()

    app.dependency_overrides[get_session] = _session
    return TestClient(app, raise_server_exceptions=os.environ.get("JOBBRO_TEST_RAISE") == "1")


@pytest.fixture
def crm_client(db):
    from services.crm.main import app
    from services.crm.privacy import mail_trail
    from services.notifications.main import app as notifications_app

    # crm asks notifications' API for a contact's mail trail: here the real notifications app,
    # in-process on the same test transaction.
    notifications = _client_for(notifications_app, db)
    app.dependency_overrides[mail_trail.get_fetcher] = lambda: mail_trail.fetcher(notifications)
    with _client_for(app, db) as client:
        yield client
    app.dependency_overrides.clear()
    notifications_app.dependency_overrides.clear()


@pytest.fixture
def factories(db):
    from tests import factories as f

    f.bind(db)
    return f


@pytest.fixture
def login(factories):
    """`login(role, company=None)` -> (user, headers) for a fresh user of that role."""
    from services.crm.users.service import principal_of
    from shared.auth import create_access_token

    def _login(role: str, company=None):
        user = factories.UserFactory(role=role, company_id=company.id if company else None)
        return user, {"Authorization": f"Bearer {create_access_token(principal_of(user))}"}

    return _login


@pytest.fixture
def konsulent(login):
    return login("konsulent")[1]


@pytest.fixture
def leder(login):
    return login("leder")[1]


@pytest.fixture
def admin(login):
    return login("admin")[1]


def deliver_events(db, rounds: int = 5) -> list[str]:
    """Hand every outbox event written in this test's transaction to each service's consumer, in
    process and in order, as the stream would, until nothing new is published; returns the types.
    (The stream, consumer groups and workers themselves have tests of their own.)"""
    from sqlmodel import select

    from services.crm.inbox.consumer import HANDLERS as crm_handlers
    from services.matching.candidates.erasures import person_erased as matching_person_erased
    from services.notifications.recipients.service import apply as notifications_apply
    from shared.events import OutboxEvent

    seen: set[str] = set()
    delivered: list[str] = []
    for _ in range(rounds):
        db.flush()
        new = [e for e in db.exec(select(OutboxEvent).order_by(OutboxEvent.created_at)).all() if e.id not in seen]
        if not new:
            break
        for e in new:
            seen.add(e.id)
            event = {"id": e.id, "type": e.type, "occurred_at": e.created_at.isoformat(), "payload": dict(e.payload)}
            if e.type in crm_handlers:
                crm_handlers[e.type](db, event)
            notifications_apply(db, event)
            if e.type == "person.erased":
                matching_person_erased(db, event["payload"])
            if e.type == "ranking.action":
                from services.matching.records.service import apply_event

                apply_event(db, event)
            delivered.append(e.type)
    return delivered

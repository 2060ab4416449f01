"""Fixtures for notifications: a real SMTP server on loopback, real RQ workers in subprocesses,
and data committed for real (a worker process cannot see the `db` fixture's open transaction).

Short backoffs and sweep intervals come from settings, set here for this directory's tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[2]

FAST_SETTINGS = {
    "NOTIFICATIONS_RATE_LIMIT": "0",
    "NOTIFICATIONS_BATCH_SIZE": "50",
    "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
    "NOTIFICATIONS_RETRY_MAX_SECONDS": "2",
    "NOTIFICATIONS_MAX_ATTEMPTS": "30",
    "NOTIFICATIONS_STALE_SECONDS": "4",
    "NOTIFICATIONS_REQUEUE_SECONDS": "4",
    "NOTIFICATIONS_SWEEP_SECONDS": "1",
    "NOTIFICATIONS_RELAY_SECONDS": "1",
    "NOTIFICATIONS_EVENTS_SECONDS": "1",
    "NOTIFICATIONS_CRON_LOCK_SECONDS": "3",
    "SMTP_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_PUBLIC_URL": "http://testserver",
}
os.environ.update(FAST_SETTINGS)

# Ports given to this test run (8130-8149); the first free one is taken.
PORTS = range(8130, 8150)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 8130-8149")


@pytest.fixture(autouse=True)
def _fresh_settings():
    from services.notifications.deliveries.service import _Process
    from shared.settings import get_settings

    get_settings.cache_clear()
    _Process.reset()
    yield
    _Process.reset()
    get_settings.cache_clear()


# -- SMTP ----------------------------------------------------------------------------------------

@dataclass
class Sink:
    port: int
    store: object
    policy: Callable | None = None
    rcpt_policy: Callable | None = None
    controller: object = None

    def start(self) -> None:
        from services.notifications.smtp.sink import start_smtp

        for _ in range(50):
            try:
                self.controller = start_smtp(self.store, "127.0.0.1", self.port,
                                             policy=lambda f, t: self.policy(f, t) if self.policy else None,
                                             rcpt_policy=lambda f, t: self.rcpt_policy(f, t) if self.rcpt_policy else None)
                return
            except Exception:  # the port may linger for a moment after a stop
                time.sleep(0.1)
        raise RuntimeError(f"SMTP sink could not start on {self.port}")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def recipients(self) -> list[str]:
        return [r for m in self.store.all() for r in m.rcpt_tos]

    def messages(self):
        return self.store.all()


@pytest.fixture
def sink(monkeypatch):
    from services.notifications.smtp.sink import MemoryStore
    from shared.settings import get_settings

    s = Sink(port=free_port(), store=MemoryStore())
    s.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(s.port))
    get_settings.cache_clear()
    yield s
    s.stop()


# -- committed data ------------------------------------------------------------------------------

def make_contacts(engine, n: int, *, per_company: int = 10, sector: str = "privat", industry_code: str = "471100",
                  consent: bool = True, tag: str | None = None) -> list[tuple[int, str]]:
    """Bulk-create `n` contacts (with companies); returns [(contact_id, email)]."""
    from stdnum.dk import cvr as stdnum_cvr

    from services.crm.companies.models import Company, Contact
    from shared.models_base import utcnow

    tag = tag or uuid.uuid4().hex[:6]
    now = utcnow()
    companies = []
    seed = int(uuid.uuid4().int % 10_000_000)
    candidate = 10_000_000 + seed
    for i in range((n + per_company - 1) // per_company):
        while not stdnum_cvr.is_valid(str(candidate)) or candidate > 99_999_999:
            candidate = candidate + 1 if candidate < 99_999_999 else 10_000_000
        companies.append({"cvr": str(candidate), "name": f"Firma {tag} {i}", "sector": sector,
                          "industry_code": industry_code, "postcode": "4200", "municipality_code": 330,
                          "created_at": now, "updated_at": now})
        candidate += 1
    with engine.begin() as conn:
        company_ids = [conn.execute(Company.__table__.insert().returning(Company.__table__.c.id), c).scalar()
                       for c in companies]
        rows = [{"company_id": company_ids[i // per_company], "name": f"Kontakt {i}",
                 "email": f"k{i}.{tag}@firma{i // per_company}.dk", "newsletter_consent": consent,
                 "consent_given_at": now if consent else None, "consent_method": "skriftlig" if consent else None,
                 "created_at": now, "updated_at": now} for i in range(n)]
        conn.execute(Contact.__table__.insert(), rows)
        got = conn.execute(text("SELECT id, email FROM contact WHERE email LIKE :p ORDER BY id"),
                           {"p": f"%.{tag}@%"}).all()
    return [(r[0], r[1]) for r in got]


def make_user(engine, role: str = "konsulent", email: str | None = None) -> int:
    from services.crm.users.models import User
    from shared.models_base import utcnow

    with engine.begin() as conn:
        return conn.execute(User.__table__.insert().returning(User.__table__.c.id), {
            "email": email or f"{role}.{uuid.uuid4().hex[:6]}@jobbro.dk", "password_hash": "x", "full_name": "Kirsten Konsulent",
            "role": role, "is_active": True, "failed_logins": 0, "created_at": utcnow()}).scalar()


def headers_for(user_id: int, role: str = "konsulent", email: str = "k@jobbro.dk") -> dict[str, str]:
    from shared.auth import Principal, create_access_token
    from shared.glossary import Role

    return {"Authorization": f"Bearer {create_access_token(Principal(user_id, email, Role(role)))}"}


# -- workers -------------------------------------------------------------------------------------

@dataclass
class Workers:
    sink: Sink
    log_dir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def start(self, name: str | None = None, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(FAST_SETTINGS)
        env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.sink.port), "PYTHONUNBUFFERED": "1"})
        env.update(extra_env or {})
        name = name or f"w{len(self.procs)}"
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "services.notifications", "worker", "--name",
                                 f"{name}-{uuid.uuid4().hex[:6]}"], cwd=REPO, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and everything it started (RQ's scheduler, the cron)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)
        self.procs.clear()


@pytest.fixture
def workers(sink, redis_conn, tmp_path):
    w = Workers(sink=sink, log_dir=tmp_path)
    yield w
    w.stop_all()
    redis_conn.flushdb()


def wait_for(predicate: Callable[[], bool], timeout: float, message: str = "condition", interval: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def delivery_counts(engine, newsletter_id: int | None = None) -> dict[str, int]:
    where = "WHERE newsletter_id = :n" if newsletter_id is not None else ""
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT status, count(*) FROM delivery {where} GROUP BY status"),
                            {"n": newsletter_id}).all()
    return {r[0]: r[1] for r in rows}

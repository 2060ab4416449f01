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
    """Bulk-create `n` recipients (with their companies) in notifications' own read model, as crm's
    events would have; returns [(contact_id, email)]."""
    from services.notifications.recipients.models import Recipient, RecipientCompany
    from shared.models_base import utcnow

    tag = tag or uuid.uuid4().hex[:6]
    now = utcnow()
    base = 10_000_000 + int(uuid.uuid4().int % 1_000_000) * 100  # crm's ids, as they would arrive
    companies = [{"company_id": base + i, "name": f"Firma {tag} {i}", "sector": sector, "industry_code": industry_code,
                  "postcode": "4200", "event_at": now} for i in range((n + per_company - 1) // per_company)]
    rows = [{"contact_id": base + i, "company_id": base + i // per_company, "name": f"Kontakt {i}",
             "email": f"k{i}.{tag}@firma{i // per_company}.dk", "newsletter_consent": consent, "event_at": now,
             "updated_at": now} for i in range(n)]
    with engine.begin() as conn:
        conn.execute(RecipientCompany.__table__.insert(), companies)
        conn.execute(Recipient.__table__.insert(), rows)
    return [(r["contact_id"], r["email"]) for r in rows]


def make_user(engine=None, role: str = "konsulent", email: str | None = None) -> int:
    """A jobcentre user's id: notifications keeps no users (crm does); a token names them."""
    return 1_000_000 + int(uuid.uuid4().int % 1_000_000)


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


# -- notifications' read model ---------------------------------------------------------------------

def mirror(crm_session, notifications_session=None) -> None:
    """Give notifications' read model what crm's events would have told it about the rows made in
    crm (factories): crm's feed builds the real event payloads, notifications' handlers apply them."""
    from services.crm.feeds.service import Feed, page
    from services.notifications.recipients.service import apply

    target = notifications_session or crm_session
    for feed in Feed:
        after = 0
        while True:
            got = page(crm_session, feed, after, 1000)
            for item in got["items"]:
                apply(target, item)
            if got["next_after_id"] is None:
                break
            after = got["next_after_id"]
    target.flush()


def consent_withdrawn_in_crm(engine, contact_id: int) -> None:
    """crm's `contact.consent_changed` (consent withdrawn there) as notifications' consumer gets it."""
    from sqlmodel import Session

    from services.notifications.events.consumer import handle
    from services.notifications.recipients.models import Recipient
    from shared.models_base import utcnow

    with Session(engine) as s:
        r = s.get(Recipient, contact_id)
        payload = {"contact_id": contact_id, "company_id": r.company_id, "name": r.name, "email": r.email,
                   "title": None, "newsletter_consent": False, "changed_at": utcnow().isoformat(), "source": "medarbejder"}
    handle(engine, {"id": str(uuid.uuid4()), "type": "contact.consent_changed", "occurred_at": utcnow().isoformat(),
                    "payload": payload})

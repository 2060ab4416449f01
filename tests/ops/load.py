"""A load driver for the whole system over its real HTTP APIs (issue 11), shared by the tests and benchmarks.

Plain functions, no pytest:

- `start_system(database_url, redis_url, logdir, ...)` migrates a fresh database (each service's,
  where they have their own), inserts a few users (a consultant, a manager, a company user with its
  company, and one "decoy" account per client for wrong passwords) and starts every process of
  `make run` as the Procfile lists them (crm, web, matching, the matching worker and events
  consumer, notifications, the notifications worker with its scheduler, the SMTP sink, ...; Redis
  is the caller's) through `tests.ops.stack.Stack`, each logging to `<logdir>/<name>.log`.
- `run_load(system, clients=8, seconds=60)` runs `clients` threads for `seconds`, each a closed
  loop (no think time) of a realistic mix: companies (valid CVR numbers), contacts, visits and
  calls, recruitment orders from the company's portal user and from consultants, logins with the
  right and the wrong password, order and company pages, through the crm API and through the web
  front (session cookie carried by hand, CSRF token read from the form). Every response's status
  and latency and every created id are recorded; afterwards every created record is read back.
- `history_load(system, requests=2000)` is a jobcentre migrating its records: one request after
  the other (companies, contacts, agreements, orders, placements).
- `scan_logs(system)` finds lines such as "database is locked" in every process's log.

`python -m tests.ops.load --seconds 30 [--history 2000] [--database-url URL]` runs it from the
command line on a fresh SQLite file under var/load (default) or the given, empty, database and
prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shlex
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from stdnum.dk import cvr as stdnum_cvr

from tests.ops.stack import REPO, Proc, Stack, free_port

PASSWORD = "belastning-2026"
WRONG_PASSWORD = "forkert-kodeord-123"
COMPANY_CVR = "13585628"
# crm's message for a wrong password (services/crm/users/service.py); the web's login form shows it.
WRONG_PASSWORD_MESSAGE = "Forkert e-mail eller adgangskode"
LOCKED_MESSAGE = "For mange forkerte forsøg"
# A decoy account takes this many wrong passwords in a row, then its right one, so it never reaches
# crm's lockout (5) and every wrong attempt still writes its failed-login count.
WRONG_IN_A_ROW = 3
LOG_PATTERNS = ("database is locked", "OperationalError")
TIMEOUT = 60.0  # above SQLite's busy timeout (30 s): a request waiting for the write lock is slow, not failed

CHANNELS = ("besoeg", "telefon")
PURPOSES = ("rekruttering", "fastholdelse", "opkvalificering", "virksomhedspraktik", "loentilskud", "partnerskab")
SECTORS = ("privat", "privat", "privat", "kommunal", "forening")
POSTCODES = ("4200", "4220", "4230", "4241", "4261", "4270", "4293", "4100", "4700", "5000")
TITLES = ("Lagermedarbejder", "Social- og sundhedshjælper", "Chauffør", "Kok", "Rengøringsassistent",
          "Pædagogmedhjælper", "Butiksmedarbejder", "Smed", "Tømrer", "Kontorassistent")
NAMES = ("Hansen", "Jensen", "Nielsen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen")
FIRST = ("Anne", "Mette", "Lars", "Søren", "Jens", "Hanne", "Peter", "Camilla", "Mads", "Louise")
TZ = ZoneInfo("Europe/Copenhagen")  # what a consultant's phone shows; the form reads it as Danish time


# -- the system under load ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str


@dataclass
class System:
    crm: str
    web: str | None
    accounts: dict[str, Account]  # konsulent, leder, virksomhed
    decoys: list[Account]  # one per client: wrong passwords go there, never to the accounts above
    company_id: int  # the company user's own company
    consultant_id: int
    database_url: str
    stack: Stack | None = None

    @property
    def procs(self) -> list[Proc]:
        return list(self.stack.procs) if self.stack else []


def _hash(password: str) -> str:
    from shared.auth import hash_password

    return hash_password(password)


def seed_users(database_url: str, decoys: int) -> tuple[int, int, dict[str, Account], list[Account]]:
    """The company and users the load needs; returns (company id, consultant id, accounts, decoys)."""
    from sqlalchemy import text

    from shared.db import make_engine

    now = datetime.now(UTC)
    password_hash = _hash(PASSWORD)  # argon2 on purpose slow: one hash for every account
    accounts = {role: Account(f"{role}@jobbro.dk", PASSWORD, role) for role in ("konsulent", "leder", "virksomhed")}
    decoy_accounts = [Account(f"fejl{i}@jobbro.dk", PASSWORD, "konsulent") for i in range(decoys)]
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            def user(account: Account, name: str, company_id: int | None = None) -> int:
                return conn.execute(text(
                    "INSERT INTO app_user (email, password_hash, full_name, role, company_id, is_active, failed_logins,"
                    " created_at) VALUES (:e, :h, :n, :r, :c, :a, 0, :t) RETURNING id"),
                    {"e": account.email, "h": password_hash, "n": name, "r": account.role, "c": company_id,
                     "a": True, "t": now}).scalar_one()

            consultant = user(accounts["konsulent"], "Karin Konsulent")
            user(accounts["leder"], "Lene Leder")
            company = conn.execute(text(
                "INSERT INTO company (cvr, name, sector, industry_code, employees, postcode, municipality_code,"
                " consultant_id, created_at, updated_at) VALUES (:cvr, 'Lasttest A/S', 'privat', '471100', 40,"
                " '4200', 330, :k, :t, :t) RETURNING id"), {"cvr": COMPANY_CVR, "k": consultant, "t": now}).scalar_one()
            user(accounts["virksomhed"], "Vibeke Virksomhed", company)
            for i, decoy in enumerate(decoy_accounts):
                user(decoy, f"Forkert Kodeord {i}")
    finally:
        engine.dispose()
    return company, consultant, accounts, decoy_accounts


SERVICES = ("crm", "matching", "notifications")


@dataclass(frozen=True)
class ProcSpec:
    name: str  # the Procfile's name, also the log file's
    module: str  # services.<service>
    command: str  # serve, worker, events, smtp-sink
    args: tuple[str, ...]  # the Procfile's other arguments, without --host/--port


def procfile(path: Path = REPO / "Procfile") -> list[ProcSpec]:
    """Every process `make run` starts (through honcho), as the Procfile names them; Redis is the caller's."""
    specs = []
    for line in path.read_text().splitlines():
        name, _, command = line.partition(":")
        parts = shlex.split(command)
        if line.lstrip().startswith("#") or "-m" not in parts:  # redis: scripts/redis.sh
            continue
        i = parts.index("-m")
        module, cmd, rest = parts[i + 1], parts[i + 2], parts[i + 3:]
        args, skip = [], False
        for part in rest:
            if skip:
                skip = False
            elif part in ("--port", "--host"):
                skip = True
            elif not part.startswith(("--port=", "--host=")):
                args.append(part)
        specs.append(ProcSpec(name.strip(), module, cmd, tuple(args)))
    return specs


def service_database_url(database_url: str, service: str) -> str:
    """The database `service` works on when DATABASE_URL is `database_url` (the same one, unless the
    settings give each service its own: `Settings.database_url_for`)."""
    from shared.settings import Settings

    if not hasattr(Settings, "database_url_for"):
        return database_url
    # As the processes see it: DATABASE_URL alone (start_system drops <SERVICE>_DATABASE_URL).
    own = {f"{s}_database_url": None for s in SERVICES if f"{s}_database_url" in Settings.model_fields}
    return Settings(database_url=database_url, **own).database_url_for(service)


def migrate(stack: Stack) -> None:
    """`python -m services.<service> migrate` for every service that has the command (side by side;
    where only crm has it, crm's migrates every service's tables)."""
    done: dict[str, subprocess.CompletedProcess] = {}

    def one(service: str) -> None:
        done[service] = stack.run(f"migrate-{service}", "-m", f"services.{service}", "migrate")

    threads = [threading.Thread(target=one, args=(s,)) for s in SERVICES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for service, res in done.items():
        if res.returncode != 0 and not (service != "crm" and "invalid choice" in res.stderr):
            raise RuntimeError(f"{service} migrate failed:\n{res.stderr[-3000:]}")


def start_system(database_url: str, redis_url: str, logdir: Path, *, installation_id: str, clients: int = 8,
                 load_model: bool = True, port_range: tuple[int, int] = (8440, 8500),
                 extra_env: dict[str, str] | None = None) -> System:
    """Migrate `database_url`, seed the users and start every process of `make run` (the Procfile's,
    except Redis, which is `redis_url`) on loopback, each logging to `<logdir>/<name>.log`.

    The caller stops it with `system.stack.stop()` (also done here when a start fails)."""
    logdir.mkdir(parents=True, exist_ok=True)
    specs = procfile()
    ports: set[int] = set()
    port = {p.name: free_port(*port_range, ports) for p in specs if p.command in ("serve", "smtp-sink")}
    url = {p.module.split(".")[-1]: f"http://127.0.0.1:{port[p.name]}" for p in specs if p.command == "serve"}
    smtp = next(port[p.name] for p in specs if p.command == "smtp-sink")
    env = {**os.environ,
           "DATABASE_URL": database_url, "REDIS_URL": redis_url, "JOBBRO_INSTALLATION_ID": installation_id,
           "JOBBRO_DEMO_DATA": "0", "JOBBRO_SECRET_KEY": "load-test-secret-key-0123456789abcdef0123",
           "MATCHING_LOAD_MODEL": "1" if load_model else "0",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp),
           **{f"{service.upper()}_URL": u for service, u in url.items()},
           # Every client of the load comes from 127.0.0.1: the per-address login limit would answer
           # 429 to most of its logins. The account lockout (in the database) stays on.
           "LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE": "0", "LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE": "0",
           "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    own_databases = [f"{s.upper()}_DATABASE_URL" for s in SERVICES]
    for name in ("JOBBRO_ADMIN_EMAIL", "JOBBRO_ADMIN_PASSWORD", *own_databases):
        if name not in (extra_env or {}):
            env.pop(name, None)  # e.g. the test suite's own databases, set in its environment
    stack = Stack(env=env, logdir=logdir)  # its own port set: the ports chosen above are passed explicitly
    migrate(stack)
    company_id, consultant_id, accounts, decoys = seed_users(service_database_url(database_url, "crm"), clients)
    try:
        # The SMTP sink, then the processes that answer no HTTP (nothing to wait for), then the HTTP
        # services side by side (matching loads its model meanwhile); the ports are fixed above, so
        # the web front knows where the others are before they answer.
        for p in specs:
            if p.command == "smtp-sink":
                stack.start(p.name, p.module, p.command, *p.args, "--port", str(smtp), "--http-port", "0", "--memory")
        for p in specs:
            if p.command not in ("serve", "smtp-sink"):
                stack.start(p.name, p.module, p.command, *p.args)
        errors: list[BaseException] = []

        def serve(p: ProcSpec) -> None:
            try:
                stack.start(p.name, p.module, p.command, *p.args, port_range=(port[p.name], port[p.name] + 1),
                            wait=180)
            except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=serve, args=(p,)) for p in specs if p.command == "serve"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        dead = dead_processes_of(stack)
        if dead:
            raise RuntimeError(f"stopped at start-up: {', '.join(dead)}")
    except BaseException:
        stack.stop()
        raise
    return System(crm=url["crm"], web=url.get("web"), accounts=accounts, decoys=decoys, company_id=company_id,
                  consultant_id=consultant_id, database_url=database_url, stack=stack)


def scan_logs(system: System, patterns: tuple[str, ...] = LOG_PATTERNS) -> dict[str, list[str]]:
    """Lines of each process's log that contain one of `patterns` (case-insensitive)."""
    found: dict[str, list[str]] = {}
    wanted = [p.lower() for p in patterns]
    for proc in system.procs:
        try:
            text = proc.log.read_text(errors="replace")
        except OSError:
            continue
        lines = [line for line in text.splitlines() if any(p in line.lower() for p in wanted)]
        if lines:
            found[proc.name] = lines
    return found


def dead_processes_of(stack: Stack) -> list[str]:
    return [f"{p.name} (exit {p.popen.returncode}): {p.log.read_text(errors='replace')[-1500:]}"
            for p in stack.procs if p.popen.poll() is not None]


def dead_processes(system: System) -> list[str]:
    """Processes of the system that are no longer running (a crash under load), with their log's end."""
    return dead_processes_of(system.stack) if system.stack else []


def forget_installation(redis_url: str, installation_id: str) -> int:
    """Delete what the installation left in a shared Redis db (its keys, streams and RQ queues are
    named after it); the db itself is not flushed, since other runs may share it. Returns the count."""
    from redis import Redis

    redis = Redis.from_url(redis_url)
    keys = list(redis.scan_iter(match=f"*{installation_id}*", count=1000))
    # RQ's job hashes are named by job id only; their queue ("origin") names the installation.
    jobs = [key for key in redis.scan_iter(match="rq:job:*", count=1000) if key.count(b":") == 2]
    pipe = redis.pipeline()
    for key in jobs:
        pipe.hget(key, "origin")
    origins = pipe.execute(raise_on_error=False)
    for key, origin in zip(jobs, origins, strict=True):
        if isinstance(origin, bytes) and installation_id.encode() in origin:
            keys += [key, b"rq:results:" + key.split(b":")[2]]
    for start in range(0, len(keys), 500):
        redis.delete(*keys[start:start + 500])
    redis.close()
    return len(keys)


# -- what a run records -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


@dataclass
class OpStats:
    statuses: Counter = field(default_factory=Counter)  # HTTP status, or the transport error's name
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


@dataclass
class LoadResult:
    clients: int
    seconds: float = 0.0
    ops: dict[str, OpStats] = field(default_factory=lambda: defaultdict(OpStats))
    created: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # Records made through the web's forms whose id the answer does not name: (company id, summary).
    web_activities: list[tuple[int, str]] = field(default_factory=list)
    contact_company: dict[int, int] = field(default_factory=dict)  # contacts are read under their company
    writes: int = 0  # acknowledged creates (API 201, web form 303)
    unexpected: list[str] = field(default_factory=list)  # answers other than the operation expects
    missing: list[str] = field(default_factory=list)  # acknowledged records not found afterwards
    read_back_errors: list[str] = field(default_factory=list)
    read_back: int = 0

    @property
    def requests(self) -> int:
        return sum(s.count for s in self.ops.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s in self.ops.values() for code, n in s.statuses.items() if isinstance(code, int)
                   and code >= 500)

    @property
    def transport_errors(self) -> int:
        return sum(n for s in self.ops.values() for code, n in s.statuses.items() if not isinstance(code, int))

    def latencies(self) -> list[float]:
        return [v for s in self.ops.values() for v in s.latencies_ms]

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def writes_per_s(self) -> float:
        return self.writes / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        all_ms = self.latencies()
        return {
            "clients": self.clients, "seconds": round(self.seconds, 1), "requests": self.requests,
            "requests_per_s": round(self.requests_per_s, 1), "writes": self.writes,
            "writes_per_s": round(self.writes_per_s, 1),
            "p50_ms": round(percentile(all_ms, 50), 1), "p95_ms": round(percentile(all_ms, 95), 1),
            "max_ms": round(max(all_ms), 1) if all_ms else None,
            "server_errors": self.server_errors, "transport_errors": self.transport_errors,
            "unexpected": len(self.unexpected), "created": {k: len(v) for k, v in sorted(self.created.items())}
            | {"activity_web": len(self.web_activities)},
            "read_back": self.read_back, "missing": len(self.missing), "read_back_errors": len(self.read_back_errors),
            "ops": {name: {"n": s.count, "statuses": {str(k): v for k, v in sorted(s.statuses.items(), key=str)},
                           "p50_ms": round(percentile(s.latencies_ms, 50), 1),
                           "p95_ms": round(percentile(s.latencies_ms, 95), 1)}
                    for name, s in sorted(self.ops.items())},
        }


# -- the clients ------------------------------------------------------------------------------------------

class _Cvrs:
    """Valid, distinct CVR numbers (mod-11 check, python-stdnum), shared by every client."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = {COMPANY_CVR}
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            while True:
                candidate = str(self.rng.randint(10_000_000, 99_999_999))
                if candidate not in self.used and stdnum_cvr.is_valid(candidate):
                    self.used.add(candidate)
                    return candidate


class _Shared:
    """What every client has made so far, for the others to read and build on."""

    def __init__(self, system: System) -> None:
        self.lock = threading.Lock()
        self.companies: list[int] = [system.company_id]
        self.contacts: dict[int, list[int]] = defaultdict(list)
        self.orders: list[int] = []
        self.own_orders: list[int] = []  # the company user's own (portal) orders

    def add(self, kind: str, value: int, company_id: int | None = None) -> None:
        with self.lock:
            if kind == "company":
                self.companies.append(value)
            elif kind == "contact":
                self.contacts[company_id].append(value)
            elif kind == "order":
                self.orders.append(value)
            elif kind == "own_order":
                self.orders.append(value)
                self.own_orders.append(value)

    def contact_at(self, rng: random.Random, company_id: int) -> int | None:
        with self.lock:
            contacts = self.contacts.get(company_id)
            return rng.choice(contacts) if contacts else None

    def pick(self, rng: random.Random, kind: str) -> int | None:
        with self.lock:
            pool = {"company": self.companies, "order": self.orders, "own_order": self.own_orders}[kind]
            if not pool:
                return None
            # Mostly recent records (what people work on), sometimes an old one.
            if rng.random() < 0.8:
                return pool[-1 - min(len(pool) - 1, int(rng.expovariate(1 / 20)))]
            return rng.choice(pool)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """Just enough of a browser for the web front: its own connection, the session cookie (Secure, so
    httpx would not send it over http: carried by hand) and the CSRF token of the page last read."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=TIMEOUT, follow_redirects=False)
        self.cookie = ""

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.http.cookies.clear()
        res = self.http.request(method, path, headers=headers, **kw)
        for header in res.headers.get_list("set-cookie"):
            if header.startswith("jobbro_session="):
                value = header.split(";", 1)[0]
                self.cookie = "" if value in ("jobbro_session=null", "jobbro_session=") else value
        return res

    @staticmethod
    def csrf_of(res: httpx.Response) -> str | None:
        found = _CSRF.search(res.text)
        return found.group(1) if found else None

    def close(self) -> None:
        self.http.close()


class Client:
    """One person-like loop: a consultant's and a company's API tokens and web sessions."""

    # (operation, weight): what a busy jobcentre morning looks like, about a third of the requests
    # writes. Logins are a few percent (a token lasts a working day), but each is an argon2 hash.
    MIX: tuple[tuple[str, float], ...] = (
        ("api_create_activity", 16), ("api_create_company", 5), ("api_create_contact", 7),
        ("api_create_order_portal", 5), ("api_create_order_consultant", 4),
        ("api_login_ok", 1), ("api_login_wrong", 1.5), ("api_get_order", 7), ("api_timeline", 8),
        ("api_portal_orders", 3),
        ("web_login_ok", 1), ("web_login_wrong", 1.5), ("web_company_page", 7), ("web_order_page", 5),
        ("web_portal_order_page", 4), ("web_min_dag", 4), ("web_create_activity", 6), ("web_create_order", 4),
    )

    def __init__(self, n: int, system: System, result: LoadResult, shared: _Shared, cvrs: _Cvrs,
                 lock: threading.Lock, tag: str, seed: int) -> None:
        self.n = n
        self.system = system
        self.result = result
        self.shared = shared
        self.cvrs = cvrs
        self.lock = lock
        self.tag = tag
        self.rng = random.Random(seed * 1000 + n)
        self.api = httpx.Client(base_url=system.crm, timeout=TIMEOUT)
        self.tokens: dict[str, str] = {}
        self.decoy = system.decoys[n % len(system.decoys)]
        self.decoy_wrong = 0
        self.counter = 0
        self.browsers: dict[str, Browser] = {}
        names, weights = zip(*self.MIX, strict=True)
        if not system.web:
            names, weights = zip(*[(o, w) for o, w in self.MIX if not o.startswith("web_")], strict=True)
        self.names, self.weights = list(names), list(weights)

    # recording

    def call(self, op: str, http: httpx.Client | Browser, method: str, path: str, expect: tuple[int, ...],
             check: Callable[[httpx.Response], str | None] | None = None, **kw) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            res = http.request(method, path, **kw)
            status: int | str = res.status_code
        except httpx.HTTPError as exc:
            res, status = None, type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        problem = None
        if status not in expect:
            problem = f"{op} {method} {path}: {status} (expected {'/'.join(map(str, expect))})"
            if res is not None:
                problem += f": {res.text[:300]!r}"
        elif check is not None and res is not None:
            problem = check(res)
            if problem:
                problem = f"{op} {method} {path}: {status}: {problem}"
        with self.lock:
            stats = self.result.ops[op]
            stats.statuses[status] += 1
            stats.latencies_ms.append(elapsed)
            if problem:
                self.result.unexpected.append(problem)
        return None if problem else res

    def created(self, kind: str, record_id: int) -> None:
        with self.lock:
            self.result.created[kind].append(record_id)
            self.result.writes += 1

    def auth(self, role: str) -> dict[str, str]:
        if role not in self.tokens:
            self.login(role)
        return {"Authorization": f"Bearer {self.tokens.get(role, '')}"}

    def browser(self, role: str) -> Browser | None:
        if role not in self.browsers:
            browser = Browser(self.system.web)
            if not self.web_login(role, browser):
                browser.close()
                return None  # counted as unexpected; the next page tries to log in again
            self.browsers[role] = browser
        return self.browsers[role]

    def next_summary(self, what: str) -> str:
        self.counter += 1
        return f"{what} ({self.tag} klient {self.n} nr. {self.counter})"

    # logins

    def login(self, role: str) -> bool:
        account = self.system.accounts[role]
        res = self.call("api_login_ok", self.api, "POST", "/api/v1/auth/token", (200,),
                        data={"username": account.email, "password": account.password})
        if res is None:
            return False
        self.tokens[role] = res.json()["access_token"]
        return True

    def _decoy_right(self) -> None:
        # The decoy's owner remembers the password before the lockout: resets the failed count.
        self.call("api_login_ok", self.api, "POST", "/api/v1/auth/token", (200,),
                  data={"username": self.decoy.email, "password": self.decoy.password})
        self.decoy_wrong = 0

    def _wrong_target(self) -> str:
        if self.rng.random() < 0.2:  # an address that is no account at all
            return f"ukendt{self.rng.randint(1, 10**6)}@jobbro.dk"
        if self.decoy_wrong >= WRONG_IN_A_ROW:
            self._decoy_right()
        self.decoy_wrong += 1
        return self.decoy.email

    def api_login_ok(self) -> None:
        self.login(self.rng.choice(("konsulent", "virksomhed", "leder")))

    def api_login_wrong(self) -> None:
        def says_wrong(res: httpx.Response) -> str | None:
            try:
                detail = str(res.json().get("detail", ""))
            except ValueError:
                detail = res.text[:200]
            return None if WRONG_PASSWORD_MESSAGE in detail else f"unexpected message {detail!r}"

        self.call("api_login_wrong", self.api, "POST", "/api/v1/auth/token", (401,), says_wrong,
                  data={"username": self._wrong_target(), "password": WRONG_PASSWORD})

    def web_login(self, role: str, browser: Browser) -> bool:
        account = self.system.accounts[role]
        form = self.call("web_login_form", browser, "GET", "/login", (200,))
        token = Browser.csrf_of(form) if form is not None else None
        if token is None:
            return False

        def to_start_page(res: httpx.Response) -> str | None:
            return None if res.headers.get("location") in ("/min-dag", "/portal", "/leder") else \
                f"redirected to {res.headers.get('location')!r}"

        return self.call("web_login_ok", browser, "POST", "/login", (303,), to_start_page,
                         data={"email": account.email, "password": account.password, "csrf_token": token}) is not None

    def web_login_ok(self) -> None:
        role = self.rng.choice(("konsulent", "virksomhed"))
        browser = self.browsers.get(role) or Browser(self.system.web)
        self.browsers[role] = browser
        self.web_login(role, browser)

    def web_login_wrong(self) -> None:
        browser = Browser(self.system.web)  # someone at a shared PC, not logged in
        try:
            form = self.call("web_login_form", browser, "GET", "/login", (200,))
            token = Browser.csrf_of(form) if form is not None else None
            if token is None:
                return

            def shows_error(res: httpx.Response) -> str | None:
                # 422 alone is not enough: the form answers 422 "Login mislykkedes." when crm failed.
                return None if WRONG_PASSWORD_MESSAGE in res.text else "the form does not say the password is wrong"

            self.call("web_login_wrong", browser, "POST", "/login", (422,), shows_error,
                      data={"email": self._wrong_target(), "password": WRONG_PASSWORD, "csrf_token": token})
        finally:
            browser.close()

    # writes through the API

    def api_create_company(self) -> None:
        cvr = self.cvrs.next()
        name = f"{self.rng.choice(NAMES)} & {self.rng.choice(NAMES)} ApS ({cvr})"
        res = self.call("api_create_company", self.api, "POST", "/api/v1/companies", (201,),
                        headers=self.auth("konsulent"),
                        json={"cvr": cvr, "name": name, "sector": self.rng.choice(SECTORS), "industry_code": "471100",
                              "employees": self.rng.randint(2, 400), "postcode": self.rng.choice(POSTCODES),
                              "municipality_code": 330, "consultant_id": self.system.consultant_id})
        if res is not None:
            self.shared.add("company", res.json()["id"])
            self.created("company", res.json()["id"])

    def api_create_contact(self) -> None:
        company_id = self.shared.pick(self.rng, "company")
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(NAMES)}"
        consent = self.rng.random() < 0.5
        res = self.call("api_create_contact", self.api, "POST", f"/api/v1/companies/{company_id}/contacts", (201,),
                        headers=self.auth("konsulent"),
                        json={"name": name, "email": f"{name.split()[0].lower()}.{self.n}.{self.counter}@example.dk",
                              "phone": f"+45 {self.rng.randint(20000000, 99999999)}", "title": "HR-ansvarlig",
                              "newsletter_consent": consent, **({"consent_method": "mundtlig"} if consent else {})})
        self.counter += 1
        if res is not None:
            self.shared.add("contact", res.json()["id"], company_id)
            with self.lock:
                self.result.contact_company[res.json()["id"]] = company_id
            self.created("contact", res.json()["id"])

    def api_create_activity(self) -> None:
        company_id = self.shared.pick(self.rng, "company")
        channel = self.rng.choice(CHANNELS)
        occurred = datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 600))
        body = {"company_id": company_id, "channel": channel,
                "purposes": self.rng.sample(PURPOSES, self.rng.randint(1, 2)),
                "occurred_at": occurred.isoformat(),
                "summary": self.next_summary("Besøg: talte om rekruttering" if channel == "besoeg" else "Opkald")}
        if self.rng.random() < 0.3:
            body["follow_up_on"] = (date.today() + timedelta(days=self.rng.randint(1, 30))).isoformat()
        contact_id = self.shared.contact_at(self.rng, company_id)
        if contact_id is not None and self.rng.random() < 0.6:  # who they talked to
            body["contact_id"] = contact_id
        res = self.call("api_create_activity", self.api, "POST", "/api/v1/activities", (201,),
                        headers=self.auth("konsulent"), json=body)
        if res is not None:
            self.created("activity", res.json()["id"])

    def _order_body(self) -> dict[str, Any]:
        return {"title": self.rng.choice(TITLES), "description": self.next_summary("Vi søger en stabil medarbejder"),
                "scheme": self.rng.choice(("ordinaer", "ordinaer", "loentilskud", "virksomhedspraktik")),
                "positions": self.rng.randint(1, 3), "hours_per_week": 37, "postcode": self.rng.choice(POSTCODES),
                "deadline": (date.today() + timedelta(days=self.rng.randint(7, 60))).isoformat()}

    def api_create_order_portal(self) -> None:
        # The company's own user through the hotline portal's API: its company and the channel are implied.
        res = self.call("api_create_order_portal", self.api, "POST", "/api/v1/orders", (201,),
                        headers=self.auth("virksomhed"), json={**self._order_body(), "received_via": "portal"})
        if res is not None:
            self.shared.add("own_order", res.json()["id"])
            self.created("order", res.json()["id"])

    def api_create_order_consultant(self) -> None:
        company_id = self.shared.pick(self.rng, "company")
        res = self.call("api_create_order_consultant", self.api, "POST", "/api/v1/orders", (201,),
                        headers=self.auth("konsulent"),
                        json={**self._order_body(), "company_id": company_id, "received_via": "hotline",
                              "received_on": date.today().isoformat()})
        if res is not None:
            self.shared.add("own_order" if company_id == self.system.company_id else "order", res.json()["id"])
            self.created("order", res.json()["id"])

    # reads through the API

    def api_get_order(self) -> None:
        order_id = self.shared.pick(self.rng, "order")
        if order_id is None:
            return self.api_create_order_portal()
        self.call("api_get_order", self.api, "GET", f"/api/v1/orders/{order_id}", (200,),
                  headers=self.auth("konsulent"))

    def api_timeline(self) -> None:
        company_id = self.shared.pick(self.rng, "company")
        self.call("api_timeline", self.api, "GET", f"/api/v1/companies/{company_id}/timeline", (200,),
                  headers=self.auth("konsulent"), params={"limit": 40})

    def api_portal_orders(self) -> None:
        self.call("api_portal_orders", self.api, "GET", "/api/v1/orders", (200,), headers=self.auth("virksomhed"),
                  params={"limit": 25})

    # the web front

    def web_company_page(self) -> None:
        browser = self.browser("konsulent")
        if browser is not None:
            company_id = self.shared.pick(self.rng, "company")
            self.call("web_company_page", browser, "GET", f"/virksomheder/{company_id}", (200,))

    def web_order_page(self) -> None:
        order_id = self.shared.pick(self.rng, "order")
        browser = self.browser("konsulent")
        if order_id is not None and browser is not None:
            self.call("web_order_page", browser, "GET", f"/ordrer/{order_id}", (200,))

    def web_portal_order_page(self) -> None:
        order_id = self.shared.pick(self.rng, "own_order")
        browser = self.browser("virksomhed")
        if browser is None:
            return
        if order_id is None:
            self.call("web_portal_overview", browser, "GET", "/portal", (200,))
        else:
            self.call("web_portal_order_page", browser, "GET", f"/portal/ordrer/{order_id}", (200,))

    def web_min_dag(self) -> None:
        browser = self.browser("konsulent")
        if browser is not None:
            self.call("web_min_dag", browser, "GET", "/min-dag", (200,))

    def web_create_activity(self) -> None:
        browser = self.browser("konsulent")
        company_id = self.shared.pick(self.rng, "company")
        if browser is None:
            return
        form = self.call("web_activity_form", browser, "GET", "/aktivitet/ny", (200,),
                         params={"company_id": company_id})
        token = Browser.csrf_of(form) if form is not None else None
        if token is None:
            return
        summary = self.next_summary("Registreret på telefonen")
        channel = self.rng.choice(CHANNELS)
        res = self.call("web_create_activity", browser, "POST", "/aktivitet/ny", (303,),
                        lambda r: None if r.headers.get("location") == f"/virksomheder/{company_id}" else
                        f"redirected to {r.headers.get('location')!r}",
                        data={"csrf_token": token, "company_id": str(company_id), "channel": channel,
                              "purposes": ["rekruttering"], "summary": summary,
                              "occurred_at": datetime.now(TZ).strftime("%Y-%m-%dT%H:%M")})
        if res is not None:
            with self.lock:
                self.result.web_activities.append((company_id, summary))
                self.result.writes += 1

    def web_create_order(self) -> None:
        browser = self.browser("virksomhed")
        if browser is None:
            return
        form = self.call("web_order_form", browser, "GET", "/portal/ordrer/ny", (200,))
        token = Browser.csrf_of(form) if form is not None else None
        if token is None:
            return
        body = self._order_body()
        res = self.call("web_create_order", browser, "POST", "/portal/ordrer/ny", (303,),
                        lambda r: None if re.match(r"^/portal/ordrer/\d+\?kvittering=1$", r.headers.get("location", ""))
                        else f"redirected to {r.headers.get('location')!r}",
                        data={"csrf_token": token, **{k: str(v) for k, v in body.items()}})
        if res is not None:
            order_id = int(res.headers["location"].split("/")[3].split("?")[0])
            self.shared.add("own_order", order_id)
            self.created("order", order_id)
            # The receipt the company sees next, as the browser follows the redirect.
            self.call("web_portal_order_page", browser, "GET", res.headers["location"], (200,))

    def run(self, deadline: float) -> None:
        try:
            while time.monotonic() < deadline:
                op = self.rng.choices(self.names, self.weights)[0]
                getattr(self, op)()
        finally:
            self.api.close()
            for browser in self.browsers.values():
                browser.close()


def run_load(system: System, *, clients: int = 8, seconds: float = 60.0, seed: int = 11,
             read_back: bool = True) -> LoadResult:
    """`clients` concurrent closed-loop clients for `seconds`; then every acknowledged record is read back."""
    result = LoadResult(clients=clients)
    lock = threading.Lock()
    shared = _Shared(system)
    cvrs = _Cvrs(random.Random(seed ^ secrets.randbits(32)))
    tag = f"belastning {secrets.token_hex(3)}"
    workers = [Client(n, system, result, shared, cvrs, lock, tag, seed) for n in range(clients)]
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=w.run, args=(deadline,), name=f"load-client-{w.n}") for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    if read_back:
        verify(system, result)
    return result


# -- reading every acknowledged record back -----------------------------------------------------------------

def _token(http: httpx.Client, account: Account) -> dict[str, str]:
    res = http.post("/api/v1/auth/token", data={"username": account.email, "password": account.password})
    res.raise_for_status()
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def verify(system: System, result: LoadResult, threads: int = 4) -> None:
    """GET every record the run was told it created; fills `result.missing` and `result.read_back_errors`."""
    plural = {"company": "companies", "activity": "activities", "order": "orders", "partnership": "partnerships",
              "placement": "placements"}
    paths = [(f"{kind} {record_id}",
              f"/api/v1/companies/{result.contact_company[record_id]}/contacts/{record_id}" if kind == "contact"
              else f"/api/v1/{plural[kind]}/{record_id}")
             for kind, ids in result.created.items() for record_id in ids]
    with httpx.Client(base_url=system.crm, timeout=TIMEOUT) as http:
        headers = _token(http, system.accounts["konsulent"])
        lock = threading.Lock()
        queue = list(paths)

        def reader() -> None:
            with httpx.Client(base_url=system.crm, timeout=TIMEOUT) as own:
                while True:
                    with lock:
                        if not queue:
                            return
                        label, path = queue.pop()
                    try:
                        status = own.get(path, headers=headers).status_code
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    with lock:
                        result.read_back += 1
                        if status == 404:
                            result.missing.append(f"{label}: 404")
                        elif status != 200:
                            result.read_back_errors.append(f"{label}: {status}")

        pool = [threading.Thread(target=reader) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()

        # Activities registered through the web's form: the answer is a redirect, so look for their summaries.
        by_company: dict[int, set[str]] = defaultdict(set)
        for company_id, summary in result.web_activities:
            by_company[company_id].add(summary)
        for company_id, summaries in by_company.items():
            found: set[str] = set()
            offset = 0
            while True:
                res = http.get("/api/v1/activities", headers=headers,
                               params={"company_id": company_id, "limit": 500, "offset": offset})
                if res.status_code != 200:
                    result.read_back_errors.append(f"activities of company {company_id}: {res.status_code}")
                    break
                page = res.json()
                found |= {a["summary"] for a in page.get("items", [])}
                offset += 500
                if offset >= page.get("total", 0):
                    break
            result.read_back += len(summaries)
            result.missing += [f"web activity at company {company_id}: {s!r}" for s in sorted(summaries - found)]


# -- a municipality moving its history in ---------------------------------------------------------------------

@dataclass
class HistoryResult:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # every non-2xx answer, with what was sent
    created: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "seconds": round(self.seconds, 1), "requests_per_s": round(self.rate, 1),
                "p50_ms": round(percentile(self.latencies_ms, 50), 1),
                "p95_ms": round(percentile(self.latencies_ms, 95), 1),
                "non_2xx": len(self.failures), "statuses": dict(self.statuses), "created": dict(self.created),
                "first_failures": self.failures[:5]}


def history_load(system: System, *, requests: int = 2000, seed: int = 2019) -> HistoryResult:
    """A jobcentre migrating its records over the API, one request after another: per company the
    company, two contacts, maybe an agreement with Verdensmål, orders of past years and the placements
    that filled them (about 8 requests a company), until `requests` were sent."""
    rng = random.Random(seed)
    cvrs = _Cvrs(random.Random(seed ^ secrets.randbits(32)))
    out = HistoryResult()
    today = date.today()
    with httpx.Client(base_url=system.crm, timeout=TIMEOUT) as http:
        headers = _token(http, system.accounts["konsulent"])

        def send(kind: str, path: str, body: dict[str, Any]) -> dict | None:
            started = time.perf_counter()
            try:
                res = http.post(path, headers=headers, json=body)
                status: int | str = res.status_code
            except httpx.HTTPError as exc:
                res, status = None, type(exc).__name__
            out.latencies_ms.append((time.perf_counter() - started) * 1000)
            out.requests += 1
            out.statuses[status] += 1
            if isinstance(status, int) and 200 <= status < 300:
                out.created[kind] += 1
                return res.json()
            out.failures.append(f"{kind} POST {path}: {status} {res.text[:300] if res is not None else ''!r} "
                                f"sent {json.dumps(body, default=str)[:300]}")
            return None

        started = time.monotonic()
        candidate = 0
        while out.requests < requests:
            cvr = cvrs.next()
            company = send("company", "/api/v1/companies", {
                "cvr": cvr, "name": f"{rng.choice(NAMES)} {rng.choice(('ApS', 'A/S', 'I/S'))} ({cvr})",
                "sector": rng.choice(SECTORS), "industry_code": rng.choice(("471100", "561010", "869090", "412000")),
                "employees": rng.randint(1, 800), "postcode": rng.choice(POSTCODES), "municipality_code": 330})
            if company is None:
                continue
            cid = company["id"]
            contacts = []
            for _ in range(2):
                name = f"{rng.choice(FIRST)} {rng.choice(NAMES)}"
                contact = send("contact", f"/api/v1/companies/{cid}/contacts", {
                    "name": name, "email": f"{name.split()[0].lower()}.{cid}.{len(contacts)}@example.dk",
                    "title": rng.choice(("Direktør", "HR-chef", "Værkfører")), "newsletter_consent": False})
                if contact is not None:
                    contacts.append(contact["id"])
            if rng.random() < 0.3:
                signed = today - timedelta(days=rng.randint(200, 3000))
                send("partnership", "/api/v1/partnerships", {
                    "company_id": cid, "signed_on": signed.isoformat(),
                    "ends_on": (signed + timedelta(days=3 * 365)).isoformat(),
                    "sdg_goals": sorted(rng.sample(range(1, 18), rng.randint(1, 3))),
                    **({"contact_id": contacts[0]} if contacts else {})})
            for _ in range(rng.randint(1, 2)):
                received = today - timedelta(days=rng.randint(30, 3000))
                positions = rng.randint(1, 2)
                order = send("order", "/api/v1/orders", {
                    "company_id": cid, "title": rng.choice(TITLES), "description": "Overført fra det gamle system",
                    "scheme": "ordinaer", "positions": positions, "hours_per_week": 37,
                    "postcode": company["postcode"], "received_via": rng.choice(("hotline", "email", "konsulent")),
                    "received_on": received.isoformat(),
                    "deadline": (received + timedelta(days=30)).isoformat()})
                if order is None:
                    continue
                for _ in range(positions):
                    candidate += 1
                    starts = received + timedelta(days=rng.randint(10, 40))
                    send("placement", "/api/v1/placements", {
                        "company_id": cid, "order_id": order["id"], "candidate_ref": f"HIST-{seed}-{candidate:06d}",
                        "scheme": "ordinaer", "starts_on": min(starts, today).isoformat(),
                        "candidate_municipality_code": 330, "hours_per_week": 37})
        out.seconds = time.monotonic() - started
    return out


# -- command line -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ops.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", help="default: a fresh SQLite file under --logdir")
    parser.add_argument("--redis-url", default=os.environ.get("JOBBRO_LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--logdir", type=Path, default=REPO / "var" / "load")
    parser.add_argument("--history", type=int, default=0, help="also send this many history-migration requests")
    args = parser.parse_args(argv)
    args.logdir.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url
    if database_url is None:
        for old in args.logdir.glob("load*.sqlite3*"):  # a fresh database: the file, and each service's
            old.unlink()
        database_url = f"sqlite:///{args.logdir / 'load.sqlite3'}"
    installation = f"load-{secrets.token_hex(4)}"
    system = start_system(database_url, args.redis_url, args.logdir, clients=args.clients,
                          installation_id=installation)
    try:
        result = run_load(system, clients=args.clients, seconds=args.seconds)
        report: dict[str, Any] = {"load": result.summary(), "unexpected": result.unexpected[:10],
                                  "missing": result.missing[:10]}
        if args.history:
            report["history"] = history_load(system, requests=args.history).summary()
        report["logs"] = {k: len(v) for k, v in scan_logs(system).items()}
        report["dead"] = dead_processes(system)
    finally:
        system.stack.stop()
        forget_installation(args.redis_url, installation)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if not (result.server_errors or result.missing or report["logs"]) else 1


if __name__ == "__main__":
    sys.exit(main())

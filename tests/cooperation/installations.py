"""Two (or more) real Jobbro installations on one machine, loopback only (issue 15).

Each installation has its own databases (a PostgreSQL database of its own, a schema per service;
or SQLite files in a folder of its own), its own Redis namespace (JOBBRO_INSTALLATION_ID), its own
secret key, municipality, key pair and ports. Each runs crm (API + worker, which delivers the
cooperation outbox) and matching (API + events consumer). Used by tests/cooperation and by
`make run-cooperation` (scripts/run_cooperation.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.ops.stack import REPO, free_port, fresh_database, own_databases

ADMIN_PASSWORD = "samarbejde-admin-2026"


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 60.0, every: float = 0.3) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@dataclass
class Installation:
    name: str  # "a": also the suffix of its database and part of its installation id
    municipality_code: int
    jobcentre: str
    workdir: Path
    database_url: str
    redis_url: str
    installation_id: str
    ports: set[int]
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    @property
    def admin_email(self) -> str:
        return f"admin-{self.name}@jobbro.dk"

    @property
    def env(self) -> dict[str, str]:
        env = own_databases(dict(os.environ), self.database_url)
        env.update({
            "REDIS_URL": self.redis_url, "JOBBRO_INSTALLATION_ID": self.installation_id,
            "JOBBRO_MUNICIPALITY_CODE": str(self.municipality_code), "JOBBRO_JOBCENTRE_NAME": self.jobcentre,
            "JOBBRO_SECRET_KEY": f"cooperation-test-{self.name}-{self.installation_id}-0123456789abcdef",
            "JOBBRO_ADMIN_EMAIL": self.admin_email, "JOBBRO_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "JOBBRO_DEMO_DATA": "0", "JOBBRO_DATA_DIR": str(self.workdir / "var"),
            "MATCHING_LOAD_MODEL": "0", "MATCHING_INDEX_REFRESH_SECONDS": "0.2",
            "MATCHING_CACHE_DIR": str(self.workdir / "cache"),
            "COOPERATION_DELIVERY_SECONDS": "1", "COOPERATION_RETRY_BASE_SECONDS": "1",
            "COOPERATION_RETRY_MAX_SECONDS": "2", "NOTIFICATIONS_EVENTS_SECONDS": "1",
            "NOTIFICATIONS_RELAY_SECONDS": "1", "SMTP_PORT": "1",
        })
        if "ESCO_DIR" not in env and not (REPO.parent / "shared" / "esco").exists():
            env["ESCO_DIR"] = "/work/shared/esco"  # a git worktree sits one level deeper than the checkout
        for svc in ("crm", "matching"):
            if svc in self.urls:
                env[f"{svc.upper()}_URL"] = self.urls[svc]
        env.update(self.extra_env)
        return env

    def migrate(self) -> None:
        for service in ("crm", "matching"):
            r = subprocess.run([sys.executable, "-m", f"services.{service}", "migrate"], cwd=REPO, env=self.env,
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, f"{self.name}: migrate {service} failed:\n{r.stderr[-3000:]}"

    def _spawn(self, key: str, module: str, command: str, *args: str) -> subprocess.Popen:
        log = (self.workdir / f"{key}.log").open("a")
        p = subprocess.Popen([sys.executable, "-m", module, command, *args], cwd=REPO, env=self.env,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[key] = p
        return p

    def serve(self, service: str, port: int | None = None) -> str:
        """Start `service`'s API (on `port`, e.g. the one partners know, after a restart)."""
        if port is None:
            port = free_port(8300, 8400, self.ports)
        self.urls[service] = f"http://127.0.0.1:{port}"
        p = self._spawn(service, f"services.{service}", "serve", "--host", "127.0.0.1", "--port", str(port))
        url = self.urls[service]

        def healthy():
            if p.poll() is not None:
                raise RuntimeError(f"{self.name}/{service} stopped:\n{self.log(service)[-3000:]}")
            return httpx.get(url + "/health", timeout=1).status_code == 200

        wait_for(f"{self.name}/{service} to start", healthy, timeout=120)
        return url

    def start(self) -> Installation:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.migrate()
        self.serve("crm")
        self.serve("matching")
        self._spawn("crm-worker", "services.crm", "worker")
        self._spawn("matching-events", "services.matching", "events")
        self.token = httpx.post(self.urls["crm"] + "/api/v1/auth/token",
                                data={"username": self.admin_email, "password": ADMIN_PASSWORD}).json()["access_token"]
        return self

    def log(self, key: str) -> str:
        path = self.workdir / f"{key}.log"
        return path.read_text() if path.exists() else ""

    def stop(self, key: str) -> None:
        p = self.procs.pop(key, None)
        if p is not None and p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def stop_all(self) -> None:
        for key in list(self.procs):
            self.stop(key)

    # -- HTTP as the installation's admin ------------------------------------------------------------

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def crm(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.urls["crm"] + path, headers={**self.auth, **kw.pop("headers", {})},
                             timeout=30, **kw)

    def matching(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.urls["matching"] + path, headers={**self.auth, **kw.pop("headers", {})},
                             timeout=60, **kw)

    def public_key(self) -> str:
        return httpx.get(self.urls["crm"] + "/api/v1/cooperation/public-key", timeout=10).json()["public_key"]

    def add_partner(self, other: Installation) -> dict:
        r = self.crm("POST", "/api/v1/cooperation/partners", json={
            "name": other.jobcentre, "municipality_code": other.municipality_code, "base_url": other.urls["crm"],
            "public_key": other.public_key()})
        assert r.status_code == 201, r.text
        return r.json()


def database_for(base_pg_url: str | None, name: str, workdir: Path) -> str:
    """A fresh PostgreSQL database `name` when PostgreSQL is used, else SQLite files in `workdir`."""
    if base_pg_url:
        return fresh_database(base_pg_url, name)
    workdir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{workdir / 'jobbro.sqlite3'}"

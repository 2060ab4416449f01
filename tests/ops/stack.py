"""Run Jobbro's real processes on loopback for operations tests: replicas, workers, kills."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("crm", "matching", "notifications")


def own_databases(env: dict[str, str], database_url: str) -> dict[str, str]:
    """`env` for processes that each use their service's own database, derived from
    `database_url` (SQLite: a file per service beside it; PostgreSQL: a schema per service)."""
    env = {k: v for k, v in env.items() if k not in {f"{s.upper()}_DATABASE_URL" for s in SERVICES}}
    env["DATABASE_URL"] = database_url
    return env


def service_database_url(database_url: str, service: str) -> str:
    from shared.settings import Settings

    return Settings(database_url=database_url, **{f"{s}_database_url": None for s in SERVICES}).database_url_for(service)


def fresh_database(base_url: str, name: str) -> str:
    u = make_url(base_url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return str(u.set(database=name).render_as_string(hide_password=False))


def free_port(start: int, end: int, taken: set[int]) -> int:
    for port in range(start, end):
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError(f"no free port in {start}-{end}")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path
    url: str | None = None

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


@dataclass
class Stack:
    env: dict[str, str]
    logdir: Path
    procs: list[Proc] = field(default_factory=list)
    ports: set[int] = field(default_factory=set)

    def run(self, name: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=300)

    def start(self, name: str, module: str, command: str, *extra: str, port_range=(8200, 8230), health="/health",
              wait: float = 90) -> Proc:
        args = [sys.executable, "-m", module, command, *extra]
        url = None
        if command == "serve":
            port = free_port(*port_range, self.ports)
            args += ["--port", str(port)]
            url = f"http://127.0.0.1:{port}"
        log = self.logdir / f"{name}.log"
        popen = subprocess.Popen(args, cwd=REPO, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
        proc = Proc(name, popen, log, url)
        self.procs.append(proc)
        if url:
            deadline = time.monotonic() + wait
            while True:
                if popen.poll() is not None:
                    raise RuntimeError(f"{name} stopped:\n{log.read_text()[-3000:]}")
                try:
                    if httpx.get(url + health, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        return proc

    def stop(self) -> None:
        for p in self.procs:
            if p.popen.poll() is None:
                os.killpg(p.popen.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.popen.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

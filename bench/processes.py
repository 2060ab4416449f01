"""Start a Jobbro HTTP service as a process for a benchmark, and wait until it answers /health."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SERVICES = ("crm", "matching", "notifications")


def service_env(databases: dict[str, str], **extra: str) -> dict[str, str]:
    """The caller's environment for a service process, with each service's database named
    explicitly (`<SERVICE>_DATABASE_URL`, docs/architecture.md): every service has its own, and a
    `*_DATABASE_URL` inherited from the caller's shell must not point a benchmark's process at
    another one. DATABASE_URL is set to the first database given (tools that span services).
    Redis names are this benchmark's own (`JOBBRO_INSTALLATION_ID`, default "bench") unless the
    caller set one."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.endswith("_DATABASE_URL")}
    for service, url in databases.items():
        if service not in SERVICES:
            raise ValueError(f"no such service with a database: {service}")
        env[f"{service.upper()}_DATABASE_URL"] = url
    env["DATABASE_URL"] = next(iter(databases.values()))
    env.setdefault("JOBBRO_INSTALLATION_ID", "bench")
    env.update(extra)
    return env


def start_service(module: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", module, "serve", "--host", HOST, "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{module} exited with {proc.returncode} at start-up (port {port} taken?)")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"{module} did not answer /health within 60 s")

"""The web tests run the real services as processes on loopback, over a throwaway database.

One session-scoped stack: a database of its own (PostgreSQL `<test db>_web` when reachable, else a
SQLite file), migrated with Alembic, seeded with `seed.py`; crm and web (and matching and
notifications when they exist) started with `python -m services.<name> serve`. Browser tests
drive Debian's Chromium through Playwright; they are skipped, saying why, only when it is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG, REDIS, _PG_URL, _REDIS_URL
from tests.web import oidc_dev

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("JOBBRO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "docs" / "screenshots"

# Ports given to the web tests (8170-8199), so parallel suites do not collide; the first free ones
# are taken, so a second run (or a process still shutting down) does not answer for this one.
PORT_RANGE = range(8170, 8200)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Stack:
    web_url: str
    crm_url: str
    matching_url: str
    notifications_url: str
    database_url: str
    seeded: object
    services: list[str]
    oidc: object | None = None  # tests/web/oidc_dev.py's providers, None when node is missing
    oidc_missing: str | None = None


def _web_database_url() -> str:
    if PG:
        u = make_url(_PG_URL)
        name = f"{u.database}_web"
        import psycopg

        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return str(u.set(database=name).render_as_string(hide_password=False))
    return f"sqlite:///{tempfile.mkdtemp(prefix='jobbro-web-')}/web.sqlite3"


def _wait(url: str, proc: subprocess.Popen, name: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {url} within {timeout}s:\n{log.read_text()[-3000:]}")


def _free_ports(names: list[str], skip: set[int] = frozenset()) -> dict[str, int]:
    import socket

    ports: dict[str, int] = {}
    for port in PORT_RANGE:
        if port in skip:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports[names[len(ports)]] = port
        if len(ports) == len(names):
            return ports
    raise RuntimeError(f"not enough free ports in {PORT_RANGE.start}-{PORT_RANGE.stop - 1} for {names}")


def _available_services() -> list[str]:
    names = ["crm"]
    for name in ("matching", "notifications"):
        if importlib.util.find_spec(f"services.{name}.__main__") is not None:
            names.append(name)
    return names


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    from sqlmodel import Session

    from shared.db import make_engine
    from tests.web.seed import seed

    from tests.conftest import SERVICES, own_databases, service_database_url
    from tests.notifications.conftest import mirror

    database_url = _web_database_url()
    services = _available_services() + ["web"]
    # Every service on a database of its own, as in production.
    env = {**own_databases(dict(os.environ), database_url), "REDIS_URL": _REDIS_URL, "JOBBRO_DEMO_DATA": "0",
           "PYTHONUNBUFFERED": "1"}
    env.pop("JOBBRO_ADMIN_EMAIL", None)
    for service in SERVICES:
        subprocess.run([sys.executable, "-m", f"services.{service}", "migrate"], cwd=REPO, env=env, check=True,
                       capture_output=True)
    crm_engine = make_engine(service_database_url(database_url, "crm"))
    notifications_engine = make_engine(service_database_url(database_url, "notifications"))
    with Session(crm_engine, expire_on_commit=False) as session, \
            Session(notifications_engine, expire_on_commit=False) as notifications_session:
        seeded = seed(session)
        oidc_identities = oidc_dev.identities_for(*_company_cvrs(session, seeded))
        # What crm's events would have told notifications about the seeded companies and contacts.
        mirror(session, notifications_session)
        notifications_session.commit()
    crm_engine.dispose()
    notifications_engine.dispose()

    logs = Path(tempfile.mkdtemp(prefix="jobbro-web-logs-"))
    procs: list[subprocess.Popen] = []
    ports: dict[str, int] = {}
    taken: set[int] = set()
    oidc, oidc_missing = None, oidc_dev.missing()
    if oidc_missing is None:
        try:
            oidc_dev.install()
        except (subprocess.SubprocessError, OSError) as exc:
            oidc_missing = f"`npm ci` in infra/oidc-dev failed: {exc}"
    try:
        if oidc_missing is None:
            # The sign-in providers first: crm and web are configured with their issuers. They
            # accept the web's callback on any port of the range, as the web's port is not known yet.
            oidc = oidc_dev.start(lambda: _free_ports(["company", "staff"], skip=taken),
                                  [f"http://127.0.0.1:{p}" for p in PORT_RANGE], oidc_identities, logs)
            procs.extend(oidc.procs)
            taken.update(oidc.ports)
            env.update(oidc_dev.env(*oidc.ports))
        # One at a time, the web last: a port another program takes between our probe and the
        # service's bind is simply skipped, and the web is told where the others really are.
        for name in services:
            if name == "web":
                env.update({"CRM_URL": f"http://127.0.0.1:{ports['crm']}",
                            "MATCHING_URL": f"http://127.0.0.1:{ports.get('matching', 1)}",
                            "NOTIFICATIONS_URL": f"http://127.0.0.1:{ports.get('notifications', 1)}"})
            proc, port = _start(name, env, logs, taken)
            procs.append(proc)
            ports[name] = port
        yield Stack(web_url=f"http://127.0.0.1:{ports['web']}", crm_url=f"http://127.0.0.1:{ports['crm']}",
                    matching_url=f"http://127.0.0.1:{ports.get('matching', 1)}",
                    notifications_url=f"http://127.0.0.1:{ports.get('notifications', 1)}",
                    database_url=database_url, seeded=seeded, services=services, oidc=oidc,
                    oidc_missing=oidc_missing)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _company_cvrs(session, seeded) -> tuple[str, str, str, str]:
    from services.crm.companies.models import Company

    company, other = session.get(Company, seeded.company_id), session.get(Company, seeded.other_company_id)
    return company.cvr, company.name, other.cvr, other.name


def _start(name: str, env: dict, logs: Path, taken: set[int]) -> tuple[subprocess.Popen, int]:
    for _attempt in range(5):
        port = _free_ports(["x"], skip=taken)["x"]
        taken.add(port)
        log = logs / f"{name}-{port}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        # Only uvicorn's own "running on" line proves the port is ours: a /health answer could come
        # from another program that took the port between our probe and the bind.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text = log.read_text()
            if f"Uvicorn running on http://127.0.0.1:{port}" in text:
                _wait(f"http://127.0.0.1:{port}/health", proc, name, log)
                return proc, port
            if "address already in use" in text or proc.poll() is not None:
                break
            time.sleep(0.1)
        else:
            proc.kill()
            raise RuntimeError(f"{name} did not start within 90 s:\n{log.read_text()[-3000:]}")
        if "address already in use" not in log.read_text():
            raise RuntimeError(f"{name} stopped at start-up:\n{log.read_text()[-3000:]}")
        proc.kill()
        proc.wait()
    raise RuntimeError(f"{name}: no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


class WebClient:
    """An HTTP client for the web front that keeps the session cookie the way a browser does.

    httpx (like Python's cookiejar) sends no Secure cookie over http://, while browsers do on
    loopback; the cookie is therefore carried by hand.
    """

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.cookie: str | None = None

    def _remember(self, res: httpx.Response) -> httpx.Response:
        for header in res.headers.get_list("set-cookie"):
            name_value = header.split(";", 1)[0]
            if name_value.startswith("jobbro_session="):
                self.cookie = None if name_value == "jobbro_session=null" else name_value
        return res

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        return self._remember(self.http.request(method, url, headers=headers, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def csrf(self, page_url: str = "/login") -> str:
        import re

        html = self.get(page_url).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {page_url}"
        return match.group(1)

    def login(self, email: str, password: str) -> httpx.Response:
        token = self.csrf("/login")
        return self.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": ""})


@pytest.fixture
def web(stack) -> Iterator[WebClient]:
    client = WebClient(stack.web_url)
    yield client
    client.http.close()


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"Chromium not found at {CHROMIUM} (`apt-get install -y chromium`; make test does it when it can)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _new_page(browser, stack, viewport):
    context = browser.new_context(viewport=viewport, base_url=stack.web_url, locale="da-DK",
                                  accept_downloads=True, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def phone_page(browser, stack):
    context, page = _new_page(browser, stack, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, stack):
    context, page = _new_page(browser, stack, DESKTOP)
    yield page
    context.close()


def login_in_browser(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Keep a small PNG of a main page for the README (docs/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    # pngquant (Debian package), when present, makes the committed pictures a quarter of the size.
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality=60-90", "--output", str(path), str(path)],
                       check=False, capture_output=True)


__all__ = ["Stack", "WebClient", "login_in_browser", "screenshot", "PHONE", "DESKTOP", "REDIS"]

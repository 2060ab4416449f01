"""Web front benchmark: server time of each main page with the large demo data (protocol: bench/run_all.py).

1. Uses the same database as `bench_crm.py` (`jobbro_bench`, the large demo data set: 50,000
   companies, ten years), loading it once when missing.
2. Starts the real crm and web services as subprocesses on loopback (web -> crm over HTTP, as in
   production). matching and notifications are not started, and web is pointed at a loopback port
   where nothing listens (refused at once), never at whatever else runs on their default ports:
   the order page shows "Matchningen svarer ikke" instead of candidates, so its figure is web and
   crm alone.
3. Logs in through the login form as the three demo users (session cookie, CSRF token) and measures
   each main page of each group, as a browser would fetch it (the HTML; static files are cached for a
   year). Figures: each page's median, and the median over all pages (target < 300 ms, issue 5).

Environment: `JOBBRO_BENCH_DATABASE_URL`, `JOBBRO_BENCH_WEB_PORT` (default 8190) and
`JOBBRO_BENCH_WEB_CRM_PORT` (default 8191), `REDIS_URL`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from processes import service_env, start_service  # noqa: E402

HOST = "127.0.0.1"
WEB_PORT = int(os.environ.get("JOBBRO_BENCH_WEB_PORT", "8190"))
CRM_PORT = int(os.environ.get("JOBBRO_BENCH_WEB_CRM_PORT", "8191"))
SAMPLES = 15
TARGET = "< 300"


def log(message: str) -> None:
    print(f"[bench_web] {message}", file=sys.stderr, flush=True)


def emit(figure: str, value: float, unit: str, target: str | None) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 1), "unit": unit, "target": target}), flush=True)


class Browser:
    """Just enough of a browser: the session cookie (Secure, so carried by hand over http) and CSRF."""

    def __init__(self) -> None:
        self.http = httpx.Client(base_url=f"http://{HOST}:{WEB_PORT}", timeout=60, follow_redirects=False)
        self.cookie = ""

    def get(self, path: str) -> httpx.Response:
        res = self.http.get(path, headers={"Cookie": self.cookie} if self.cookie else {})
        self._keep(res)
        return res

    def _keep(self, res: httpx.Response) -> None:
        for header in res.headers.get_list("set-cookie"):
            if header.startswith("jobbro_session="):
                self.cookie = header.split(";", 1)[0]

    def login(self, email: str, password: str) -> None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/login").text).group(1)
        res = self.http.post("/login", data={"email": email, "password": password, "csrf_token": token},
                             headers={"Cookie": self.cookie})
        self._keep(res)
        if res.status_code != 303:
            raise SystemExit(f"login as {email} failed: {res.status_code}")


def median_ms(browser: Browser, paths: list[str], label: str) -> float:
    for path in paths[:2]:  # warm-up: connections, plan caches
        res = browser.get(path)
        if res.status_code != 200:
            raise SystemExit(f"{path} answered {res.status_code}: {res.text[-500:]}")
    timings = []
    for i in range(SAMPLES):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        res = browser.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if res.status_code != 200:
            raise SystemExit(f"{path} answered {res.status_code}")
    timings.sort()
    log(f"{label}: median {statistics.median(timings):.0f} ms, max {timings[-1]:.0f} ms")
    return statistics.median(timings)


def main() -> None:
    from bench_crm import DB_URL, ensure_database

    from services.crm.campaigns.models import Campaign
    from services.crm.companies.models import Company
    from services.crm.demo.users import DEMO_PASSWORD
    from services.crm.orders.models import Order
    from services.crm.users.models import User

    engine = ensure_database()
    with engine.connect() as conn:
        konsulent_id = conn.execute(select(User.id).where(User.email == "konsulent@jobbro.dk")).scalar_one()
        companies = list(conn.execute(select(Company.id).where(Company.consultant_id == konsulent_id)
                                      .order_by(Company.id).limit(10)).scalars())
        orders = list(conn.execute(select(Order.id).order_by(Order.received_on.desc()).limit(10)).scalars())
        campaign = conn.execute(select(Campaign.id).order_by(Campaign.starts_on.desc()).limit(1)).scalar_one()
        last_day = conn.execute(select(func.max(Order.received_on))).scalar_one() or date.today()
    engine.dispose()
    year = last_day.year
    period = f"from={year}-01-01&to={last_day.isoformat()}"

    # crm's own database is bench_crm's (CRM_DATABASE_URL); web has none, it asks crm over HTTP.
    # A port held bound but not listening: matching and notifications refuse at once, and no
    # service of someone else's `make run` on 8002/8003 answers in their place.
    closed = socket.socket()
    closed.bind((HOST, 0))
    nowhere = f"http://{HOST}:{closed.getsockname()[1]}"
    env = service_env({"crm": DB_URL}, JOBBRO_DEMO_DATA="0", CRM_URL=f"http://{HOST}:{CRM_PORT}",
                      MATCHING_URL=nowhere, NOTIFICATIONS_URL=nowhere)
    env.pop("JOBBRO_ADMIN_EMAIL", None)
    crm = start_service("services.crm", CRM_PORT, env)
    web = start_service("services.web", WEB_PORT, env)
    medians: list[float] = []
    try:
        pages = {
            "konsulent@jobbro.dk": [
                ("web.min_dag_ms", ["/min-dag"]),
                ("web.log_contact_form_ms", ["/aktivitet/ny"]),
                ("web.company_search_ms", ["/virksomheder/soeg?q=ap&mode=pick", "/virksomheder/soeg?q=3&mode=pick",
                                           "/virksomheder/soeg?q=vest&mode=pick"]),
                ("web.company_page_ms", [f"/virksomheder/{c}" for c in companies]),
                ("web.orders_ms", ["/ordrer"]),
                ("web.order_page_ms", [f"/ordrer/{o}" for o in orders]),
                ("web.campaign_worklist_ms", [f"/kampagner/{campaign}"]),
            ],
            "virksomhed@jobbro.dk": [
                ("web.portal_ms", ["/portal"]),
                ("web.portal_order_form_ms", ["/portal/ordrer/ny"]),
                ("web.portal_contacts_ms", ["/portal/kontakter"]),
            ],
            "leder@jobbro.dk": [
                ("web.dashboard_ms", [f"/leder?{period}"]),
                *((f"web.chart_{key}_ms", [f"/leder/graf/{key}?{period}"])
                  for key in ("aktiviteter", "placeringer", "fleksjob", "igu", "verdensmaal")),
                ("web.consultant_activity_ms", [f"/leder/konsulenter?{period}"]),
            ],
        }
        for email, figures in pages.items():
            browser = Browser()
            browser.login(email, DEMO_PASSWORD)
            for figure, paths in figures:
                value = median_ms(browser, paths, figure)
                medians.append(value)
                emit(figure, value, "ms", None)
        emit("web.page_median_ms", statistics.median(medians), "ms", TARGET)
        emit("web.slowest_page_median_ms", max(medians), "ms", None)
    finally:
        for proc in (web, crm):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        closed.close()


if __name__ == "__main__":
    main()

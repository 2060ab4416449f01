"""crm benchmarks on PostgreSQL with the large data set (protocol: bench/run_all.py).

1. Makes sure the database `jobbro_bench` exists, is migrated and holds the large demo data set
   (50,000 companies, 500,000 activities, 50,000 orders, 100,000 placements over ten years);
   it is loaded once (about a minute, COPY) and reused by later runs.
2. Starts the real crm service as a subprocess (`python -m services.crm serve`, default workers).
3. Measures over HTTP on loopback, as a client sees it: the median latency of `/api/v1/kpi` for
   the last full year, of each report for that year, of company timelines and of the consultants'
   task lists as "Min dag" asks for them (open follow-ups due within a week, first 25); and the rate of
   `POST /api/v1/activities` from a closed-loop load generator, beside the `/health` rate on the
   same server as the baseline.

Environment: `JOBBRO_BENCH_DATABASE_URL` (crm's own database, the server's `CRM_DATABASE_URL`;
default postgresql://postgres@127.0.0.1:5432/jobbro_bench),
`JOBBRO_BENCH_CRM_PORT` (default 8120), `JOBBRO_BENCH_CONNECTIONS` (default 8), `REDIS_URL` (as for
the service).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import httpx  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from loadgen import request_bytes, run_load  # noqa: E402
from processes import service_env, start_service  # noqa: E402

DB_URL = os.environ.get("JOBBRO_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jobbro_bench")
PORT = int(os.environ.get("JOBBRO_BENCH_CRM_PORT", "8120"))
HOST = "127.0.0.1"
SAMPLES = 25
# Closed-loop connections of the load generator: no more than the service's database pool
# (shared/db.py: 20), so the figure measures requests, not connection set-up.
CONNECTIONS = int(os.environ.get("JOBBRO_BENCH_CONNECTIONS", "8"))
MARKER = "Benchmark: belastningstest af aktivitetsoprettelse"


def log(message: str) -> None:
    print(f"[bench_crm] {message}", file=sys.stderr, flush=True)


def emit(figure: str, value: float, unit: str, target: str | None, baseline: float | None = None) -> None:
    row = {"figure": figure, "value": round(value, 2), "unit": unit, "target": target}
    if baseline is not None:
        row["baseline"] = round(baseline, 2)
    print(json.dumps(row), flush=True)


def ensure_database():
    import psycopg

    from services.crm.companies.models import Company
    from services.crm.demo.cli import load
    from services.crm.demo.generator import LARGE
    from shared.db import make_engine

    url = make_url(DB_URL)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone():
            log(f"creating database {url.database}")
            conn.execute(f'CREATE DATABASE "{url.database}"')
    from shared import cli

    # crm's tables only: this benchmark measures crm on a database of its own.
    cli.migrate("crm", database_url=DB_URL, configure_logger=False)
    engine = make_engine(DB_URL)
    with engine.connect() as conn:
        companies = conn.execute(select(func.count()).select_from(Company)).scalar_one()
    if companies == 0:
        log("loading the large data set (once; about a minute)")
        load(engine, LARGE, seed=2019, as_of=None, if_empty=True, out=sys.stderr)
        # What autovacuum would do soon after a bulk load: statistics and the visibility map.
        with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                             dbname=url.database, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    elif companies < LARGE.companies:
        raise SystemExit(f"{url.database} holds {companies} companies, not the large data set: drop it and rerun")
    else:
        log(f"reusing the large data set in {url.database} ({companies:,} companies)")
    return engine


def start_server() -> subprocess.Popen:
    # crm's own database is DB_URL itself (as in compose: a database per service), whatever
    # DATABASE_URL or CRM_DATABASE_URL the caller's shell holds.
    env = service_env({"crm": DB_URL}, JOBBRO_DEMO_DATA="0")
    env.pop("JOBBRO_ADMIN_EMAIL", None)
    return start_service("services.crm", PORT, env)


def login(client: httpx.Client, email: str) -> dict[str, str]:
    from services.crm.demo.users import DEMO_PASSWORD

    res = client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    res.raise_for_status()
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def median_ms(client: httpx.Client, paths: list[str], headers: dict[str, str], label: str) -> float:
    for path in paths[:3]:  # warm-up: connection, plan caches
        client.get(path, headers=headers).raise_for_status()
    timings = []
    for i in range(SAMPLES):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        res = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        res.raise_for_status()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    log(f"{label}: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms")
    return statistics.median(timings)


def main() -> None:
    from services.crm.activities.models import Activity
    from services.crm.placements.models import Placement
    from services.crm.users.models import User

    engine = ensure_database()
    with engine.begin() as conn:
        conn.execute(delete(Activity).where(Activity.summary == MARKER))  # a previous run's load
        last = conn.execute(select(func.max(Placement.starts_on))).scalar_one()
        busiest = list(conn.execute(select(Activity.company_id).group_by(Activity.company_id)
                                    .order_by(func.count().desc()).limit(5)).scalars())
        max_company = conn.execute(select(func.max(Activity.company_id))).scalar_one()
        consultants = list(conn.execute(select(User.id).where(User.role == "konsulent").order_by(User.id)).scalars())
    year = last.year - 1  # the last full year of the data
    rng = random.Random(7)
    companies = busiest + [rng.randint(1, max_company) for _ in range(20)]

    server = start_server()
    try:
        with httpx.Client(base_url=f"http://{HOST}:{PORT}", timeout=30) as client:
            leder = login(client, "leder@jobbro.dk")
            konsulent = login(client, "konsulent@jobbro.dk")
            figures = [
                ("crm.kpi_full_year_ms", [f"/api/v1/kpi?from={year}-01-01&to={year}-12-31"]),
                ("crm.report_placements_ms", [f"/api/v1/reports/placements?from={year}-01&to={year}-12"]),
                ("crm.report_fleksjob_hours_ms", [f"/api/v1/reports/fleksjob-hours?from={year}-01&to={year}-12"]),
                ("crm.report_igu_ms", [f"/api/v1/reports/igu?to={year}-12-31"]),
                ("crm.report_activities_ms", [f"/api/v1/reports/activities?year={year}"]),
                ("crm.report_consultant_activity_ms",
                 [f"/api/v1/reports/consultant-activity?from={year}-01&to={year}-12"]),
            ]
            for figure, paths in figures:
                emit(figure, median_ms(client, paths, leder, figure), "ms", "< 150")
            timelines = [f"/api/v1/companies/{c}/timeline" for c in companies]
            emit("crm.company_timeline_ms", median_ms(client, timelines, konsulent, "timeline"), "ms", "< 50")
            # As services/web/consultant/routes.py asks for "Min dag" (MY_DAY_TASKS = 25).
            week = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
            task_lists = [f"/api/v1/tasks?consultant_id={c}&due_before={week}&limit=25" for c in consultants]
            emit("crm.task_list_ms", median_ms(client, task_lists, konsulent, "task list"), "ms", "<= 100")

        health = run_load(HOST, PORT, lambda: request_bytes("GET", "/health", f"{HOST}:{PORT}"), seconds=8,
                          connections=CONNECTIONS)
        log(f"/health: {health.rate:.0f} req/s, {health.errors} errors, statuses {dict(health.statuses)}")
        occurred = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        targets = [rng.randint(1, max_company) for _ in range(1000)]
        counter = iter(range(10**9))

        def create() -> bytes:
            body = {"company_id": targets[next(counter) % len(targets)], "channel": "telefon",
                    "purposes": ["rekruttering"], "occurred_at": occurred, "summary": MARKER}
            return request_bytes("POST", "/api/v1/activities", f"{HOST}:{PORT}", konsulent, body)

        created = run_load(HOST, PORT, create, seconds=10, connections=CONNECTIONS)
        latencies = sorted(created.latencies_ms) or [0.0]
        log(f"POST /api/v1/activities: {created.rate:.0f} req/s, {created.errors} errors, statuses "
            f"{dict(created.statuses)}, median {statistics.median(latencies):.1f} ms")
        emit("crm.create_activity_rps", created.rate, "req/s", ">= 300", baseline=health.rate)
        emit("crm.create_activity_errors", created.errors, "responses", "== 0")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        with engine.begin() as conn:
            conn.execute(delete(Activity).where(Activity.summary == MARKER))
        engine.dispose()


if __name__ == "__main__":
    main()

"""Soak test with optional fault injection (issue 6), run by `make soak` (not part of CI).

    python -m tests.ops.soak [--minutes 10] [--rate 20] [--faults]

Starts the whole system on loopback over its own PostgreSQL database and Redis db (crm ×2,
notifications, matching, web, two workers, the SMTP sink), loads the demo data, then sends mixed
traffic at a fixed rate: consultants logging activities, companies submitting orders, managers
loading dashboards, matching queries, and one newsletter to every consenting contact. It reports
p50/p95/p99 per route, the error count and each process's memory over time (first, middle and
last third), and checks that every acknowledged write is stored. With --faults it restarts
PostgreSQL, restarts Redis, stops the SMTP sink for a while and kills a worker during the run;
errors are then expected while a fault lasts, but nothing acknowledged may be lost and /ready must
say 503 while a dependency is down. It stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from tests.ops.stack import Stack, fresh_database, own_databases

PG_BASE = os.environ.get("JOBBRO_SOAK_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("JOBBRO_SOAK_REDIS", "redis://127.0.0.1:6379/5")
PASSWORD = "jobbro-demo-2026"


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def tree_rss(pid: int) -> float:
    """RSS of a process and its children (uvicorn and RQ fork)."""
    total = rss_mb(pid)
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except OSError:
        children = []
    return total + sum(rss_mb(int(c)) for c in children)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


class Traffic:
    def __init__(self, urls: dict[str, list[str]], tokens: dict[str, str], company_id: int, own_company: int):
        self.urls = urls
        self.tokens = tokens
        self.company_id = company_id
        self.own_company = own_company
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.acknowledged: dict[str, list[int]] = defaultdict(list)
        self.lock = threading.Lock()
        self.rng = random.Random(7)
        self.client = httpx.Client(timeout=15)

    def _call(self, route: str, service: str, method: str, path: str, role: str, expect: int, **kw):
        base = self.rng.choice(self.urls[service])
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        t0 = time.perf_counter()
        try:
            res = self.client.request(method, base + path, headers=headers, **kw)
            code = res.status_code
        except httpx.HTTPError as exc:
            res, code = None, type(exc).__name__
        elapsed = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.latency[route].append(elapsed)
            if code != expect:
                self.errors[route].append(f"{code}")
            elif method == "POST" and res is not None and "id" in res.json():
                self.acknowledged[route].append(res.json()["id"])
        return res

    def one(self) -> None:
        kind = self.rng.random()
        today = date.today()
        if kind < 0.45:
            self._call("POST /activities", "crm", "POST", "/api/v1/activities", "konsulent", 201, json={
                "company_id": self.company_id, "channel": self.rng.choice(["telefon", "besoeg", "email"]),
                "purposes": ["rekruttering"], "occurred_at": datetime.now(UTC).isoformat(), "summary": "Soak"})
        elif kind < 0.55:
            self._call("POST /orders", "crm", "POST", "/api/v1/orders", "virksomhed", 201, json={
                "company_id": self.own_company, "title": "Lagermedarbejder", "description": "Soak",
                "scheme": "ordinaer", "positions": 1, "postcode": "4200", "received_via": "portal",
                "received_on": today.isoformat(), "deadline": (today + timedelta(days=30)).isoformat()})
        elif kind < 0.70:
            self._call("GET /kpi", "crm", "GET", "/api/v1/kpi", "leder", 200,
                       params={"from": f"{today.year - 1}-01-01", "to": f"{today.year - 1}-12-31"})
        elif kind < 0.78:
            self._call("GET /reports/placements", "crm", "GET", "/api/v1/reports/placements", "leder", 200,
                       params={"from": f"{today.year - 1}-01", "to": f"{today.year - 1}-12"})
        elif kind < 0.88:
            self._call("GET /companies/{id}/timeline", "crm", "GET", f"/api/v1/companies/{self.company_id}/timeline",
                       "konsulent", 200)
        else:
            self._call("POST /match", "matching", "POST", "/api/v1/match", "konsulent", 200, json={
                "text": "Vi søger en lagermedarbejder med truckcertifikat", "scheme": "ordinaer", "limit": 10})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second, all kinds together")
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("var/soak.json"))
    args = parser.parse_args()

    logdir = Path("var/soak-logs")
    logdir.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(PG_BASE, "jobbro_soak")
    env = {**own_databases(dict(os.environ), db_url), "REDIS_URL": REDIS_URL, "SMTP_PORT": "8240",
           "JOBBRO_SECRET_KEY": os.environ.get("JOBBRO_SECRET_KEY", "soak-secret-0123456789abcdef0123456789"),
           "JOBBRO_DEMO_DATA": "1", "NOTIFICATIONS_RATE_LIMIT": "200"}
    stack = Stack(env=env, logdir=logdir)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    for cmd in (["-m", "services.crm", "migrate"], ["-m", "services.matching", "migrate"],
                ["-m", "services.notifications", "migrate"], ["-m", "services.crm", "demo", "--if-empty", "--with-passwords"],
                ["-m", "services.matching", "demo", "--if-empty"]):
        done = stack.run("setup", *cmd)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 2
    try:
        stack.start("smtp", "services.notifications", "smtp-sink", "--port", "8240", "--http-port", "0", "--memory")
        crm = [stack.start(f"crm{i}", "services.crm", "serve") for i in (1, 2)]
        stack.env["CRM_URL"] = crm[0].url  # notifications rebuilds its read model from crm's API
        stack.start("crm-worker", "services.crm", "worker")
        rebuilt = stack.run("rebuild", "-m", "services.notifications", "rebuild-recipients")
        if rebuilt.returncode != 0:
            print(rebuilt.stderr, file=sys.stderr)
            return 2
        notif = stack.start("notifications", "services.notifications", "serve")
        matching = stack.start("matching", "services.matching", "serve", wait=180)
        workers = [stack.start(f"worker{i}", "services.notifications", "worker") for i in (1, 2)]
        stack.start("matching-worker", "services.matching", "worker")

        tokens = {}
        for role in ("konsulent", "leder", "virksomhed"):
            res = httpx.post(crm[0].url + "/api/v1/auth/token", data={"username": f"{role}@jobbro.dk", "password": PASSWORD})
            tokens[role] = res.json()["access_token"]
        me = httpx.get(crm[0].url + "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['virksomhed']}"}).json()
        companies = httpx.get(crm[0].url + "/api/v1/companies", params={"limit": 1, "partner": True},
                              headers={"Authorization": f"Bearer {tokens['konsulent']}"}).json()["items"]
        traffic = Traffic({"crm": [p.url for p in crm], "notifications": [notif.url], "matching": [matching.url]},
                          tokens, companies[0]["id"], me["company_id"])

        hdr = {"Authorization": f"Bearer {tokens['konsulent']}"}
        nl = httpx.post(notif.url + "/api/v1/newsletters", headers=hdr, json={
            "subject": "Nyt fra Jobcenteret", "body_markdown": "# Nyhedsbrev\n\nNye puljer til løntilskud.",
            "segment": {"kind": "all_consenting"}}).json()
        httpx.post(notif.url + f"/api/v1/newsletters/{nl['id']}/send", headers=hdr, json={})

        procs = [p for p in stack.procs]
        memory: dict[str, list[float]] = defaultdict(list)
        ready_during_faults: list[tuple[str, int]] = []
        faults = []
        if args.faults:
            span = args.minutes * 60
            faults = [(span * 0.2, "postgres"), (span * 0.4, "redis"), (span * 0.6, "smtp"), (span * 0.8, "worker")]
        start = time.monotonic()
        end = start + args.minutes * 60
        next_mem = start
        interval = 1 / args.rate
        pool: list[threading.Thread] = []
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_mem:
                for p in procs:
                    memory[p.name].append(tree_rss(p.popen.pid))
                next_mem = now + 10
            if faults and now - start >= faults[0][0]:
                _, fault = faults.pop(0)
                ready_during_faults.append(inject(fault, stack, crm[1].url, workers))
            t = threading.Thread(target=traffic.one)
            t.start()
            pool.append(t)
            pool = [x for x in pool if x.is_alive()]
            time.sleep(max(0.0, interval - (time.monotonic() - now)))
        for t in pool:
            t.join(30)
        time.sleep(5)

        with psycopg.connect(db_url) as conn:
            activities = {r[0] for r in conn.execute("SELECT id FROM crm.activity")}
            orders = {r[0] for r in conn.execute("SELECT id FROM crm.recruitment_order")}
            sent = conn.execute("SELECT status, count(*) FROM notifications.delivery GROUP BY status").fetchall() \
                if conn.execute("SELECT to_regclass('notifications.delivery')").fetchone()[0] else []
        lost = (set(traffic.acknowledged["POST /activities"]) - activities) | (set(traffic.acknowledged["POST /orders"]) - orders)
        report = {
            "minutes": args.minutes, "rate": args.rate, "faults": args.faults,
            "routes": {r: {"n": len(v), "p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1),
                           "p99_ms": round(percentile(v, 99), 1), "errors": len(traffic.errors[r])}
                       for r, v in sorted(traffic.latency.items())},
            "errors": sum(len(v) for v in traffic.errors.values()),
            "error_kinds": {r: sorted(set(v))[:5] for r, v in traffic.errors.items() if v},
            "acknowledged_lost": len(lost),
            "memory_mb": {name: _thirds(v) for name, v in memory.items()},
            "ready_during_faults": ready_during_faults,
            "deliveries": dict(sent),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        print(json.dumps(report, indent=2, ensure_ascii=False))
        ok = report["acknowledged_lost"] == 0 and (args.faults or report["errors"] == 0)
        return 0 if ok else 1
    finally:
        stack.stop()


def _thirds(values: list[float]) -> dict[str, float]:
    if len(values) < 3:
        return {"samples": len(values)}
    n = len(values) // 3
    first, middle, last = values[:n], values[n:2 * n], values[2 * n:]
    return {"first": round(statistics.mean(first), 1), "middle": round(statistics.mean(middle), 1),
            "last": round(statistics.mean(last), 1), "levels_off": statistics.mean(last) <= statistics.mean(middle) * 1.10}


def inject(fault: str, stack: Stack, crm_url: str, workers) -> tuple[str, int]:
    """Cause one fault; return what /ready said while it lasted."""
    status = -1
    if fault == "postgres":
        cluster = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop", "-m", "fast"], check=False)
        status = _ready(crm_url)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"], check=False)
    elif fault == "redis":
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], check=False)
        time.sleep(1)
        status = _ready(crm_url)
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
                        "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                        "--logfile", "/var/log/redis/ci.log"], check=False)
    elif fault == "smtp":
        smtp = next(p for p in stack.procs if p.name == "smtp")
        smtp.kill()
        time.sleep(20)
        stack.procs.remove(smtp)
        stack.start("smtp", "services.notifications", "smtp-sink", "--port", "8240", "--http-port", "0", "--memory")
        status = 200
    elif fault == "worker":
        workers[0].kill()
        stack.start("worker3", "services.notifications", "worker")
        status = 200
    return fault, status


def _ready(url: str) -> int:
    time.sleep(2)
    try:
        return httpx.get(url + "/ready", timeout=5).status_code
    except httpx.HTTPError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The whole system under concurrent load, SQLite (embedded default) and PostgreSQL (protocol: bench/run_all.py).

For each database, a fresh one (a new SQLite file; a new PostgreSQL database through
`tests.ops.stack.fresh_database`) gets every process of `make run` (`tests.ops.load.start_system`:
crm, web, matching with its model, the matching worker and events consumer, notifications, the
notifications worker with its scheduler, the SMTP sink), then:

1. 8 closed-loop clients for 30 s (`tests.ops.load.run_load`: companies, contacts, visits and
   calls, orders from the portal user and from consultants, logins with right and wrong passwords,
   order and company pages through the crm API and the web front); every acknowledged record read
   back afterwards. Figures: requests/s, writes/s (acknowledged creates), p95 latency over every
   request, 5xx answers (target 0), records missing afterwards (target 0), lines with
   "database is locked" or "OperationalError" in the processes' logs (target 0).
2. A municipality history load (`tests.ops.load.history_load`): about 2,000 API requests one after
   the other (companies, contacts, agreements, orders, placements) as a jobcentre migrates its
   records. Figures: requests/s and non-2xx answers (target 0).

Environment: `JOBBRO_BENCH_LOAD_SECONDS` (30), `JOBBRO_BENCH_LOAD_CLIENTS` (8),
`JOBBRO_BENCH_HISTORY_REQUESTS` (2000), `JOBBRO_BENCH_PG` (a PostgreSQL URL whose server gets the
database `jobbro_bench_load`; default postgresql://postgres@127.0.0.1:5432/postgres; `none` skips
PostgreSQL), `JOBBRO_BENCH_LOAD_REDIS_URL` (default redis://127.0.0.1:6379/10; not flushed, the
run's keys are named after its own installation id and deleted afterwards). The SQLite files and
every process's log stay in `var/bench-load/<database>/` until the next run.
`python bench/bench_embedded_load.py [sqlite] [postgresql]` measures one of them only.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.ops import load  # noqa: E402
from tests.ops.stack import fresh_database  # noqa: E402

SECONDS = float(os.environ.get("JOBBRO_BENCH_LOAD_SECONDS", "30"))
CLIENTS = int(os.environ.get("JOBBRO_BENCH_LOAD_CLIENTS", "8"))
HISTORY = int(os.environ.get("JOBBRO_BENCH_HISTORY_REQUESTS", "2000"))
PG_BASE = os.environ.get("JOBBRO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("JOBBRO_BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/10")
OUT = REPO / "var" / "bench-load"  # each run's SQLite files and every process's log, kept until the next run


def log(message: str) -> None:
    print(f"[bench_embedded_load] {message}", file=sys.stderr, flush=True)


def emit(figure: str, value: float, unit: str, target: str | None) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 2) if isinstance(value, float) else value,
                      "unit": unit, "target": target}), flush=True)


def measure(name: str, database_url: str, logdir: Path) -> None:
    installation = f"bench-load-{name}-{secrets.token_hex(3)}"
    log(f"{name}: starting every process on {database_url.split('@')[-1]} (logs in {logdir})")
    system = load.start_system(database_url, REDIS_URL, logdir, installation_id=installation, clients=CLIENTS,
                               port_range=(8500, 8560))
    try:
        log(f"{name}: {CLIENTS} clients for {SECONDS:.0f} s, load average {os.getloadavg()[0]:.1f}")
        result = load.run_load(system, clients=CLIENTS, seconds=SECONDS)
        summary = result.summary()
        log(f"{name}: " + json.dumps({k: v for k, v in summary.items() if k != "ops"}, ensure_ascii=False))
        for op, stats in summary["ops"].items():
            log(f"{name}:   {op:28} n={stats['n']:5} p50={stats['p50_ms']:8.1f} p95={stats['p95_ms']:8.1f} "
                f"{stats['statuses']}")
        for line in result.unexpected[:5]:
            log(f"{name}: unexpected: {line[:300]}")
        log(f"{name}: history load, {HISTORY} requests one after another, load average {os.getloadavg()[0]:.1f}")
        history = load.history_load(system, requests=HISTORY)
        log(f"{name}: history: " + json.dumps(history.summary(), ensure_ascii=False))
        logged = load.scan_logs(system)
        for proc, lines in logged.items():
            log(f"{name}: {proc}.log: {len(lines)} line(s) like {lines[0][:300]}")
    finally:
        system.stack.stop()
        load.forget_installation(REDIS_URL, installation)

    emit(f"load.{name}_requests_rps", result.requests_per_s, "req/s", None)
    emit(f"load.{name}_writes_rps", result.writes_per_s, "writes/s", None)
    emit(f"load.{name}_p50_ms", summary["p50_ms"], "ms", None)
    emit(f"load.{name}_p95_ms", summary["p95_ms"], "ms", None)
    emit(f"load.{name}_5xx", result.server_errors, "responses", "== 0")
    emit(f"load.{name}_missing_records", len(result.missing), "records", "== 0")
    emit(f"load.{name}_db_errors_logged", sum(len(v) for v in logged.values()), "lines", "== 0")
    emit(f"history.{name}_requests_rps", history.rate, "req/s", None)
    emit(f"history.{name}_p95_ms", history.summary()["p95_ms"], "ms", None)
    emit(f"history.{name}_non_2xx", len(history.failures), "responses", "== 0")


def main(argv: list[str]) -> None:
    wanted = set(argv) or {"sqlite", "postgresql"}
    if "sqlite" in wanted:
        shutil.rmtree(OUT / "sqlite", ignore_errors=True)
        (OUT / "sqlite").mkdir(parents=True)
        measure("sqlite", f"sqlite:///{OUT / 'sqlite' / 'jobbro.sqlite3'}", OUT / "sqlite")
    if "postgresql" in wanted and PG_BASE.lower() != "none":
        shutil.rmtree(OUT / "postgresql", ignore_errors=True)
        measure("postgresql", fresh_database(PG_BASE, "jobbro_bench_load"), OUT / "postgresql")


if __name__ == "__main__":
    main(sys.argv[1:])

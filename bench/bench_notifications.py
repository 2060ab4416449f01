"""Benchmark: a 10,000-recipient newsletter through two workers vs a bare smtplib loop.

Prints JSON lines `{"figure", "value", "unit", "target"}` (bench/run_all.py collects them):
- the bare loop's rate: the same 10,000 messages, pre-built, over one smtplib connection to the
  same local SMTP sink (the ceiling on this machine), run before and after the workers (mean);
- the rate of two `python -m services.notifications worker` processes sending the newsletter
  (claim, consent check, rendering, `sending` mark, SMTP) to that sink, and the ratio (target >= 0.5);
- the time to queue the 10,000 deliveries (`POST .../send`: rows + jobs, target < 2 s).

Database: notifications' own (NOTIFICATIONS_DATABASE_URL of every process here, whatever the caller's
shell holds): JOBBRO_BENCH_DATABASE_URL, else PostgreSQL `jobbro_bench_notifications` on 127.0.0.1
(created afresh) when reachable, else a temporary SQLite file. It is migrated with notifications'
own history, and the recipients are written into notifications' read model (`recipient`,
`recipient_company`), as crm's events would have filled it. Redis: JOBBRO_BENCH_REDIS_URL (default
db 13), flushed; queues named under JOBBRO_INSTALLATION_ID (default "bench").
Ports: the sink takes the first free port from JOBBRO_BENCH_PORT (default 8140).
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from processes import service_env  # noqa: E402

N = int(os.environ.get("JOBBRO_BENCH_RECIPIENTS", "10000"))


def emit(figure: str, value: float, unit: str, target: str, baseline: float | None = None) -> None:
    line = {"figure": figure, "value": round(value, 3), "unit": unit, "target": target}
    if baseline is not None:
        line["baseline"] = round(baseline, 3)
    print(json.dumps(line), flush=True)


def note(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _database_url() -> str:
    if os.environ.get("JOBBRO_BENCH_DATABASE_URL"):
        return os.environ["JOBBRO_BENCH_DATABASE_URL"]
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3,
                             autocommit=True) as conn:
            name = "jobbro_bench_notifications"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:5432/{name}"
    except Exception:
        return f"sqlite:///{tempfile.mkdtemp(prefix='jobbro-bench-')}/bench.sqlite3"


def _free_port(start: int) -> int:
    for port in range(start, start + 10):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port for the SMTP sink")


def _wait_port(port: int, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def _count(port_http: int) -> int:
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{port_http}/api/messages/count", timeout=10) as res:
        return int(json.loads(res.read())["total"])


def main() -> None:
    smtp_port = _free_port(int(os.environ.get("JOBBRO_BENCH_PORT", "8140")))
    http_port = _free_port(smtp_port + 1)
    database_url = _database_url()
    env = service_env(
        {"notifications": database_url},
        REDIS_URL=os.environ.get("JOBBRO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
        NOTIFICATIONS_RATE_LIMIT="0", NOTIFICATIONS_BATCH_SIZE="100",
        JOBBRO_DEMO_DATA="0", PYTHONUNBUFFERED="1",
    )
    # This process is notifications too (it queues the send through the app): the same
    # environment as the workers', so the same database and the same RQ queue names.
    os.environ.clear()
    os.environ.update(env)
    from redis import Redis
    from sqlalchemy import text

    from shared.cli import migrate
    from shared.db import get_engine, use_service

    use_service("notifications")
    Redis.from_url(env["REDIS_URL"]).flushdb()
    migrate("notifications", configure_logger=False)
    engine = get_engine()
    from tests.notifications.conftest import headers_for, make_contacts, make_user

    with engine.begin() as conn:  # a reused database: only this run's recipients and newsletter
        for table in ("delivery", "newsletter", "recipient", "recipient_company"):
            conn.execute(text(f"DELETE FROM {table}"))
    make_contacts(engine, N, per_company=10)
    user_id = make_user(engine)
    note(f"bench: {N} consenting recipients in notifications' read model, {database_url.split('@')[-1]}")

    procs: list[subprocess.Popen] = []

    def spawn(*args: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-m", "services.notifications", *args], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(p)
        return p

    try:
        spawn("smtp-sink", "--memory", "--port", str(smtp_port), "--http-port", str(http_port))
        _wait_port(smtp_port)
        _wait_port(http_port)

        # The same messages the workers will send, built up front: the loop measures SMTP alone.
        from fastapi.testclient import TestClient

        from services.notifications.content import mime
        from services.notifications.content.render import render_mail
        from services.notifications.main import app
        from services.notifications.unsubscribe.tokens import unsubscribe_url

        subject = "Nyt fra Jobcentret: løntilskud, IGU og julehjælp"
        body = ("## Nye puljer\n\nKommunen har fået **nye midler** til opkvalificering. "
                "Læs mere og kontakt din virksomhedskonsulent.\n\n" + "- Løntilskud\n- IGU\n- Fleksjob\n" * 5
                + "\n" + "Vi hjælper jer gerne med at finde de rette kandidater. " * 20)
        rendered = render_mail(subject, body, unsubscribable=True)
        subj = mime.encode_header_value(subject, "Subject")
        with engine.connect() as conn:
            recipients = conn.execute(text("SELECT contact_id, email, name FROM recipient ORDER BY contact_id")).all()
        messages = []
        for i, (cid, addr, name) in enumerate(recipients):
            url = unsubscribe_url(cid, i + 1)
            html, txt = rendered.personalise(url)
            messages.append((addr, mime.build(from_header="Jobcenter <vs@jobbro.dk>", to_address=addr, to_name=name,
                                              subject_header=subj, text=txt, html=html,
                                              message_id=mime.message_id_for(i + 1, "jobbro.dk"), unsubscribe_url=url)))
        def bare_loop() -> float:
            conn_smtp = smtplib.SMTP("127.0.0.1", smtp_port)
            t0 = time.perf_counter()
            for addr, data in messages:
                conn_smtp.sendmail("vs@jobbro.dk", [addr], data)
            seconds = time.perf_counter() - t0
            conn_smtp.quit()
            return N / seconds

        # The loop runs before and after the workers and the ceiling is the mean of the two: this
        # machine is shared, and its load drifts during a run.
        bare_before = bare_loop()

        spawn("worker", "--name", "bench-a", "--no-cron")
        spawn("worker", "--name", "bench-b", "--no-cron")
        redis = Redis.from_url(env["REDIS_URL"])
        from rq import Worker

        end = time.monotonic() + 60
        while len(Worker.all(connection=redis)) < 2 and time.monotonic() < end:
            time.sleep(0.2)
        before = _count(http_port)

        with TestClient(app) as client:
            headers = headers_for(user_id)
            nl = client.post("/api/v1/newsletters", headers=headers,
                             json={"subject": subject, "body_markdown": body, "segment": {"kind": "all_consenting"}})
            assert nl.status_code == 201, nl.text
            nl_id = nl.json()["id"]
            t0 = time.perf_counter()
            res = client.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers)
            queued_seconds = time.perf_counter() - t0
            assert res.status_code == 202 and res.json()["new_deliveries"] == N, res.text
        emit("notifications.queue_10k_deliveries", queued_seconds, "s", "< 2")

        end = time.monotonic() + 600
        while _count(http_port) - before < N and time.monotonic() < end:
            time.sleep(0.2)
        worker_seconds = time.perf_counter() - t0
        delivered = _count(http_port) - before
        with engine.connect() as conn:
            sent = conn.execute(text("SELECT count(*) FROM delivery WHERE newsletter_id = :n AND status IN ('sent', 'sending')"),
                                {"n": nl_id}).scalar()
        if delivered != N:
            note(f"bench: only {delivered} of {N} messages arrived (rows sent: {sent})")
        worker_rate = delivered / worker_seconds
        bare_after = bare_loop()
        bare_rate = (bare_before + bare_after) / 2
        note(f"bench: smtplib loop {bare_before:.0f}/s before, {bare_after:.0f}/s after the workers")
        emit("notifications.smtplib_loop_rate", bare_rate, "messages/s", "ceiling (one smtplib connection)")
        emit("notifications.two_workers_rate", worker_rate, "messages/s", "see ratio", baseline=bare_rate)
        emit("notifications.two_workers_vs_smtplib_ratio", worker_rate / bare_rate, "ratio", ">= 0.5")
        emit("notifications.messages_delivered", delivered, "messages", f"== {N}, one per recipient")
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(10)


if __name__ == "__main__":
    main()

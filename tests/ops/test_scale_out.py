"""Scale out without Docker (issue 6): two replicas of each HTTP service and two RQ workers on one
PostgreSQL and one Redis, requests spread over the replicas, one replica of each killed mid-load.

Acknowledged writes (201) must all be there afterwards, and /api/v1/kpi must count exactly them.
A client that loses its connection retries on the other replica, as a load balancer would.
"""

from __future__ import annotations

import itertools
import os
import threading
from datetime import UTC, datetime

import httpx
import psycopg
import pytest

from shared.auth import hash_password
from tests.conftest import _PG_URL, _REDIS_URL
from tests.ops.stack import SERVICES, own_databases
from tests.ops.stack import Stack, fresh_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PASSWORD = "skalering-2026"


@pytest.fixture
def stack(tmp_path):
    db_url = fresh_database(_PG_URL, f"{os.environ.get('JOBBRO_TEST_DB', 'jobbro_test')}_scale")
    redis_url = _REDIS_URL.rsplit("/", 1)[0] + "/6"
    # Each service on its own schema of the scale database, as with DATABASE_URL in production.
    env = {**own_databases(dict(os.environ), db_url), "REDIS_URL": redis_url, "JOBBRO_DEMO_DATA": "0",
           "MATCHING_LOAD_MODEL": "0", "JOBBRO_SECRET_KEY": "scale-test-secret-key-0123456789abcdef",
           "SMTP_PORT": "1"}
    s = Stack(env=env, logdir=tmp_path)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    for service in SERVICES:
        migrated = s.run("migrate", "-m", f"services.{service}", "migrate")
        assert migrated.returncode == 0, migrated.stderr
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET search_path TO crm")
        conn.execute("INSERT INTO app_user (email, password_hash, full_name, role, is_active, failed_logins, created_at)"
                     " VALUES ('skala@jobbro.dk', %s, 'Skala', 'konsulent', true, 0, now())", (hash_password(PASSWORD),))
        conn.execute("INSERT INTO company (cvr, name, sector, employees, postcode, created_at, updated_at)"
                     " VALUES ('13585628', 'Skala A/S', 'privat', 30, '4200', now(), now())")
    yield s, db_url
    s.stop()


def test_two_replicas_each_and_one_killed_mid_load_loses_no_acknowledged_write(stack):
    s, db_url = stack
    crm = [s.start(f"crm{i}", "services.crm", "serve") for i in (1, 2)]
    notif = [s.start(f"notifications{i}", "services.notifications", "serve") for i in (1, 2)]
    matching = [s.start(f"matching{i}", "services.matching", "serve") for i in (1, 2)]
    workers = [s.start(f"worker{i}", "services.notifications", "worker") for i in (1, 2)]

    token = httpx.post(crm[0].url + "/api/v1/auth/token",
                       data={"username": "skala@jobbro.dk", "password": PASSWORD}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    company_id = httpx.get(crm[1].url + "/api/v1/companies", headers=auth).json()["items"][0]["id"]

    acknowledged: list[int] = []
    served_by: dict[str, int] = {}
    lock = threading.Lock()
    replicas = itertools.cycle(range(2))
    channels = ["telefon", "besoeg", "email"]

    def one_write(n: int) -> None:
        first = next(replicas)
        for attempt in (first, 1 - first):  # the balancer's retry on the other replica
            try:
                res = httpx.post(crm[attempt].url + "/api/v1/activities", headers=auth, timeout=10, json={
                    "company_id": company_id, "channel": channels[n % 3], "purposes": ["rekruttering"],
                    "occurred_at": datetime(2026, 3, 1, 10, tzinfo=UTC).isoformat(), "summary": f"Skalering {n}"})
            except httpx.TransportError:
                continue
            if res.status_code == 201:
                with lock:
                    acknowledged.append(res.json()["id"])
                    served_by[crm[attempt].name] = served_by.get(crm[attempt].name, 0) + 1
            return

    def writer(start: int) -> None:
        for n in range(start, start + 150):
            one_write(n)

    threads = [threading.Thread(target=writer, args=(k * 150,)) for k in range(4)]
    for t in threads:
        t.start()
    # Mid-load: one replica of each service and one worker die without warning.
    while len(acknowledged) < 150:
        threading.Event().wait(0.05)
    crm[0].kill()
    notif[0].kill()
    matching[0].kill()
    workers[0].kill()
    for t in threads:
        t.join(120)

    assert served_by.get("crm1", 0) > 0 and served_by.get("crm2", 0) > 0, served_by
    with psycopg.connect(db_url) as conn:
        stored = {r[0] for r in conn.execute("SELECT id FROM crm.activity")}
    assert set(acknowledged) <= stored, "an acknowledged write was lost"
    assert len(acknowledged) >= 550  # only the requests in flight at the kill may be lost, and they were retried

    kpi = httpx.get(crm[1].url + "/api/v1/kpi", params={"from": "2026-01-01", "to": "2026-12-31"}, headers=auth).json()
    assert sum(kpi["activities"].values()) == len(stored)
    expected = {c: 0 for c in channels}
    with psycopg.connect(db_url) as conn:
        for channel, count in conn.execute("SELECT channel, count(*) FROM crm.activity GROUP BY channel"):
            expected[channel] = count
    assert {c: kpi["activities"].get(c, 0) for c in channels} == expected

    # The surviving replicas and worker still serve, with the same token (no per-replica state).
    assert httpx.get(notif[1].url + "/ready", timeout=5).status_code == 200
    assert httpx.get(notif[1].url + "/api/v1/newsletters", headers=auth, timeout=5).status_code == 200
    assert httpx.get(matching[1].url + "/api/v1/candidates", headers=auth, timeout=5).status_code == 200
    assert workers[1].popen.poll() is None

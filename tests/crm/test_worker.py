"""crm runs its own schedule (issue 12): `python -m services.crm worker` relays crm's outbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_the_crm_worker_relays_events_left_in_crms_outbox(committed, engine, redis_conn, tmp_path):
    from shared.events import stream

    event_id = str(uuid.uuid4())
    with engine.begin() as conn:  # as if the push right after the commit had failed (Redis away)
        conn.execute(text("INSERT INTO outbox_event (id, type, payload, created_at) VALUES (:id, :t, :p, :at)"),
                     {"id": event_id, "t": "order.status_changed", "at": "2026-11-29 10:00:00",
                      "p": json.dumps({"order_id": 1, "old_status": "modtaget", "new_status": "besat"})})
    env = {**os.environ, "NOTIFICATIONS_RELAY_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "crm-worker.log"
    proc = subprocess.Popen([sys.executable, "-m", "services.crm", "worker"], cwd=REPO, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 40
        ids: list[bytes] = []
        while time.monotonic() < deadline:
            ids = [f[b"id"] for _, f in redis_conn.xrange(stream())]
            if event_id.encode() in ids:
                break
            time.sleep(0.3)
        assert event_id.encode() in ids, log.read_text()[-3000:]
        with engine.connect() as conn:
            published = conn.execute(text("SELECT published_at FROM outbox_event WHERE id = :id"),
                                     {"id": event_id}).scalar()
        assert published is not None
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)

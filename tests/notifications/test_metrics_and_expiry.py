"""notifications' /metrics (queue depth, failed jobs, e-mails by status) and the daily order expiry."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import text

from shared.settings import get_settings

pytestmark = pytest.mark.redis


def _gauge(body: str, name: str, **labels) -> float | None:
    for line in body.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_report_queue_depth_failed_jobs_and_deliveries_by_status(committed, engine, redis_conn):
    from fastapi.testclient import TestClient
    from rq.registry import FailedJobRegistry

    from services.notifications.deliveries.models import Delivery
    from services.notifications.main import app
    from services.notifications.queues import main_queue

    for i, status in enumerate(["sent", "sent", "failed", "pending"]):
        committed.add(Delivery(dedupe_key=f"m{i}", kind="receipt", to_email=f"m{i}@firma.dk", status=status))
    committed.commit()
    queue = main_queue(redis_conn)
    queue.enqueue("services.notifications.jobs.sweep")
    queue.enqueue("services.notifications.jobs.sweep")
    broken = queue.enqueue("services.notifications.jobs.sweep")
    queue.remove(broken)
    FailedJobRegistry(queue=queue).add(broken, ttl=600, exc_string="boom")

    with TestClient(app) as client:
        body = client.get("/metrics").text
    assert _gauge(body, "jobbro_deliveries", kind="receipt", status="sent") == 2
    assert _gauge(body, "jobbro_deliveries", kind="receipt", status="failed") == 1
    assert _gauge(body, "jobbro_deliveries", kind="receipt", status="pending") == 1
    assert _gauge(body, "jobbro_queue_jobs", queue=get_settings().notifications_queue, state="queued") == 2
    assert _gauge(body, "jobbro_queue_jobs", queue=get_settings().notifications_queue, state="failed") == 1


def test_the_morning_round_expires_orders_past_their_deadline(committed, engine, redis_conn, monkeypatch):
    from zoneinfo import ZoneInfo

    from services.crm import daily  # crm's own morning round
    from services.crm.orders.models import Order
    from tests import factories

    factories.bind(committed)
    company = factories.CompanyFactory()
    overdue = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5),
                                     deadline=date(2026, 3, 1), status="i_gang").id
    due_today = factories.OrderFactory(company_id=company.id, received_on=date(2026, 1, 5),
                                       deadline=date(2026, 3, 2), status="modtaget").id
    committed.commit()
    # Only expiry is under test here; the other morning tasks have their own tests.
    for name in [n for n in daily.TASKS if n != "expire_orders"]:
        monkeypatch.setitem(daily.TASKS, name, lambda session, day: [])

    tz = ZoneInfo("Europe/Copenhagen")
    assert daily.run_due(engine, redis_conn, now=datetime(2026, 3, 2, 5, 0, tzinfo=tz)) == {}
    daily.run_due(engine, redis_conn, now=datetime(2026, 3, 2, 7, 0, tzinfo=tz))
    with engine.connect() as conn:
        status = dict(conn.execute(text(f"SELECT id, status FROM {Order.__tablename__}")).all())
    assert status[overdue] == "udloebet" and status[due_today] == "modtaget"

import json
import logging

from shared.logs import JsonFormatter, request_id_var


def test_request_id_is_echoed_and_generated(crm_client):
    given = crm_client.get("/health", headers={"X-Request-ID": "abc123"})
    assert given.headers["x-request-id"] == "abc123"
    made = crm_client.get("/health")
    assert len(made.headers["x-request-id"]) == 32


def test_metrics_expose_request_latency_by_route_template(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    crm_client.get(f"/api/v1/companies/{company.id}", headers=konsulent)
    body = crm_client.get("/metrics").text
    assert "jobbro_http_request_duration_seconds_bucket" in body
    assert 'route="/api/v1/companies/{company_id}"' in body
    assert f"/api/v1/companies/{company.id}\"" not in body


def test_json_log_lines_carry_request_id_and_never_passwords():
    formatter = JsonFormatter("crm")
    token = request_id_var.set("rid-1")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "login", None, None)
        record.fields = {"user": "a@b.dk", "password": "hemmelig"}
        line = json.loads(formatter.format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "rid-1" and line["service"] == "crm" and line["user"] == "a@b.dk"
    assert "password" not in line and "hemmelig" not in json.dumps(line)


def test_ready_refuses_the_default_secret_outside_sqlite(monkeypatch):
    from shared import app as app_module
    from shared.settings import Settings

    pg = Settings(database_url="postgresql://x@h/db", jobbro_secret_key=app_module.DEFAULT_SECRET)
    monkeypatch.setattr(app_module, "get_settings", lambda: pg)
    assert "JOBBRO_SECRET_KEY" in app_module.check_secret()
    laptop = Settings(database_url="sqlite:///x.db", jobbro_secret_key=app_module.DEFAULT_SECRET)
    monkeypatch.setattr(app_module, "get_settings", lambda: laptop)
    assert app_module.check_secret() is None


def current_request_id() -> str | None:
    """Run by an RQ worker in the test below: what its log lines would carry."""
    return request_id_var.get()


def test_request_id_follows_a_change_into_its_event_and_its_jobs(crm_client, konsulent, factories, db, redis_conn):
    from rq import Queue

    from shared.events import stream, OutboxEvent, _to_stream
    from shared.jobs import JobbroWorker
    from shared.logs import job_meta, request_context

    company = factories.CompanyFactory()
    body = {"company_id": company.id, "title": "Lagermedarbejder", "description": "Pluk og pak", "scheme": "ordinaer",
            "positions": 1, "hours_per_week": 37, "postcode": "4200", "received_via": "hotline",
            "received_on": "2025-03-03"}
    res = crm_client.post("/api/v1/orders", json=body, headers={**konsulent, "X-Request-ID": "rid-order-1"})
    assert res.status_code == 201, res.text
    event = db.query(OutboxEvent).filter(OutboxEvent.type == "order.received").one()
    assert event.request_id == "rid-order-1"
    _to_stream(redis_conn, event)
    fields = redis_conn.xrange(stream())[-1][1]
    assert fields[b"request_id"] == b"rid-order-1"

    # A job enqueued inside a request runs under that request's id; one enqueued outside under its own.
    queue = Queue("jobbro-test-context", connection=redis_conn)
    with request_context("rid-order-1"):
        inside = queue.enqueue(current_request_id, meta=job_meta())
    outside = queue.enqueue(current_request_id, meta=job_meta())
    JobbroWorker([queue], connection=redis_conn).work(burst=True)
    assert inside.latest_result().return_value == "rid-order-1"
    assert outside.latest_result().return_value == f"job-{outside.id}"

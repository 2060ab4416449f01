"""Two installations on one Redis (issue 11): neither sees the other's events, jobs or counters.

Installation "a" and "b" share the test Redis. Switching installation in this process is what a
second `make run` beside the first does: other settings, same Redis.
"""

from __future__ import annotations

import json
import logging

import pytest
from rq import Queue
from sqlmodel import Session, select

pytestmark = pytest.mark.redis


@pytest.fixture
def as_installation(monkeypatch):
    from shared.installation import installation_id
    from shared.settings import get_settings

    def _switch(name: str) -> str:
        monkeypatch.setenv("JOBBRO_INSTALLATION_ID", name)
        get_settings.cache_clear()
        installation_id.cache_clear()
        return installation_id()

    original = installation_id()
    yield _switch
    monkeypatch.setenv("JOBBRO_INSTALLATION_ID", original)
    get_settings.cache_clear()
    installation_id.cache_clear()


def _order_event(order_id: int) -> dict:
    return {"order_id": order_id, "company_id": 1, "company_name": "Fremmed ApS", "title": "Lagermedarbejder",
            "received_via": "portal"}


def test_events_of_one_installation_never_reach_another(committed, engine, redis_conn, as_installation):
    from services.matching.vacancies.events import consume_once
    from services.matching.vacancies.models import Vacancy
    from shared.events import EventType, publish, relay_pending, stream

    as_installation("a")
    stream_a = stream()
    publish(committed, EventType.order_status_changed, {"order_id": 1, "old_status": "modtaget", "new_status": "besat"})
    committed.commit()
    relay_pending(engine, redis_conn)
    assert redis_conn.xlen(stream_a) == 1
    fields = redis_conn.xrange(stream_a)[0][1]
    assert fields[b"installation"] == b"a"

    as_installation("b")
    assert stream() != stream_a
    # b's consumer group reads b's stream only: a's pending event is not there to be claimed.
    assert consume_once(redis_conn, "b-consumer", block_ms=100, claim_after_ms=0) == 0
    groups_a = {g["name"] for g in redis_conn.xinfo_groups(stream_a)} if redis_conn.exists(stream_a) else set()
    assert b"matching" not in groups_a and "matching" not in groups_a
    with Session(engine) as s:
        assert s.exec(select(Vacancy)).all() == []


def test_a_foreign_event_met_in_the_stream_is_ignored_and_logged(committed, engine, redis_conn,
                                                                  as_installation, caplog):
    from services.matching.vacancies.events import GROUP, consume_once
    from services.matching.vacancies.models import Vacancy
    from services.notifications.events.consumer import consume
    from shared.events import stream

    as_installation("b")
    for name in ("matching", "notifications"):
        # Written into b's stream by hand, as a misconfigured installation "a" would.
        redis_conn.xadd(stream(), {"installation": "a", "id": f"foreign-{name}", "type": "order.received",
                                   "occurred_at": "2026-11-29T10:00:00+00:00",
                                   "payload": json.dumps(_order_event(77))})
    with caplog.at_level(logging.WARNING, logger="jobbro.events"):
        assert consume_once(redis_conn, "b-consumer", block_ms=100) == 0
        stats = consume(engine, redis_conn, consumer="b-notifications", budget_seconds=5)
    assert stats["handled"] == 0 and stats["queued"] == 0
    ignored = [r.getMessage() for r in caplog.records if "ignoring event" in r.getMessage()]
    assert len(ignored) == 4 and all("installation 'a'" in m for m in ignored)
    # Acknowledged, so it is not retried forever, and nothing was built from it.
    assert redis_conn.xpending(stream(), GROUP)["pending"] == 0
    assert redis_conn.xpending(stream(), "notifications")["pending"] == 0
    with Session(engine) as s:
        assert s.exec(select(Vacancy)).all() == []


def test_jobs_queued_by_one_installation_are_not_run_by_anothers_worker(redis_conn, as_installation):
    from services.notifications.queues import main_queue, queue_names
    from shared.jobs import JobbroWorker

    as_installation("a")
    job = main_queue(redis_conn).enqueue("builtins.len", "abc")
    as_installation("b")
    JobbroWorker([Queue(n, connection=redis_conn) for n in queue_names()], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.get_status() == "queued"
    as_installation("a")
    JobbroWorker([Queue(n, connection=redis_conn) for n in queue_names()], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == 3


def test_login_counters_are_per_installation(redis_conn, as_installation):
    from shared.installation import redis_key

    as_installation("a")
    key_a = redis_key("login", "email", "x", "1")
    as_installation("b")
    assert redis_key("login", "email", "x", "1") != key_a


def test_without_a_configured_id_one_is_made_once_and_kept_in_the_data_folder(tmp_path, monkeypatch):
    from shared.installation import InstallationIdError, installation_id
    from shared.settings import get_settings

    monkeypatch.delenv("JOBBRO_INSTALLATION_ID", raising=False)
    monkeypatch.setenv("JOBBRO_DATA_DIR", str(tmp_path / "var"))
    try:
        get_settings.cache_clear()
        installation_id.cache_clear()
        first = installation_id()
        installation_id.cache_clear()
        assert installation_id() == first == (tmp_path / "var" / "installation-id").read_text().strip()
        # A new data folder (a new database) is a new installation.
        monkeypatch.setenv("JOBBRO_DATA_DIR", str(tmp_path / "var2"))
        get_settings.cache_clear()
        installation_id.cache_clear()
        assert installation_id() != first
        monkeypatch.setenv("JOBBRO_INSTALLATION_ID", "not valid!")
        get_settings.cache_clear()
        installation_id.cache_clear()
        with pytest.raises(InstallationIdError):
            installation_id()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        installation_id.cache_clear()


def test_an_event_of_a_contract_version_the_consumer_does_not_know_is_left_alone_and_logged(
        committed, engine, redis_conn, caplog):
    from services.matching.vacancies.events import GROUP, consume_once
    from services.matching.vacancies.models import Vacancy
    from shared.event_contracts import VERSION
    from shared.events import stream
    from shared.installation import installation_id

    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "v-next", "type": "order.received",
                               "version": str(VERSION["order.received"] + 1), "occurred_at": "2026-11-29T10:00:00+00:00",
                               "payload": json.dumps(_order_event(78))})
    with caplog.at_level(logging.WARNING, logger="jobbro.consumer"):
        assert consume_once(redis_conn, "m", block_ms=100) == 0
    assert any("this consumer knows" in r.getMessage() for r in caplog.records)
    assert redis_conn.xpending(stream(), GROUP)["pending"] == 0
    with Session(engine) as s:
        assert s.exec(select(Vacancy)).all() == []

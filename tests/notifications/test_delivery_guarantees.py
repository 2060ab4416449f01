"""The delivery guarantees, proved against real PostgreSQL/SQLite, Redis, RQ workers in
subprocesses and an SMTP server on loopback (issue 4, "What it guarantees")."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.notifications.conftest import (
    consent_withdrawn_in_crm,
    delivery_counts,
    headers_for,
    make_contacts,
    make_user,
    wait_for,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def api(committed):
    from fastapi.testclient import TestClient

    from services.notifications.main import app

    with TestClient(app) as client:
        yield client


def _newsletter(api, engine, subject="Nyt fra jobcentret", segment=None, body="Hej\n\nNye puljer til **løntilskud**."):
    user_id = make_user(engine)
    headers = headers_for(user_id)
    res = api.post("/api/v1/newsletters", headers=headers,
                   json={"subject": subject, "body_markdown": body, "segment": segment or {"kind": "all_consenting"}})
    assert res.status_code == 201, res.text
    return res.json()["id"], headers


def _rows_of(addresses):
    from shared.db import get_engine

    with get_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(
            "SELECT id, to_email, status, attempts, smtp_code, last_error FROM delivery WHERE lower(to_email) = ANY(:a)"
            if conn.dialect.name == "postgresql" else "SELECT id, to_email, status FROM delivery WHERE 0"),
            {"a": list(addresses)})]


def _assert_exactly_once(sink, emails):
    got = Counter(a.lower() for a in sink.recipients())
    twice = {a: n for a, n in got.items() if n > 1}
    assert not twice, f"{len(twice)} recipient(s) got more than one copy: {_rows_of(list(twice)[:5])}"
    missing = {e.lower() for e in emails} - set(got)
    assert not missing, f"{len(missing)} recipient(s) got nothing: {_rows_of(sorted(missing)[:5])}"
    assert len(sink.recipients()) == len(emails)


def test_kill_9_mid_newsletter_then_restart_gives_exactly_one_copy_each(api, engine, sink, workers):
    contacts = make_contacts(engine, 2000)
    emails = [e for _, e in contacts]
    nl_id, headers = _newsletter(api, engine)
    first = workers.start("a")
    second = workers.start("b")
    res = api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers)
    assert res.status_code == 202, res.text
    assert res.json()["new_deliveries"] == 2000
    # Sending the same newsletter again while it goes out adds nobody.
    again = api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers)
    assert again.status_code == 202 and again.json()["new_deliveries"] == 0

    wait_for(lambda: len(sink.messages()) >= 400, 60, "the first 400 messages")
    workers.kill(first)
    killed_at = len(sink.messages())
    assert killed_at < 2000, "the newsletter finished before the kill; the test proves nothing"
    workers.start("a-restarted")

    wait_for(lambda: delivery_counts(engine, nl_id).get("sent", 0) == 2000, 120, "all 2,000 sent")
    time.sleep(1.5)  # nothing more may trickle in
    _assert_exactly_once(sink, emails)
    body = api.get(f"/api/v1/newsletters/{nl_id}", headers=headers).json()
    assert body["counts"]["sent"] == 2000 and body["counts"]["queued"] == 0
    assert body["status"] == "sendt"


def test_smtp_server_down_for_a_while_every_message_arrives_once(api, engine, sink, workers):
    contacts = make_contacts(engine, 300)
    nl_id, headers = _newsletter(api, engine)
    workers.start("a")
    workers.start("b")
    assert api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers).status_code == 202
    wait_for(lambda: len(sink.messages()) >= 50, 60, "the first messages")
    sink.stop()
    time.sleep(3)
    counts = delivery_counts(engine, nl_id)
    assert counts.get("pending", 0) + counts.get("claimed", 0) > 0, counts
    assert counts.get("failed", 0) == 0
    sink.start()
    wait_for(lambda: delivery_counts(engine, nl_id).get("sent", 0) == 300, 90, "all 300 sent after the outage")
    time.sleep(1)
    _assert_exactly_once(sink, [e for _, e in contacts])
    with engine.connect() as conn:
        retried = conn.execute(text("SELECT count(*) FROM delivery WHERE newsletter_id = :n AND attempts > 1"),
                               {"n": nl_id}).scalar()
    assert retried > 0  # the outage was felt, and retried


def test_redis_flushed_mid_send_the_sweeper_finishes(api, engine, sink, workers, redis_conn):
    contacts = make_contacts(engine, 1000)
    nl_id, headers = _newsletter(api, engine)
    # A rate limit keeps the send going long enough to flush Redis in the middle of it.
    workers.start("a", extra_env={"NOTIFICATIONS_RATE_LIMIT": "250"})
    assert api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers).status_code == 202
    wait_for(lambda: len(sink.messages()) >= 100, 60, "the first messages")
    redis_conn.flushdb()
    assert len(sink.messages()) < 1000
    wait_for(lambda: delivery_counts(engine, nl_id).get("sent", 0) == 1000, 120, "all 1,000 sent after the flush")
    time.sleep(1)
    _assert_exactly_once(sink, [e for _, e in contacts])


def test_contact_unsubscribed_after_scheduling_receives_nothing(api, engine, sink, workers):
    contacts = make_contacts(engine, 20)
    nl_id, headers = _newsletter(api, engine)
    workers.start("a")
    at = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    res = api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers, json={"at": at})
    assert res.status_code == 202, res.text
    assert res.json()["status"] == "planlagt" and res.json()["recipients"] == 20
    gone_id, gone_email = contacts[0]
    consent_withdrawn_in_crm(engine, gone_id)
    wait_for(lambda: delivery_counts(engine, nl_id) == {"sent": 19}, 60, "the scheduled send")
    time.sleep(1)
    assert gone_email.lower() not in {a.lower() for a in sink.recipients()}
    assert len(sink.recipients()) == 19
    body = api.get(f"/api/v1/newsletters/{nl_id}", headers=headers).json()
    assert body["status"] == "sendt" and body["counts"]["sent"] == 19


def test_consent_is_checked_again_when_the_queued_mail_goes_out(api, engine, sink, workers):
    contacts = make_contacts(engine, 10)
    nl_id, headers = _newsletter(api, engine)
    assert api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers).json()["new_deliveries"] == 10
    gone_id, gone_email = contacts[3]
    consent_withdrawn_in_crm(engine, gone_id)
    workers.start("a")  # the rows were queued before the unsubscribe; the worker starts after it
    wait_for(lambda: delivery_counts(engine, nl_id) == {"sent": 9, "skipped": 1}, 60, "the send")
    assert gone_email not in sink.recipients() and len(sink.recipients()) == 9
    body = api.get(f"/api/v1/newsletters/{nl_id}", headers=headers).json()
    assert body["counts"] == {"queued": 0, "sent": 9, "failed": 0, "bounced": 0, "unsubscribed": 1, "total": 10}


def test_transient_4xx_retries_with_backoff_and_permanent_5xx_fails_with_the_answer(api, engine, sink, workers):
    contacts = make_contacts(engine, 6)
    emails = [e for _, e in contacts]
    greylisted, refused_data, unknown = emails[0], emails[1], emails[2]
    tries = Counter()

    def policy(mail_from, rcpts):
        for r in rcpts:
            tries[r] += 1
            if r == greylisted and tries[r] <= 2:
                return "451 4.7.1 Greylisted, try again later"
            if r == refused_data:
                return "554 5.6.0 Message rejected: content not accepted"
        return None

    sink.policy = policy
    sink.rcpt_policy = lambda f, rcpts: "550 5.1.1 No such user here" if rcpts[0] == unknown else None
    nl_id, headers = _newsletter(api, engine)
    workers.start("a")
    assert api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers).status_code == 202
    wait_for(lambda: not ({"pending", "claimed", "sending"} & set(delivery_counts(engine, nl_id))), 60, "all settled")
    with engine.connect() as conn:
        rows = {r.to_email: r for r in conn.execute(text(
            "SELECT to_email, status, attempts, smtp_code, last_error FROM delivery WHERE newsletter_id = :n"),
            {"n": nl_id})}
    assert rows[greylisted].status == "sent" and rows[greylisted].attempts == 3
    assert rows[refused_data].status == "failed" and rows[refused_data].smtp_code == 554
    assert "content not accepted" in rows[refused_data].last_error
    assert rows[unknown].status == "bounced" and "No such user" in rows[unknown].last_error
    assert Counter(sink.recipients()) == Counter({e: 1 for e in emails if e not in (refused_data, unknown)})
    body = api.get(f"/api/v1/newsletters/{nl_id}", headers=headers).json()
    assert body["counts"]["failed"] == 1 and body["counts"]["bounced"] == 1 and body["counts"]["sent"] == 4


def test_messages_carry_one_click_unsubscribe_that_works_without_login(api, engine, sink, workers):
    import email
    import email.policy
    from urllib.parse import urlparse

    contacts = make_contacts(engine, 3)
    nl_id, headers = _newsletter(api, engine, subject="Julehjælp: ansæt før jul", body="<script>alert(1)</script>\n\nHej!")
    workers.start("a")
    api.post(f"/api/v1/newsletters/{nl_id}/send", headers=headers)
    wait_for(lambda: len(sink.messages()) == 3, 30, "three messages")
    msg = email.message_from_bytes(sink.messages()[0].data, policy=email.policy.default)
    assert msg["Subject"] == "Julehjælp: ansæt før jul"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = msg["List-Unsubscribe"].strip("<>")
    html = msg.get_body(("html",)).get_content()
    assert url in html and "<script" not in html
    assert "alert(1)" not in msg.get_body(("plain",)).get_content()
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, without a login.
    res = api.post(urlparse(url).path, data={"List-Unsubscribe": "One-Click"})
    assert res.status_code == 200 and "afmeldt" in res.text
    to = msg["To"].addresses[0].addr_spec
    contact_id = next(cid for cid, e in contacts if e == to)
    with engine.connect() as conn:
        consent = conn.execute(text("SELECT newsletter_consent FROM recipient WHERE contact_id = :i"),
                               {"i": contact_id}).scalar()
        told_crm = conn.execute(text("SELECT payload FROM outbox_event WHERE type = 'contact.unsubscribed'")).all()
    assert consent is False or consent == 0
    # crm hears of it through notifications' outbox (its consumer withdraws the consent there).
    assert len(told_crm) == 1 and f'"contact_id": {contact_id}' in str(told_crm[0][0]).replace("'", '"')
    body = api.get(f"/api/v1/newsletters/{nl_id}", headers=headers).json()
    assert body["counts"]["unsubscribed"] == 1

"""Receipts, alerts, follow-up mails, the morning digest and deadline reminders; crm's events
through the consumer group; each mail exactly once however often its trigger arrives."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
from sqlmodel import select

from services.notifications.deliveries.models import Delivery
from tests.notifications.conftest import wait_for


def _rows(db, kind=None):
    stmt = select(Delivery).order_by(Delivery.id)
    if kind:
        stmt = stmt.where(Delivery.kind == kind)
    return db.exec(stmt).all()


def _received(db, order):
    """The `order.received` payload crm's producer publishes for `order` (real payload, real producer)."""
    from services.crm.events import publish_order_received

    return publish_order_received(db, order).payload


def test_portal_order_gives_a_receipt_and_an_alert_once(db, factories):
    from services.notifications.reminders.service import order_received

    consultant = factories.UserFactory(role="konsulent", email="kirsten@jobcenter.dk")
    company = factories.CompanyFactory(name="Bager *Hansen*", consultant_id=consultant.id)
    ordering = factories.ContactFactory(company_id=company.id, email="ordre@bager.dk")
    factories.ContactFactory(company_id=company.id, email="andre@bager.dk")
    order = factories.OrderFactory(company_id=company.id, received_via="portal", contact_id=ordering.id,
                                   title="Bagerlærling", positions=2, deadline=date(2026, 3, 1))
    payload = _received(db, order)
    keys = order_received(db, payload)
    assert len(keys) == 2
    order_received(db, dict(payload))  # the same event delivered twice
    receipt, = _rows(db, "order_receipt")
    alert, = _rows(db, "order_alert")
    assert receipt.to_email == "ordre@bager.dk" and "Bagerlærling" in receipt.subject
    assert receipt.contact_id == ordering.id
    assert "Bager \\*Hansen\\*" in receipt.body_markdown  # a name is text, not Markdown
    assert alert.to_email == "kirsten@jobcenter.dk" and alert.user_id == consultant.id
    assert f"/ordrer/{order.id}" in alert.body_markdown


def test_portal_order_without_contact_goes_to_every_company_contact_and_hotline_orders_to_nobody(db, factories):
    from services.notifications.reminders.service import order_received

    company = factories.CompanyFactory()
    factories.ContactFactory(company_id=company.id, email="a@firma.dk", newsletter_consent=False)
    factories.ContactFactory(company_id=company.id, email="b@firma.dk")
    factories.ContactFactory(company_id=company.id, email=None, newsletter_consent=False)
    portal = factories.OrderFactory(company_id=company.id, received_via="portal")
    hotline = factories.OrderFactory(company_id=company.id, received_via="hotline")
    order_received(db, _received(db, portal))
    assert order_received(db, _received(db, hotline)) == []
    assert sorted(r.to_email for r in _rows(db, "order_receipt")) == ["a@firma.dk", "b@firma.dk"]
    assert _rows(db, "order_alert") == []  # no consultant on order or company


def test_followup_due_mails_the_consultant_once(db, factories):
    from services.notifications.reminders.service import followup_due

    payload = {"key": "aktivitet:7:2026-02-02", "kind": "aktivitet", "id": 7, "company_id": 3, "company_name": "Smed A/S",
               "consultant_id": 9, "consultant_email": "ole@jobcenter.dk", "follow_up_on": "2026-02-02",
               "summary": "Ring om praktikpladsen"}
    followup_due(db, payload)
    followup_due(db, dict(payload))
    followup_due(db, {**payload, "consultant_email": None, "key": "aktivitet:8:2026-02-02"})
    row, = _rows(db, "followup")
    assert row.to_email == "ole@jobcenter.dk" and "Smed A/S" in row.subject and "02-02-2026" in row.body_markdown


def test_morning_digest_lists_overdue_followups_per_consultant(db, factories):
    """crm's round publishes a `followup.digest` per consultant; notifications mails each once."""
    from sqlmodel import select as sql_select

    from services.crm.activities.digest import publish_overdue_digests
    from services.notifications.reminders.service import followup_digest
    from shared.events import OutboxEvent

    today = date(2026, 2, 10)
    ole = factories.UserFactory(role="konsulent")
    mia = factories.UserFactory(role="konsulent")
    gone = factories.UserFactory(role="konsulent", is_active=False)
    company = factories.CompanyFactory(name="Maler ApS", consultant_id=mia.id)
    factories.ActivityFactory(company_id=company.id, consultant_id=ole.id, follow_up_on=today - timedelta(days=3),
                              summary="Følg op på løntilskud")
    factories.ActivityFactory(company_id=company.id, consultant_id=ole.id, follow_up_on=today - timedelta(days=1),
                              summary="Send kontrakt")
    factories.ActivityFactory(company_id=company.id, consultant_id=None, follow_up_on=today - timedelta(days=2))
    factories.ActivityFactory(company_id=company.id, consultant_id=ole.id, follow_up_on=today)  # due, not overdue
    factories.ActivityFactory(company_id=company.id, consultant_id=gone.id, follow_up_on=today - timedelta(days=2))
    assert publish_overdue_digests(db, today) == 2  # nobody writes to a deactivated login
    db.flush()
    digests = db.exec(sql_select(OutboxEvent).where(OutboxEvent.type == "followup.digest")).all()
    for evt in digests:
        followup_digest(db, evt.payload)
        followup_digest(db, dict(evt.payload))  # delivered twice: one mail
    rows = {r.user_id: r for r in _rows(db, "followup_digest")}
    assert set(rows) == {ole.id, mia.id}
    assert rows[ole.id].subject == "Overskredne opfølgninger: 2"
    assert "Send kontrakt" in rows[ole.id].body_markdown and "løntilskud" in rows[ole.id].body_markdown
    assert rows[mia.id].subject == "Overskredne opfølgninger: 1"  # the company's consultant takes the unowned one


def test_order_near_deadline_with_unfilled_positions_reminds_its_consultant(db, factories):
    from services.notifications.reminders.service import deadline_reminders
    from tests.notifications.conftest import mirror

    today = date(2026, 5, 4)
    k = factories.UserFactory(role="konsulent")
    near = factories.OrderFactory(consultant_id=k.id, deadline=today + timedelta(days=2), positions=3, positions_filled=1,
                                  status="delvist_besat")
    factories.OrderFactory(consultant_id=k.id, deadline=today + timedelta(days=2), positions=1, positions_filled=1,
                           status="besat")
    factories.OrderFactory(consultant_id=k.id, deadline=today + timedelta(days=20))
    factories.OrderFactory(consultant_id=k.id, deadline=today - timedelta(days=1))
    mirror(db)  # notifications' view of orders, from crm's order payloads
    deadline_reminders(db, today)
    deadline_reminders(db, today)
    row, = _rows(db, "deadline_reminder")
    assert row.user_id == k.id and f"deadline:{near.id}:" in row.dedupe_key
    assert "om 2 dage" in row.body_markdown and "2 af 3 stillinger" in row.body_markdown


@pytest.mark.redis
def test_events_reach_the_mailbox_through_the_stream_consumer_group_and_relay(committed, engine, sink, workers, redis_conn):
    """crm publishes (outbox -> stream); the worker's cron relays, consumes and sends, once."""
    from sqlmodel import Session

    from services.crm.companies.models import Company, Contact
    from services.crm.orders.models import Order
    from services.crm.users.models import User
    from shared.events import EventType, OutboxEvent
    from shared.models_base import utcnow

    with Session(engine) as s:
        consultant = User(email="alarm@jobcenter.dk", password_hash="x", full_name="Alma Alarm", role="konsulent")
        s.add(consultant)
        s.flush()
        company = Company(cvr="13585628", name="Portal ApS", sector="privat", postcode="4200", consultant_id=consultant.id)
        s.add(company)
        s.flush()
        contact = Contact(company_id=company.id, name="Mette", email="mette@portal.dk")
        s.add(contact)
        s.flush()
        order = Order(company_id=company.id, title="Chauffør", scheme="ordinaer", positions=1, postcode="4200",
                      received_via="portal", received_on=date.today(), contact_id=contact.id)
        s.add(order)
        s.flush()
        # Written to the outbox only (as if Redis was away at commit): the relay must publish it.
        from services.crm.events import _receipt_contacts, order_payload

        received = {**order_payload(s, order), "receipt_contacts": _receipt_contacts(s, order)}
        s.add(OutboxEvent(type=EventType.order_received.value, payload=json.loads(json.dumps(received, default=str))))
        s.commit()
        order_id = order.id
    workers.start("a")
    workers.start("b")
    wait_for(lambda: sorted(sink.recipients()) == ["alarm@jobcenter.dk", "mette@portal.dk"], 30, "receipt and alert")
    # The same event again (a relay that crashed before marking it published): nobody gets a second mail.
    from shared.events import stream
    from shared.installation import installation_id
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "again", "type": "order.received", "occurred_at": utcnow().isoformat(),
                             "payload": json.dumps(received, default=str)})
    wait_for(lambda: not redis_conn.xpending(stream(), "notifications")["pending"]
             and redis_conn.xinfo_groups(stream())[0]["lag"] == 0, 20, "the repeat to be consumed")
    time.sleep(1.5)
    assert sorted(sink.recipients()) == ["alarm@jobcenter.dk", "mette@portal.dk"]


@pytest.mark.redis
def test_an_event_a_dead_consumer_took_is_claimed_by_another(committed, engine, redis_conn):
    from services.notifications.events.consumer import GROUP, consume, ensure_group
    from shared.events import stream
    from shared.installation import installation_id
    from shared.models_base import utcnow

    ensure_group(redis_conn)
    payload = {"key": "aktivitet:1:2026-01-01", "kind": "aktivitet", "id": 1, "company_id": 1, "company_name": "X",
               "consultant_id": None, "consultant_email": "k@jobcenter.dk", "follow_up_on": "2026-01-01", "summary": "s"}
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "e1", "type": "followup.due", "occurred_at": utcnow().isoformat(), "payload": json.dumps(payload)})
    taken = redis_conn.xreadgroup(GROUP, "dead-worker", {stream(): ">"}, count=10)
    assert len(taken[0][1]) == 1  # taken, never acknowledged: its worker died
    assert consume(engine, redis_conn, consumer="other", claim_idle_ms=60_000)["handled"] == 0  # not idle long enough
    time.sleep(0.05)
    stats = consume(engine, redis_conn, consumer="other", claim_idle_ms=10)
    assert stats["handled"] == 1
    assert redis_conn.xpending(stream(), GROUP)["pending"] == 0
    with engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM delivery WHERE kind = 'followup'")).scalar() == 1


@pytest.mark.redis
def test_daily_round_runs_once_a_day_after_the_morning_hour(committed, engine, redis_conn, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from services.notifications.reminders import daily

    calls = []
    monkeypatch.setitem(daily.TASKS, "followups", lambda session, day: calls.append(day) or [])
    tz = ZoneInfo("Europe/Copenhagen")
    assert daily.run_due(engine, redis_conn, now=datetime(2026, 3, 2, 5, 30, tzinfo=tz)) == {}
    first = daily.run_due(engine, redis_conn, now=datetime(2026, 3, 2, 6, 5, tzinfo=tz))
    second = daily.run_due(engine, redis_conn, now=datetime(2026, 3, 2, 9, 0, tzinfo=tz))
    assert set(first) == set(daily.TASKS) and second == {}
    assert calls == [date(2026, 3, 2)]

"""The satisfaction survey mail (issue 14 part 1): crm's `survey.requested` becomes one service
mail to the order's contact, exactly once, whatever their newsletter consent; an erased contact
gets nothing and keeps no trail. The end-to-end test goes through the outbox, the stream, the
consumer group, a real RQ worker and a real SMTP server."""

from __future__ import annotations

import json
import re
import time
from datetime import date

import pytest
from sqlmodel import select

from services.notifications.deliveries.models import Delivery
from tests.notifications.conftest import wait_for


def _close(db, order, status="besat"):
    """Close the order as crm does; returns the `survey.requested` payload crm published."""
    from services.crm.orders import lifecycle
    from shared.events import OutboxEvent
    from shared.glossary import OrderStatus

    lifecycle.set_status(db, order, OrderStatus(status), automatic=True)
    db.flush()
    rows = db.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested")).all()
    return [r for r in rows if r.payload["order_id"] == order.id][-1].payload


def _surveys(db):
    return db.exec(select(Delivery).where(Delivery.kind == "survey").order_by(Delivery.id)).all()


def test_one_mail_to_the_orderer_with_five_answer_links_without_newsletter_consent(db, factories, monkeypatch):
    from services.notifications.surveys.service import survey_requested
    from shared.settings import get_settings

    monkeypatch.setenv("WEB_URL", "https://jobbro.slagelse.dk")
    get_settings.cache_clear()
    company = factories.CompanyFactory(name="Bager *Hansen*")
    contact = factories.ContactFactory(company_id=company.id, name="Mette Bager", email="mette@bager.dk",
                                       newsletter_consent=False, consent_given_at=None, consent_method=None)
    order = factories.OrderFactory(company_id=company.id, contact_id=contact.id, status="i_gang", title="Bagerlærling")
    payload = _close(db, order)
    assert survey_requested(db, payload) == [f"survey:{order.id}"]
    assert survey_requested(db, dict(payload)) == [f"survey:{order.id}"]  # the event again
    (row,) = _surveys(db)
    assert (row.to_email, row.contact_id, row.to_name) == ("mette@bager.dk", contact.id, "Mette Bager")
    assert row.subject == "Hvor tilfredse er I med jobcentrets hjælp til denne rekruttering?"
    links = re.findall(r"\((https://jobbro\.slagelse\.dk/tilfredshed/[^)\s]+)\)", row.body_markdown)
    assert [link.rsplit("/", 1)[1] for link in links] == ["5", "4", "3", "2", "1"]
    assert {link.rsplit("/", 1)[0] for link in links} == {f"https://jobbro.slagelse.dk/tilfredshed/{payload['token']}"}
    assert "Bagerlærling" in row.body_markdown and "Bager \\*Hansen\\*" in row.body_markdown


def test_a_contact_erased_before_or_after_gets_nothing_and_keeps_no_trail(db, factories):
    from services.notifications.recipients.service import contact_erased
    from services.notifications.surveys.service import survey_requested

    company = factories.CompanyFactory()
    contact = factories.ContactFactory(company_id=company.id, email="ole@firma.dk")
    order = factories.OrderFactory(company_id=company.id, contact_id=contact.id, status="i_gang")
    payload = _close(db, order, "annulleret")
    # crm scrubbed the outbox row before it was relayed: no address, no mail.
    assert survey_requested(db, {**payload, "contact": None}) == []
    assert _surveys(db) == []
    survey_requested(db, payload)
    assert len(_surveys(db)) == 1
    contact_erased(db, {"payload": {"contact_id": contact.id, "company_id": company.id}})
    db.flush()
    assert _surveys(db) == []


@pytest.mark.redis
def test_the_survey_mail_reaches_the_mailbox_once_through_stream_and_worker(committed, engine, sink, workers,
                                                                           redis_conn):
    from sqlmodel import Session

    from services.crm.companies.models import Company, Contact
    from services.crm.orders import lifecycle
    from services.crm.orders.models import Order
    from shared.events import OutboxEvent, stream
    from shared.glossary import OrderStatus
    from shared.installation import installation_id
    from shared.models_base import utcnow

    with Session(engine) as s:
        company = Company(cvr="13585628", name="Korsør Fisk ApS", sector="privat", postcode="4220")
        s.add(company)
        s.flush()
        contact = Contact(company_id=company.id, name="Mette Fisk", email="mette@fisk.dk", newsletter_consent=False)
        s.add(contact)
        s.flush()
        order = Order(company_id=company.id, title="Fiskeindustriarbejder", scheme="ordinaer", positions=1,
                      postcode="4220", received_via="hotline", received_on=date.today(), contact_id=contact.id,
                      status="i_gang")
        s.add(order)
        s.flush()
        lifecycle.set_status(s, order, OrderStatus.besat)
        s.commit()  # outbox only: the worker's relay publishes it
        event = s.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested")).one()
    workers.start("a")
    wait_for(lambda: sink.recipients() == ["mette@fisk.dk"], 30, "the survey mail")
    # The same event again (a relay that died before marking it published): no second mail.
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "again", "type": "survey.requested",
                               "occurred_at": utcnow().isoformat(), "payload": json.dumps(event.payload)})
    wait_for(lambda: not redis_conn.xpending(stream(), "notifications")["pending"]
             and redis_conn.xinfo_groups(stream())[0]["lag"] == 0, 20, "the repeat to be consumed")
    time.sleep(1.5)
    (mail,) = sink.messages()
    message = mail.parsed()
    assert message["Subject"] == "Hvor tilfredse er I med jobcentrets hjælp til denne rekruttering?"
    assert message["List-Unsubscribe"] is None, "a service mail, not a newsletter"
    text = message.get_body(("plain",)).get_content()
    assert f"/tilfredshed/{event.payload['token']}/5" in text and "Fiskeindustriarbejder" in text

"""Signed unsubscribe tokens, the public Danish page, and what a newsletter looks like."""

from __future__ import annotations

import email
import email.policy

import pytest


@pytest.fixture
def notif_client(db):
    from services.notifications.main import app
    from tests.conftest import _client_for

    with _client_for(app, db) as client:
        yield client
    app.dependency_overrides.clear()


def test_token_round_trip_and_tampering():
    from services.notifications.unsubscribe.tokens import BadToken, make_token, read_token

    token = make_token(42, 7)
    claim = read_token(token)
    assert (claim.contact_id, claim.delivery_id) == (42, 7)
    cid, did, sig = token.split(".")
    for bad in (f"43.{did}.{sig}", f"{cid}.8.{sig}", f"{cid}.{did}.{sig[:-1]}A" if sig[-1] != "A" else f"{cid}.{did}.{sig[:-1]}B",
                "", "abc", f"{cid}.{did}", f"{cid}.{did}.{sig}.x", "1.1." + "A" * 43):
        with pytest.raises(BadToken):
            read_token(bad)


def test_unsubscribe_page_asks_then_one_click_post_withdraws_consent(notif_client, factories, db):
    """The click is recorded by notifications at once (its read model and outbox, in one
    transaction: crm need not answer); crm applies it from `contact.unsubscribed`, audited."""
    from sqlmodel import select

    from services.crm.companies.models import Contact
    from services.crm.inbox.consumer import contact_unsubscribed
    from services.notifications.recipients.models import Recipient
    from services.notifications.unsubscribe.tokens import make_token
    from shared.audit import AuditLog
    from shared.events import OutboxEvent
    from tests.notifications.conftest import mirror

    contact = factories.ContactFactory(email="lone.hansen@bager.dk")
    mirror(db)
    token = make_token(contact.id, 123)
    page = notif_client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Vil du afmelde" in page.text and "lo*********@bager.dk" in page.text
    assert "lone.hansen" not in page.text
    assert db.get(Recipient, contact.id).newsletter_consent is True  # opening the link changes nothing

    done = notif_client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Du er nu afmeldt" in done.text
    mine = db.get(Recipient, contact.id)
    db.refresh(mine)
    assert mine.newsletter_consent is False and mine.unsubscribed_at is not None
    told = db.exec(select(OutboxEvent).where(OutboxEvent.type == "contact.unsubscribed")).all()
    assert len(told) == 1 and told[0].payload["contact_id"] == contact.id
    again = notif_client.post(f"/unsubscribe/{token}")
    assert again.status_code == 200  # idempotent: nothing more is published
    assert len(db.exec(select(OutboxEvent).where(OutboxEvent.type == "contact.unsubscribed")).all()) == 1

    # crm's consumer applies it: consent withdrawn there, audited, and announced back.
    contact_unsubscribed(db, {"occurred_at": told[0].created_at.isoformat(), "payload": told[0].payload})
    db.flush()
    crm_contact = db.get(Contact, contact.id)
    db.refresh(crm_contact)
    assert crm_contact.newsletter_consent is False and crm_contact.unsubscribed_at is not None
    assert db.exec(select(AuditLog).where(AuditLog.entity == "contact", AuditLog.entity_id == str(contact.id))).first()
    assert db.exec(select(OutboxEvent).where(OutboxEvent.type == "contact.consent_changed")).first() is not None


def test_a_consent_withdrawn_in_crm_reaches_the_read_model_and_a_late_old_event_does_not_undo_it(db, factories):
    from services.notifications.recipients.models import Recipient
    from services.notifications.recipients.service import apply

    contact = factories.ContactFactory(email="per@smed.dk")
    payload = {"contact_id": contact.id, "company_id": contact.company_id, "name": "Per", "email": "per@smed.dk",
               "title": None, "newsletter_consent": True}
    apply(db, {"type": "contact.created", "occurred_at": "2026-11-01T10:00:00+00:00", "payload": payload})
    apply(db, {"type": "contact.consent_changed", "occurred_at": "2026-11-02T10:00:00+00:00",
               "payload": {**payload, "newsletter_consent": False, "changed_at": "2026-11-02T10:00:00+00:00"}})
    # A change made before the withdrawal, delivered late: it must not give the consent back.
    apply(db, {"type": "contact.changed", "occurred_at": "2026-11-01T12:00:00+00:00",
               "payload": {**payload, "name": "Per Smed"}})
    row = db.get(Recipient, contact.id)
    assert row.newsletter_consent is False and row.name == "Per"


def test_after_a_click_only_consent_given_again_in_crm_later_counts(db, factories):
    from datetime import UTC, datetime, timedelta

    from services.notifications.recipients import service as recipients
    from services.notifications.recipients.models import Recipient

    contact = factories.ContactFactory(email="eva@bager.dk")
    payload = {"contact_id": contact.id, "company_id": contact.company_id, "name": "Eva", "email": "eva@bager.dk",
               "title": None, "newsletter_consent": True}
    now = datetime.now(UTC)
    recipients.apply(db, {"type": "contact.created", "occurred_at": (now - timedelta(days=1)).isoformat(),
                          "payload": payload})
    recipients.unsubscribe(db, contact.id, at=now)
    # crm still had the consent when it changed her title, a second after the click: not a new consent.
    recipients.apply(db, {"type": "contact.changed", "occurred_at": (now + timedelta(seconds=1)).isoformat(),
                          "payload": {**payload, "title": "Indehaver"}})
    assert db.get(Recipient, contact.id).newsletter_consent is False
    # She subscribes again through crm a day later: that counts.
    later = (now + timedelta(days=1)).isoformat()
    recipients.apply(db, {"type": "contact.consent_changed", "occurred_at": later,
                          "payload": {**payload, "changed_at": later, "source": "skriftlig"}})
    assert db.get(Recipient, contact.id).newsletter_consent is True


@pytest.mark.parametrize("token", ["ikke-et-token", "1.2.AAAA", "1.2." + "A" * 43, "<script>alert(1)</script>"])
def test_malformed_or_tampered_token_is_a_clear_400_in_danish(notif_client, token):
    for res in (notif_client.get(f"/unsubscribe/{token}"), notif_client.post(f"/unsubscribe/{token}")):
        assert res.status_code in (400, 404)
        if res.status_code == 400:
            assert "Linket til afmelding er ugyldigt" in res.text and "<script>alert" not in res.text


def test_markdown_is_sanitised_and_rendered_in_both_forms():
    from services.notifications.content.render import markdown_to_html, markdown_to_text, render_mail

    md = ("# Nye puljer\n\nKlik [her](https://jobbro.dk) eller [her](javascript:alert(1)).\n\n"
          "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    html = markdown_to_html(md)
    # Typed-in markup survives only as visible text, never as tags or live links.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://jobbro.dk" rel="noopener noreferrer">her</a>' in html
    assert "<h1>Nye puljer</h1>" in html and "<table>" in html
    text = markdown_to_text(md)
    assert "alert('x')" not in text and "Nye puljer" in text
    mail = render_mail("Emne", md, unsubscribable=True)
    assert "Jobcenter" in mail.html and "Afmeld nyhedsbrevet" in mail.text


def test_built_message_is_well_formed_with_list_unsubscribe_headers():
    from services.notifications.content import mime
    from services.notifications.content.render import render_mail

    rendered = render_mail("Julehjælp: ansæt før jul – æøå", "Hej **alle**\n\n" + "lang linje " * 200, unsubscribable=True)
    html, text = rendered.personalise("https://jobbro.dk/unsubscribe/1.2.abc")
    data = mime.build(from_header=mime.encode_address("Jobcenter Virksomhedsservice", "vs@jobbro.dk"),
                      to_address="soeren@firma.dk", to_name="Søren Ærø", subject_header=mime.encode_header_value(rendered.subject, "Subject"),
                      text=text, html=html, message_id=mime.message_id_for(5, "jobbro.dk"),
                      unsubscribe_url="https://jobbro.dk/unsubscribe/1.2.abc")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == "Julehjælp: ansæt før jul – æøå"
    assert msg["To"].addresses[0].display_name == "Søren Ærø"
    assert msg["List-Unsubscribe"] == "<https://jobbro.dk/unsubscribe/1.2.abc>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == "<jobbro.delivery.5@jobbro.dk>"
    assert "https://jobbro.dk/unsubscribe/1.2.abc" in msg.get_body(("html",)).get_content()
    assert "<strong>alle</strong>" in msg.get_body(("html",)).get_content()
    assert "Hej **alle**" in msg.get_body(("plain",)).get_content()


@pytest.mark.redis
def test_rate_limit_is_shared_by_workers_through_redis(redis_conn):
    import threading
    import time

    from services.notifications.smtp.ratelimit import RateLimiter

    limiters = [RateLimiter(redis_conn, 40, chunk=2) for _ in range(2)]
    start = time.monotonic()
    threads = [threading.Thread(target=lambda lim=lim: [lim.acquire() for _ in range(30)]) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    # 60 messages at 40/s: at least ~1.4 s however the two "workers" interleave.
    assert elapsed >= 1.3, elapsed
    assert RateLimiter(redis_conn, 0).enabled is False

"""notifications' own read model of recipients (issue 12): rebuilt from crm's API after a loss,
with the very payloads crm's events carry; the one-click unsubscribe survives a rebuild."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select


@pytest.fixture
def crm_api(db):
    """crm's app in-process on this test's transaction, as notifications' rebuild reaches it."""
    from services.crm.main import app
    from tests.conftest import _client_for

    with _client_for(app, db) as client:
        yield client
    app.dependency_overrides.clear()


def _world(factories):
    partner = factories.CompanyFactory(sector="privat", industry_code="471100", name="Partner ApS")
    factories.PartnershipFactory(company_id=partner.id, signed_on=date(2020, 1, 1))
    public = factories.CompanyFactory(sector="kommunal", name="Kommunen")
    campaign = factories.CampaignFactory()
    factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=public.id)
    a = factories.ContactFactory(company_id=partner.id, email="a@partner.dk")
    b = factories.ContactFactory(company_id=public.id, email="b@kommune.dk")
    order = factories.OrderFactory(company_id=public.id, status="modtaget")
    closed = factories.OrderFactory(company_id=public.id, status="besat")
    return partner, public, campaign, a, b, order, closed


def test_the_feed_gives_crms_records_as_payloads_valid_against_the_event_contracts(crm_api, admin, konsulent,
                                                                                  factories):
    from shared.event_contracts import validate

    _world(factories)
    for feed in ("companies", "contacts", "agreements", "campaigns", "orders"):
        page = crm_api.get(f"/api/v1/feeds/{feed}", params={"limit": 2}, headers=admin)
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        assert items, feed
        for item in items:
            validate(item["type"], item["payload"])
    orders = crm_api.get("/api/v1/feeds/orders", headers=admin).json()["items"]
    assert all(i["payload"]["status"] == "modtaget" for i in orders)  # closed orders are of no use
    assert crm_api.get("/api/v1/feeds/contacts", headers=konsulent).status_code == 403  # admins only


def test_rebuild_from_crms_api_restores_segments_drops_what_crm_lost_and_keeps_a_click(crm_api, db, factories):
    from services.notifications.recipients import segments
    from services.notifications.recipients import service as recipients
    from services.notifications.recipients.models import OrderView, Recipient, RecipientCompany
    from services.notifications.recipients.rebuild import rebuild
    from shared.models_base import utcnow

    partner, public, campaign, a, b, order, closed = _world(factories)
    # What the model held before the loss: a company crm no longer has, and a click on b's link.
    db.add(RecipientCompany(company_id=999_999, name="Forsvundet ApS"))
    db.add(Recipient(contact_id=999_999, company_id=999_999, name="Gammel", email="g@x.dk", newsletter_consent=True))
    db.add(Recipient(contact_id=b.id, company_id=public.id, name=b.name, email=b.email, newsletter_consent=True))
    db.flush()
    recipients.unsubscribe(db, b.id, at=utcnow())
    db.flush()

    counts = rebuild(db.get_bind(), client=crm_api, page_size=1, session_factory=lambda: _Joined(db))
    assert counts["contacts"] >= 2 and counts["orders"] == 1
    ids = lambda seg: sorted(r.contact_id for r in segments.recipients(db, seg))  # noqa: E731
    assert ids({"kind": "partners"}) == [a.id]
    assert ids({"kind": "industry", "industry_code": "47"}) == [a.id]
    # b clicked "afmeld" here; crm had not heard yet, and the rebuild does not give the consent back.
    assert ids({"kind": "campaign", "campaign_id": campaign.id}) == []
    assert ids({"kind": "all_consenting"}) == [a.id]
    assert db.get(Recipient, 999_999) is None and db.get(RecipientCompany, 999_999) is None
    assert [o.order_id for o in db.exec(select(OrderView)).all()] == [order.id]


class _Joined:
    """The test's session as a context manager that does not close it (rebuild opens one per page)."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        self.session.flush()
        return False


def test_an_access_request_while_notifications_is_away_is_refused_not_incomplete(crm_client, konsulent, factories):
    import httpx

    from services.crm.main import app
    from services.crm.privacy import mail_trail

    contact = factories.ContactFactory(email="ida@firma.dk")
    # notifications' address answers nothing (port 9, discard): crm must not export without it.
    app.dependency_overrides[mail_trail.get_fetcher] = lambda: mail_trail.fetcher(
        httpx.Client(base_url="http://127.0.0.1:9", timeout=2))
    res = crm_client.get(f"/api/v1/companies/{contact.company_id}/contacts/{contact.id}/export", headers=konsulent)
    assert res.status_code == 503 and res.headers["retry-after"] == "5"
    assert "Notifikationstjenesten svarer ikke" in res.json()["detail"]


def test_the_rounds_rebuild_waits_quietly_for_a_crm_that_is_not_up_yet(monkeypatch, caplog):
    # `make run` starts every process at once: the first round may find crm not listening yet.
    # It must not fail with a traceback; the next round (a minute later) tries again.
    from sqlmodel import Session

    from services.notifications import jobs
    from services.notifications.recipients.models import RecipientCompany
    from shared.db import get_engine
    from shared.settings import get_settings

    with Session(get_engine()) as s:
        assert s.exec(select(RecipientCompany.company_id).limit(1)).first() is None, "needs an empty read model"
    monkeypatch.setattr(get_settings(), "crm_url", "http://127.0.0.1:9")  # nothing listens on port 9
    with caplog.at_level("WARNING", logger="jobbro.notifications.jobs"):
        assert jobs.ensure_read_model() is None
    assert "crm not reachable yet" in caplog.text

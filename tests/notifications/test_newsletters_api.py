"""Newsletter API: writing, segments, bad input, roles, sending and figures (contract paths)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.notifications.conftest import mirror


@pytest.fixture
def notif_client(db):
    from services.notifications.main import app
    from tests.conftest import _client_for

    with _client_for(app, db) as client:
        yield client
    app.dependency_overrides.clear()


BODY = {"subject": "Nyt om løntilskud", "body_markdown": "Hej\n\nNye regler fra 1. juli.", "segment": {"kind": "all_consenting"}}


def test_write_read_and_preview_a_newsletter(notif_client, konsulent, factories, db):
    factories.ContactFactory()
    factories.ContactFactory(newsletter_consent=False)
    mirror(db)
    res = notif_client.post("/api/v1/newsletters", json=BODY, headers=konsulent)
    assert res.status_code == 201, res.text
    nl = res.json()
    assert nl["status"] == "kladde" and nl["segment"] == {"kind": "all_consenting"}
    assert nl["counts"] == {"queued": 0, "sent": 0, "failed": 0, "bounced": 0, "unsubscribed": 0, "total": 0}
    prev = notif_client.get(f"/api/v1/newsletters/{nl['id']}/preview", headers=konsulent).json()
    assert prev["recipients"] == 1
    assert "<p>Nye regler fra 1. juli.</p>" in prev["html"] and "Afmeld nyhedsbrevet" in prev["html"]
    assert "Nye regler fra 1. juli." in prev["text"]
    listing = notif_client.get("/api/v1/newsletters", headers=konsulent).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == nl["id"]


@pytest.mark.parametrize(("payload", "field", "fragment"), [
    ({**BODY, "subject": ""}, "subject", "for kort"),
    ({**BODY, "subject": "   "}, "subject", "tomt"),
    ({**BODY, "body_markdown": " \n "}, "body_markdown", "tomt"),
    ({**BODY, "segment": {"kind": "sector"}}, "segment", "kræver feltet sector"),
    ({**BODY, "segment": {"kind": "alle"}}, "segment.kind", "skal være en af"),
    ({**BODY, "segment": {"kind": "industry", "industry_code": "47x"}}, "segment.industry_code", "format"),
])
def test_bad_input_is_422_naming_the_field(notif_client, konsulent, factories, db, payload, field, fragment):
    factories.ContactFactory()
    mirror(db)
    res = notif_client.post("/api/v1/newsletters", json=payload, headers=konsulent)
    assert res.status_code == 422, res.text
    err = res.json()["errors"][0]
    assert err["field"] == field and fragment in err["message"], err


def test_segment_matching_no_one_is_refused(notif_client, konsulent, factories, db):
    factories.ContactFactory(newsletter_consent=False)
    mirror(db)
    res = notif_client.post("/api/v1/newsletters", json=BODY, headers=konsulent)
    assert res.status_code == 422
    assert res.json()["field"] == "segment" and "ingen kontaktpersoner" in res.json()["detail"]
    res = notif_client.post("/api/v1/newsletters", json={**BODY, "segment": {"kind": "campaign", "campaign_id": 999999}},
                            headers=konsulent)
    assert res.status_code == 422 and "Kampagne 999999 findes ikke" in res.json()["detail"]


def test_each_segment_kind_picks_its_companies_and_only_consenting_contacts(db, factories):
    from services.notifications.recipients.segments import count, recipients

    partner = factories.CompanyFactory(sector="privat", industry_code="471100")
    factories.PartnershipFactory(company_id=partner.id, signed_on=date(2020, 1, 1))
    public = factories.CompanyFactory(sector="kommunal", industry_code="869000")
    campaign = factories.CampaignFactory()
    factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=public.id)
    a = factories.ContactFactory(company_id=partner.id, email="a@partner.dk")
    factories.ContactFactory(company_id=partner.id, email="A@Partner.dk")  # same address: one copy
    factories.ContactFactory(company_id=partner.id, email="nej@partner.dk", newsletter_consent=False)
    b = factories.ContactFactory(company_id=public.id, email="b@kommune.dk")
    mirror(db)  # what crm's events tell notifications: contacts, companies, the agreement, the campaign
    ids = lambda seg: sorted(r.contact_id for r in recipients(db, seg))  # noqa: E731
    assert ids({"kind": "all_consenting"}) == sorted([a.id, b.id])
    assert ids({"kind": "partners"}) == [a.id]
    assert ids({"kind": "sector", "sector": "kommunal"}) == [b.id]
    assert ids({"kind": "industry", "industry_code": "47"}) == [a.id]
    assert ids({"kind": "campaign", "campaign_id": campaign.id}) == [b.id]
    assert count(db, {"kind": "all_consenting"}) == 2


def test_send_now_creates_one_delivery_per_recipient_and_again_adds_nobody(notif_client, konsulent, factories, db):
    for _ in range(3):
        factories.ContactFactory()
    mirror(db)
    nl = notif_client.post("/api/v1/newsletters", json=BODY, headers=konsulent).json()
    res = notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", headers=konsulent)
    assert res.status_code == 202, res.text
    assert res.json()["new_deliveries"] == 3 and res.json()["status"] == "sender"
    again = notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", json={}, headers=konsulent)
    assert again.status_code == 202 and again.json()["new_deliveries"] == 0
    got = notif_client.get(f"/api/v1/newsletters/{nl['id']}", headers=konsulent).json()
    assert got["counts"]["queued"] == 3 and got["counts"]["total"] == 3 and got["status"] == "sender"
    assert notif_client.patch(f"/api/v1/newsletters/{nl['id']}", json={"subject": "Nyt"}, headers=konsulent).status_code == 409


def test_schedule_in_the_past_is_refused_and_a_future_one_is_planned(notif_client, konsulent, factories, db):
    factories.ContactFactory()
    mirror(db)
    nl = notif_client.post("/api/v1/newsletters", json=BODY, headers=konsulent).json()
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    res = notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", json={"at": past}, headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "at" and "fortiden" in res.json()["detail"]
    bad = notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", json={"at": "i morgen"}, headers=konsulent)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "at"
    future = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    ok = notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", json={"at": future.isoformat()}, headers=konsulent)
    assert ok.status_code == 202 and ok.json()["status"] == "planlagt"
    got = notif_client.get(f"/api/v1/newsletters/{nl['id']}", headers=konsulent).json()
    assert got["status"] == "planlagt" and got["counts"]["total"] == 0  # nobody is queued before the time
    # Naive times are Danish local time.
    local = (datetime.now() + timedelta(days=3)).replace(microsecond=0).isoformat()
    assert notif_client.post(f"/api/v1/newsletters/{nl['id']}/send", json={"at": local}, headers=konsulent).status_code == 202
    cancelled = notif_client.post(f"/api/v1/newsletters/{nl['id']}/cancel", headers=konsulent).json()
    assert cancelled["status"] == "kladde" and cancelled["scheduled_at"] is None


def test_roles_company_users_may_not_and_strangers_must_log_in(notif_client, login, leder, admin, factories, db):
    factories.ContactFactory()
    company = factories.CompanyFactory()
    mirror(db)
    _, virksomhed = login("virksomhed", company)
    db.commit()  # a refused request rolls the session back to here, as in production
    assert notif_client.post("/api/v1/newsletters", json=BODY, headers=virksomhed).status_code == 403
    assert notif_client.get("/api/v1/newsletters", headers=virksomhed).status_code == 403
    assert notif_client.get("/api/v1/newsletters").status_code == 401
    for headers in (leder, admin):
        assert notif_client.post("/api/v1/newsletters", json=BODY, headers=headers).status_code == 201


def test_test_send_goes_to_the_author_only_and_counts_nowhere(notif_client, factories, login, db):
    from sqlmodel import select

    from services.notifications.deliveries.models import Delivery

    factories.ContactFactory()
    mirror(db)
    user, headers = login("konsulent")
    nl = notif_client.post("/api/v1/newsletters", json=BODY, headers=headers).json()
    res = notif_client.post(f"/api/v1/newsletters/{nl['id']}/test", headers=headers)
    assert res.status_code == 202 and res.json()["to"] == user.email
    rows = db.exec(select(Delivery).where(Delivery.newsletter_id == nl["id"])).all()
    assert [(r.kind, r.to_email) for r in rows] == [("test", user.email)]
    assert notif_client.get(f"/api/v1/newsletters/{nl['id']}", headers=headers).json()["counts"]["total"] == 0


def test_health_and_ready(notif_client):
    assert notif_client.get("/health").json() == {"status": "ok", "service": "notifications"}
    assert notif_client.get("/ready").status_code in (200, 503)

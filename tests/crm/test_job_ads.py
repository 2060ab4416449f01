"""Open job ads (issue 14, part 3): a consultant publishes an order, edits and withdraws the ad; every
way the order closes withdraws it in the same transaction; the public API shows only published ads'
public fields, without a login, with ETag/Last-Modified."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from services.crm.job_ads.models import JobAd
from services.crm.orders.lifecycle import today
from shared.audit import AuditLog

PUBLIC = "/api/v1/public/job-ads"


def ad_url(order_id: int) -> str:
    return f"/api/v1/orders/{order_id}/job-ad"


@pytest.fixture
def order(factories):
    company = factories.CompanyFactory(name="Skælskør Maskinfabrik A/S")
    return factories.OrderFactory(company_id=company.id, title="CNC-operatør", description="Drift af CNC-maskiner.",
                                  hours_per_week=37, postcode="4230", received_on=today() - timedelta(days=3),
                                  deadline=today() + timedelta(days=20), positions=2, status="i_gang")


def publish(client, headers, order_id, **body):
    return client.post(ad_url(order_id), json={"city": "Skælskør", **body}, headers=headers)


def public_ids(client) -> list[int]:
    res = client.get(PUBLIC)
    assert res.status_code == 200, res.text
    return [ad["id"] for ad in res.json()["items"]]


def test_a_published_order_is_public_with_the_orders_text_and_nothing_else(crm_client, konsulent, order, factories, db):
    # candidates on the order's shortlist and proposals must never reach the ad
    factories.ProposalFactory(order_id=order.id, candidate_ref="K-HEMMELIG")
    res = publish(crm_client, konsulent, order.id)
    assert res.status_code == 201, res.text
    ad = res.json()
    assert ad["published"] and ad["title"] == "CNC-operatør" and ad["description"] == "Drift af CNC-maskiner."
    assert ad["postcode"] == "4230" and "virksomhedsservice@jobbro.dk" in ad["how_to_apply"]
    assert crm_client.get(ad_url(order.id), headers=konsulent).json()["id"] == ad["id"]

    # no login: the public list and the ad itself
    listed = crm_client.get(PUBLIC).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == ad["id"]
    public = crm_client.get(f"{PUBLIC}/{ad['id']}").json()
    assert public["title"] == "CNC-operatør" and public["city"] == "Skælskør" and public["scheme"] == "ordinaer"
    assert public["hours_per_week"] == 37 and public["deadline"] == order.deadline.isoformat()
    assert public["employer_name"] is None  # not named unless the company agreed
    text = crm_client.get(PUBLIC).text
    assert "K-HEMMELIG" not in text and "Skælskør Maskinfabrik" not in text
    assert set(public) == {"id", "title", "description", "postcode", "city", "scheme", "hours_per_week", "positions",
                           "deadline", "how_to_apply", "employer_name", "published_at", "updated_at"}
    entry = db.exec(select(AuditLog).where(AuditLog.entity == "job_ad")).one()
    assert entry.detail["action"] == "publish" and entry.detail["order_id"] == order.id


def test_the_company_is_named_only_when_the_consultant_says_it_agreed(crm_client, konsulent, order):
    ad = publish(crm_client, konsulent, order.id, name_company=True).json()
    assert crm_client.get(f"{PUBLIC}/{ad['id']}").json()["employer_name"] == "Skælskør Maskinfabrik A/S"


def test_editing_a_public_ad_keeps_its_posting_date_and_own_text(crm_client, konsulent, order, db):
    first = publish(crm_client, konsulent, order.id).json()
    res = crm_client.post(ad_url(order.id), json={"title": "CNC-operatør til dagholdet", "how_to_apply": "Ring til Jobcentret."},
                          headers=konsulent)
    assert res.status_code == 200, res.text
    edited = res.json()
    assert edited["published_at"] == first["published_at"] and edited["city"] == "Skælskør"
    assert edited["title"] == "CNC-operatør til dagholdet" and edited["how_to_apply"] == "Ring til Jobcentret."
    # the order's own title is untouched: the ad's text is its own
    assert crm_client.get(f"/api/v1/orders/{order.id}", headers=konsulent).json()["title"] == "CNC-operatør"
    actions = [a.detail["action"] for a in db.exec(select(AuditLog).where(AuditLog.entity == "job_ad")
                                                     .order_by(AuditLog.id))]
    assert actions == ["publish", "edit"]


def test_unpublish_withdraws_and_republish_posts_again(crm_client, leder, order, db):
    ad = publish(crm_client, leder, order.id).json()
    res = crm_client.delete(ad_url(order.id), headers=leder)
    assert res.status_code == 204
    assert public_ids(crm_client) == []
    assert crm_client.get(f"{PUBLIC}/{ad['id']}").status_code == 404
    staff_view = crm_client.get(ad_url(order.id), headers=leder).json()
    assert not staff_view["published"] and staff_view["withdrawn_reason"] == "afpubliceret"
    # a second click changes nothing and is no error
    assert crm_client.delete(ad_url(order.id), headers=leder).status_code == 204
    again = publish(crm_client, leder, order.id)
    assert again.status_code == 201 and again.json()["id"] == ad["id"] and again.json()["withdrawn_at"] is None
    assert public_ids(crm_client) == [ad["id"]]


def test_only_staff_publish_and_a_company_user_cannot(crm_client, login, order, factories):
    company_user = login("virksomhed", factories.CompanyFactory())[1]
    assert publish(crm_client, company_user, order.id).status_code == 403
    assert crm_client.post(ad_url(order.id), json={"city": "Slagelse"}).status_code == 401
    assert crm_client.delete(ad_url(order.id)).status_code == 401


def test_an_order_without_an_ad_answers_404(crm_client, konsulent, order):
    assert crm_client.get(ad_url(order.id), headers=konsulent).status_code == 404
    assert crm_client.delete(ad_url(order.id), headers=konsulent).status_code == 404
    assert crm_client.get(ad_url(999999), headers=konsulent).status_code == 404
    assert crm_client.get(f"{PUBLIC}/999999").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"city": "", "postcode": "4199"}, "city"),  # a postcode Jobbro cannot name the town of
    ({"description": "Ring til Anna, 010190-1234, for at høre mere."}, "description"),
    ({"how_to_apply": "Send CPR 0101901234 med"}, "how_to_apply"),
    ({"postcode": "12"}, "postcode"),
])
def test_an_ad_without_a_town_or_with_a_cpr_number_is_refused(crm_client, konsulent, order, db, body, field):
    res = crm_client.post(ad_url(order.id), json={"city": "Skælskør", **body}, headers=konsulent)
    assert res.status_code == 422, res.text
    body = res.json()
    assert field in {e["field"] for e in body.get("errors") or []} | {body.get("field")}
    assert "CPR" in body["detail"] or field in ("city", "postcode")
    assert db.exec(select(JobAd)).first() is None


def test_the_town_comes_from_the_postcode_unless_the_consultant_writes_one(crm_client, konsulent, order):
    res = crm_client.post(ad_url(order.id), json={}, headers=konsulent)
    assert res.status_code == 201, res.text
    assert res.json()["postcode"] == "4230" and res.json()["city"] == "Skælskør"
    # A new postcode brings its own town along; a town the consultant wrote stays.
    moved = crm_client.post(ad_url(order.id), json={"postcode": "4200"}, headers=konsulent).json()
    assert moved["city"] == "Slagelse"
    own = crm_client.post(ad_url(order.id), json={"city": "Slagelse Nord"}, headers=konsulent).json()
    assert own["city"] == "Slagelse Nord"
    kept = crm_client.post(ad_url(order.id), json={"postcode": "4230"}, headers=konsulent).json()
    assert kept["postcode"] == "4230" and kept["city"] == "Slagelse Nord"
    # A town written for a postcode Jobbro does not know stays too when the postcode changes.
    crm_client.post(ad_url(order.id), json={"postcode": "4199", "city": "Eget sted"}, headers=konsulent)
    moved_again = crm_client.post(ad_url(order.id), json={"postcode": "4200"}, headers=konsulent).json()
    assert moved_again["city"] == "Eget sted"


def test_an_ad_needs_a_text(crm_client, konsulent, factories):
    bare = factories.OrderFactory(description="", received_on=today(), status="modtaget")
    res = publish(crm_client, konsulent, bare.id)
    assert res.status_code == 422 and res.json()["field"] == "description"


@pytest.mark.parametrize("status", ["besat", "annulleret", "udloebet"])
def test_a_closed_order_cannot_be_published(crm_client, konsulent, factories, status):
    closed = factories.OrderFactory(status=status, received_on=today())
    res = publish(crm_client, konsulent, closed.id)
    assert res.status_code == 409 and res.json()["current"] == status


def test_an_order_past_its_deadline_cannot_be_published(crm_client, konsulent, factories):
    late = factories.OrderFactory(received_on=today() - timedelta(days=10), deadline=today() - timedelta(days=1))
    res = publish(crm_client, konsulent, late.id)
    assert res.status_code == 409 and res.json()["field"] == "deadline"


@pytest.mark.parametrize("status", ["annulleret", "udloebet"])
def test_closing_the_order_by_hand_withdraws_the_ad(crm_client, konsulent, order, db, status):
    publish(crm_client, konsulent, order.id)
    res = crm_client.post(f"/api/v1/orders/{order.id}/status", json={"status": status}, headers=konsulent)
    assert res.status_code == 200, res.text
    assert public_ids(crm_client) == []
    ad = db.exec(select(JobAd)).one()
    assert ad.withdrawn_at is not None and ad.withdrawn_reason == f"ordre_{status}"


def test_the_company_cancelling_its_order_withdraws_the_ad(crm_client, konsulent, login, order):
    publish(crm_client, konsulent, order.id)
    from services.crm.companies.models import Company

    company_user = login("virksomhed", Company(id=order.company_id))[1]
    res = crm_client.post(f"/api/v1/orders/{order.id}/status", json={"status": "annulleret"}, headers=company_user)
    assert res.status_code == 200, res.text
    assert public_ids(crm_client) == []


def test_hiring_the_last_position_withdraws_the_ad(crm_client, konsulent, factories, order):
    order.positions = 1
    publish(crm_client, konsulent, order.id)
    res = crm_client.post(f"/api/v1/orders/{order.id}/proposals", headers=konsulent,
                          json={"candidate_ref": "K-000777", "status": "ansat"})
    assert res.status_code == 201, res.text
    assert crm_client.get(f"/api/v1/orders/{order.id}", headers=konsulent).json()["status"] == "besat"
    assert public_ids(crm_client) == []
    assert crm_client.get(ad_url(order.id), headers=konsulent).json()["withdrawn_reason"] == "ordre_besat"


def test_a_partly_filled_order_keeps_its_ad(crm_client, konsulent, order):
    publish(crm_client, konsulent, order.id)
    res = crm_client.post(f"/api/v1/orders/{order.id}/proposals", headers=konsulent,
                          json={"candidate_ref": "K-000778", "status": "ansat"})
    assert res.status_code == 201
    assert crm_client.get(f"/api/v1/orders/{order.id}", headers=konsulent).json()["status"] == "delvist_besat"
    assert len(public_ids(crm_client)) == 1


def test_the_daily_expiry_withdraws_the_ad_in_its_transaction(crm_client, konsulent, order, db):
    from services.crm.orders.service import expire_overdue_orders

    publish(crm_client, konsulent, order.id)
    assert expire_overdue_orders(db, order.deadline + timedelta(days=1)) == 1
    ad = db.exec(select(JobAd)).one()
    assert ad.withdrawn_reason == "ordre_udloebet" and ad.withdrawn_at is not None


def test_an_ad_past_its_deadline_leaves_the_list_before_the_morning_round(crm_client, konsulent, order, db):
    from services.crm.job_ads import service

    publish(crm_client, konsulent, order.id)
    assert [a.id for a in service.public_list(db, order.deadline)] != []
    assert service.public_list(db, order.deadline + timedelta(days=1)) == []


def test_deleting_the_order_deletes_its_ad(crm_client, konsulent, factories, db):
    fresh = factories.OrderFactory(received_on=today(), description="Tekst")
    publish(crm_client, konsulent, fresh.id)
    assert crm_client.delete(f"/api/v1/orders/{fresh.id}", headers=konsulent).status_code == 204
    assert db.exec(select(JobAd)).first() is None
    assert public_ids(crm_client) == []


def test_public_answers_carry_etag_and_last_modified_and_answer_304(crm_client, konsulent, order):
    publish(crm_client, konsulent, order.id)
    first = crm_client.get(PUBLIC)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"].startswith("public")
    same = crm_client.get(PUBLIC, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["ETag"] == etag
    assert crm_client.get(PUBLIC, headers={"If-None-Match": "W/" + etag}).status_code == 304
    assert crm_client.get(PUBLIC, headers={"If-Modified-Since": modified}).status_code == 304
    assert crm_client.get(PUBLIC, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    assert crm_client.get(PUBLIC, headers={"If-Modified-Since": "ikke en dato"}).status_code == 200
    # a change to the ad changes the tag; the old one no longer matches
    crm_client.post(ad_url(order.id), json={"description": "Ny tekst"}, headers=konsulent)
    changed = crm_client.get(PUBLIC, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    ad_id = changed.json()["items"][0]["id"]
    one = crm_client.get(f"{PUBLIC}/{ad_id}")
    assert crm_client.get(f"{PUBLIC}/{ad_id}", headers={"If-None-Match": one.headers["ETag"]}).status_code == 304


def test_withdrawal_changes_the_lists_tag(crm_client, konsulent, order):
    publish(crm_client, konsulent, order.id)
    etag = crm_client.get(PUBLIC).headers["ETag"]
    crm_client.delete(ad_url(order.id), headers=konsulent)
    res = crm_client.get(PUBLIC, headers={"If-None-Match": etag})
    assert res.status_code == 200 and res.json()["items"] == []


def test_the_standard_how_to_apply_text_follows_a_new_title_and_a_consultants_own_text_stays(crm_client, konsulent,
                                                                                              order):
    first = publish(crm_client, konsulent, order.id).json()
    assert "»CNC-operatør«" in first["how_to_apply"]
    # the web form sends the text back as it showed it: still the standard one, so it follows the title
    renamed = crm_client.post(ad_url(order.id), headers=konsulent,
                              json={"title": "Maskinoperatør", "how_to_apply": first["how_to_apply"]}).json()
    assert "»Maskinoperatør«" in renamed["how_to_apply"]
    own = crm_client.post(ad_url(order.id), headers=konsulent, json={"how_to_apply": "Ring til Per."}).json()
    again = crm_client.post(ad_url(order.id), headers=konsulent, json={"title": "Operatør"}).json()
    assert own["how_to_apply"] == again["how_to_apply"] == "Ring til Per."


def test_erasing_a_contact_person_scrubs_them_from_the_public_ad(crm_client, konsulent, order, factories):
    contact = factories.ContactFactory(company_id=order.company_id, name="Anna Jensen", email="anna@maskin.dk")
    ad = publish(crm_client, konsulent, order.id,
                 description="Spørgsmål til jobbet: Anna Jensen, anna@maskin.dk.").json()
    res = crm_client.delete(f"/api/v1/companies/{order.company_id}/contacts/{contact.id}", headers=konsulent)
    assert res.status_code == 204, res.text
    public = crm_client.get(f"{PUBLIC}/{ad['id']}").json()
    assert "Anna" not in public["description"] and "anna@maskin.dk" not in public["description"]
    assert "[slettet kontaktperson]" in public["description"]

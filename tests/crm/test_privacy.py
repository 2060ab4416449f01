"""GDPR for contact persons: the access request (export) shows everything Jobbro holds about one,
erasure removes or overwrites all of it, and retention erases idle contacts without consent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from shared.audit import AuditLog

NAME, EMAIL, PHONE = "Birthe Kjærgaard", "birthe.kjaergaard@firma.dk", "+45 20 30 40 50"


def holders(db, *needles: str) -> dict[str, int]:
    """Every table whose rows contain one of `needles` (PostgreSQL: a row cast to text)."""
    found: dict[str, int] = {}
    tables = db.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    for table in tables:
        for needle in needles:
            n = db.execute(text(f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE :p'),
                           {"p": f"%{needle}%"}).scalar()
            if n:
                found[table] = found.get(table, 0) + n
    return found


@pytest.fixture
def person(crm_client, konsulent, db, factories):
    """A contact person named in an activity, an agreement, an order, two e-mails and the audit log."""
    from services.notifications.deliveries.models import Delivery
    from services.notifications.newsletters.models import Newsletter

    company = factories.CompanyFactory()
    url = f"/api/v1/companies/{company.id}/contacts"
    res = crm_client.post(url, json={"name": NAME, "email": EMAIL, "phone": PHONE, "title": "HR-chef",
                                     "newsletter_consent": True, "consent_method": "skriftlig"}, headers=konsulent)
    assert res.status_code == 201, res.text
    contact_id = res.json()["id"]
    crm_client.get(url, headers=konsulent)  # a list read names the contact in the audit log
    assert crm_client.patch(f"{url}/{contact_id}", json={"newsletter_consent": False},
                            headers=konsulent).status_code == 200
    linked = factories.ActivityFactory(company_id=company.id, contact_id=contact_id,
                                       summary=f"Møde med {NAME} om praktikpladser. Tlf. {PHONE}.")
    unlinked = factories.ActivityFactory(company_id=company.id, summary=f"Ring til birthe kjærgaard ({EMAIL}) igen.")
    other = factories.ActivityFactory(company_id=company.id, summary="Besøg hos lageret.")
    agreement = factories.PartnershipFactory(company_id=company.id, contact_id=contact_id,
                                             note=f"Aftalt med {NAME}")
    order = factories.OrderFactory(company_id=company.id, contact_id=contact_id, description="Lager, se aftale")
    newsletter = Newsletter(subject="Nyt fra jobcentret", body_markdown="Hej", segment={"kind": "all_consenting"})
    db.add(newsletter)
    db.flush()
    db.add(Delivery(dedupe_key=f"nl:{newsletter.id}:{contact_id}", kind="newsletter", newsletter_id=newsletter.id,
                    contact_id=contact_id, to_email=EMAIL, to_name=NAME, status="sent",
                    sent_at=datetime.now(UTC)))
    db.add(Delivery(dedupe_key=f"order:{order.id}:receipt:{EMAIL}", kind="order_receipt", contact_id=contact_id,
                    to_email=EMAIL, to_name=NAME, subject="Kvittering for din bestilling", body_markdown="Tak",
                    status="pending"))
    db.flush()
    return {"company": company, "contact_id": contact_id, "url": f"{url}/{contact_id}", "linked": linked.id,
            "unlinked": unlinked.id, "other": other.id, "agreement": agreement.id, "order": order.id}


def test_export_holds_the_contact_consent_what_names_them_their_mail_and_the_audit_trail(
        crm_client, konsulent, db, person):
    res = crm_client.get(person["url"] + "/export", headers=konsulent)
    assert res.status_code == 200, res.text
    body = res.json()
    contact = body["contact"]
    assert (contact["name"], contact["email"], contact["phone"]) == (NAME, EMAIL, PHONE)
    assert contact["consent_method"] == "skriftlig" and contact["consent_given_at"]
    assert contact["newsletter_consent"] is False and contact["unsubscribed_at"]
    assert body["company"]["id"] == person["company"].id
    assert [a["id"] for a in body["activities"]] == [person["linked"]]
    assert [p["id"] for p in body["partnerships"]] == [person["agreement"]]
    assert [o["id"] for o in body["orders"]] == [person["order"]]
    assert sorted(d["kind"] for d in body["deliveries"]) == ["newsletter", "order_receipt"]
    newsletter = next(d for d in body["deliveries"] if d["kind"] == "newsletter")
    assert newsletter["subject"] == "Nyt fra jobcentret" and newsletter["to_email"] == EMAIL
    actions = [e["action"] for e in body["audit"]]
    assert actions[:3] == ["create", "read", "update"], actions
    # The export itself is audited, by whom and about whom.
    entry = db.exec(select(AuditLog).where(AuditLog.action == "export", AuditLog.entity == "contact")).one()
    assert entry.entity_id == str(person["contact_id"]) and entry.actor_role == "konsulent"
    again = crm_client.get(person["url"] + "/export", headers=konsulent).json()
    assert "export" in [e["action"] for e in again["audit"]]


def test_export_is_for_staff_and_a_contact_of_another_company_is_404(crm_client, login, konsulent, person, factories):
    own = login("virksomhed", person["company"])[1]
    assert crm_client.get(person["url"] + "/export", headers=own).status_code == 403
    leder = login("leder")[1]
    assert crm_client.get(person["url"] + "/export", headers=leder).status_code == 200
    other = factories.CompanyFactory()
    res = crm_client.get(f"/api/v1/companies/{other.id}/contacts/{person['contact_id']}/export", headers=konsulent)
    assert res.status_code == 404


@pytest.mark.postgres
def test_erasure_removes_or_overwrites_everything_the_export_showed(crm_client, konsulent, db, person, login):
    def login_admin():
        return login("admin")[1]

    from services.crm.activities.models import Activity
    from services.crm.orders.models import Order
    from services.crm.partnerships.models import Partnership

    from services.notifications.recipients.service import apply
    from shared.erasure import ErasureRequest
    from tests.conftest import deliver_events
    from tests.notifications.conftest import mirror

    mirror(db)  # notifications knows the person from crm's events, as it would
    assert holders(db, NAME, EMAIL, PHONE)  # the check can see the person before erasure
    assert crm_client.delete(person["url"], headers=konsulent).status_code == 204
    db.expire_all()
    assert crm_client.get(person["url"] + "/export", headers=konsulent).status_code == 404
    request = db.exec(select(ErasureRequest)).one()
    assert request.owner == "crm" and request.waiting_for == ["notifications"] and request.completed_at is None
    admin_headers = login_admin()
    pending = crm_client.get("/api/v1/erasures", headers=admin_headers).json()
    assert pending["total"] == 1 and pending["items"][0]["missing"] == ["notifications"]
    # notifications consumes `contact.erased`, erases its copies and confirms with `person.erased`.
    delivered = deliver_events(db)
    assert "contact.erased" in delivered and "person.erased" in delivered
    db.refresh(request)
    assert request.completed_at is not None and set(request.confirmations) == {"notifications"}
    assert crm_client.get("/api/v1/erasures", headers=admin_headers).json()["total"] == 0
    # Nothing anywhere holds the name, e-mail address or phone number; the audit log keeps ids only.
    assert holders(db, NAME, EMAIL, PHONE) == {}
    assert db.execute(text("SELECT count(*) FROM delivery")).scalar() == 0
    assert db.execute(text("SELECT count(*) FROM recipient")).scalar() == 0
    # The work stays, without the person.
    linked, unlinked, other = (db.get(Activity, person[k]) for k in ("linked", "unlinked", "other"))
    assert linked.contact_id is None and "[slettet kontaktperson]" in linked.summary
    assert unlinked.summary == "Ring til [slettet kontaktperson] ([slettet kontaktperson]) igen."
    assert other.summary == "Besøg hos lageret."
    assert db.get(Partnership, person["agreement"]).contact_id is None
    assert db.get(Order, person["order"]).contact_id is None
    erase = db.exec(select(AuditLog).where(AuditLog.action == "erase", AuditLog.entity == "contact")).one()
    assert erase.entity_id == str(person["contact_id"]) and erase.actor_role == "konsulent"


def test_retention_erases_idle_contacts_without_consent_only(db, factories):
    from services.crm.companies.models import Contact
    from services.crm.privacy.service import erase_inactive_contacts
    from shared.settings import get_settings

    today = date.today()
    days = get_settings().crm_contact_retention_days
    old = datetime.now(UTC) - timedelta(days=days + 30)
    idle = factories.CompanyFactory()
    busy = factories.CompanyFactory()
    factories.ActivityFactory(company_id=busy.id, occurred_at=datetime.now(UTC) - timedelta(days=10))

    def contact(company, consent=False, updated=old):
        return factories.ContactFactory(company_id=company.id, newsletter_consent=consent, updated_at=updated,
                                        created_at=updated).id

    gone = contact(idle)
    consenting = contact(idle, consent=True)
    recent = contact(idle, updated=datetime.now(UTC))
    at_busy = contact(busy)
    factories.ActivityFactory(company_id=idle.id, contact_id=gone, occurred_at=old)

    assert erase_inactive_contacts(db, today) == 1
    db.expire_all()
    assert db.get(Contact, gone) is None
    assert all(db.get(Contact, cid) for cid in (consenting, recent, at_busy))
    entry = db.exec(select(AuditLog).where(AuditLog.action == "erase", AuditLog.entity_id == str(gone))).one()
    assert entry.actor_id is None and entry.detail["reason"].startswith("retention")

"""The event contracts (shared/event_contracts.py) against the real producers.

Each test drives crm the way its users do, through the HTTP API (the daily follow-up jobs, which
have no route, through the functions crm's worker calls; `contact.unsubscribed` through
notifications' public unsubscribe page), and checks every outbox row the requests wrote against
the schema of its type. The first test also
checks that every event type with a contract was produced, so a new type cannot go untested.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlmodel import select

from shared.event_contracts import PRODUCER, SCHEMAS, VERSION, ContractViolation, schema_for, validate
from shared.events import EventType, OutboxEvent

CVR_A, CVR_B = "13585628", "25313763"


class Outbox:
    """The outbox rows of the test's transaction, read in the order they were written."""

    def __init__(self, db):
        self.db = db
        self.seen: set[str] = set()

    def rows(self) -> list[OutboxEvent]:
        self.db.flush()
        return list(self.db.exec(select(OutboxEvent).order_by(OutboxEvent.created_at)))

    def new(self, since: int) -> list[tuple[str, dict]]:
        """Rows after the first `since`, each validated against its contract."""
        out = []
        for row in self.rows()[since:]:
            validate(row.type, row.payload)
            self.seen.add(row.type)
            out.append((row.type, row.payload))
        return out

    def mark(self) -> int:
        return len(self.rows())

    def of(self, type_: str, since: int = 0) -> list[dict]:
        return [p for t, p in self.new(since) if t == type_]


@pytest.fixture
def outbox(db):
    return Outbox(db)


def _ok(res, code=200):
    assert res.status_code == code, res.text
    return res.json() if res.content else None


# -- every producer, every type ----------------------------------------------------------------------

def test_every_event_type_crm_publishes_follows_its_contract(crm_client, konsulent, admin, login, factories, db,
                                                            outbox):
    from services.crm.activities.digest import publish_overdue_digests
    from services.crm.activities.service import publish_due_followups
    from services.crm.inbox.consumer import contact_unsubscribed
    from services.notifications.main import app as notifications_app
    from services.notifications.recipients import service as recipients
    from services.notifications.unsubscribe.tokens import make_token
    from tests.conftest import _client_for

    consultant = factories.UserFactory(role="konsulent", full_name="Karen Konsulent", email="karen@jobbro.dk")

    # Companies: created, changed, and one deleted.
    company = _ok(crm_client.post("/api/v1/companies", headers=konsulent, json={
        "cvr": CVR_A, "name": "Slagelse Stål A/S", "sector": "privat", "industry_code": "251100", "employees": 42,
        "postcode": "4200", "municipality_code": 330, "consultant_id": consultant.id}), 201)
    _ok(crm_client.patch(f"/api/v1/companies/{company['id']}", headers=konsulent,
                         json={"name": "Slagelse Stål og Metal A/S", "employees": 45}))
    doomed = _ok(crm_client.post("/api/v1/companies", headers=konsulent, json={
        "cvr": CVR_B, "name": "Korsør Fisk ApS", "sector": "forening", "postcode": "4220"}), 201)
    _ok(crm_client.delete(f"/api/v1/companies/{doomed['id']}", headers=admin), 204)

    # Contacts: created, changed, consent withdrawn and given, unsubscribed, erased.
    contacts = f"/api/v1/companies/{company['id']}/contacts"
    orderer = _ok(crm_client.post(contacts, headers=konsulent, json={
        "name": "Birthe Kjærgaard", "email": "birthe@slagelse-staal.dk", "phone": "+45 20 30 40 50",
        "title": "HR-chef", "newsletter_consent": True, "consent_method": "skriftlig"}), 201)
    _ok(crm_client.patch(f"{contacts}/{orderer['id']}", headers=konsulent, json={"title": "HR-direktør"}))
    _ok(crm_client.patch(f"{contacts}/{orderer['id']}", headers=konsulent, json={"newsletter_consent": False}))
    _ok(crm_client.patch(f"{contacts}/{orderer['id']}", headers=konsulent,
                         json={"newsletter_consent": True, "consent_method": "mundtlig"}))
    # One-click unsubscribe: notifications (its read model fed with crm's own contact events)
    # publishes `contact.unsubscribed`; crm's consumer withdraws the consent and says so.
    for row in outbox.rows():
        recipients.apply(db, {"type": row.type, "occurred_at": row.created_at.isoformat(), "payload": row.payload})
    mark = outbox.mark()
    with _client_for(notifications_app, db) as notif_client:
        done = notif_client.post(f"/unsubscribe/{make_token(orderer['id'], 77)}", data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200, done.text
    (told,) = outbox.rows()[mark:]
    contact_unsubscribed(db, {"occurred_at": told.created_at.isoformat(), "payload": told.payload})
    leaving = _ok(crm_client.post(contacts, headers=konsulent, json={"name": "Ole Hansen", "email": "ole@firma.dk"}),
                  201)
    _ok(crm_client.delete(f"{contacts}/{leaving['id']}", headers=konsulent), 204)

    # Orders: received (through the portal, by the contact), changed, status changed.
    from services.crm.companies.models import Company

    _, portal = login("virksomhed", db.get(Company, company["id"]))
    order = _ok(crm_client.post("/api/v1/orders", headers=portal, json={
        "title": "Svejser", "description": "Svejsning af stålkonstruktioner, MIG/MAG.", "scheme": "ordinaer",
        "positions": 2, "hours_per_week": 37, "postcode": "4200", "received_via": "portal",
        "contact_id": orderer["id"]}), 201)
    _ok(crm_client.patch(f"/api/v1/orders/{order['id']}", headers=konsulent,
                         json={"description": "Svejsning og montage af stålkonstruktioner.", "hours_per_week": 32}))
    _ok(crm_client.post(f"/api/v1/orders/{order['id']}/status", headers=konsulent,
                        json={"status": "i_gang", "reason": "Kandidater søges"}))
    # What a consultant does from a ranking (matching's ranking record): shortlisted, proposed, decided.
    _ok(crm_client.post(f"/api/v1/orders/{order['id']}/shortlist", headers=konsulent,
                        json={"candidate_ref": "K-200", "ranking_record_id": 7}), 201)
    proposal = _ok(crm_client.post(f"/api/v1/orders/{order['id']}/proposals", headers=konsulent, json={
        "candidate_ref": "K-201", "ranking_record_id": 7, "reason": "Kender virksomheden fra praktik"}), 201)
    _ok(crm_client.patch(f"/api/v1/orders/{order['id']}/proposals/{proposal['id']}", headers=konsulent,
                         json={"status": "afvist"}))

    # Placements: started, ended.
    placement = _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={
        "company_id": company["id"], "order_id": order["id"], "candidate_ref": "K-100", "scheme": "ordinaer",
        "target_group": "a_dagpenge", "starts_on": (date.today() - timedelta(days=30)).isoformat()}), 201)
    _ok(crm_client.patch(f"/api/v1/placements/{placement['id']}", headers=konsulent,
                         json={"ends_on": date.today().isoformat(), "outcome": "ordinaer_ansaettelse"}))
    # Closing the order asks its orderer how satisfied the company is (survey.requested).
    _ok(crm_client.post(f"/api/v1/orders/{order['id']}/status", headers=konsulent,
                        json={"status": "besat", "reason": "Begge stillinger besat"}))

    # Agreements: signed, changed, renewed (the old one changes), deleted.
    agreement = _ok(crm_client.post("/api/v1/partnerships", headers=konsulent, json={
        "company_id": company["id"], "signed_on": "2024-01-01", "ends_on": "2025-12-31", "sdg_goals": [8, 4]}), 201)
    _ok(crm_client.patch(f"/api/v1/partnerships/{agreement['id']}", headers=konsulent, json={"sdg_goals": [8, 10]}))
    renewal = _ok(crm_client.post(f"/api/v1/partnerships/{agreement['id']}/renew", headers=konsulent,
                                  json={"signed_on": "2025-07-01", "ends_on": "2027-06-30"}), 201)
    _ok(crm_client.delete(f"/api/v1/partnerships/{renewal['id']}", headers=konsulent), 204)

    # Campaigns: created (with its targets), changed, a target added, one deleted.
    campaign = _ok(crm_client.post("/api/v1/campaigns", headers=konsulent, json={
        "name": "Metal 2026", "kind": "besoegskampagne", "starts_on": "2026-01-01",
        "segment": {"kind": "industry", "industry_code": "25"}}), 201)
    _ok(crm_client.patch(f"/api/v1/campaigns/{campaign['id']}", headers=konsulent, json={"ends_on": "2026-06-30"}))
    other = _ok(crm_client.post("/api/v1/campaigns", headers=konsulent, json={
        "name": "Foreninger", "kind": "temakampagne", "starts_on": "2026-01-01",
        "segment": {"kind": "sector", "sector": "forening"}}), 201)
    outsider = factories.CompanyFactory(industry_code="561010")
    _ok(crm_client.post(f"/api/v1/campaigns/{other['id']}/targets", headers=konsulent,
                        json={"company_id": outsider.id}), 201)
    _ok(crm_client.delete(f"/api/v1/campaigns/{other['id']}", headers=konsulent), 204)

    # Company centres: an agreement with fixed places, one reserved (places_changed each time).
    centre = _ok(crm_client.post("/api/v1/centres", headers=konsulent, json={
        "company_id": company["id"], "name": "Slagelse Stål virksomhedscenter", "title": "Lager og svejsning",
        "description": "Pakning, truckkørsel og enkel svejsning.", "starts_on": "2024-01-01",
        "places": {"virksomhedspraktik": 3}, "target_groups": ["kontanthjaelp_aktivitetsparat"]}), 201)
    _ok(crm_client.post(f"/api/v1/centres/{centre['id']}/reservations", headers=konsulent, json={
        "candidate_ref": "K-CENTRE-1", "scheme": "virksomhedspraktik", "target_group": "kontanthjaelp_aktivitetsparat",
        "starts_on": date.today().isoformat(), "ends_on": (date.today() + timedelta(weeks=8)).isoformat()}), 201)

    # Follow-ups: the daily jobs (due today; the morning digest of overdue ones).
    day = date.today()
    factories.ActivityFactory(company_id=company["id"], consultant_id=consultant.id, follow_up_on=day,
                              summary="Ring om svejserne")
    assert publish_due_followups(db, day) == 1
    factories.ActivityFactory(company_id=company["id"], consultant_id=consultant.id,
                              follow_up_on=day - timedelta(days=3), summary="Send tilbud\nmed priser")
    assert publish_overdue_digests(db, day) == 1

    # The recruitment cooperation: a partner jobcentre's signed order, told to our own matching.
    from tests.crm.test_cooperation import FakePartner, order_body

    partner = FakePartner()
    _ok(crm_client.post("/api/v1/cooperation/partners", headers=admin, json={
        "name": "Jobcenter Vordingborg", "municipality_code": partner.code, "base_url": "http://127.0.0.1:9",
        "public_key": partner.public_key}), 201)
    data, signed = partner.message("order.shared", order_body())
    _ok(crm_client.post("/api/v1/cooperation/messages", content=data, headers=signed))

    events = outbox.new(0)  # every row, each validated against its contract
    crm_types = {t for t, producer in PRODUCER.items() if producer == "crm"}
    assert crm_types | {"contact.unsubscribed"} <= outbox.seen, f"not produced: {sorted(crm_types - outbox.seen)}"
    by_type: dict[str, list[dict]] = {}
    for type_, payload in events:
        by_type.setdefault(type_, []).append(payload)

    # What the consumers rely on, spot-checked.
    (created,) = [p for p in by_type["company.created"] if p["company_id"] == company["id"]]
    assert created["consultant"] == {"id": consultant.id, "name": "Karen Konsulent", "email": "karen@jobbro.dk"}
    (changed,) = by_type["company.changed"]
    assert changed["changed"] == ["employees", "name"] and changed["name"] == "Slagelse Stål og Metal A/S"
    assert by_type["company.deleted"] == [{"company_id": doomed["id"]}]

    (received,) = by_type["order.received"]
    assert received["contact"] == {"id": orderer["id"], "name": "Birthe Kjærgaard",
                                   "email": "birthe@slagelse-staal.dk"}
    assert received["receipt_contacts"] == [received["contact"]]
    assert received["consultant"]["id"] == consultant.id, "the company's consultant gets the alert"
    assert received["company"] == {"id": company["id"], "name": "Slagelse Stål og Metal A/S", "cvr": CVR_A,
                                   "postcode": "4200", "sector": "privat", "industry_code": "251100"}
    assert (received["received_via"], received["status"], received["positions_filled"]) == ("portal", "modtaget", 0)
    order_changes = [p["changed"] for p in by_type["order.changed"]]
    assert ["description", "hours_per_week"] in order_changes
    statuses = [(p["old_status"], p["new_status"], p["automatic"]) for p in by_type["order.status_changed"]]
    assert statuses[:2] == [("modtaget", "i_gang", False), ("i_gang", "delvist_besat", True)]

    (survey,) = by_type["survey.requested"]
    assert (survey["order_id"], survey["closed_status"], survey["contact"]["id"]) == (order["id"], "besat", orderer["id"])

    consents = [(p["newsletter_consent"], p["source"]) for p in by_type["contact.consent_changed"]]
    assert consents == [(False, "medarbejder"), (True, "mundtlig"), (False, "afmelding")]
    assert [(p["contact_id"], p["company_id"], set(p) - {"erasure_id", "owner"}) for p in by_type["contact.erased"]] == [
        (leaving["id"], company["id"], {"contact_id", "company_id"})], "ids only"
    (unsubscribed,) = by_type["contact.unsubscribed"]
    assert (unsubscribed["contact_id"], unsubscribed["company_id"], unsubscribed["delivery_id"]) == (
        orderer["id"], company["id"], 77)

    signed = by_type["agreement.signed"]
    assert [(p["signed_on"], p["ends_on"], p["renews_id"]) for p in signed] == [
        ("2024-01-01", "2025-12-31", None), ("2025-07-01", "2027-06-30", agreement["id"])]
    assert [(p["changed"], p["ends_on"], p["sdg_goals"]) for p in by_type["agreement.changed"]] == [
        (["sdg_goals"], "2025-12-31", [8, 10]), (["ends_on"], "2025-06-30", [8, 10])]
    assert by_type["agreement.deleted"] == [{"partnership_id": renewal["id"], "company_id": company["id"]}]

    campaigns = {p["campaign_id"]: p for p in by_type["campaign.created"]}
    assert company["id"] in campaigns[campaign["id"]]["company_ids"]
    assert company["id"] not in campaigns[other["id"]]["company_ids"]
    assert by_type["campaign.target_added"] == [{"campaign_id": other["id"], "company_id": outsider.id}]
    assert by_type["campaign.deleted"] == [{"campaign_id": other["id"]}]

    started, ended = by_type["placement.started"][0], by_type["placement.ended"][0]
    assert (started["order_id"], started["outcome"]) == (order["id"], None)
    assert (ended["ends_on"], ended["outcome"]) == (date.today().isoformat(), "ordinaer_ansaettelse")

    centre_events = by_type["centre.places_changed"]
    assert [p["places"] for p in centre_events][-2:] == [
        [{"scheme": "virksomhedspraktik", "places": 3, "free": 3}],
        [{"scheme": "virksomhedspraktik", "places": 3, "free": 2}]]
    assert "K-CENTRE-1" not in repr(centre_events), "counts only, no candidate"

    (due,) = by_type["followup.due"]
    assert (due["consultant_email"], due["consultant_name"], due["summary"]) == (
        "karen@jobbro.dk", "Karen Konsulent", "Ring om svejserne")
    (digest,) = by_type["followup.digest"]
    assert digest["consultant"]["id"] == consultant.id and digest["tasks"][0]["summary"] == "Send tilbud"


def test_no_event_carries_what_no_consumer_needs(crm_client, konsulent, factories, db, outbox):
    """No phone numbers, candidate references or target groups on the stream."""
    company = factories.CompanyFactory()
    contact = _ok(crm_client.post(f"/api/v1/companies/{company.id}/contacts", headers=konsulent, json={
        "name": "Per Lund", "email": "per@firma.dk", "phone": "+45 11 22 33 44"}), 201)
    _ok(crm_client.patch(f"/api/v1/companies/{company.id}/contacts/{contact['id']}", headers=konsulent,
                         json={"phone": "+45 99 88 77 66"}))  # a phone change is nobody's business: no event
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={
        "company_id": company.id, "candidate_ref": "K-SECRET-1", "scheme": "virksomhedspraktik",
        "target_group": "kontanthjaelp_aktivitetsparat", "starts_on": "2025-03-03", "ends_on": "2025-05-25",
        "candidate_municipality_code": 330, "candidate_birth_year": 1990, "hours_per_week": 25}), 201)
    events = outbox.new(0)
    assert [t for t, _ in events] == ["contact.created", "placement.started"]
    text = repr(events)
    for secret in ("+45", "K-SECRET-1", "kontanthjaelp", "1990"):
        assert secret not in text, secret


def test_a_receipt_goes_to_every_contact_with_an_address_when_the_orderer_has_none(crm_client, konsulent,
                                                                                   factories, outbox):
    company = factories.CompanyFactory()
    first = factories.ContactFactory(company_id=company.id, email="a@firma.dk")
    factories.ContactFactory(company_id=company.id, email=None)
    second = factories.ContactFactory(company_id=company.id, email="b@firma.dk")
    no_mail = factories.ContactFactory(company_id=company.id, email=None)
    mark = outbox.mark()
    _ok(crm_client.post("/api/v1/orders", headers=konsulent, json={
        "company_id": company.id, "title": "Kok", "scheme": "ordinaer", "positions": 1, "postcode": "4200",
        "received_via": "hotline", "contact_id": no_mail.id}), 201)
    (received,) = outbox.of("order.received", mark)
    assert received["contact"] == {"id": no_mail.id, "name": no_mail.name, "email": None}
    assert [c["id"] for c in received["receipt_contacts"]] == [first.id, second.id]
    assert received["consultant"] is None


def test_a_new_fill_count_without_a_new_status_is_an_order_change(crm_client, konsulent, factories, outbox):
    order = factories.OrderFactory(positions=3, status="i_gang")
    body = {"company_id": order.company_id, "order_id": order.id, "scheme": "ordinaer", "target_group": "a_dagpenge",
            "starts_on": "2025-03-03"}
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={**body, "candidate_ref": "K-1"}), 201)
    mark = outbox.mark()
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={**body, "candidate_ref": "K-2"}), 201)
    events = outbox.new(mark)
    assert [t for t, _ in events] == ["order.changed", "placement.started"]
    assert events[0][1]["changed"] == ["positions_filled"] and events[0][1]["positions_filled"] == 2
    assert events[0][1]["status"] == "delvist_besat"


def test_imports_publish_like_the_forms(crm_client, konsulent, factories, outbox):
    def upload(url, rows):
        content = ("\n".join(";".join(r) for r in rows) + "\n").encode()
        return _ok(crm_client.post(url, files={"file": ("data.csv", content, "text/csv")}, headers=konsulent))

    header = ["cvr", "name", "sector", "industry_code", "employees", "postcode", "municipality_code"]
    upload("/api/v1/imports/companies", [header, [CVR_A, "Slagelse Stål A/S", "privat", "251100", "42", "4200", "330"]])
    upload("/api/v1/imports/companies", [header, [CVR_A, "Slagelse Stål A/S", "privat", "251100", "50", "4200", "330"]])
    upload("/api/v1/imports/contacts", [["cvr", "name", "email", "newsletter_consent"],
                                        [CVR_A, "Birthe Kjærgaard", "birthe@firma.dk", "ja"]])
    upload("/api/v1/imports/contacts", [["cvr", "name", "email", "title", "newsletter_consent"],
                                        [CVR_A, "Birthe Kjærgaard", "birthe@firma.dk", "HR", "nej"]])
    events = outbox.new(0)
    assert [t for t, _ in events] == ["company.created", "company.changed", "contact.created", "contact.changed",
                                      "contact.consent_changed"]
    assert events[1][1]["changed"] == ["employees"] and events[1][1]["employees"] == 50
    assert events[2][1]["newsletter_consent"] is True
    assert (events[4][1]["newsletter_consent"], events[4][1]["source"]) == (False, "import")


def test_erasure_leaves_no_copy_of_the_contact_in_the_outbox(crm_client, konsulent, factories, db, outbox):
    company = factories.CompanyFactory()
    url = f"/api/v1/companies/{company.id}/contacts"
    person = _ok(crm_client.post(url, headers=konsulent, json={
        "name": "Birthe Kjærgaard", "email": "birthe@firma.dk", "newsletter_consent": True}), 201)
    order = _ok(crm_client.post("/api/v1/orders", headers=konsulent, json={
        "company_id": company.id, "title": "Kok", "description": "Spørg efter Birthe Kjærgaard.", "scheme": "ordinaer",
        "positions": 1, "postcode": "4200", "received_via": "hotline", "contact_id": person["id"]}), 201)
    mark = outbox.mark()
    _ok(crm_client.delete(f"{url}/{person['id']}", headers=konsulent), 204)
    after = outbox.new(mark)
    assert [t for t, _ in after] == ["order.changed", "contact.erased"]
    assert after[0][1]["order_id"] == order["id"] and after[0][1]["contact"] is None
    assert sorted(after[0][1]["changed"]) == ["contact", "description"]
    assert {k: v for k, v in after[1][1].items() if k not in ("erasure_id", "owner")} == {
        "contact_id": person["id"], "company_id": company.id}
    everything = repr([r.payload for r in outbox.rows()])
    assert "Birthe" not in everything and "birthe@firma.dk" not in everything
    outbox.new(0)  # the scrubbed rows still follow their contracts


# -- the contracts themselves ------------------------------------------------------------------------

def _valid_order_received() -> dict:
    return {
        "order_id": 1, "company_id": 2, "company_name": "Bageriet Korn ApS",
        "company": {"id": 2, "name": "Bageriet Korn ApS", "cvr": CVR_A, "postcode": "4200", "sector": "privat",
                    "industry_code": None},
        "title": "Bager", "description": "", "scheme": "ordinaer", "positions": 1, "positions_filled": 0,
        "hours_per_week": None, "postcode": "4200", "deadline": None, "received_via": "portal",
        "received_on": "2026-01-05", "status": "modtaget", "consultant_id": None, "consultant": None, "contact": None,
        "receipt_contacts": [],
    }


def test_a_payload_missing_a_required_field_is_refused():
    payload = _valid_order_received()
    validate("order.received", payload)
    for field in ("order_id", "description", "company"):
        broken = {k: v for k, v in payload.items() if k != field}
        with pytest.raises(ContractViolation) as exc:
            validate("order.received", broken)
        assert f"'{field}' is a required property" in str(exc.value)
    nested = copy.deepcopy(payload)
    del nested["company"]["cvr"]
    with pytest.raises(ContractViolation, match="company: 'cvr' is a required property"):
        validate("order.received", nested)


@pytest.mark.parametrize("field, value", [
    ("scheme", "job"),                 # not in the vocabulary
    ("received_on", "05-01-2026"),     # not ISO 8601
    ("positions", 0),
    ("phone", "+45 11 22 33 44"),      # a field outside the contract: personal data must not slip out
])
def test_a_payload_that_breaks_the_contract_is_refused(field, value):
    with pytest.raises(ContractViolation):
        validate("order.received", {**_valid_order_received(), field: value})


def test_every_event_type_has_a_contract_and_a_producer():
    assert {e.value for e in EventType} == set(VERSION) == set(PRODUCER)


def test_every_contract_is_a_valid_schema_with_a_version():
    from jsonschema import Draft202012Validator

    for (type_, version), schema in SCHEMAS.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:jobbro:event:{type_}:v{version}"
        assert schema_for(type_) is SCHEMAS[(type_, VERSION[type_])]
    with pytest.raises(KeyError):
        schema_for("order.received", 99)
    with pytest.raises(KeyError):
        schema_for("order.shipped")


def test_the_schemas_can_be_written_as_files(tmp_path):
    import json

    from shared.event_contracts import write_files

    paths = write_files(tmp_path)
    assert {p.name for p in paths} == {f"{t}.v{v}.json" for t, v in SCHEMAS}
    assert json.loads((tmp_path / "order.changed.v1.json").read_text())["title"] == "order.changed v1"

"""The cooperation's messages in one installation (issue 15): a partner is played by this test,
with a key pair of its own; every message is signed as a real partner signs it. The end-to-end
run between two real installations is tests/cooperation/test_two_installations.py."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlmodel import select

from services.crm.cooperation.models import (
    IncomingProposal,
    OutgoingMessage,
    OutgoingProposal,
    ReceivedOrder,
)
from services.crm.cooperation.signing import SIGNATURE_HEADER, canonical, envelope
from services.crm.placements.models import Placement
from shared.audit import AuditLog
from shared.event_contracts import validate as validate_event
from shared.events import OutboxEvent

URL = "/api/v1/cooperation"
OWN = 330
PARTNER = 390


class FakePartner:
    """A partner jobcentre as far as this installation can tell: a municipality code and a key."""

    def __init__(self, code: int = PARTNER, key: Ed25519PrivateKey | None = None):
        self.code = code
        self.key = key or Ed25519PrivateKey.generate()

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()

    def message(self, type_: str, body: dict, *, message_id: str | None = None, sent_at: datetime | None = None,
                to: int = OWN, signer: Ed25519PrivateKey | None = None) -> tuple[bytes, dict]:
        data = canonical(envelope(message_id, type_, self.code, to, body, sent_at))
        sig = base64.b64encode((signer or self.key).sign(data)).decode()
        return data, {SIGNATURE_HEADER: sig, "Content-Type": "application/json"}


@pytest.fixture
def partner(crm_client, admin):
    p = FakePartner()
    res = crm_client.post(f"{URL}/partners", headers=admin, json={
        "name": "Jobcenter Vordingborg", "municipality_code": p.code, "base_url": "http://127.0.0.1:9/",
        "public_key": p.public_key})
    assert res.status_code == 201, res.text
    p.id = res.json()["id"]
    return p


def send(client, partner: FakePartner, type_: str, body: dict, **kw):
    data, headers = partner.message(type_, body, **kw)
    return client.post(f"{URL}/messages", content=data, headers=headers)


def order_body(order_id: int = 7, **over) -> dict:
    body = {"order_id": order_id, "title": "Pædagogmedhjælper", "description": "Børnehave i Vordingborg",
            "scheme": "ordinaer", "positions": 1, "positions_filled": 0, "hours_per_week": 30.0,
            "postcode": "4760", "deadline": None, "status": "modtaget",
            "contact": {"jobcentre": "Jobcenter Vordingborg", "municipality_code": PARTNER,
                        "consultant": {"name": "Vera Konsulent", "email": "vera@vordingborg.dk"}}}
    body.update(over)
    return body


def test_public_key_is_published_and_stable(crm_client):
    first = crm_client.get(f"{URL}/public-key").json()
    assert first["algorithm"] == "Ed25519" and first["municipality_code"] == OWN
    assert len(base64.b64decode(first["public_key"])) == 32
    assert crm_client.get(f"{URL}/public-key").json()["public_key"] == first["public_key"]


def test_only_an_admin_adds_partners_and_the_key_must_be_a_key(crm_client, admin, konsulent):
    body = {"name": "Jobcenter Næstved", "municipality_code": 370, "base_url": "http://127.0.0.1:9",
            "public_key": FakePartner().public_key}
    assert crm_client.post(f"{URL}/partners", headers=konsulent, json=body).status_code == 403
    bad = crm_client.post(f"{URL}/partners", headers=admin, json={**body, "public_key": "x" * 44})
    assert bad.status_code == 422 and "Ed25519" in bad.text
    own = crm_client.post(f"{URL}/partners", headers=admin, json={**body, "municipality_code": OWN})
    assert own.status_code == 422
    assert crm_client.post(f"{URL}/partners", headers=admin, json=body).status_code == 201
    assert crm_client.post(f"{URL}/partners", headers=admin, json=body).status_code == 409


def test_a_shared_order_is_listed_with_the_ordering_jobcentre_and_told_to_matching(crm_client, konsulent, partner, db):
    res = send(crm_client, partner, "order.shared", order_body())
    assert res.status_code == 200, res.text
    listed = crm_client.get(f"{URL}/orders", headers=konsulent).json()
    assert [(o["title"], o["partner_name"], o["contact"]["consultant"]["name"]) for o in listed] == [
        ("Pædagogmedhjælper", "Jobcenter Vordingborg", "Vera Konsulent")]
    evt = db.exec(select(OutboxEvent).where(OutboxEvent.type == "cooperation.order_received")).one()
    validate_event("cooperation.order_received", evt.payload)
    assert evt.payload["shared_order_id"] == listed[0]["id"] and evt.payload["partner"]["municipality_code"] == PARTNER
    # A change follows, and so does the close.
    assert send(crm_client, partner, "order.updated", order_body(title="Pædagog")).status_code == 200
    assert send(crm_client, partner, "order.closed", {"order_id": 7, "status": "besat"}).status_code == 200
    ro = db.exec(select(ReceivedOrder)).one()
    assert (ro.title, ro.status) == ("Pædagog", "besat")
    assert crm_client.get(f"{URL}/orders?open=true", headers=konsulent).json() == []


def test_no_user_token_opens_the_messages_endpoint_only_a_signature_does(crm_client, admin, partner, db):
    data, _ = partner.message("order.shared", order_body())
    res = crm_client.post(f"{URL}/messages", content=data, headers={**admin, "Content-Type": "application/json"})
    assert res.status_code == 401
    assert db.exec(select(ReceivedOrder)).all() == []


def test_a_forged_signature_is_refused(crm_client, partner, db):
    res = send(crm_client, partner, "order.shared", order_body(), signer=Ed25519PrivateKey.generate())
    assert res.status_code == 401 and "signatur" in res.json()["detail"]
    # A body changed after signing is a forgery too.
    data, headers = partner.message("order.shared", order_body())
    res = crm_client.post(f"{URL}/messages", content=data.replace(b"Vordingborg", b"Vordingbxrg"), headers=headers)
    assert res.status_code == 401
    assert db.exec(select(ReceivedOrder)).all() == []


def test_a_replayed_message_is_applied_once_and_an_old_one_not_at_all(crm_client, partner, db):
    data, headers = partner.message("order.shared", order_body())
    first = crm_client.post(f"{URL}/messages", content=data, headers=headers)
    again = crm_client.post(f"{URL}/messages", content=data, headers=headers)
    assert first.json()["status"] == "modtaget" and again.json()["status"] == "allerede modtaget"
    assert len(db.exec(select(OutboxEvent).where(OutboxEvent.type == "cooperation.order_received")).all()) == 1
    old = send(crm_client, partner, "order.updated", order_body(title="Gammel"),
               sent_at=datetime.now(UTC) - timedelta(hours=1))
    assert old.status_code == 401 and "for gammel" in old.json()["detail"]
    assert db.exec(select(ReceivedOrder)).one().title == "Pædagogmedhjælper"


def test_a_message_for_another_jobcentre_or_from_a_stranger_is_refused(crm_client, partner):
    assert send(crm_client, partner, "order.shared", order_body(), to=370).status_code == 403
    stranger = FakePartner(code=400)
    assert send(crm_client, stranger, "order.shared", order_body()).status_code == 403


def test_a_removed_partner_is_refused_at_once(crm_client, admin, partner, db, factories):
    order = factories.OrderFactory()
    assert send(crm_client, partner, "order.shared", order_body()).status_code == 200
    assert crm_client.delete(f"{URL}/partners/{partner.id}", headers=admin).status_code == 200
    res = send(crm_client, partner, "order.updated", order_body(title="Efter fjernelse"))
    assert res.status_code == 403 and "fjernet" in res.json()["detail"]
    assert db.exec(select(ReceivedOrder)).one().title == "Pædagogmedhjælper"
    assert crm_client.post(f"/api/v1/orders/{order.id}/cooperation", headers=admin).status_code == 409


def test_sharing_our_order_sends_the_order_but_never_the_company_contacts(crm_client, konsulent, partner, db,
                                                                             factories):
    company = factories.CompanyFactory(name="Hemmelig Lager ApS")
    contact = factories.ContactFactory(company_id=company.id, name="Kirsten Kontakt", email="kirsten@lager.dk")
    order = factories.OrderFactory(company_id=company.id, contact_id=contact.id, title="Lagermedarbejder")
    res = crm_client.post(f"/api/v1/orders/{order.id}/cooperation", headers=konsulent)
    assert res.status_code == 201, res.text
    msgs = db.exec(select(OutgoingMessage).where(OutgoingMessage.partner_id == partner.id)).all()
    assert [m.type for m in msgs] == ["order.shared"]
    text = json.dumps(msgs[0].body, ensure_ascii=False)
    assert "Lagermedarbejder" in text
    assert "Kirsten" not in text and "kirsten@lager.dk" not in text and "Hemmelig" not in text
    assert crm_client.patch(f"/api/v1/orders/{order.id}", headers=konsulent, json={"title": "Lagerarbejder"}
                            ).status_code == 200
    assert crm_client.post(f"/api/v1/orders/{order.id}/status", headers=konsulent,
                           json={"status": "annulleret"}).status_code == 200
    types = [m.type for m in db.exec(select(OutgoingMessage).order_by(OutgoingMessage.created_at)).all()]
    assert types[:2] == ["order.shared", "order.updated"] and types[-1] == "order.closed"


def _consent(db, ref: str, summary: str = "Erfaren pædagogmedhjælper, 8 år i børnehave") -> None:
    from services.crm.inbox.consumer import handle

    payload = {"candidate_ref": ref, "consent": True, "cv_summary": summary,
               "changed_at": datetime.now(UTC).isoformat()}
    validate_event("candidate.cooperation_consent", payload)
    handle(db.get_bind(), {"type": "candidate.cooperation_consent", "payload": payload})


def test_proposing_across_needs_the_job_seekers_consent_and_sends_only_a_pseudonym(crm_client, konsulent, partner,
                                                                                   db):
    send(crm_client, partner, "order.shared", order_body())
    ro_id = crm_client.get(f"{URL}/orders", headers=konsulent).json()[0]["id"]
    refused = crm_client.post(f"{URL}/orders/{ro_id}/proposals", headers=konsulent, json={"candidate_ref": "K-1"})
    assert refused.status_code == 409 and "samtykke" in refused.json()["detail"]
    from services.crm.cooperation.service import set_consent

    set_consent(db, {"candidate_ref": "K-1", "consent": True, "cv_summary": "Erfaren pædagogmedhjælper"})
    db.commit()
    res = crm_client.post(f"{URL}/orders/{ro_id}/proposals", headers=konsulent, json={"candidate_ref": "K-1"})
    assert res.status_code == 201, res.text
    msg = db.exec(select(OutgoingMessage).where(OutgoingMessage.type == "proposal.created")).one()
    assert msg.body["candidate"] == res.json()["pseudonym"] and msg.body["order_id"] == 7
    assert "K-1" not in json.dumps(msg.body) and msg.body["cv_summary"] == "Erfaren pædagogmedhjælper"
    assert db.exec(select(AuditLog).where(AuditLog.entity == "cooperation_proposal")).first() is not None
    # Withdrawn consent: no more proposals across.
    set_consent(db, {"candidate_ref": "K-1", "consent": False})
    db.commit()
    send(crm_client, partner, "order.shared", order_body(8))
    ro2 = [o for o in crm_client.get(f"{URL}/orders", headers=konsulent).json() if o["remote_order_id"] == 8][0]
    assert crm_client.post(f"{URL}/orders/{ro2['id']}/proposals", headers=konsulent,
                           json={"candidate_ref": "K-1"}).status_code == 409


def test_a_partner_hire_fills_our_order_is_not_local_and_its_erasure_pseudonymises(crm_client, konsulent, partner,
                                                                                    db, factories):
    order = factories.OrderFactory(positions=1, received_on=date.today() - timedelta(days=3))
    assert crm_client.post(f"/api/v1/orders/{order.id}/cooperation", headers=konsulent).status_code == 201
    proposal = {"proposal_id": 41, "order_id": order.id, "candidate": "SAM-00aa11bb22cc33dd",
                "cv_summary": "Truckcertifikat, 5 år på lager", "proposed_on": date.today().isoformat(),
                "proposed_by": {"jobcentre": "Jobcenter Vordingborg", "municipality_code": PARTNER,
                                "consultant": {"name": "Vera Konsulent", "email": "vera@vordingborg.dk"}}}
    assert send(crm_client, partner, "proposal.created", proposal).status_code == 200
    assert send(crm_client, partner, "proposal.created", {**proposal, "order_id": 999999}).status_code == 422
    listed = crm_client.get(f"/api/v1/orders/{order.id}/partner-proposals", headers=konsulent).json()
    assert [(p["candidate"], p["partner_name"], p["consultant"]["consultant"]["name"]) for p in listed] == [
        ("SAM-00aa11bb22cc33dd", "Jobcenter Vordingborg", "Vera Konsulent")]
    res = crm_client.post(f"{URL}/partner-proposals/{listed[0]['id']}/outcome", headers=konsulent,
                          json={"status": "ansat"})
    assert res.status_code == 200, res.text
    placement = db.get(Placement, res.json()["placement_id"])
    assert placement.order_id == order.id and placement.candidate_municipality_code == PARTNER
    db.refresh(order)
    assert order.positions_filled == 1 and order.status == "besat"
    outcome = db.exec(select(OutgoingMessage).where(OutgoingMessage.type == "proposal.outcome")).one()
    assert outcome.body == {"proposal_id": 41, "status": "ansat", "decided_on": date.today().isoformat()}
    kpi = crm_client.get("/api/v1/kpi", headers=konsulent, params={
        "from": (date.today() - timedelta(days=10)).isoformat(), "to": date.today().isoformat()}).json()
    assert kpi["orders"]["positions_filled"] >= 1 and kpi["local_share"] == 0.0
    stats = crm_client.get(f"{URL}/stats", headers=konsulent).json()
    assert stats["totals"]["hires_received"] == 1 and stats["totals"]["proposals_received"] == 1
    csv = crm_client.get(f"{URL}/stats?format=csv", headers=konsulent)
    assert csv.headers["content-type"].startswith("text/csv") and "Jobcenter Vordingborg" in csv.text
    # Erased at home: the copy here loses the summary and the pseudonym it came with.
    assert send(crm_client, partner, "proposal.erased", {"proposal_id": 41}).status_code == 200
    p = db.exec(select(IncomingProposal)).one()
    db.refresh(placement)
    assert p.erased_at is not None and p.cv_summary == "" and p.pseudonym != "SAM-00aa11bb22cc33dd"
    assert placement.candidate_ref == p.pseudonym


def test_erasing_our_job_seeker_tells_the_ordering_jobcentre(crm_client, konsulent, partner, db):
    from services.crm.cooperation.service import erase_candidate, set_consent

    send(crm_client, partner, "order.shared", order_body())
    ro_id = crm_client.get(f"{URL}/orders", headers=konsulent).json()[0]["id"]
    set_consent(db, {"candidate_ref": "K-2", "consent": True, "cv_summary": "Kok"})
    db.commit()
    pid = crm_client.post(f"{URL}/orders/{ro_id}/proposals", headers=konsulent, json={"candidate_ref": "K-2"}
                          ).json()["id"]
    assert send(crm_client, partner, "proposal.outcome", {"proposal_id": pid, "status": "ansat",
                                                          "decided_on": date.today().isoformat()}).status_code == 200
    assert db.get(OutgoingProposal, pid).status == "ansat"
    assert crm_client.get(f"{URL}/stats", headers=konsulent).json()["totals"]["hires_sent"] == 1
    assert erase_candidate(db, "K-2") == 1
    db.commit()
    p = db.get(OutgoingProposal, pid)
    assert p.candidate_ref is None and p.cv_summary == "" and p.erased_at is not None
    msg = db.exec(select(OutgoingMessage).where(OutgoingMessage.type == "proposal.erased")).one()
    assert msg.body == {"proposal_id": pid}

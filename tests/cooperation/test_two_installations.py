"""Recruiting across the municipal border between two real installations (issue 15).

Slagelse (330) and Vordingborg (390) each run their own crm (API + worker) and matching (API +
events consumer), with their own databases, Redis namespace, secret key, key pair and ports, on
loopback. Slagelse shares an order; Vordingborg's matching ranks its consenting job seekers for it
(with the commute), a Vordingborg consultant proposes one, Slagelse hires them (a filled position,
not local), the outcome goes back and counts as "formidlet til anden kommune" in Vordingborg, and
the job seeker's erasure in Vordingborg pseudonymises Slagelse's copy. On the way: a job seeker
without consent is neither ranked nor proposable, Vordingborg's crm is down while the order
changes and gets the change when it is back, and forged, replayed and removed-partner messages
sent to the real endpoint are refused.
"""

from __future__ import annotations

import base64
import os
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.crm.cooperation.signing import SIGNATURE_HEADER, canonical, envelope
from tests.conftest import _PG_URL, _REDIS_URL, PG
from tests.cooperation.installations import Installation, database_for, wait_for

pytestmark = [pytest.mark.redis]

CONSULTANT_PASSWORD = "konsulent-samarbejde-2026"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    base = os.environ.get("JOBBRO_TEST_DB", "jobbro_test")
    run = uuid.uuid4().hex[:6]
    ports: set[int] = set()
    made = []
    try:
        for name, code, jobcentre in (("a", 330, "Jobcenter Slagelse"), ("b", 390, "Jobcenter Vordingborg")):
            workdir = tmp_path_factory.mktemp(f"coop-{name}")
            inst = Installation(name, code, jobcentre, workdir,
                                database_for(_PG_URL if PG else None, f"{base}_coop_{name}", workdir),
                                _REDIS_URL, f"coop-test-{run}-{name}", ports)
            made.append(inst)
            inst.start()
        yield made[0], made[1]
    finally:
        for inst in made:
            inst.stop_all()


def login(inst: Installation, email: str, password: str) -> dict[str, str]:
    r = httpx.post(inst.urls["crm"] + "/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def consultant(inst: Installation, name: str) -> dict[str, str]:
    email = f"{name.split()[0].lower()}@{inst.name}.jobbro.dk"
    r = inst.crm("POST", "/api/v1/users", json={"email": email, "password": CONSULTANT_PASSWORD,
                                                 "full_name": name, "role": "konsulent"})
    assert r.status_code == 201, r.text
    return login(inst, email, CONSULTANT_PASSWORD)


def test_an_order_of_one_municipality_is_filled_by_a_job_seeker_of_the_other(pair):
    slagelse, vordingborg = pair
    sam = consultant(slagelse, "Signe Slagelse")
    vera = consultant(vordingborg, "Vera Vordingborg")

    # Partners: each admin adds the other with its published key.
    slagelse.add_partner(vordingborg)
    vordingborg_partner = vordingborg.add_partner(slagelse)

    # Vordingborg's job seekers: one consented to being proposed to other jobcentres, one did not.
    cv = ("Uddannet pædagogmedhjælper med otte års erfaring fra børnehave og vuggestue. Planlægger "
          "aktiviteter for børn, samarbejder med forældre og kolleger, har førstehjælpskursus.")
    for ref, consent in (("VB-1001", True), ("VB-1002", False)):
        r = vordingborg.matching("POST", "/api/v1/candidates", headers=vera, json={
            "candidate_ref": ref, "postcode": "4760", "municipality_code": 390, "hours_available": 37,
            "cv_text": cv, "desired_occupations": ["pædagogmedhjælper"], "consent_cooperation": consent,
            "cooperation_summary": "Pædagogmedhjælper, 8 års erfaring fra børnehave; førstehjælp." if consent else ""})
        assert r.status_code == 201, r.text

    # Slagelse's order, shared with the cooperation.
    company = slagelse.crm("POST", "/api/v1/companies", headers=sam, json={
        "cvr": "13585628", "name": "Børnehuset Solsikken", "sector": "kommunal", "postcode": "4200"}).json()
    contact = slagelse.crm("POST", f"/api/v1/companies/{company['id']}/contacts", headers=sam, json={
        "name": "Karen Leder", "email": "karen@solsikken.dk"})
    assert contact.status_code == 201, contact.text
    order = slagelse.crm("POST", "/api/v1/orders", headers=sam, json={
        "company_id": company["id"], "title": "Pædagogmedhjælper", "scheme": "ordinaer", "positions": 1,
        "description": "Børnehave søger pædagogmedhjælper til aktiviteter med børn og samarbejde med forældre.",
        "hours_per_week": 32, "postcode": "4200", "contact_id": contact.json()["id"],
        "deadline": (date.today() + timedelta(days=30)).isoformat()}).json()
    shared = slagelse.crm("POST", f"/api/v1/orders/{order['id']}/cooperation", headers=sam)
    assert shared.status_code == 201, shared.text

    # At Vordingborg: listed with the ordering jobcentre; nothing of the company's contacts.
    received = wait_for("the shared order at Vordingborg", lambda: vordingborg.crm(
        "GET", "/api/v1/cooperation/orders", headers=vera).json())
    assert [(o["title"], o["partner_name"], o["remote_order_id"]) for o in received] == [
        ("Pædagogmedhjælper", "Jobcenter Slagelse", order["id"])]
    assert received[0]["contact"]["consultant"]["name"] == "Signe Slagelse"
    assert "karen" not in str(received[0]).lower()
    ro_id = received[0]["id"]

    # Vordingborg's matching ranks its consenting job seekers only, with the commute.
    vacancy = wait_for("the vacancy in Vordingborg's matching", lambda: vordingborg.matching(
        "GET", "/api/v1/vacancies", headers=vera, params={"shared_order_id": ro_id}).json()["items"][0])
    assert vacancy["cooperation_partner"] == "Jobcenter Slagelse"
    ranked = wait_for("a ranked candidate", lambda: vordingborg.matching(
        "GET", f"/api/v1/vacancies/{vacancy['id']}/matches", headers=vera).json()["items"])
    assert [it["candidate_ref"] for it in ranked] == ["VB-1001"]
    explanation = ranked[0]["explanation"]
    assert explanation["pendling"].startswith("pendler fra 4760 til 4200") and explanation["afstand_km"] > 30
    assert explanation["hvorfor_berettiget"] is not None

    # Proposing: not without consent; the consenting one goes across as a pseudonym.
    refused = vordingborg.crm("POST", f"/api/v1/cooperation/orders/{ro_id}/proposals", headers=vera,
                              json={"candidate_ref": "VB-1002"})
    assert refused.status_code == 409 and "samtykke" in refused.json()["detail"]
    proposal = wait_for("the consent at Vordingborg's crm", lambda: (lambda r: r.json() if r.status_code == 201 else None)(
        vordingborg.crm("POST", f"/api/v1/cooperation/orders/{ro_id}/proposals", headers=vera,
                        json={"candidate_ref": "VB-1001"})))
    assert proposal["pseudonym"].startswith("SAM-")

    # At Slagelse: beside local proposals, with the proposing jobcentre and consultant to contact.
    partner_proposals = wait_for("the proposal at Slagelse", lambda: slagelse.crm(
        "GET", f"/api/v1/orders/{order['id']}/partner-proposals", headers=sam).json())
    p = partner_proposals[0]
    assert (p["candidate"], p["partner_name"], p["consultant"]["consultant"]["name"]) == (
        proposal["pseudonym"], "Jobcenter Vordingborg", "Vera Vordingborg")
    assert p["cv_summary"].startswith("Pædagogmedhjælper, 8 års erfaring") and "VB-1001" not in str(p)

    # Partner down while the order changes: Slagelse's outbox keeps it and delivers it when it is back.
    crm_port = int(vordingborg.urls["crm"].rsplit(":", 1)[1])
    vordingborg.stop("crm")
    assert slagelse.crm("PATCH", f"/api/v1/orders/{order['id']}", headers=sam,
                        json={"title": "Pædagogmedhjælper (32 timer)"}).status_code == 200
    pending = wait_for("a failed delivery attempt", lambda: [
        m for m in slagelse.crm("GET", "/api/v1/cooperation/outbox").json()
        if m["type"] == "order.updated" and m["attempts"] >= 1 and m["delivered_at"] is None and m["last_error"]])
    assert pending[0]["failed_at"] is None
    vordingborg.serve("crm", crm_port)
    wait_for("the change at Vordingborg after its restart", lambda: vordingborg.crm(
        "GET", f"/api/v1/cooperation/orders/{ro_id}", headers=vera).json()["title"] == "Pædagogmedhjælper (32 timer)")

    # Slagelse hires: the order is filled; the hire is not local; the outcome goes back.
    hired = slagelse.crm("POST", f"/api/v1/cooperation/partner-proposals/{p['id']}/outcome", headers=sam,
                         json={"status": "ansat"})
    assert hired.status_code == 200, hired.text
    filled = slagelse.crm("GET", f"/api/v1/orders/{order['id']}", headers=sam).json()
    assert (filled["positions_filled"], filled["status"]) == (1, "besat")
    period = {"from": (date.today() - timedelta(days=5)).isoformat(), "to": date.today().isoformat()}
    kpi = slagelse.crm("GET", "/api/v1/kpi", headers=sam, params=period).json()
    assert kpi["orders"]["fill_rate"] == 1.0 and kpi["local_share"] == 0.0
    wait_for("the outcome at Vordingborg", lambda: vordingborg.crm(
        "GET", f"/api/v1/cooperation/orders/{ro_id}/proposals", headers=vera).json()[0]["status"] == "ansat")
    # The close of the filled order follows too.
    wait_for("the close at Vordingborg", lambda: vordingborg.crm(
        "GET", f"/api/v1/cooperation/orders/{ro_id}", headers=vera).json()["status"] == "besat")

    # Both dashboards' figures: per partner and month, and as CSV.
    month = date.today().strftime("%Y-%m")
    a = slagelse.crm("GET", "/api/v1/cooperation/stats", headers=sam).json()["rows"]
    b = vordingborg.crm("GET", "/api/v1/cooperation/stats", headers=vera).json()["rows"]
    assert [(r["partner"], r["month"], r["orders_shared"], r["proposals_received"], r["hires_received"]) for r in a] == [
        ("Jobcenter Vordingborg", month, 1, 1, 1)]
    assert [(r["partner"], r["orders_received"], r["proposals_sent"], r["hires_sent"]) for r in b] == [
        ("Jobcenter Slagelse", 1, 1, 1)]
    csv = vordingborg.crm("GET", "/api/v1/cooperation/stats", headers={**vera, "Accept": "text/csv"})
    assert "hires_sent" in csv.text.splitlines()[0] and "Jobcenter Slagelse" in csv.text

    # What the consultants and managers see in the web front of each installation.
    check_web(slagelse, vordingborg, order["id"], ro_id)

    # Erased at home (Vordingborg): Slagelse's copy is pseudonymised by a signed message.
    assert vordingborg.matching("DELETE", "/api/v1/candidates/VB-1001", headers=vera).status_code == 204
    erased = wait_for("the erasure at Slagelse", lambda: [
        x for x in slagelse.crm("GET", f"/api/v1/orders/{order['id']}/partner-proposals", headers=sam).json()
        if x["erased_at"]])
    assert erased[0]["cv_summary"] == "" and erased[0]["candidate"] != proposal["pseudonym"]
    assert slagelse.crm("GET", f"/api/v1/orders/{order['id']}", headers=sam).json()["positions_filled"] == 1
    assert vordingborg_partner["municipality_code"] == 330


def _web_login(inst: Installation, email: str, password: str):
    from tests.web.conftest import WebClient

    if "web" not in inst.urls:
        inst.serve("web")
    client = WebClient(inst.urls["web"])
    assert client.login(email, password).status_code == 303
    return client


def check_web(slagelse: Installation, vordingborg: Installation, order_id: int, ro_id: int) -> None:
    for inst in (slagelse, vordingborg):
        r = inst.crm("POST", "/api/v1/users", json={"email": f"leder@{inst.name}.jobbro.dk", "password": CONSULTANT_PASSWORD,
                                                     "full_name": f"Leder {inst.jobcentre}", "role": "leder"})
        assert r.status_code == 201, r.text
    a = _web_login(slagelse, "signe@a.jobbro.dk", CONSULTANT_PASSWORD)
    assert 'hx-get="/samarbejde/ordre/' in a.get(f"/ordrer/{order_id}").text
    part = a.get(f"/samarbejde/ordre/{order_id}").text
    assert "Jobcenter Vordingborg" in part and "Vera Vordingborg" in part and "Delt" in part
    b = _web_login(vordingborg, "vera@b.jobbro.dk", CONSULTANT_PASSWORD)
    assert 'hx-get="/samarbejde/uddrag"' in b.get("/ordrer").text
    excerpt = b.get("/samarbejde/uddrag").text  # open ones only: this one is filled by now
    assert "Ingen åbne ordrer fra andre jobcentre" in excerpt
    listed = b.get("/samarbejde").text
    assert "Pædagogmedhjælper (32 timer)" in listed and "Jobcenter Slagelse" in listed
    page = b.get(f"/samarbejde/ordrer/{ro_id}").text
    assert "VB-1001" in page and "formidlet til anden kommune" in page
    for inst, name in ((slagelse, "a"), (vordingborg, "b")):
        leader = _web_login(inst, f"leder@{name}.jobbro.dk", CONSULTANT_PASSWORD)
        assert 'hx-get="/samarbejde/tal?' in leader.get("/leder").text
        figures = leader.get("/samarbejde/tal").text
        partner = "Jobcenter Vordingborg" if name == "a" else "Jobcenter Slagelse"
        assert partner in figures and "Formidlet til anden kommune" in figures
        csv = leader.get("/samarbejde/tal.csv")
        assert csv.status_code == 200 and partner in csv.text


def _intruder_message(inst: Installation, key: Ed25519PrivateKey, sender: int, type_: str, body: dict,
                      message_id: str | None = None, sent_at: datetime | None = None) -> tuple[bytes, dict]:
    data = canonical(envelope(message_id, type_, sender, inst.municipality_code, body, sent_at))
    return data, {SIGNATURE_HEADER: base64.b64encode(key.sign(data)).decode(), "Content-Type": "application/json"}


def test_forged_replayed_and_removed_partner_messages_are_refused_by_the_real_endpoint(pair):
    slagelse, _ = pair
    url = slagelse.urls["crm"] + "/api/v1/cooperation/messages"
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    partner = slagelse.crm("POST", "/api/v1/cooperation/partners", json={
        "name": "Jobcenter Næstved", "municipality_code": 370, "base_url": "http://127.0.0.1:9",
        "public_key": public}).json()
    body = {"order_id": 4711, "title": "Kok", "description": "Storkøkken", "scheme": "ordinaer", "positions": 1,
            "hours_per_week": 37, "postcode": "4700", "deadline": None, "status": "modtaget",
            "contact": {"jobcentre": "Jobcenter Næstved", "consultant": None}}

    # A user's token opens nothing here: a partner's message without its signature is refused,
    # whoever's token comes with it.
    unsigned = canonical(envelope(None, "order.shared", 370, slagelse.municipality_code, body))
    assert httpx.post(url, content=unsigned, headers=slagelse.auth).status_code == 401

    forged, headers = _intruder_message(slagelse, Ed25519PrivateKey.generate(), 370, "order.shared", body)
    assert httpx.post(url, content=forged, headers=headers).status_code == 401

    data, headers = _intruder_message(slagelse, key, 370, "order.shared", body)
    assert httpx.post(url, content=data, headers=headers).json()["status"] == "modtaget"
    assert httpx.post(url, content=data, headers=headers).json()["status"] == "allerede modtaget"
    naestved = [o for o in slagelse.crm("GET", "/api/v1/cooperation/orders").json() if o["partner_id"] == partner["id"]]
    assert len(naestved) == 1
    stale, headers = _intruder_message(slagelse, key, 370, "order.updated", {**body, "title": "Gammel"},
                                       sent_at=datetime.now(UTC) - timedelta(hours=2))
    assert httpx.post(url, content=stale, headers=headers).status_code == 401

    assert slagelse.crm("DELETE", f"/api/v1/cooperation/partners/{partner['id']}").status_code == 200
    after, headers = _intruder_message(slagelse, key, 370, "order.updated", {**body, "title": "Efter"})
    refused = httpx.post(url, content=after, headers=headers)
    assert refused.status_code == 403 and "fjernet" in refused.json()["detail"]

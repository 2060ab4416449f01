"""The crm order events consumer and the weight fitting, end to end on real PostgreSQL and Redis:
crm's outbox relayed onto the stream, the matching consumer group reading it, a real RQ worker
process embedding the vacancy, and `fit-weights` run as the command an operator runs."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml
from sqlmodel import Session, select

from tests.matching.conftest import run_matching

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _vacancy_for(engine, order_id: int):
    from services.matching.vacancies.models import Vacancy

    with Session(engine) as s:
        return s.exec(select(Vacancy).where(Vacancy.order_id == order_id)).all()


@pytest.fixture
def crm_api(committed):
    """crm's real HTTP API on real commits (the matching consumer has its own connections), with a
    konsulent's headers."""
    from fastapi.testclient import TestClient

    from services.crm.main import app
    from services.crm.users.models import User
    from services.crm.users.service import principal_of
    from shared.auth import create_access_token

    user = User(email="konsulent.matching@jobbro.dk", password_hash="x", full_name="Mette Konsulent", role="konsulent")
    committed.add(user)
    committed.commit()
    headers = {"Authorization": f"Bearer {create_access_token(principal_of(user))}"}
    with TestClient(app) as client:
        yield client, headers


def _order_events(redis_conn, after: str = "0-0") -> list[dict]:
    """The order events on the stream after `after`, each checked against its contract."""
    from shared.event_contracts import validate
    from shared.events import read_events

    out = []
    for e in read_events(redis_conn, after):
        if e["type"].startswith("order."):
            validate(e["type"], e["payload"])
            out.append(e)
    return out


def test_crm_order_events_create_update_and_close_the_vacancy(crm_api, engine, redis_conn):
    from services.matching.index.models import StoredVector
    from services.matching.vacancies.events import GROUP, consume_once
    from shared.events import relay_pending, stream
    from shared.installation import installation_id

    client, headers = crm_api
    company = client.post("/api/v1/companies", json={"cvr": "13585628", "name": "Lagerhuset ApS", "sector": "privat",
                                                     "postcode": "4200"}, headers=headers)
    assert company.status_code == 201, company.text
    order = client.post("/api/v1/orders", headers=headers, json={
        "company_id": company.json()["id"], "title": "Lagermedarbejder", "scheme": "ordinaer", "positions": 2,
        "postcode": "4200", "hours_per_week": 37, "received_via": "hotline", "received_on": date.today().isoformat(),
        "description": "Pluk og pak af varer og kørsel med gaffeltruck på vores lager i Slagelse."})
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    relay_pending(engine, redis_conn)  # anything the push after commit left behind, as crm's relay does
    (received,) = _order_events(redis_conn)
    assert received["type"] == "order.received" and received["payload"]["order_id"] == order_id

    assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
    (v,) = _vacancy_for(engine, order_id)
    assert (v.title, v.scheme, v.company_name, v.sector, v.hours_per_week, v.postcode, v.status) == (
        "Lagermedarbejder", "ordinaer", "Lagerhuset ApS", "privat", 37, "4200", "aaben")
    assert "gaffeltruck" in v.text  # the description travels with the event: matching reads no crm table
    assert v.features["occupations"], "the title is mapped to ESCO occupations"
    assert redis_conn.xpending(stream(), GROUP)["pending"] == 0

    # The embedding job it queued, run by a real RQ worker process.
    done = run_matching("worker", "--burst")
    assert done.returncode == 0, done.stderr[-2000:]
    with Session(engine) as s2:
        vectors = s2.exec(select(StoredVector).where(StoredVector.kind == "vacancy",
                                                     StoredVector.entity_id == v.id)).all()
    assert len(vectors) == 1 and vectors[0].dimension > 0

    # The order changes in crm: `order.changed` updates the same vacancy.
    res = client.patch(f"/api/v1/orders/{order_id}", headers=headers, json={
        "description": "Truckfører til nathold; du skal kunne betjene gaffeltruck og reachtruck.",
        "hours_per_week": 30})
    assert res.status_code == 200, res.text
    relay_pending(engine, redis_conn)
    (changed,) = _order_events(redis_conn, received["stream_id"])
    assert changed["type"] == "order.changed"
    assert set(changed["payload"]["changed"]) == {"description", "hours_per_week"}
    assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
    (again,) = _vacancy_for(engine, order_id)
    assert again.id == v.id and again.hours_per_week == 30 and "nathold" in again.text

    # The same event delivered again (at least once): still one vacancy, unchanged.
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": changed["id"], "type": changed["type"],
                               "occurred_at": changed["occurred_at"], "payload": json.dumps(changed["payload"])})
    assert consume_once(redis_conn, "test-consumer", block_ms=200) == 1
    (same,) = _vacancy_for(engine, order_id)
    assert (same.id, same.hours_per_week, same.text) == (v.id, 30, again.text)

    # Worked on, then filled in crm: the vacancy stays open, then closes and stops being offered.
    for status, expected in (("i_gang", "aaben"), ("besat", "lukket")):
        res = client.post(f"/api/v1/orders/{order_id}/status", json={"status": status}, headers=headers)
        assert res.status_code == 200, res.text
        relay_pending(engine, redis_conn)
        assert consume_once(redis_conn, "test-consumer", block_ms=200) >= 1
        (now,) = _vacancy_for(engine, order_id)
        assert now.status == expected, status
    assert [e["type"] for e in _order_events(redis_conn)] == [
        "order.received", "order.changed", "order.changed", "order.status_changed", "order.status_changed"]


def test_an_open_order_without_a_vacancy_gets_one_from_its_status_event(committed, engine, redis_conn):
    """An order received before matching listened: the next status event carries the whole order."""
    from services.matching.vacancies.events import handle
    from shared.event_contracts import validate

    payload = {
        "order_id": 4711, "company_id": 12, "company_name": "Bageriet Korn ApS",
        "company": {"id": 12, "name": "Bageriet Korn ApS", "cvr": "13585628", "postcode": "4200", "sector": "privat",
                    "industry_code": "107100"},
        "title": "Bagerlærling", "description": "Morgenvagter i vores bageri; dej, ovne og butik.",
        "scheme": "voksenlaerling", "positions": 1, "positions_filled": 0, "hours_per_week": 37, "postcode": "4200",
        "deadline": None, "received_via": "portal", "received_on": "2026-01-05", "status": "i_gang",
        "consultant_id": None, "consultant": None, "contact": None,
        "old_status": "modtaget", "new_status": "i_gang", "automatic": True, "reason": "Kandidat foreslået",
    }
    validate("order.status_changed", payload)
    handle({"type": "order.status_changed", "payload": payload})
    (v,) = _vacancy_for(engine, 4711)
    assert (v.title, v.status, v.company_name, v.sector) == ("Bagerlærling", "aaben", "Bageriet Korn ApS", "privat")
    # A closed order that never had a vacancy gets none.
    handle({"type": "order.status_changed", "payload": {**payload, "order_id": 4712, "status": "annulleret",
                                                        "new_status": "annulleret"}})
    assert _vacancy_for(engine, 4712) == []


def test_matching_reads_orders_only_from_events():
    """No crm import left in the vacancy consumer: the event is the only source."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "services" / "matching" / "vacancies"
    for name in ("events.py", "service.py"):
        assert "services.crm" not in (root / name).read_text(encoding="utf-8"), name


def _outcomes(s, n_hired: int, n_other: int) -> None:
    """Hired candidates share skills and occupation with the vacancy; the others only read alike."""
    from services.matching.candidates.models import Candidate
    from services.matching.vacancies.models import Outcome, Vacancy
    from shared.glossary import TARGET_GROUP_CODE_LIST_VERSION

    v = Vacancy(title="Lagermedarbejder", text="Pluk og pak.", scheme="ordinaer")
    s.add(v)
    s.flush()
    for i in range(n_hired + n_other):
        c = Candidate(candidate_ref=f"FIT-{i:03d}", cv_text="Lagerarbejde.", code_list_version=TARGET_GROUP_CODE_LIST_VERSION)
        s.add(c)
        s.flush()
        hired = i < n_hired
        wobble = (i % 7) / 20
        parts = {"semantic": 0.6 + wobble / 2, "lexical": 0.3 + wobble / 3, "distance": 0.5,
                 "skills": (0.7 if hired else 0.1) + wobble / 2, "occupation": (0.9 if hired else 0.2) - wobble / 2}
        s.add(Outcome(vacancy_id=v.id, candidate_id=c.id, outcome="ansat" if hired else "foreslaaet", parts=parts))
    s.commit()


def test_fit_weights_refuses_with_too_few_outcomes_and_says_why(committed, tmp_path):
    _outcomes(committed, 3, 4)
    out = tmp_path / "weights.yaml"
    res = run_matching("fit-weights", "--min-outcomes", "50", "--out", str(out))
    assert res.returncode == 2
    assert "7 outcomes" in res.stderr and "need at least 50" in res.stderr and "Weights unchanged" in res.stderr
    assert not out.exists()


def test_fit_weights_refuses_when_nobody_was_hired(committed, tmp_path):
    _outcomes(committed, 0, 60)
    out = tmp_path / "weights.yaml"
    res = run_matching("fit-weights", "--min-outcomes", "50", "--out", str(out))
    assert res.returncode == 2 and "one class" in res.stderr and not out.exists()


def test_fit_weights_learns_what_predicts_hiring_from_recorded_outcomes(committed, tmp_path):
    from services.matching.ranking.scoring import PARTS, Weights

    _outcomes(committed, 30, 40)
    out = tmp_path / "weights.yaml"
    res = run_matching("fit-weights", "--min-outcomes", "50", "--out", str(out))
    assert res.returncode == 0, res.stderr[-2000:]
    fitted = Weights.from_file(out)
    assert fitted.version.startswith("fitted-") and fitted.version.endswith("-n70")
    assert abs(sum(fitted.w(p) for p in PARTS) - 1) < 1e-3
    # Skills and occupation separate hires from the rest here; the other parts do not.
    assert fitted.w("skills") + fitted.w("occupation") > 0.9
    assert yaml.safe_load(out.read_text())["semantic_floor"] == fitted.semantic_floor


def test_an_older_order_event_delivered_late_does_not_undo_a_newer_one(committed, engine):
    """At-least-once and several consumers: events may arrive out of order; the vacancy keeps the newest."""
    from services.matching.vacancies.events import handle

    payload = {
        "order_id": 4801, "company_id": 7, "company_name": "Smedien ApS",
        "company": {"id": 7, "name": "Smedien ApS", "cvr": "13585628", "postcode": "4200", "sector": "privat",
                    "industry_code": None},
        "title": "Svejser", "description": "MIG/MAG-svejsning af stålkonstruktioner.", "scheme": "ordinaer",
        "positions": 1, "positions_filled": 0, "hours_per_week": 37, "postcode": "4200", "deadline": None,
        "received_via": "hotline", "received_on": "2026-11-01", "status": "modtaget", "consultant_id": None,
        "consultant": None, "contact": None,
    }
    handle({"type": "order.received", "occurred_at": "2026-11-01T09:00:00+00:00", "payload": payload})
    handle({"type": "order.changed", "occurred_at": "2026-11-03T09:00:00+00:00",
            "payload": {**payload, "title": "Svejser til nathold", "changed": ["title"]}})
    handle({"type": "order.status_changed", "occurred_at": "2026-11-04T09:00:00+00:00",
            "payload": {**payload, "status": "besat", "old_status": "modtaget", "new_status": "besat",
                        "automatic": False, "reason": None}})
    # The first change, published on the 2nd, arrives last (a relay that retried it).
    handle({"type": "order.changed", "occurred_at": "2026-11-02T09:00:00+00:00",
            "payload": {**payload, "title": "Svejser (dag)", "changed": ["title"]}})
    handle({"type": "order.status_changed", "occurred_at": "2026-11-02T10:00:00+00:00",
            "payload": {**payload, "status": "i_gang", "old_status": "modtaget", "new_status": "i_gang",
                        "automatic": True, "reason": None}})
    (v,) = _vacancy_for(engine, 4801)
    assert (v.title, v.status) == ("Svejser til nathold", "lukket")

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


def test_crm_order_events_create_update_and_close_the_vacancy(committed, engine, redis_conn):
    from services.crm.companies.models import Company
    from services.crm.orders.models import Order
    from services.matching.index.models import StoredVector
    from services.matching.vacancies.events import GROUP, consume_once
    from shared.events import EventType, publish, relay_pending, stream
    from shared.installation import installation_id

    s = committed
    company = Company(cvr="13585628", name="Lagerhuset ApS", sector="privat", postcode="4200")
    s.add(company)
    s.flush()
    order = Order(company_id=company.id, title="Lagermedarbejder", scheme="ordinaer", positions=2, postcode="4200",
                  hours_per_week=37, received_via="hotline", received_on=date.today(),
                  description="Pluk og pak af varer og kørsel med gaffeltruck på vores lager i Slagelse.")
    s.add(order)
    s.flush()
    received = {"order_id": order.id, "company_id": company.id, "company_name": company.name, "title": order.title,
                "scheme": order.scheme, "positions": 2, "received_via": "hotline"}
    publish(s, EventType.order_received, received)
    s.commit()
    relay_pending(engine, redis_conn)  # outbox -> stream, as crm's relay does

    assert consume_once(redis_conn, "test-consumer", block_ms=200) == 1
    (v,) = _vacancy_for(engine, order.id)
    assert (v.title, v.scheme, v.company_name, v.hours_per_week, v.postcode, v.status) == (
        "Lagermedarbejder", "ordinaer", "Lagerhuset ApS", 37, "4200", "aaben")
    assert "gaffeltruck" in v.text  # read from crm's order: the event carries no free text
    assert v.features["occupations"], "the title is mapped to ESCO occupations"
    assert redis_conn.xpending(stream(), GROUP)["pending"] == 0

    # The embedding job it queued, run by a real RQ worker process.
    done = run_matching("worker", "--burst")
    assert done.returncode == 0, done.stderr[-2000:]
    with Session(engine) as s2:
        vectors = s2.exec(select(StoredVector).where(StoredVector.kind == "vacancy",
                                                     StoredVector.entity_id == v.id)).all()
    assert len(vectors) == 1 and vectors[0].dimension > 0

    # The order changes and the event is delivered again (at least once): the same vacancy, updated.
    order.description = "Truckfører til nathold; du skal kunne betjene gaffeltruck og reachtruck."
    order.hours_per_week = 30
    s.add(order)
    s.commit()
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "redelivered", "type": EventType.order_received.value,
                             "occurred_at": "2026-11-23T10:00:00", "payload": json.dumps(received)})
    assert consume_once(redis_conn, "test-consumer", block_ms=200) == 1
    (again,) = _vacancy_for(engine, order.id)
    assert again.id == v.id and again.hours_per_week == 30 and "nathold" in again.text

    # Filled in crm: the vacancy closes and stops being offered.
    redis_conn.xadd(stream(), {"installation": installation_id(), "id": "filled", "type": EventType.order_status_changed.value,
                             "occurred_at": "2026-11-23T11:00:00",
                             "payload": json.dumps({"order_id": order.id, "old_status": "modtaget",
                                                    "new_status": "besat"})})
    assert consume_once(redis_conn, "test-consumer", block_ms=200) == 1
    (closed,) = _vacancy_for(engine, order.id)
    assert closed.status == "lukket"


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

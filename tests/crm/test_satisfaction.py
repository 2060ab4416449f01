"""Satisfaction surveys (issue 14 part 1): one survey per closed order, answered from a signed
link without a login, the latest answer kept; the manager's report (JSON and CSV), a company's
answers, and the contact's comments erased with them. Real PostgreSQL (or the SQLite default)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from services.crm.satisfaction import tokens
from services.crm.satisfaction.models import SatisfactionSurvey
from shared.event_contracts import validate
from shared.events import OutboxEvent


def _ok(res, code=200):
    assert res.status_code == code, res.text
    return res.json() if res.content else None


def _requested(db) -> list[dict]:
    db.flush()
    rows = db.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested")
                   .order_by(OutboxEvent.created_at)).all()
    for row in rows:
        validate(row.type, row.payload)
    return [r.payload for r in rows]


def _surveys(db) -> list[SatisfactionSurvey]:
    db.flush()
    return list(db.exec(select(SatisfactionSurvey).order_by(SatisfactionSurvey.id)))


@pytest.fixture
def ordered(factories):
    """A company, its ordering contact with an e-mail address and an open order of theirs."""
    company = factories.CompanyFactory(name="Slagelse Stål A/S")
    contact = factories.ContactFactory(company_id=company.id, name="Birthe Kjærgaard", email="birthe@staal.dk",
                                       newsletter_consent=False)
    order = factories.OrderFactory(company_id=company.id, contact_id=contact.id, status="i_gang", title="Svejser",
                                   positions=1)
    return company, contact, order


def _close(crm_client, headers, order_id, status="annulleret"):
    return _ok(crm_client.post(f"/api/v1/orders/{order_id}/status", headers=headers,
                               json={"status": status, "reason": "Afsluttet"}))


def _token(db) -> str:
    (payload,) = _requested(db)
    return payload["token"]


# -- sending: once per order, on every kind of closing ------------------------------------------

@pytest.mark.parametrize("status", ["annulleret", "besat", "udloebet"])
def test_closing_an_order_by_hand_requests_one_survey_of_its_contact(crm_client, konsulent, db, ordered, status):
    company, contact, order = ordered
    _close(crm_client, konsulent, order.id, status)
    (survey,) = _surveys(db)
    assert (survey.order_id, survey.company_id, survey.contact_id, survey.closed_status) == (
        order.id, company.id, contact.id, status)
    (payload,) = _requested(db)
    assert payload["contact"] == {"id": contact.id, "name": "Birthe Kjærgaard", "email": "birthe@staal.dk"}
    assert (payload["order_title"], payload["company_name"], payload["closed_status"]) == (
        "Svejser", "Slagelse Stål A/S", status)
    claim = tokens.read_token(payload["token"])
    assert (claim.survey_id, claim.order_id, claim.contact_id) == (survey.id, order.id, contact.id)
    expires = datetime.fromisoformat(payload["expires_at"])
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)


def test_the_order_filled_by_a_placement_and_the_daily_expiry_request_surveys(crm_client, konsulent, db, factories,
                                                                              ordered):
    from services.crm.orders.service import expire_overdue_orders

    _, _, order = ordered
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={
        "company_id": order.company_id, "order_id": order.id, "candidate_ref": "K-1", "scheme": "ordinaer",
        "target_group": "a_dagpenge", "starts_on": date.today().isoformat()}), 201)
    overdue = factories.OrderFactory(company_id=order.company_id, contact_id=order.contact_id, status="i_gang",
                                     received_on=date.today() - timedelta(days=40),
                                     deadline=date.today() - timedelta(days=2))
    assert expire_overdue_orders(db, date.today()) == 1
    assert [(s.order_id, s.closed_status) for s in _surveys(db)] == [(order.id, "besat"), (overdue.id, "udloebet")]
    assert len(_requested(db)) == 2


def test_a_company_cancelling_its_own_order_is_asked_too(crm_client, login, db, ordered):
    company, _, order = ordered
    _, portal = login("virksomhed", company)
    _close(crm_client, portal, order.id)
    assert len(_surveys(db)) == 1


def test_reopening_and_closing_again_sends_nothing_more(crm_client, konsulent, db, ordered):
    _, _, order = ordered
    body = {"company_id": order.company_id, "order_id": order.id, "candidate_ref": "K-1", "scheme": "ordinaer",
            "target_group": "a_dagpenge", "starts_on": date.today().isoformat()}
    placement = _ok(crm_client.post("/api/v1/placements", headers=konsulent, json=body), 201)
    _ok(crm_client.delete(f"/api/v1/placements/{placement['id']}", headers=konsulent), 204)  # reopens
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={**body, "candidate_ref": "K-2"}), 201)
    assert len(_surveys(db)) == 1 and len(_requested(db)) == 1


def test_no_survey_without_an_ordering_contact_with_an_address(crm_client, konsulent, db, factories):
    company = factories.CompanyFactory()
    silent = factories.ContactFactory(company_id=company.id, email=None)
    for contact_id in (None, silent.id):
        order = factories.OrderFactory(company_id=company.id, contact_id=contact_id, status="i_gang")
        _close(crm_client, konsulent, order.id)
    assert _surveys(db) == [] and _requested(db) == []


def test_an_order_that_is_not_closed_asks_nobody(crm_client, konsulent, db, ordered):
    _, _, order = ordered
    _ok(crm_client.patch(f"/api/v1/orders/{order.id}", headers=konsulent, json={"positions": 2}))
    _ok(crm_client.post("/api/v1/placements", headers=konsulent, json={
        "company_id": order.company_id, "order_id": order.id, "candidate_ref": "K-1", "scheme": "ordinaer",
        "target_group": "a_dagpenge", "starts_on": date.today().isoformat()}), 201)  # partly filled: still open
    assert _surveys(db) == [] and _requested(db) == []


# -- answering from the link ----------------------------------------------------------------------

def test_one_click_answers_without_a_login_and_the_latest_answer_wins(crm_client, konsulent, db, ordered):
    _, _, order = ordered
    _close(crm_client, konsulent, order.id)
    token = _token(db)
    page = _ok(crm_client.get(f"/api/v1/public/satisfaction/{token}"))
    assert (page["company_name"], page["order_title"], page["score"]) == ("Slagelse Stål A/S", "Svejser", None)
    assert page["question"] == "Hvor tilfredse er I med jobcentrets hjælp til denne rekruttering?"
    assert list(page["choices"]) == ["1", "2", "3", "4", "5"]

    first = _ok(crm_client.post(f"/api/v1/public/satisfaction/{token}", json={"score": 2}))
    assert first["score"] == 2 and first["answered_at"]
    _ok(crm_client.post(f"/api/v1/public/satisfaction/{token}", json={"score": 4, "comment": "  Hurtig hjælp.  "}))
    # The same score again (a second click) keeps the comment; a new score drops it.
    again = _ok(crm_client.post(f"/api/v1/public/satisfaction/{token}", json={"score": 4}))
    assert (again["score"], again["comment"]) == (4, "Hurtig hjælp.")
    (survey,) = _surveys(db)
    db.refresh(survey)
    assert (survey.score, survey.comment, survey.answers) == (4, "Hurtig hjælp.", 3)
    changed = _ok(crm_client.post(f"/api/v1/public/satisfaction/{token}", json={"score": 5}))
    assert (changed["score"], changed["comment"]) == (5, None)


def test_a_bad_score_or_comment_is_a_danish_422(crm_client, konsulent, db, ordered):
    _close(crm_client, konsulent, ordered[2].id)
    token = _token(db)
    for body in ({"score": 0}, {"score": 6}, {}, {"score": 3, "comment": "x" * 2001}):
        res = crm_client.post(f"/api/v1/public/satisfaction/{token}", json=body)
        assert res.status_code == 422, body
        assert isinstance(res.json()["detail"], str)


def test_a_forged_or_foreign_link_answers_404(crm_client, konsulent, db, factories, ordered):
    _, contact, order = ordered
    _close(crm_client, konsulent, order.id)
    (survey,) = _surveys(db)
    token = _token(db)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other = factories.ContactFactory(company_id=order.company_id)
    for bad in (forged, "ikke-et-gyldigt-link", tokens.make_token(survey.id, order.id, other.id),
                tokens.make_token(survey.id, order.id + 1, contact.id)):
        res = crm_client.post(f"/api/v1/public/satisfaction/{bad}", json={"score": 5})
        assert res.status_code == 404, bad
        assert "ikke gyldigt" in res.json()["detail"]
    db.refresh(survey)
    assert survey.score is None


def test_a_link_expires_after_30_days(crm_client, konsulent, db, ordered, monkeypatch):
    _close(crm_client, konsulent, ordered[2].id)
    token = _token(db)
    (survey,) = _surveys(db)
    # The signature's own clock: a token signed 31 days ago is refused whatever the row says.
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 31 * 86400)
    old = tokens.make_token(survey.id, survey.order_id, survey.contact_id)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    res = crm_client.post(f"/api/v1/public/satisfaction/{old}", json={"score": 5})
    assert res.status_code == 410 and "udløbet" in res.json()["detail"]
    # And the row's: a survey sent 31 days ago answers no more, even with a fresh signature.
    survey.sent_at -= timedelta(days=31)
    survey.expires_at -= timedelta(days=31)
    db.add(survey)
    db.flush()
    assert crm_client.get(f"/api/v1/public/satisfaction/{token}").status_code == 410


# -- personal data ----------------------------------------------------------------------------------

def test_the_contact_s_answers_are_in_their_export_and_erased_with_them(crm_client, konsulent, db, ordered):
    company, contact, order = ordered
    _close(crm_client, konsulent, order.id)
    token = _token(db)
    _ok(crm_client.post(f"/api/v1/public/satisfaction/{token}", json={"score": 5, "comment": "Birthe er glad."}))
    export = _ok(crm_client.get(f"/api/v1/companies/{company.id}/contacts/{contact.id}/export", headers=konsulent))
    assert [(x["order_id"], x["score"], x["comment"]) for x in export["satisfaction"]] == [
        (order.id, 5, "Birthe er glad.")], "their answers are in their access request"
    _ok(crm_client.delete(f"/api/v1/companies/{company.id}/contacts/{contact.id}", headers=konsulent), 204)
    (survey,) = _surveys(db)
    db.refresh(survey)
    assert (survey.score, survey.comment, survey.contact_id) == (5, None, None), "the score stays, anonymous"
    assert crm_client.get(f"/api/v1/public/satisfaction/{token}").status_code == 404
    everything = repr([p for p in _requested(db)])
    assert "birthe@staal.dk" not in everything and "Birthe" not in everything


# -- the report -------------------------------------------------------------------------------------

def _answered(db, factories, company, score, at: datetime, comment=None, sent_at=None):
    order = factories.OrderFactory(company_id=company.id, status="besat")
    survey = SatisfactionSurvey(order_id=order.id, company_id=company.id, closed_status="besat",
                                sent_at=sent_at or at, expires_at=(sent_at or at) + timedelta(days=30), score=score,
                                comment=comment, answered_at=at if score else None, answers=1 if score else 0)
    db.add(survey)
    db.flush()
    return survey


def test_the_report_counts_answers_by_answer_date(crm_client, leder, db, factories):
    a = factories.CompanyFactory(name="Bager Hansen")
    b = factories.CompanyFactory(name="Korsør Fisk")
    march = datetime(2026, 3, 10, 12, tzinfo=UTC)
    _answered(db, factories, a, 5, march, "Rigtig god hjælp")
    _answered(db, factories, a, 4, march + timedelta(days=20))                      # 30 March
    _answered(db, factories, b, 2, datetime(2026, 4, 2, 9, tzinfo=UTC), "For langsomt")
    _answered(db, factories, b, None, datetime(2026, 4, 5, tzinfo=UTC))             # sent, never answered
    # Sent in February, answered in April: counted in April's answers, February's sending.
    _answered(db, factories, b, 5, datetime(2026, 4, 20, tzinfo=UTC), sent_at=datetime(2026, 2, 25, tzinfo=UTC))
    # Answered at 00:30 Danish time on 1 May: May, outside the period.
    _answered(db, factories, a, 1, datetime(2026, 4, 30, 22, 30, tzinfo=UTC))

    r = _ok(crm_client.get("/api/v1/reports/satisfaction", headers=leder,
                           params={"from": "2026-03-01", "to": "2026-04-30"}))
    assert (r["from"], r["to"]) == ("2026-03-01", "2026-04-30")
    assert (r["sent"], r["answered"]) == (4, 4)
    assert r["by_score"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert r["satisfied_share"] == pytest.approx(3 / 4)
    assert r["response_rate"] == pytest.approx(3 / 4)  # of the four sent in the period, three answered
    assert [(m["month"], m["sent"], m["answered"], m["satisfied_share"]) for m in r["by_month"]] == [
        ("2026-03", 2, 2, 1.0), ("2026-04", 2, 2, 0.5)]
    assert [(c["company"], c["score"], c["comment"]) for c in r["comments"]] == [
        ("Korsør Fisk", 2, "For langsomt"), ("Bager Hansen", 5, "Rigtig god hjælp")]

    res = crm_client.get("/api/v1/reports/satisfaction", headers={**leder, "Accept": "text/csv"},
                         params={"from": "2026-03-01", "to": "2026-04-30"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.text.lstrip("\ufeff"))))
    assert [(x["month"], x["answered"], x["satisfied_share"]) for x in rows] == [
        ("2026-03", "2", "1.0000"), ("2026-04", "2", "0.5000"), ("i alt", "4", "0.7500")]
    assert "For langsomt" not in res.text, "no comments (personal data) in the CSV"


def test_an_empty_period_has_no_share_rather_than_zero(crm_client, leder):
    r = _ok(crm_client.get("/api/v1/reports/satisfaction", headers=leder, params={"from": "2001-01-01",
                                                                                 "to": "2001-12-31"}))
    assert (r["sent"], r["answered"], r["satisfied_share"], r["response_rate"]) == (0, 0, None, None)
    assert len(r["by_month"]) == 12


def test_the_report_is_for_managers_and_a_company_sees_only_its_own_answers(crm_client, konsulent, login, db,
                                                                            factories):
    a = factories.CompanyFactory()
    b = factories.CompanyFactory()
    _answered(db, factories, a, 5, datetime(2026, 3, 1, tzinfo=UTC), "Tak for hjælpen")
    _answered(db, factories, b, 1, datetime(2026, 3, 1, tzinfo=UTC), "Hemmelig klage")
    assert crm_client.get("/api/v1/reports/satisfaction", headers=konsulent).status_code == 403
    _, portal = login("virksomhed", a)
    assert crm_client.get("/api/v1/reports/satisfaction", headers=portal).status_code == 403
    own = _ok(crm_client.get(f"/api/v1/companies/{a.id}/satisfaction", headers=portal))
    assert [(i["score"], i["comment"]) for i in own["items"]] == [(5, "Tak for hjælpen")]
    foreign = crm_client.get(f"/api/v1/companies/{b.id}/satisfaction", headers=portal)
    assert foreign.status_code == 404 and "Hemmelig" not in foreign.text
    staff = _ok(crm_client.get(f"/api/v1/companies/{b.id}/satisfaction", headers=konsulent))
    assert (staff["sent"], staff["answered"], staff["satisfied_share"]) == (1, 1, 0.0)
    assert crm_client.get("/api/v1/companies/999999/satisfaction", headers=konsulent).status_code == 404


def test_reading_comments_is_audited(crm_client, leder, db, factories):
    from shared.audit import AuditLog

    a = factories.CompanyFactory()
    s = _answered(db, factories, a, 3, datetime(2026, 3, 1, tzinfo=UTC), "Middel")
    _ok(crm_client.get("/api/v1/reports/satisfaction", headers=leder, params={"from": "2026-03-01",
                                                                             "to": "2026-03-31"}))
    entries = db.exec(select(AuditLog).where(AuditLog.entity == "satisfaction_comment")).all()
    assert [e.detail["survey_ids"] for e in entries] == [[s.id]]


# -- demo data ----------------------------------------------------------------------------------------

def test_the_demo_answers_about_40_percent_mostly_satisfied_and_mails_the_showcase_company(engine):
    from sqlalchemy import func
    from sqlmodel import Session

    from services.crm.demo.generator import generate
    from services.crm.demo.satisfaction import add_surveys
    from services.crm.demo.writers import writer_for
    from services.crm.orders.models import Order
    from services.crm.users.models import User
    from tests.crm.test_demo import AS_OF, TINY

    connection = engine.connect()
    outer = connection.begin()
    try:
        generate(writer_for(connection), TINY, seed=7, as_of=AS_OF, password_hash="x")
        counts = add_surveys(connection, 7, AS_OF)
        s = Session(bind=connection)
        surveys = s.exec(select(SatisfactionSurvey)).all()
        assert counts == {"satisfaction_survey": len(surveys)} and len(surveys) > 50
        closed = s.exec(select(func.count()).select_from(Order).where(
            Order.status.in_(["besat", "annulleret", "udloebet"]), Order.contact_id.is_not(None))).one()
        assert len(surveys) <= closed
        answered = [x for x in surveys if x.score is not None]
        assert 0.30 <= len(answered) / len(surveys) <= 0.50
        satisfied = sum(1 for x in answered if x.score >= 4) / len(answered)
        assert 0.90 <= satisfied <= 1.0
        assert any(x.comment for x in answered) and all(x.comment is None for x in surveys if x.score is None)
        # The company user's company has one survey sent now, its mail on its way through the outbox.
        showcase = s.exec(select(User.company_id).where(User.role == "virksomhed")).first()
        (event,) = s.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested")).all()
        validate(event.type, event.payload)
        assert event.payload["company_id"] == showcase
        live = s.get(SatisfactionSurvey, event.payload["survey_id"])
        assert live.score is None and tokens.read_token(event.payload["token"]).survey_id == live.id
        s.close()
    finally:
        outer.rollback()
        connection.close()


def test_the_demo_mails_the_demo_company_also_when_its_people_sign_in_with_mitid(engine):
    # `make run` loads the demo without passwords: no `virksomhed` user exists until the company's
    # person first signs in, and the showcase survey must still reach the demo company's inbox.
    from sqlmodel import Session

    from services.crm.companies.models import Company
    from services.crm.demo.generator import generate
    from services.crm.demo.satisfaction import add_surveys
    from services.crm.demo.users import DEMO_COMPANY_NAME
    from services.crm.demo.writers import writer_for
    from services.crm.users.models import User
    from tests.crm.test_demo import AS_OF, TINY

    connection = engine.connect()
    outer = connection.begin()
    try:
        generate(writer_for(connection), TINY, seed=7, as_of=AS_OF, passwords=False)
        add_surveys(connection, 7, AS_OF)
        s = Session(bind=connection)
        assert s.exec(select(User).where(User.role == "virksomhed")).first() is None
        demo_company = s.exec(select(Company.id).where(Company.name == DEMO_COMPANY_NAME)).one()
        (event,) = s.exec(select(OutboxEvent).where(OutboxEvent.type == "survey.requested")).all()
        assert event.payload["company_id"] == demo_company
        s.close()
    finally:
        outer.rollback()
        connection.close()


@pytest.mark.redis
def test_the_closing_s_events_are_pushed_right_after_its_one_commit(committed, engine, redis_conn):
    """The survey adds to the closing transaction without a savepoint of its own: a savepoint
    would run the after-commit push inside the open transaction (SQLite: waiting 30 s for its own
    write lock; PostgreSQL: pushing nothing and leaving the events to the relay)."""
    from sqlmodel import Session

    from services.crm.companies.models import Company, Contact
    from services.crm.orders.models import Order
    from services.crm.orders.schemas import StatusChange
    from services.crm.orders.service import change_status
    from shared.auth import Principal
    from shared.events import install_after_commit_flush, stream
    from shared.glossary import Role
    from shared.redis_client import get_redis

    install_after_commit_flush(get_redis)
    with Session(engine, expire_on_commit=False) as s:
        company = Company(cvr="13585628", name="Slagelse Stål A/S", sector="privat", postcode="4200")
        s.add(company)
        s.flush()
        contact = Contact(company_id=company.id, name="Birthe", email="birthe@staal.dk")
        s.add(contact)
        s.flush()
        order = Order(company_id=company.id, title="Svejser", scheme="ordinaer", positions=1, postcode="4200",
                      received_via="hotline", received_on=date.today(), contact_id=contact.id, status="i_gang")
        s.add(order)
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        started = datetime.now(UTC)
        change_status(s, Principal(1, "k@jobbro.dk", Role.konsulent), order.id, StatusChange(status="besat"))
        assert datetime.now(UTC) - started < timedelta(seconds=10)
    with Session(engine) as s:
        rows = s.exec(select(OutboxEvent).where(OutboxEvent.type.in_(["order.status_changed", "survey.requested"]))
                      ).all()
        assert sorted(r.type for r in rows) == ["order.status_changed", "survey.requested"]
        assert all(r.published_at is not None for r in rows), "pushed after the commit, not left to the relay"
    assert {f[b"type"] for _, f in redis_conn.xrange(stream())} >= {b"order.status_changed", b"survey.requested"}

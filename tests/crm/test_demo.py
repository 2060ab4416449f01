"""The demo municipality: generated once for this module into the test database (rolled back), its
figures must land in the seeds' ranges; the generator is deterministic and `--if-empty` is safe."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from stdnum.dk import cvr as stdnum_cvr

from services.crm.demo import danish
from services.crm.demo.generator import NORMAL, generate
from services.crm.demo.users import DEMO_COMPANY_NAME, DEMO_PASSWORD, DEMO_USERS
from services.crm.demo.writers import MemoryWriter, writer_for

AS_OF = date(2026, 11, 23)
TINY = replace(NORMAL, name="tiny", companies=150, partner_companies=60, activities_per_year=300,
               order_companies_per_year=20, directed_per_year=100, ordinary_per_year=30, fleksjob_per_year=10,
               igu_per_year=2, years=3)


@pytest.fixture(scope="module")
def demo(engine):
    connection = engine.connect()
    outer = connection.begin()
    counts = generate(writer_for(connection), NORMAL, seed=2019, as_of=AS_OF)
    try:
        yield connection, counts
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture(scope="module")
def client(demo):
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from services.crm.main import app
    from shared.db import get_session

    connection, _ = demo
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    def _session():
        yield session

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as c:
        yield c
    app.dependency_overrides.clear()
    session.close()


def token(client, email):
    res = client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def scalar(connection, stmt):
    return connection.execute(stmt).scalar_one()


def test_the_municipality_has_the_seeds_volumes(demo):
    from services.crm.models import Activity, Campaign, Company, Contact, Partnership, Placement

    connection, counts = demo
    employing = scalar(connection, select(func.count()).select_from(Company).where(Company.employees >= 1))
    assert 1_100 <= employing <= 1_300
    assert counts["company"] == NORMAL.companies
    for year in (2019, 2023):
        per_channel = dict(connection.execute(
            select(Activity.channel, func.count())
            .where(Activity.occurred_at >= datetime(year, 1, 1, tzinfo=UTC),
                   Activity.occurred_at < datetime(year + 1, 1, 1, tzinfo=UTC))
            .group_by(Activity.channel)).all())
        assert 3_000 <= sum(per_channel.values()) <= 4_000
        assert 1_500 <= per_channel["telefon"] <= 2_100 and 900 <= per_channel["besoeg"] <= 1_300
        assert set(per_channel) == {"telefon", "besoeg", "email", "moede", "video", "arrangement"}
    schemes = set(connection.execute(select(Placement.scheme).distinct()).scalars())
    assert schemes == {"ordinaer", "virksomhedspraktik", "loentilskud", "igu", "fleksjob", "voksenlaerling",
                       "jobrotation", "nytteindsats", "skaanejob"}
    consenting = scalar(connection, select(func.count()).select_from(Contact).where(Contact.newsletter_consent))
    unsubscribed = scalar(connection, select(func.count()).select_from(Contact).where(Contact.unsubscribed_at.is_not(None)))
    assert 0 < consenting < counts["contact"] and unsubscribed > 0
    visit_campaigns = scalar(connection, select(func.count()).select_from(Campaign).where(Campaign.kind == "besoegskampagne"))
    assert visit_campaigns == 10
    renewals = scalar(connection, select(func.count()).select_from(Partnership).where(Partnership.renews_id.is_not(None)))
    assert renewals > 100


def test_companies_have_valid_unique_cvrs_and_local_postcodes(demo):
    from services.crm.models import Company

    connection, _ = demo
    rows = connection.execute(select(Company.cvr, Company.postcode, Company.municipality_code, Company.name)).all()
    cvrs = [r.cvr for r in rows]
    assert len(set(cvrs)) == len(cvrs) and all(stdnum_cvr.is_valid(c) for c in cvrs)
    assert {r.postcode for r in rows} <= {p for p, *_ in danish.POSTCODES}
    assert {r.municipality_code for r in rows} == {330}
    assert DEMO_COMPANY_NAME in {r.name for r in rows}


def test_no_open_order_is_past_its_deadline_so_the_first_start_expires_and_surveys_nothing(demo):
    # The daily job expires an open order the day after its deadline and mails the company a
    # satisfaction survey; demo orders left open past it all closed on the first start of `make
    # run`, mailing companies about orders years old and halving the response rate on the dashboard.
    from services.crm.orders.lifecycle import OPEN
    from services.crm.orders.models import Order

    connection, _ = demo
    stale = scalar(connection, select(func.count()).select_from(Order).where(
        Order.status.in_([s.value for s in OPEN]), Order.deadline < AS_OF))
    assert stale == 0
    partly_expired = scalar(connection, select(func.count()).select_from(Order).where(
        Order.status == "udloebet", Order.positions_filled > 0))
    assert partly_expired > 0  # an expired order keeps the positions it did fill


def test_2019_figures_land_in_the_seeds_ranges(client):
    leder = token(client, "leder@jobbro.dk")
    k = client.get("/api/v1/kpi", params={"from": "2019-01-01", "to": "2019-12-31"}, headers=leder).json()
    assert 120 <= k["orders"]["companies"] <= 170  # Slagelse 2019: 145
    assert 0.12 <= k["orders"]["repeat_company_share"] <= 0.3  # 21 %
    assert 220 <= k["orders"]["positions"] <= 330  # 276
    assert 0.35 <= k["orders"]["fill_rate"] <= 0.55  # 45 %
    assert 300 <= k["partnership"]["active_agreements"] <= 400  # ~350
    assert k["partnership"]["placement_share"] > 0.4 and k["partnership"]["recruitment_share"] > 0.3
    assert 0.35 <= k["cooperation_rate"] <= 0.6  # ~45 %
    assert 0.8 <= k["local_share"] <= 0.97  # ~90 %
    assert 3_000 <= sum(k["activities"].values()) <= 4_000


def test_reports_look_like_the_seeds_tables(client):
    leder = token(client, "leder@jobbro.dk")
    rows = client.get("/api/v1/reports/placements", headers=leder, params={
        "from": "2019-05", "to": "2019-10", "schemes": "loentilskud,virksomhedspraktik", "target_group": "integration",
    }).json()["rows"]
    by = {(r["month"], r["sector"], r["scheme"]): r["count"] for r in rows}
    for month in ("2019-05", "2019-06", "2019-07", "2019-08", "2019-09", "2019-10"):
        assert 30 <= by[(month, "privat", "loentilskud")] <= 70  # seed 002: 44-56
        assert 15 <= by[(month, "privat", "virksomhedspraktik")] <= 45  # 23-30
        assert by.get((month, "kommunal", "loentilskud"), 0) == 0
        assert by.get((month, "kommunal", "virksomhedspraktik"), 0) <= 10  # 3-5
    fleks = client.get("/api/v1/reports/fleksjob-hours", params={"from": "2022-01", "to": "2023-06"},
                       headers=leder).json()["rows"]
    assert len(fleks) == 18
    for row in fleks:  # seed 001: ~550 people, ~22 % up, ~15 % down
        assert 400 <= row["total"] <= 800 and row["op"] + row["ned"] + row["uaendret"] == row["total"]
        assert 0.12 <= row["op"] / row["total"] <= 0.32 and 0.07 <= row["ned"] / row["total"] <= 0.22
    igu = client.get("/api/v1/reports/igu", params={"to": "2019-11-01"}, headers=leder).json()
    assert 10 <= igu["established"] <= 40 and igu["stopped_early"] > igu["completed"]  # seed: 24, 16 > 4
    assert igu["established"] == igu["completed"] + igu["ongoing"] + igu["stopped_early"]


def test_demo_logins_work_and_the_company_user_sees_its_company(client):
    for user in DEMO_USERS:
        token(client, user.email)
    own = client.get("/api/v1/companies", headers=token(client, "virksomhed@jobbro.dk")).json()
    assert [c["name"] for c in own["items"]] == [DEMO_COMPANY_NAME]
    konsulent = token(client, "konsulent@jobbro.dk")
    timeline = client.get(f"/api/v1/companies/{own['items'][0]['id']}/timeline", headers=konsulent).json()
    assert {"aktivitet", "ordre", "partnerskab", "placering_start"} <= {e["kind"] for e in timeline["items"]}


def _digest(writer: MemoryWriter) -> str:
    h = hashlib.sha256()
    for table in sorted(writer.tables):
        for row in writer.tables[table]:
            h.update(repr((table, row)).encode())
    return h.hexdigest()


def test_the_demo_consultants_day_has_tasks_coming_and_a_handful_overdue_from_the_last_weeks(client):
    """Min dag as a real consultant's: nothing left open since years back (issue 11)."""
    from datetime import timedelta

    konsulent = token(client, "konsulent@jobbro.dk")
    me = client.get("/api/v1/users/me", headers=konsulent).json()
    page = client.get("/api/v1/tasks", headers=konsulent,
                      params={"consultant_id": me["id"], "limit": 200}).json()
    due = [date.fromisoformat(t["follow_up_on"]) for t in page["items"]]
    assert page["total"] == len(due) and due
    overdue = [d for d in due if d < AS_OF]
    coming = [d for d in due if AS_OF <= d <= AS_OF + timedelta(days=14)]
    assert min(due) >= AS_OF - timedelta(days=21), f"open since {min(due)}"
    assert 1 <= len(overdue) <= 15 and coming


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    runs = []
    for seed in (7, 7, 8):
        writer = MemoryWriter()
        generate(writer, TINY, seed=seed, as_of=AS_OF, password_hash="x")
        runs.append(_digest(writer))
    assert runs[0] == runs[1] != runs[2]


def test_loading_into_a_database_with_companies_is_refused_or_skipped_with_if_empty():
    from services.crm.demo.centres import CENTRES
    from services.crm.demo.cli import load
    from shared import cli
    from shared.db import make_engine

    path = os.path.join(tempfile.mkdtemp(prefix="jobbro-demo-"), "demo.sqlite3")
    url = f"sqlite:///{path}"
    cli.migrate("crm", database_url=url, configure_logger=False)
    engine = make_engine(url)
    try:
        out = io.StringIO()
        started = time.perf_counter()
        counts = load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=True, out=out)
        assert time.perf_counter() - started < 60  # normal size on SQLite: well under a minute
        # The generator's companies and the two company centres' (services/crm/demo/centres.py).
        companies = NORMAL.companies + len(CENTRES)
        assert counts["company"] == companies and "konsulent@jobbro.dk" in out.getvalue()
        assert load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=True, out=out) is None
        with pytest.raises(SystemExit):
            load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=False, out=out)
        from services.crm.models import Company

        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Company)).scalar_one() == companies
    finally:
        engine.dispose()

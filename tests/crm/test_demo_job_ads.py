"""The demo's published orders: after loading the demo, the public job-ad API lists them (as `/job` does)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.crm.demo.generator import NORMAL, generate
from services.crm.demo.job_ads import LIMIT, publish_demo_job_ads
from services.crm.demo.writers import writer_for
from services.crm.orders.lifecycle import OPEN, today

SMALL = replace(NORMAL, name="small", companies=200, partner_companies=80, activities_per_year=300,
                order_companies_per_year=60, directed_per_year=100, ordinary_per_year=30, fleksjob_per_year=10,
                igu_per_year=2, years=2)


@pytest.fixture
def loaded(engine):
    connection = engine.connect()
    outer = connection.begin()
    counts = generate(writer_for(connection), SMALL, seed=2019, as_of=today())
    counts.update(publish_demo_job_ads(connection, today()))
    try:
        yield connection, counts
    finally:
        outer.rollback()
        connection.close()


def test_the_demo_publishes_its_newest_open_orders_and_the_public_api_lists_them(loaded):
    from fastapi.testclient import TestClient
    from sqlmodel import Session, SQLModel

    from services.crm.main import app
    from shared.db import get_session

    connection, counts = loaded
    assert 0 < counts["job_ad"] <= LIMIT
    orders, ads = SQLModel.metadata.tables["recruitment_order"], SQLModel.metadata.tables["job_ad"]
    rows = connection.execute(select(orders.c.status, orders.c.deadline, ads.c.city, ads.c.published_at)
                              .join(ads, ads.c.order_id == orders.c.id)).all()
    assert all(status in {s.value for s in OPEN} and deadline >= today() and city for status, deadline, city, _ in rows)
    now = datetime.now(UTC)
    assert all((p if p.tzinfo else p.replace(tzinfo=UTC)) <= now for *_, p in rows)  # nothing posted in the future

    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    app.dependency_overrides[get_session] = lambda: session
    try:
        with TestClient(app) as client:
            listed = client.get("/api/v1/public/job-ads").json()
            assert listed["total"] == counts["job_ad"]
            named = [ad for ad in listed["items"] if ad["employer_name"]]
            assert 0 < len(named) < listed["total"] or listed["total"] == 1
            # every demo ad's page would carry valid JSON-LD (the web front builds it from this answer)
            from services.web.public.job_feed import job_posting
            from shared.settings import get_settings
            from tests.web.schemaorg import google_problems, schemaorg_problems

            for ad in listed["items"]:
                posting = job_posting(ad, get_settings())
                assert schemaorg_problems(posting) == [] and google_problems(posting) == [], ad
    finally:
        app.dependency_overrides.clear()
        session.close()

"""The demo's company centres: two companies, 25 fixed places, realistically occupied, never
double-booked, every placement within its scheme's rules, and the places announced to matching."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from services.crm.centres import occupancy
from services.crm.centres.models import CentreAgreement, CentrePlaces
from services.crm.centres.service import occupancy_report
from services.crm.companies.models import Company
from services.crm.demo import centres as demo_centres
from services.crm.placements.models import Placement
from services.crm.placements.service import Figures, rule_breaches
from shared.event_contracts import validate
from shared.events import OutboxEvent

AS_OF = date(2026, 11, 23)


def test_two_centres_with_25_places_occupied_like_a_real_year(db, factories):
    factories.UserFactory(email="konsulent@jobbro.dk", role="konsulent")
    counts = demo_centres.load(db.connection(), seed=2019, as_of=AS_OF)
    assert counts["centre_agreement"] == 2 and counts["placement"] > 100
    session: Session = db
    agreements = session.exec(select(CentreAgreement)).all()
    names = {session.get(Company, a.company_id).name for a in agreements}
    assert names == {"Bisca A/S", "ATP"}
    places = session.exec(select(CentrePlaces)).all()
    assert sum(p.places for p in places) == 25

    for a in agreements:
        company = session.get(Company, a.company_id)
        for p in [p for p in places if p.agreement_id == a.id]:
            rows = session.exec(select(Placement).where(Placement.centre_id == a.id,
                                                         Placement.scheme == p.scheme)).all()
            # Never more interns than places on any day.
            assert occupancy.peak(rows, a.starts_on, None) <= p.places
            for pl in rows:  # the scheme's maximum duration for the target group holds
                assert not rule_breaches(session, Figures(company, pl.scheme, pl.target_group, pl.starts_on,
                                                          pl.ends_on, pl.candidate_birth_year),
                                         exclude_id=pl.id, rules=frozenset({"duration"}))

    report = occupancy_report(session, "2025-12", "2026-11")
    for total in report.totals:
        assert 0.6 <= total.occupancy <= 0.95, total
    free_today = sum(p.places for p in places) - sum(
        occupancy.count_on(session.exec(select(Placement).where(Placement.centre_id == a.id)).all(), AS_OF)
        for a in agreements)
    assert 1 <= free_today <= 10, "some places free for the consultants to reserve"
    upcoming = session.exec(select(Placement).where(Placement.centre_id.is_not(None),
                                                    Placement.starts_on > AS_OF)).all()
    assert upcoming and all(p.starts_on <= AS_OF + timedelta(weeks=7) for p in upcoming)

    events = session.exec(select(OutboxEvent).where(OutboxEvent.type == "centre.places_changed")).all()
    assert len(events) == 2
    for e in events:
        validate("centre.places_changed", e.payload)


def test_an_existing_demo_gets_its_centres_once():
    """`make run` on a demo loaded before company centres existed adds them (and only once)."""
    import io
    import os
    import tempfile

    from sqlalchemy import func
    from sqlalchemy import select as sa_select

    from services.crm.demo.cli import load
    from services.crm.demo.generator import NORMAL
    from shared import cli
    from shared.db import make_engine

    url = f"sqlite:///{os.path.join(tempfile.mkdtemp(prefix='jobbro-demo-'), 'demo.sqlite3')}"
    cli.migrate("crm", database_url=url, configure_logger=False)
    engine = make_engine(url)
    try:
        load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=True, out=io.StringIO())
        with engine.begin() as conn:  # as a demo from before: no centres
            conn.execute(Placement.__table__.delete().where(Placement.__table__.c.centre_id.is_not(None)))
            conn.execute(CentrePlaces.__table__.delete())
            conn.execute(CentreAgreement.__table__.delete())
        out = io.StringIO()
        assert load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=True, out=out) is None
        assert "company centres added" in out.getvalue()
        load(engine, NORMAL, seed=1, as_of=AS_OF, if_empty=True, out=io.StringIO())
        with engine.connect() as conn:
            assert conn.execute(sa_select(func.count()).select_from(CentreAgreement.__table__)).scalar_one() == 2
    finally:
        engine.dispose()

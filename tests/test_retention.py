"""Retention runs in the worker's morning round: an idle job seeker is erased (and pseudonymised in
crm) as the system, a recent one kept; an idle contact without consent is erased, others kept."""

from __future__ import annotations

import json
from types import SimpleNamespace

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text


@pytest.mark.redis
def test_the_morning_round_erases_idle_job_seekers_and_contacts(committed, engine, redis_conn, monkeypatch):
    from services.matching.candidates.models import Candidate
    from services.crm import daily as crm_daily
    from services.matching import daily as matching_daily
    from shared.settings import get_settings
    from tests import factories

    settings = get_settings()
    now = datetime.now(UTC)
    idle_since = now - timedelta(days=settings.matching_candidate_retention_days + 1)
    factories.bind(committed)
    committed.add(Candidate(candidate_ref="GAMMEL-1", cv_text="Lager", updated_at=idle_since, created_at=idle_since))
    committed.add(Candidate(candidate_ref="NY-1", cv_text="Lager", updated_at=now - timedelta(days=30)))
    company = factories.CompanyFactory()
    factories.PlacementFactory(company_id=company.id, candidate_ref="GAMMEL-1")
    factories.PlacementFactory(company_id=company.id, candidate_ref="NY-1")
    old = now - timedelta(days=settings.crm_contact_retention_days + 1)
    idle_contact = factories.ContactFactory(company_id=company.id, newsletter_consent=False, updated_at=old).id
    kept_contact = factories.ContactFactory(company_id=company.id, newsletter_consent=True, updated_at=old).id
    committed.commit()
    # Only retention is under test here; the other morning tasks have their own tests.
    for name in [n for n in crm_daily.TASKS if not n.startswith("retention")]:
        monkeypatch.setitem(crm_daily.TASKS, name, lambda session, day: [])

    tz = ZoneInfo(settings.jobbro_timezone)
    today_7 = datetime.now(tz).replace(hour=7, minute=0)
    # Each service runs its own round: matching erases job seekers, crm contact persons.
    result = matching_daily.run_due(engine, redis_conn, now=today_7) | crm_daily.run_due(engine, redis_conn, now=today_7)
    assert {"retention_candidates", "retention_contacts"} <= set(result)
    # crm pseudonymises its rows when it consumes matching's `candidate.erased`.
    from sqlmodel import Session

    from tests.conftest import deliver_events

    with Session(engine) as s:
        assert "candidate.erased" in deliver_events(s)
        s.commit()
    with engine.connect() as conn:
        refs = set(conn.execute(text("SELECT candidate_ref FROM matching_candidate")).scalars())
        placed = set(conn.execute(text("SELECT candidate_ref FROM placement")).scalars())
        contacts = set(conn.execute(text("SELECT id FROM contact")).scalars())
        audit = conn.execute(text("SELECT service, action, entity_id, actor_id, detail FROM audit_log "
                                  "WHERE action IN ('erase', 'pseudonymise') ORDER BY id")).all()
    assert refs == {"NY-1"}
    assert "GAMMEL-1" not in placed and "NY-1" in placed and len(placed) == 2
    assert any(r.startswith("slettet-") for r in placed)
    assert contacts == {kept_contact}
    # Raw SQL gives JSON back as text on SQLite.
    audit = [a._asdict() | {"detail": json.loads(a.detail) if isinstance(a.detail, str) else a.detail} for a in audit]
    by = {(a["service"], a["action"], a["entity_id"]): SimpleNamespace(**a) for a in audit}
    erase = by[("matching", "erase", "GAMMEL-1")]
    assert erase.actor_id is None and erase.detail["reason"].startswith("retention")
    assert by[("crm", "pseudonymise", "GAMMEL-1")].actor_id is None  # the system, as the event says
    assert by[("crm", "erase", str(idle_contact))].actor_id is None
    # Once a day: a second check the same day erases nothing more and runs nothing.
    assert matching_daily.run_due(engine, redis_conn, now=today_7 + timedelta(hours=2)) == {}
    assert crm_daily.run_due(engine, redis_conn, now=today_7 + timedelta(hours=2)) == {}

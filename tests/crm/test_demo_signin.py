"""The demo without passwords (issue 13): staff and companies sign in through the dev providers,
and the dev MitID Erhverv broker offers a person at every demo company."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import date

from services.crm.demo.generator import NORMAL, generate
from services.crm.demo.users import DEMO_COMPANY_NAME
from services.crm.demo.writers import MemoryWriter

TINY = replace(NORMAL, name="tiny", companies=150, partner_companies=60, activities_per_year=300,
               order_companies_per_year=20, directed_per_year=100, ordinary_per_year=30, fleksjob_per_year=10,
               igu_per_year=2, years=3)
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"


def test_no_demo_user_has_a_password_and_the_company_people_come_from_the_broker():
    writer = MemoryWriter()
    generate(writer, TINY, seed=3, as_of=date(2026, 11, 23), passwords=False)
    users = writer.tables["app_user"]
    assert users and all(row[2] is None for row in users)
    assert "virksomhed" not in {row[4] for row in users}
    with_passwords = MemoryWriter()
    generate(with_passwords, TINY, seed=3, as_of=date(2026, 11, 23), password_hash="x")
    assert {row[2] for row in with_passwords.tables["app_user"]} == {"x"}


def test_the_dev_broker_gets_a_person_per_demo_company():
    from sqlalchemy import func, select

    from services.crm.companies.models import Company
    from services.crm.demo.cli import load
    from services.crm.demo.identities import identities
    from shared import cli
    from shared.db import make_engine

    url = f"sqlite:///{os.path.join(tempfile.mkdtemp(prefix='jobbro-demo-'), 'demo.sqlite3')}"
    cli.migrate("crm", database_url=url, configure_logger=False)
    engine = make_engine(url)
    try:
        load(engine, TINY, 3, date(2026, 11, 23), if_empty=False, passwords=False)
        people = identities(engine)
        with engine.connect() as conn:
            companies = conn.execute(select(func.count()).select_from(Company.__table__)).scalar_one()
            cvrs = set(conn.execute(select(Company.cvr)).scalars())
    finally:
        engine.dispose()
    assert len(people) == companies
    assert {p["claims"][CVR] for p in people} == cvrs
    assert people[0]["label"].startswith("Jørgen Bech – " + DEMO_COMPANY_NAME) and "in_list" not in people[0]
    assert all(p["in_list"] for p in people[1:])
    assert len({p["claims"]["https://data.gov.dk/model/core/eid/professional/uuid/persistent"] for p in people}) == len(people)

"""`python -m services.crm demo-identities --out FILE`: the dev broker's company persons, one per demo company.

The development MitID Erhverv broker (infra/oidc-dev) offers these on its login page, so a newcomer
can sign in "with MitID Erhverv" as a person at any demo company, exactly as a company would: the
CVR claim decides the company. The person is the company's first contact (demo data), never a CPR.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from services.crm.demo.users import DEMO_COMPANY_NAME, DEMO_USERS

CLAIMS = {
    "cvr": "https://data.gov.dk/model/core/eid/professional/cvr",
    "org_name": "https://data.gov.dk/model/core/eid/professional/orgName",
    "full_name": "https://data.gov.dk/model/core/eid/fullName",
    "email": "https://data.gov.dk/model/core/eid/email",
    "person": "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
    "loa": "https://data.gov.dk/concept/core/nsis/loa",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo-identities", help="write the dev MitID Erhverv broker's persons, one per demo company")
    p.add_argument("--out", type=Path, required=True)


def identities(engine: Engine) -> list[dict]:
    from services.crm.companies.models import Company, Contact

    showcase_person = next(u.full_name for u in DEMO_USERS if u.role == "virksomhed").split(" (")[0]
    with engine.connect() as conn:
        companies = conn.execute(select(Company.id, Company.cvr, Company.name).order_by(Company.name)).all()
        first_contact: dict[int, tuple[str, str | None]] = {}
        for company_id, name, email in conn.execute(
                select(Contact.company_id, Contact.name, Contact.email).order_by(Contact.company_id, Contact.id)):
            first_contact.setdefault(company_id, (name, email))
    people = []
    for company_id, cvr, company_name in companies:
        showcase = company_name == DEMO_COMPANY_NAME
        name, email = first_contact.get(company_id, (f"Medarbejder i {company_name}", None))
        if showcase:
            # The person the README has always named for the demo company's portal.
            name, email = showcase_person, next(u.email for u in DEMO_USERS if u.role == "virksomhed")
        claims = {
            "name": name, CLAIMS["cvr"]: cvr, CLAIMS["org_name"]: company_name, CLAIMS["full_name"]: name,
            CLAIMS["person"]: f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'jobbro-demo:{cvr}:{name}')}",
            CLAIMS["loa"]: "Substantial",
        }
        if email:
            claims[CLAIMS["email"]] = email
        people.append({"id": f"demo-{cvr}", "label": f"{name} – {company_name} (CVR {cvr})", "claims": claims,
                       **({} if showcase else {"in_list": True})})
    people.sort(key=lambda p: "in_list" in p)  # the showcase company's person first, as a button
    return people


def run(args: argparse.Namespace) -> None:
    from shared.db import get_engine

    people = identities(get_engine())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"company": people}, ensure_ascii=False))
    print(f"Dev MitID Erhverv broker: {len(people)} company persons written to {args.out}")

"""`python -m services.crm demo [--size normal|large] [--if-empty] [--seed N] [--as-of YYYY-MM-DD]`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from services.crm.demo.announce import announce_open_orders
from services.crm.demo import centres as centres_demo
from services.crm.demo.generator import PROFILES, Profile, generate
from services.crm.demo.job_ads import publish_demo_job_ads
from services.crm.demo.satisfaction import add_surveys
from services.crm.demo.users import DEMO_PASSWORD, DEMO_USERS
from services.crm.demo.writers import writer_for


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="load demo data (a Danish municipality's history) into an empty database")
    p.add_argument("--size", choices=sorted(PROFILES), default="normal",
                   help="normal: Slagelse-sized; large: 50,000 companies and ten years for benchmarks")
    p.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) when companies exist")
    p.add_argument("--seed", type=int, default=2019, help="same seed and --as-of give the same data")
    p.add_argument("--as-of", type=date.fromisoformat, default=None, help="last day of the history (default today)")
    p.add_argument("--with-passwords", action="store_true",
                   help=f"give the demo users the password {DEMO_PASSWORD} (benchmarks, soak); by default they "
                        "sign in with MitID Erhverv or the municipality's login (infra/oidc-dev)")


def has_companies(engine: Engine) -> bool:
    from services.crm.companies.models import Company

    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(Company.__table__)).scalar_one())


def load(engine: Engine, profile: Profile, seed: int, as_of: date | None, if_empty: bool, out=sys.stdout,
         passwords: bool = True) -> dict | None:
    """Generate into `engine` in one transaction. None when skipped because data exists."""
    if has_companies(engine):
        if if_empty:
            if centres_demo.missing(engine):  # a demo loaded before company centres existed
                with engine.begin() as conn:
                    centres_demo.load(conn, seed, as_of or date.today())
                print("Demo data: company centres added to the existing demo.", file=out)
            print("Demo data: the database already has companies; nothing loaded.", file=out)
            print_logins(out, passwords)
            return None
        raise SystemExit("Demo data needs an empty database (companies exist). Use --if-empty to skip quietly.")
    started = time.perf_counter()
    with engine.begin() as conn:
        counts = generate(writer_for(conn), profile, seed, as_of, passwords=passwords)
        counts.update(publish_demo_job_ads(conn, as_of))
        counts["order events for matching"] = announce_open_orders(conn)
        counts.update(centres_demo.load(conn, seed, as_of or date.today()))  # issue 14: company centres
        counts.update(add_surveys(conn, seed, as_of or date.today()))
    seconds = time.perf_counter() - started
    print(f"Demo data ({profile.name}, seed {seed}) loaded in {seconds:.1f} s: "
          + ", ".join(f"{n:,} {t}" for t, n in counts.items()), file=out)
    print_logins(out, passwords)
    return dict(counts)


def print_logins(out=sys.stdout, passwords: bool = True) -> None:
    if passwords:
        print(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(u.email for u in DEMO_USERS), file=out)
    else:
        print("Demo logins: 'Log ind med MitID Erhverv' (a person per demo company) and the municipality's login "
              "(" + ", ".join(u.email for u in DEMO_USERS if u.role != "virksomhed") + "); no passwords.", file=out)


def run(args: argparse.Namespace) -> None:
    from shared.db import get_engine

    load(get_engine(), PROFILES[args.size], args.seed, args.as_of, args.if_empty, passwords=args.with_passwords)

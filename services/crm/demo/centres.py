"""Demo company centres (virksomhedscentre): two companies keep 25 fixed places between them, as
the seed's municipality has (seed 004, section 5.2: Bisca A/S and ATP), with interns rotating
through them for the last two years and a few reserved ahead.

Each place is walked from the agreement's start: a short vacancy, then a placement whose length
keeps the scheme's maximum for its target group (shared/rules), and so on until a few weeks after
`as_of`; so a place is never double-booked, the occupancy lands around 80 % and some places are
free today. Written through the ORM on the demo's connection, in its transaction; the places are
announced with `centre.places_changed` (outbox), so matching opens the standing vacancies when
the crm worker relays them.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from services.crm.centres.models import CentreAgreement, CentrePlaces
from services.crm.centres.publish import publish_places_changed
from services.crm.companies.models import Company, Contact
from services.crm.demo import danish as dk
from services.crm.placements.models import Placement
from services.crm.users.models import User

# Target group -> (weight, longest praktik in weeks for the group, shared/rules/scheme_rules.yaml).
PRAKTIK_GROUPS = {"kontanthjaelp_aktivitetsparat": (45, 13), "sygedagpenge": (20, 13), "integration": (15, 13),
                  "kontanthjaelp_jobparat": (10, 4), "a_dagpenge": (10, 4)}


@dataclass(frozen=True)
class CentreSpec:
    company: str
    industry_code: str
    employees: int
    postcode: str
    name: str
    title: str
    description: str
    mentor: str
    places: dict[str, int]
    target_groups: tuple[str, ...]


CENTRES = (
    CentreSpec(
        "Bisca A/S", "107200", 230, "4200", "Bisca virksomhedscenter", "Produktion, pakning og lager",
        "Pakning af kager og kiks ved linjen, plukning og pakning af varer på lageret, rengøring af "
        "produktionsudstyr og betjening af gaffeltruck efter oplæring. Fast mentor på hvert hold.",
        "Hanne Bisgaard", {"virksomhedspraktik": 12, "loentilskud": 2},
        ("kontanthjaelp_aktivitetsparat", "sygedagpenge", "integration", "kontanthjaelp_jobparat", "a_dagpenge")),
    CentreSpec(
        "ATP", "653000", 420, "4200", "ATP virksomhedscenter", "Kontor, scanning og service",
        "Scanning og registrering af post, arkivering, kundeservice i telefon og enkel sagsbehandling; "
        "kantine og service. Skånsomme opgaver og fleksibel start.",
        "Jesper Aagaard", {"virksomhedspraktik": 10, "loentilskud": 1},
        ("kontanthjaelp_aktivitetsparat", "sygedagpenge", "kontanthjaelp_jobparat", "a_dagpenge")),
)
assert sum(sum(c.places.values()) for c in CENTRES) == 25


def _cvr(rng: random.Random, used: set[str]) -> str:
    while True:
        body = str(rng.randrange(1_000_000, 9_999_999))
        check = (-sum(int(c) * w for c, w in zip(body, (2, 7, 6, 5, 4, 3, 2), strict=True))) % 11
        if check != 10 and body + str(check) not in used:
            return body + str(check)


class _Walk:
    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.horizon = as_of + timedelta(weeks=6)  # reservations made ahead
        self.next_ref = 1

    def ref(self) -> str:
        ref = f"K-C{self.next_ref:06d}"
        self.next_ref += 1
        return ref

    def stint(self, scheme: str, groups: tuple[str, ...]) -> tuple[str, int]:
        """(target group, days) of one placement on a place."""
        if scheme == "loentilskud":  # private employer: up to 6 months
            return "a_dagpenge", self.rng.randint(90, 178)
        allowed = [g for g in PRAKTIK_GROUPS if g in groups]
        group = self.rng.choices(allowed, [PRAKTIK_GROUPS[g][0] for g in allowed])[0]
        weeks = PRAKTIK_GROUPS[group][1]
        return group, self.rng.randint(min(3, weeks), weeks) * 7

    def place(self, starts_on: date, scheme: str, groups: tuple[str, ...]):
        """The placements on one place from `starts_on`: (group, start, end, outcome)."""
        day = starts_on + timedelta(days=self.rng.randint(0, 20))
        while day <= self.horizon:
            group, days = self.stint(scheme, groups)
            end = day + timedelta(days=days - 1)
            if end < self.as_of:
                outcome = self.rng.choices(["gennemfoert", "ordinaer_ansaettelse", "uddannelse", "stoppet"],
                                           [70, 14, 4, 12])[0]
                if outcome == "stoppet":
                    end = day + timedelta(days=self.rng.randint(5, max(6, days - 1)))
            else:
                outcome = "igang"
            yield group, day, end, outcome
            # A place stands empty a few days to a few weeks before the next intern starts.
            day = end + timedelta(days=1 + int(self.rng.expovariate(1 / 9)))


def missing(engine) -> bool:
    """True when the database has the demo's logins but no company centre yet."""
    with engine.connect() as conn:
        has_centre = conn.execute(select(func.count()).select_from(CentreAgreement.__table__)).scalar_one()
        has_demo = conn.execute(select(func.count()).select_from(User.__table__).where(
            func.lower(User.email) == "konsulent@jobbro.dk")).scalar_one()
    return bool(has_demo) and not has_centre


def load(conn: Connection, seed: int, as_of: date) -> Counter:
    """Two company centres with 25 places, occupied for the last two years; rows written per table."""
    rng = random.Random(seed * 31 + 14)
    counts: Counter[str] = Counter()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    consultant = session.execute(select(User).where(func.lower(User.email) == "konsulent@jobbro.dk")).scalars().first()
    used = set(session.execute(select(Company.cvr)).scalars().all())
    walk = _Walk(rng, as_of)
    starts_on = as_of.replace(day=1) - timedelta(days=730)
    starts_on = starts_on.replace(day=1)
    for spec in CENTRES:
        company = Company(cvr=_cvr(rng, used), name=spec.company, sector="privat", industry_code=spec.industry_code,
                          employees=spec.employees, postcode=spec.postcode, municipality_code=dk.MUNICIPALITY_CODE,
                          address=f"{rng.choice(dk.STREETS)} {rng.randint(1, 120)}",
                          consultant_id=consultant.id if consultant else None)
        session.add(company)
        session.flush()
        mentor = Contact(company_id=company.id, name=spec.mentor, title="Mentor og praktikansvarlig",
                         email=f"{spec.mentor.split()[0].lower()}@{spec.company.split()[0].lower()}.dk")
        session.add(mentor)
        session.flush()
        agreement = CentreAgreement(
            company_id=company.id, name=spec.name, title=spec.title, description=spec.description,
            starts_on=starts_on, ends_on=None, target_groups=list(spec.target_groups), mentor_contact_id=mentor.id,
            consultant_id=consultant.id if consultant else None)
        session.add(agreement)
        session.flush()
        for scheme, n in spec.places.items():
            session.add(CentrePlaces(agreement_id=agreement.id, scheme=scheme, places=n))
            for _ in range(n):
                for group, day, end, outcome in walk.place(starts_on, scheme, spec.target_groups):
                    session.add(Placement(
                        company_id=company.id, candidate_ref=walk.ref(), scheme=scheme, target_group=group,
                        starts_on=day, ends_on=end, outcome=outcome, candidate_municipality_code=dk.MUNICIPALITY_CODE,
                        candidate_birth_year=day.year - rng.randint(20, 58), hours_per_week=rng.choice([15, 20, 25, 30, 37]),
                        consultant_id=agreement.consultant_id, centre_id=agreement.id))
                    counts["placement"] += 1
        counts.update(company=1, contact=1, centre_agreement=1, centre_places=len(spec.places))
        session.flush()
        publish_places_changed(session, agreement, as_of)
    session.commit()
    session.close()
    return counts

"""factory-boy factories for test data; `bind(session)` points them at the test's session."""

from __future__ import annotations

import random
from datetime import date, datetime, UTC

import factory
from factory.alchemy import SQLAlchemyModelFactory
from stdnum.dk import cvr as stdnum_cvr

from services.crm.activities.models import Activity
from services.crm.campaigns.models import Campaign, CampaignTarget
from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order, Proposal
from services.crm.partnerships.models import Partnership, PartnershipGoal
from services.crm.placements.models import HoursFollowUp, Placement
from services.crm.users.models import User
from shared.auth import hash_password

_rng = random.Random(4242)
_PASSWORD_HASH = hash_password("hemmeligt-kodeord")  # hashing is slow on purpose: once per run


def valid_cvr() -> str:
    while True:
        candidate = str(_rng.randint(10000000, 99999999))
        if stdnum_cvr.is_valid(candidate):
            return candidate


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"bruger{n}@jobbro.dk")
    password_hash = _PASSWORD_HASH
    full_name = factory.Faker("name", locale="da_DK")
    role = "konsulent"


class CompanyFactory(Base):
    class Meta:
        model = Company

    cvr = factory.LazyFunction(valid_cvr)
    name = factory.Sequence(lambda n: f"Virksomhed {n} ApS")
    sector = "privat"
    industry_code = "471100"
    employees = 20
    postcode = "4200"
    municipality_code = 330


class ContactFactory(Base):
    class Meta:
        model = Contact

    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    name = factory.Faker("name", locale="da_DK")
    email = factory.Sequence(lambda n: f"kontakt{n}@firma.dk")
    newsletter_consent = True
    consent_given_at = factory.LazyFunction(lambda: datetime.now(UTC))
    consent_method = "skriftlig"


class PartnershipFactory(Base):
    class Meta:
        model = Partnership

    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    signed_on = date(2019, 1, 1)


class PartnershipGoalFactory(Base):
    class Meta:
        model = PartnershipGoal

    goal = 8


class ActivityFactory(Base):
    class Meta:
        model = Activity

    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    channel = "telefon"
    purposes = factory.LazyFunction(lambda: ["rekruttering"])
    occurred_at = factory.LazyFunction(lambda: datetime(2019, 5, 1, 10, 0, tzinfo=UTC))
    summary = "Opkald om rekruttering"


class OrderFactory(Base):
    class Meta:
        model = Order

    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    title = "Lagermedarbejder"
    description = "Pakning og forsendelse"
    scheme = "ordinaer"
    positions = 1
    postcode = "4200"
    received_via = "hotline"
    received_on = date(2019, 5, 1)
    status = "modtaget"


class ProposalFactory(Base):
    class Meta:
        model = Proposal

    candidate_ref = factory.Sequence(lambda n: f"K-{n:06d}")
    proposed_on = date(2019, 5, 10)
    status = "foreslaaet"


class PlacementFactory(Base):
    class Meta:
        model = Placement

    company_id = factory.LazyFunction(lambda: CompanyFactory().id)
    candidate_ref = factory.Sequence(lambda n: f"P-{n:06d}")
    scheme = "virksomhedspraktik"
    target_group = "kontanthjaelp_aktivitetsparat"
    starts_on = date(2019, 5, 1)
    ends_on = date(2019, 6, 1)


class HoursFollowUpFactory(Base):
    class Meta:
        model = HoursFollowUp

    on = date(2023, 1, 15)
    hours_per_week = 12


class CampaignFactory(Base):
    class Meta:
        model = Campaign

    name = "Besøgskampagne 2019"
    kind = "besoegskampagne"
    starts_on = date(2019, 1, 1)
    segment = factory.LazyFunction(lambda: {"kind": "all"})


class CampaignTargetFactory(Base):
    class Meta:
        model = CampaignTarget

    status = "planlagt"


ALL = [UserFactory, CompanyFactory, ContactFactory, PartnershipFactory, PartnershipGoalFactory,
       ActivityFactory, OrderFactory, ProposalFactory, PlacementFactory, HoursFollowUpFactory,
       CampaignFactory, CampaignTargetFactory]


def bind(session) -> None:
    for f in ALL:
        f._meta.sqlalchemy_session = session

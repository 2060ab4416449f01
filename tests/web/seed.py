"""Fixture data for the web tests: three demo users and a small, recent history around them.

Dates are relative to today so "Min dag" has follow-ups due and the dashboard's default period
(this year) has figures, whatever day the suite runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from tests import factories as f

PASSWORD = "hemmeligt-kodeord"  # the factories' password hash


@dataclass
class Seeded:
    konsulent_email: str
    leder_email: str
    firma_email: str
    other_firma_email: str
    company_id: int
    company_name: str
    other_company_id: int
    order_id: int
    other_order_id: int
    campaign_id: int
    password: str = PASSWORD


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def seed(session: Session) -> Seeded:
    f.bind(session)
    today = date.today()
    konsulent = f.UserFactory(email="konsulent@test.jobbro.dk", full_name="Karin Konsulent", role="konsulent")
    f.UserFactory(email="leder@test.jobbro.dk", full_name="Lars Leder", role="leder")

    staal = f.CompanyFactory(name="Slagelse Stål A/S", cvr="13585628", sector="privat", industry_code="251100",
                             employees=42, postcode="4200", consultant_id=konsulent.id, address="Industrivej 4")
    bager = f.CompanyFactory(name="Korsør Bageri ApS", sector="privat", industry_code="107100", employees=9,
                             postcode="4220", consultant_id=konsulent.id)
    plejehjem = f.CompanyFactory(name="Plejecenter Solgården", sector="kommunal", industry_code="871000",
                                 employees=80, postcode="4200", consultant_id=konsulent.id)
    region = f.CompanyFactory(name="Sygehus Sjælland Slagelse", sector="regional", industry_code="861000",
                              employees=900, postcode="4200")
    fisk = f.CompanyFactory(name="Skælskør Fisk og Skaldyr", sector="privat", industry_code="102000",
                            employees=14, postcode="4230")
    f.UserFactory(email="firma@test.jobbro.dk", full_name="Frida Fabrik", role="virksomhed", company_id=staal.id)
    f.UserFactory(email="bager@test.jobbro.dk", full_name="Bo Bager", role="virksomhed", company_id=bager.id)

    f.ContactFactory(company_id=staal.id, name="Hanne Hansen", title="HR-chef", email="hanne@slagelsestaal.dk",
                     phone="+45 58 50 12 34")
    f.ContactFactory(company_id=staal.id, name="Peter Smed", title="Værkfører", email=None, phone="58501235",
                     newsletter_consent=False, consent_given_at=None, consent_method=None)
    f.ContactFactory(company_id=bager.id, name="Bente Bager", email="bente@korsoerbageri.dk")

    agreement = f.PartnershipFactory(company_id=staal.id, signed_on=today - timedelta(days=400),
                                     ends_on=today + timedelta(days=60), consultant_id=konsulent.id)
    for goal in (4, 8, 10, 17):
        f.PartnershipGoalFactory(partnership_id=agreement.id, goal=goal)
    pleje_agreement = f.PartnershipFactory(company_id=plejehjem.id, signed_on=today - timedelta(days=200))
    for goal in (3, 8):
        f.PartnershipGoalFactory(partnership_id=pleje_agreement.id, goal=goal)

    f.ActivityFactory(company_id=staal.id, consultant_id=konsulent.id, channel="besoeg",
                      purposes=["rekruttering", "partnerskab"], occurred_at=_at(today - timedelta(days=30)),
                      summary="Besøg hos HR: mangler to svejsere til foråret.",
                      follow_up_on=today - timedelta(days=2))
    f.ActivityFactory(company_id=bager.id, consultant_id=konsulent.id, channel="telefon",
                      purposes=["virksomhedspraktik"], occurred_at=_at(today - timedelta(days=7)),
                      summary="Vil gerne tage en i praktik i bageriet.", follow_up_on=today)
    for i in range(24):
        day = today - timedelta(days=12 * i + 3)
        f.ActivityFactory(company_id=(staal, bager, plejehjem, region, fisk)[i % 5].id, consultant_id=konsulent.id,
                          channel=("telefon", "besoeg", "email", "moede")[i % 4], purposes=["rekruttering"],
                          occurred_at=_at(day), summary=f"Kontakt nr. {i + 1}")

    order = f.OrderFactory(company_id=staal.id, title="Svejser", scheme="loentilskud", positions=2,
                           received_via="hotline", received_on=today - timedelta(days=20),
                           deadline=today + timedelta(days=40), consultant_id=konsulent.id,
                           description="MIG/MAG-svejsning af konstruktioner. Kørekort B.")
    other_order = f.OrderFactory(company_id=bager.id, title="Bagerlærling", scheme="voksenlaerling", positions=1,
                                 received_on=today - timedelta(days=5))
    f.OrderFactory(company_id=plejehjem.id, title="Social- og sundhedshjælper", scheme="ordinaer", positions=3,
                   received_on=today - timedelta(days=60), status="i_gang")

    # Placements across sectors and schemes, active this year, for the charts.
    start = today - timedelta(days=150)
    for i, (company, scheme) in enumerate([
        (staal, "loentilskud"), (staal, "virksomhedspraktik"), (bager, "virksomhedspraktik"),
        (plejehjem, "loentilskud"), (plejehjem, "virksomhedspraktik"), (region, "loentilskud"),
        (fisk, "virksomhedspraktik"), (staal, "ordinaer"),
    ]):
        f.PlacementFactory(company_id=company.id, scheme=scheme, starts_on=start + timedelta(days=10 * i),
                           ends_on=start + timedelta(days=10 * i + 90), candidate_municipality_code=330,
                           target_group="a_dagpenge")
    flex = f.PlacementFactory(company_id=plejehjem.id, scheme="fleksjob", target_group="ledighedsydelse",
                              starts_on=today - timedelta(days=200), ends_on=None, hours_per_week=10)
    f.HoursFollowUpFactory(placement_id=flex.id, on=today - timedelta(days=100), hours_per_week=14)
    f.PlacementFactory(company_id=fisk.id, scheme="igu", target_group="integration",
                       starts_on=today - timedelta(days=300), ends_on=None, candidate_birth_year=1995)
    f.PlacementFactory(company_id=bager.id, scheme="igu", target_group="integration",
                       starts_on=today - timedelta(days=500), ends_on=today - timedelta(days=100),
                       outcome="stoppet", outcome_reason="flyttet", candidate_birth_year=1990)

    campaign = f.CampaignFactory(name="Besøgskampagne " + str(today.year), kind="besoegskampagne",
                                 starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60),
                                 created_by=konsulent.id)
    for company in (staal, bager, fisk, region):
        f.CampaignTargetFactory(campaign_id=campaign.id, company_id=company.id, consultant_id=konsulent.id)
    session.commit()
    return Seeded(
        konsulent_email="konsulent@test.jobbro.dk", leder_email="leder@test.jobbro.dk",
        firma_email="firma@test.jobbro.dk", other_firma_email="bager@test.jobbro.dk",
        company_id=staal.id, company_name=staal.name, other_company_id=bager.id,
        order_id=order.id, other_order_id=other_order.id, campaign_id=campaign.id,
    )

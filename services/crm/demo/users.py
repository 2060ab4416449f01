"""The demo logins, defined once: the generator creates them and the README shows them."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "jobbro-demo-2026"

# The company the `virksomhed` demo user belongs to: a mid-sized partner with a long history.
DEMO_COMPANY_NAME = "Vestsjællands Stål & Maskinfabrik A/S"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str


# Consultants first: the generator spreads the companies' portfolios over them in this order.
DEMO_USERS = (
    DemoUser("konsulent@jobbro.dk", "Mette Kjær", "konsulent"),
    DemoUser("leder@jobbro.dk", "Helle Vestergaard", "leder"),
    DemoUser("virksomhed@jobbro.dk", "Jørgen Bech (Vestsjællands Stål)", "virksomhed"),
)

# Colleagues of the demo consultant, so the municipality's portfolio is shared as in real life.
DEMO_COLLEAGUES = (
    DemoUser("lars.bech@jobbro.dk", "Lars Bech", "konsulent"),
    DemoUser("susanne.holm@jobbro.dk", "Susanne Holm", "konsulent"),
    DemoUser("jesper.dahl@jobbro.dk", "Jesper Dahl", "konsulent"),
    DemoUser("camilla.lund@jobbro.dk", "Camilla Lund", "konsulent"),
    DemoUser("rasmus.skov@jobbro.dk", "Rasmus Skov", "konsulent"),
    DemoUser("anne.mogensen@jobbro.dk", "Anne Mogensen", "konsulent"),
    DemoUser("ahmad.nasser@jobbro.dk", "Ahmad Nasser", "konsulent"),
)

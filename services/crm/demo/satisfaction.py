"""Demo satisfaction surveys (issue 14 part 1, docs/satisfaction.md), added after the generator.

Every closed demo order whose orderer has an e-mail address had its survey sent the day it closed;
about 40 % were answered within a week, mostly 4 or 5, so the share of satisfied companies lands in
the nineties like Slagelse's 97 % (seed 002). A quarter of the answers carry a comment.

The company user's own company (the showcase) also gets its latest closed order's survey sent
*now*, through the outbox like a real closing: after `make run` its mail is in the local SMTP
sink (http://127.0.0.1:8026) and can be answered with one click.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from shared.glossary import FINAL_ORDER_STATUSES
from shared.settings import get_settings

ANSWERED_SHARE = 0.42
COMMENT_SHARE = 0.25
SCORES = {5: 0.64, 4: 0.34, 3: 0.014, 2: 0.005, 1: 0.001}
COMMENTS = {
    5: ["Hurtig og venlig hjælp – kandidaten passer perfekt ind.", "Konsulenten forstod præcis, hvad vi havde brug for.",
        "Meget professionelt forløb fra start til slut.", "Tak for god sparring om løntilskud.",
        "Vi fik tre gode kandidater på en uge."],
    4: ["God hjælp, men det tog lidt tid at finde den rette.", "Fint forløb; vi ville gerne have hørt lidt oftere fra jer.",
        "Gode kandidater, men et par af dem manglede kørekort.", "Tilfredse. Papirarbejdet kunne være enklere."],
    3: ["Kandidaterne passede ikke helt til stillingen.", "Det var svært at få fat i konsulenten i sommerferien."],
    2: ["Vi ventede for længe på kandidater og fandt selv en medarbejder."],
    1: ["Vi hørte ikke fra jobcentret efter bestillingen."],
}


def _pick(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _closed_on(rng: random.Random, status: str, received: date, deadline: date | None, as_of: date) -> date:
    if status == "udloebet" and deadline is not None:
        day = deadline + timedelta(days=1)
    elif status == "annulleret":
        day = received + timedelta(days=rng.randint(3, 20))
    else:
        day = received + timedelta(days=rng.randint(10, 60))
    return min(day, as_of)


def add_surveys(conn: Connection, seed: int, as_of: date) -> dict[str, int]:
    """Write the demo's surveys into `conn`'s transaction; returns the rows written."""
    from services.crm.companies.models import Company, Contact
    from services.crm.demo.users import DEMO_COMPANY_NAME
    from services.crm.orders.models import Order
    from services.crm.satisfaction.models import SatisfactionSurvey
    from services.crm.users.models import User

    rng = random.Random(seed * 1000 + 14)
    tz = ZoneInfo(get_settings().jobbro_timezone)
    now = datetime.now(UTC)
    days = get_settings().survey_link_days
    O, C = Order.__table__.c, Contact.__table__.c
    orders = conn.execute(
        select(O.id, O.company_id, O.contact_id, O.status, O.received_on, O.deadline)
        .join(Contact.__table__, C.id == O.contact_id)
        .where(O.status.in_([s.value for s in FINAL_ORDER_STATUSES]), C.email.is_not(None), C.email != "")
        .order_by(O.id)
    ).all()
    # The showcase is the demo company (Vestsjællands Stål): with sign-in through MitID Erhverv the
    # demo has no `virksomhed` user until its person first signs in, so the user cannot name it.
    showcase = conn.execute(select(Company.__table__.c.id).where(Company.__table__.c.name == DEMO_COMPANY_NAME)
                            .order_by(Company.__table__.c.id).limit(1)).scalar()
    if showcase is None:
        showcase = conn.execute(select(User.__table__.c.company_id)
                                .where(User.__table__.c.role == "virksomhed", User.__table__.c.company_id.is_not(None))
                                .order_by(User.__table__.c.id).limit(1)).scalar()
    live = max((o for o in orders if o.company_id == showcase), key=lambda o: (o.received_on, o.id), default=None)
    rows = []
    for o in orders:
        if live is not None and o.id == live.id:
            continue
        closed = _closed_on(rng, o.status, o.received_on, o.deadline, as_of)
        sent = datetime.combine(closed, time(7, rng.randrange(0, 60)), tzinfo=tz).astimezone(UTC)
        row = {"order_id": o.id, "company_id": o.company_id, "contact_id": o.contact_id, "closed_status": o.status,
               "sent_at": sent, "expires_at": sent + timedelta(days=days), "score": None, "comment": None,
               "answered_at": None, "answers": 0}
        if rng.random() < ANSWERED_SHARE:
            answered = sent + timedelta(hours=rng.randint(1, 6 * 24))
            if answered <= now:
                score = _pick(rng, SCORES)
                row.update(score=score, answered_at=answered, answers=1,
                           comment=rng.choice(COMMENTS[score]) if rng.random() < COMMENT_SHARE else None)
        rows.append(row)
    if rows:
        conn.execute(insert(SatisfactionSurvey.__table__), rows)
    return {"satisfaction_survey": len(rows) + (_send_live(conn, live) if live is not None else 0)}


def _send_live(conn: Connection, order_row) -> int:
    """The showcase order's survey, requested now as crm does when an order closes (outbox)."""
    from sqlmodel import Session

    from services.crm import events
    from services.crm.companies.models import Contact
    from services.crm.orders.models import Order
    from services.crm.satisfaction import tokens
    from services.crm.satisfaction.models import SatisfactionSurvey
    from shared.models_base import utcnow

    with Session(bind=conn) as session:
        order = session.get(Order, order_row.id)
        contact = session.get(Contact, order_row.contact_id)
        now = utcnow()
        survey = SatisfactionSurvey(order_id=order.id, company_id=order.company_id, contact_id=contact.id,
                                    closed_status=order.status, sent_at=now,
                                    expires_at=now + timedelta(days=get_settings().survey_link_days))
        session.add(survey)
        session.flush()
        events.publish_survey_requested(session, survey, order, contact,
                                        tokens.make_token(survey.id, order.id, contact.id))
        session.flush()
    return 1

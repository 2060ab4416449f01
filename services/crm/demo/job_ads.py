"""The demo's open job ads: the most recent open orders published as ads, so `/job` and its feed show them.

Runs after the generator in the same transaction (`cli.load`). Which orders, as a consultant would
pick them: open, with a text, a deadline still ahead, newest first, at most `LIMIT`. About every
other company has agreed to be named; the rest are recruited for by the jobcentre.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from services.crm.demo.danish import MUNICIPALITY_NAME, POSTCODES
from services.crm.job_ads.service import default_how_to_apply
from services.crm.orders.lifecycle import OPEN

LIMIT = 12
TOWNS = {postcode: town for postcode, town, _ in POSTCODES}


def publish_demo_job_ads(conn: Connection, as_of: date | None = None) -> dict[str, int]:
    """Publish the demo's newest open orders as job ads; returns rows written per table."""
    import services.crm.models  # noqa: F401  (job_ad on the metadata)

    as_of = as_of or date.today()
    orders = SQLModel.metadata.tables["recruitment_order"]
    ads = SQLModel.metadata.tables["job_ad"]
    now = datetime.now(UTC)
    rows = conn.execute(
        select(orders.c.id, orders.c.title, orders.c.description, orders.c.postcode, orders.c.created_at,
               orders.c.company_id)
        # The generator spreads today's orders over the whole day: only those already in are published.
        .where(orders.c.status.in_([s.value for s in OPEN]), orders.c.deadline >= as_of, orders.c.description != "",
               orders.c.updated_at <= now)
        .order_by(orders.c.received_on.desc(), orders.c.id.desc())
        .limit(LIMIT)
    ).all()
    values = []
    for order_id, title, description, postcode, created_at, company_id in rows:
        created = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        # Published the day after the order came in, or now when that is still ahead.
        published = min(created + timedelta(days=1), now)
        values.append({
            "order_id": order_id, "title": title, "description": description, "postcode": postcode,
            "city": TOWNS.get(postcode, MUNICIPALITY_NAME), "how_to_apply": default_how_to_apply(title),
            "name_company": company_id % 2 == 0, "published_at": published, "withdrawn_at": None,
            "withdrawn_reason": None, "published_by": None, "created_at": published, "updated_at": published,
        })
    if values:
        conn.execute(ads.insert(), values)
    return {"job_ad": len(values)}

"""The demo's open orders announced to the other services, as if they had been listening.

The generator bulk-loads ten years of history without events (writing one per row would flood
the stream with history nobody needs), so without this matching would hold no vacancy for any
demo order and an order page would rank job seekers against the order's text ad hoc. Each open
order is published once through the outbox, in the demo's own transaction, in the shape crm's
rebuild feed uses for a record as it stands (services/crm/feeds/service.py): `order.changed`
naming every field. The relay delivers the events as in production; matching makes each order's
vacancy from it, and notifications updates its read model. `order.received` would be the wrong
event: it would send receipts and consultant alerts for orders received long ago.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlmodel import Session

from services.crm.feeds.service import Feed, page
from shared.events import EventType, publish

PAGE = 500


def announce_open_orders(conn: Connection) -> int:
    """Publish `order.changed` for every open order, inside `conn`'s transaction; returns how many."""
    session = Session(bind=conn)  # joins the caller's transaction: the events commit with the data
    try:
        published, after = 0, 0
        while True:
            batch = page(session, Feed.orders, after, PAGE)
            for item in batch["items"]:
                publish(session, EventType(item["type"]), item["payload"])
                published += 1
            if batch["next_after_id"] is None:
                break
            after = batch["next_after_id"]
        session.flush()
        return published
    finally:
        session.close()

"""An order's status life-cycle, in one place, and how linked placements move it.

Manual transitions (`POST /api/v1/orders/{id}/status`) follow `TRANSITIONS`:

    modtaget       -> i_gang | annulleret | udloebet
    i_gang         -> delvist_besat | besat | annulleret | udloebet
    delvist_besat  -> besat | annulleret | udloebet
    besat, annulleret, udloebet: final

Automatic transitions follow `positions_filled` (placements linked to the order, at most
`positions`) in the same transaction as the placement change:

- linking a placement to an open order makes it `delvist_besat`, or `besat` when every position
  is filled (a `modtaget` order jumps straight there: the hire proves the work started);
- proposing the first candidate moves a `modtaget` order to `i_gang`;
- removing or relinking a placement *reopens* a `besat`/`delvist_besat` order to `delvist_besat`
  or `i_gang`. This is the one way out of `besat`: a consultant never reopens by hand, because a
  hand-set status could then contradict the placements, and removing the placement is the real
  event. `annulleret` and `udloebet` are never changed automatically.

Every change, manual or automatic, publishes `order.status_changed` with the whole order
(services/crm/events.py); a new fill count that leaves the status as it was publishes
`order.changed`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from services.crm import events
from services.crm.job_ads.withdrawal import closed_reason, withdraw_for_order
from services.crm.orders.models import Order
from services.crm.placements.models import Placement
from services.crm.satisfaction import service as satisfaction
from shared.errors import Conflict
from shared.glossary import FINAL_ORDER_STATUSES, ORDER_STATUS_LABELS, OrderStatus
from shared.models_base import utcnow
from shared.settings import get_settings

S = OrderStatus

TRANSITIONS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    S.modtaget: (S.i_gang, S.annulleret, S.udloebet),
    S.i_gang: (S.delvist_besat, S.besat, S.annulleret, S.udloebet),
    S.delvist_besat: (S.besat, S.annulleret, S.udloebet),
    S.besat: (),
    S.annulleret: (),
    S.udloebet: (),
}

# Orders in these states take no new candidates or placements.
CLOSED = frozenset(FINAL_ORDER_STATUSES)
OPEN = tuple(s for s in OrderStatus if s not in CLOSED)


def today() -> date:
    """The jobcentre's calendar day (a request at 00:30 Danish time belongs to the new day)."""
    return datetime.now(ZoneInfo(get_settings().jobbro_timezone)).date()


def label(status: str) -> str:
    try:
        return ORDER_STATUS_LABELS[OrderStatus(status)]
    except ValueError:
        return status


def allowed_from(status: str) -> tuple[OrderStatus, ...]:
    return TRANSITIONS.get(OrderStatus(status), ())


def ensure_transition(current: str, requested: OrderStatus) -> None:
    allowed = allowed_from(current)
    if requested in allowed:
        return
    if requested == current:
        message = f"Ordren har allerede status '{label(current)}'."
    else:
        message = f"Ordren kan ikke skifte fra '{label(current)}' til '{label(requested)}'."
    if allowed:
        message += " Tilladte statusser herfra: " + ", ".join(f"'{label(s)}'" for s in allowed) + "."
    else:
        message += f" '{label(current)}' er en afsluttende status."
    raise Conflict(
        message,
        field="status",
        current=current,
        requested=requested.value,
        allowed=[s.value for s in allowed],
    )


def ensure_open(order: Order, what: str) -> None:
    """Refuse candidates or placements for an order that is filled, cancelled or expired."""
    if order.status in CLOSED:
        raise Conflict(
            f"Ordre {order.id} har status '{label(order.status)}' og kan ikke få flere {what}.",
            field="order_id",
            current=order.status,
        )


def set_status(session: Session, order: Order, new: OrderStatus, *, reason: str | None = None,
               automatic: bool = False) -> bool:
    """Move the order to `new` and publish `order.status_changed`; False when it already had it."""
    old = order.status
    if old == new:
        return False
    order.status = new.value
    order.updated_at = utcnow()
    session.add(order)
    events.publish_order_status_changed(session, order, old, new.value, automatic=automatic, reason=reason)
    if new in CLOSED:
        # A closed order's job ad leaves the public pages and the feed with it (docs/job-ads.md).
        withdraw_for_order(session, order.id, closed_reason(new.value))
    if new in CLOSED and OrderStatus(old) not in CLOSED:
        satisfaction.request_survey(session, order)  # once per order (docs/satisfaction.md)
    return True


def lock(session: Session, order_id: int) -> Order | None:
    """Load an order with a row lock, so two hires at once count each other's placements."""
    return session.exec(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).first()


def linked_count(session: Session, order_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Placement).where(Placement.order_id == order_id)).one())


def fill_status(status: str, filled: int, positions: int) -> OrderStatus:
    current = OrderStatus(status)
    if current in (S.annulleret, S.udloebet):
        return current
    if filled >= positions:
        return S.besat
    if filled > 0:
        return S.delvist_besat
    # No placement left: an order that was (partly) filled by placements is worked on again.
    return S.i_gang if current in (S.delvist_besat, S.besat) else current


def sync_fill(session: Session, order: Order, *, positions_changed: bool = False, announce: bool = True) -> None:
    """Recount `positions_filled` from the linked placements and let the status follow it.

    Call after the placement change is flushed, inside the caller's transaction. A new count
    without a new status is announced as `order.changed` unless `announce` is False (the caller
    publishes the order's changes itself).
    """
    session.flush()
    filled = min(linked_count(session, order.id), order.positions)
    changed = filled != order.positions_filled
    order.positions_filled = filled
    order.updated_at = utcnow()
    session.add(order)
    moved = False
    # A hand-set status on an order without placements is left alone when only positions change.
    if changed or (positions_changed and filled > 0):
        moved = set_status(session, order, fill_status(order.status, filled, order.positions), automatic=True)
    if changed and not moved and announce:
        events.publish_order_changed(session, order, ["positions_filled"])


def mark_in_progress(session: Session, order: Order) -> None:
    if order.status == S.modtaget:
        set_status(session, order, S.i_gang, reason="Kandidat foreslået", automatic=True)

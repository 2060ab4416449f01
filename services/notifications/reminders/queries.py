"""Queries over notifications' own view of orders (built from crm's order events)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from services.notifications.recipients.models import OrderView
from shared.glossary import FINAL_ORDER_STATUSES


def orders_near_deadline(session: Session, today: date, until: date) -> list[OrderView]:
    """Open orders with unfilled positions whose deadline is between today and `until`."""
    return list(session.exec(
        select(OrderView)
        .where(OrderView.deadline.is_not(None), OrderView.deadline >= today, OrderView.deadline <= until,
               OrderView.status.not_in([s.value for s in FINAL_ORDER_STATUSES]),
               OrderView.positions_filled < OrderView.positions)
        .order_by(OrderView.deadline, OrderView.order_id)
    ).all())

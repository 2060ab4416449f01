"""Read-only queries over crm's tables for receipts and reminders (crm owns them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from services.crm.companies.models import Company, Contact
from services.crm.orders.models import Order
from services.crm.users.models import User
from shared.glossary import FINAL_ORDER_STATUSES


def company_contacts_with_email(session: Session, company_id: int) -> list[Contact]:
    return list(session.execute(
        select(Contact).where(Contact.company_id == company_id, Contact.email.is_not(None),
                              func.trim(Contact.email) != "").order_by(Contact.id)
    ).scalars())


def active_user(session: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def orders_near_deadline(session: Session, today: date, until: date):
    """Open orders with unfilled positions whose deadline is between today and `until`."""
    return session.execute(
        select(Order, Company.name, func.coalesce(Order.consultant_id, Company.consultant_id))
        .join(Company, Company.id == Order.company_id)
        .where(Order.deadline.is_not(None), Order.deadline >= today, Order.deadline <= until,
               Order.status.not_in([s.value for s in FINAL_ORDER_STATUSES]),
               Order.positions_filled < Order.positions)
        .order_by(Order.deadline, Order.id)
    ).all()


def overdue_tasks(session: Session, today: date):
    """Open follow-ups dated before today, both kinds, with the consultant they belong to."""
    from datetime import timedelta

    from services.crm.activities.queries import open_tasks

    return [row._mapping for row in session.execute(open_tasks(due_before=today - timedelta(days=1))).all()]

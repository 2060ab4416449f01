"""Withdrawing an order's job ad when the order closes, inside the caller's transaction.

Kept apart from `service.py` (which needs the order domain) so the order life-cycle can call it
without an import cycle: every closing path (a consultant's status change, the last placement, the
company's cancellation, the daily expiry) goes through `orders.lifecycle.set_status`.
"""

from __future__ import annotations

from sqlmodel import Session, select

from services.crm.job_ads.models import JobAd
from shared.models_base import utcnow

UNPUBLISHED = "afpubliceret"  # a consultant took the ad down


def closed_reason(status: str) -> str:
    return f"ordre_{status}"


def withdraw_for_order(session: Session, order_id: int, reason: str) -> JobAd | None:
    """Take the order's ad off the public list (no commit); None when it had no public ad."""
    ad = session.exec(select(JobAd).where(JobAd.order_id == order_id)).first()
    if ad is None or not ad.is_published:
        return None
    now = utcnow()
    ad.withdrawn_at = now
    ad.withdrawn_reason = reason
    ad.updated_at = now
    session.add(ad)
    return ad


def forget_order(session: Session, order_id: int) -> None:
    """Delete the ad of an order that is being deleted (no commit)."""
    ad = session.exec(select(JobAd).where(JobAd.order_id == order_id)).first()
    if ad is not None:
        session.delete(ad)
        session.flush()


def scrub_texts(session: Session, patterns_by_order: dict[int, list], scrub) -> int:
    """Overwrite an erased contact person in the ads of these orders (no commit); returns the ads changed.

    An ad copies the order's text when it is published, so the erasure that scrubs the order's
    description (services/crm/privacy/service.py) scrubs the ad's public text with the same patterns.
    """
    if not patterns_by_order:
        return 0
    changed = 0
    for ad in session.exec(select(JobAd).where(JobAd.order_id.in_(list(patterns_by_order)))):
        patterns = patterns_by_order[ad.order_id]
        before = (ad.title, ad.description, ad.how_to_apply)
        ad.title, ad.description, ad.how_to_apply = (scrub(text, patterns) for text in before)
        if (ad.title, ad.description, ad.how_to_apply) != before:
            ad.updated_at = utcnow()
            session.add(ad)
            changed += 1
    return changed

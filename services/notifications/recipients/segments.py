"""Who a newsletter segment reaches, from notifications' own read model (models.py).

Every segment is narrowed to recipients with newsletter consent and an e-mail address; the
segment only picks companies. A company crm has not (yet) told us about is in no segment but
`all_consenting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, select

from services.notifications.recipients.models import (
    Recipient,
    RecipientAgreement,
    RecipientCampaignTarget,
    RecipientCompany,
)
from shared.glossary import SegmentKind


@dataclass(frozen=True)
class Target:
    contact_id: int
    email: str
    name: str
    company_id: int
    company_name: str


def _consenting():
    return (Recipient.newsletter_consent.is_(True), Recipient.email.is_not(None), func.trim(Recipient.email) != "")


def _partner_on(day: date):
    return exists().where(
        RecipientAgreement.company_id == Recipient.company_id,
        RecipientAgreement.signed_on <= day,
        or_(RecipientAgreement.ends_on.is_(None), RecipientAgreement.ends_on >= day),
    )


def _company_condition(segment: dict[str, Any], day: date):
    kind = SegmentKind(segment["kind"])
    if kind is SegmentKind.all_consenting:
        return None
    if kind is SegmentKind.partners:
        return _partner_on(day)
    if kind is SegmentKind.sector:
        return RecipientCompany.sector == segment["sector"]
    if kind is SegmentKind.industry:
        # An industry code names a DB07 group: "47" reaches every retailer, "471100" one trade.
        return RecipientCompany.industry_code.startswith(str(segment["industry_code"]), autoescape=True)
    if kind is SegmentKind.campaign:
        return Recipient.company_id.in_(select(RecipientCampaignTarget.company_id)
                                        .where(RecipientCampaignTarget.campaign_id == segment["campaign_id"]))
    raise ValueError(f"unknown segment kind {kind}")


def _statement(segment: dict[str, Any], day: date, columns):
    stmt = (select(*columns).outerjoin(RecipientCompany, RecipientCompany.company_id == Recipient.company_id)
            .where(*_consenting()))
    cond = _company_condition(segment, day)
    if cond is not None:
        stmt = stmt.where(cond)
    return stmt


def recipients(session: Session, segment: dict[str, Any], day: date | None = None) -> list[Target]:
    """Consenting recipients in the segment, one per e-mail address (lower-cased), oldest contact first."""
    day = day or date.today()
    rows = session.exec(
        _statement(segment, day, (Recipient.contact_id, Recipient.email, Recipient.name, Recipient.company_id,
                                  RecipientCompany.name))
        .order_by(Recipient.contact_id)
    ).all()
    seen: set[str] = set()
    out: list[Target] = []
    for contact_id, email, name, company_id, company_name in rows:
        key = email.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(Target(contact_id, email.strip(), name, company_id, company_name or ""))
    return out


def count(session: Session, segment: dict[str, Any], day: date | None = None) -> int:
    """How many distinct e-mail addresses the segment reaches today."""
    stmt = _statement(segment, day or date.today(),
                      (func.count(func.distinct(func.lower(func.trim(Recipient.email)))),))
    return int(session.exec(stmt).one())


def still_consenting(session: Session, contact_ids: Iterable[int]) -> set[int]:
    """Of `contact_ids`, those that still have newsletter consent (checked again at send time)."""
    ids = list(contact_ids)
    if not ids:
        return set()
    return set(session.exec(select(Recipient.contact_id).where(Recipient.contact_id.in_(ids), *_consenting())).all())


def company_contacts_with_email(session: Session, company_id: int) -> list[Recipient]:
    return list(session.exec(select(Recipient).where(
        Recipient.company_id == company_id, Recipient.email.is_not(None), func.trim(Recipient.email) != "")
        .order_by(Recipient.contact_id)).all())

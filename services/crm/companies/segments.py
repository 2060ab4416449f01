"""Who a newsletter segment reaches: read-only queries over crm's companies and contacts.

notifications calls these (same database, crm owns the tables). Every segment is narrowed to
contacts that have newsletter consent and an e-mail address; the segment only picks companies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from services.crm.campaigns.models import CampaignTarget
from services.crm.companies.models import Company, Contact
from services.crm.companies.queries import partner_on
from shared.glossary import SegmentKind


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    email: str
    name: str
    company_id: int
    company_name: str


def _consenting():
    return (Contact.newsletter_consent.is_(True), Contact.email.is_not(None), func.trim(Contact.email) != "")


def _company_condition(segment: dict[str, Any], day: date):
    kind = SegmentKind(segment["kind"])
    if kind is SegmentKind.all_consenting:
        return None
    if kind is SegmentKind.partners:
        return partner_on(day)
    if kind is SegmentKind.sector:
        return Company.sector == segment["sector"]
    if kind is SegmentKind.industry:
        # An industry code names a DB07 group: "47" reaches every retailer, "471100" one trade.
        return Company.industry_code.startswith(str(segment["industry_code"]), autoescape=True)
    if kind is SegmentKind.campaign:
        return Company.id.in_(select(CampaignTarget.company_id).where(CampaignTarget.campaign_id == segment["campaign_id"]))
    raise ValueError(f"unknown segment kind {kind}")


def _statement(segment: dict[str, Any], day: date, columns):
    stmt = select(*columns).join(Company, Company.id == Contact.company_id).where(*_consenting())
    cond = _company_condition(segment, day)
    if cond is not None:
        stmt = stmt.where(cond)
    return stmt


def recipients(session: Session, segment: dict[str, Any], day: date | None = None) -> list[Recipient]:
    """Consenting contacts in the segment, one per e-mail address (lower-cased), oldest contact first."""
    day = day or date.today()
    rows = session.exec(
        _statement(segment, day, (Contact.id, Contact.email, Contact.name, Company.id, Company.name))
        .order_by(Contact.id)
    ).all()
    seen: set[str] = set()
    out: list[Recipient] = []
    for contact_id, email, name, company_id, company_name in rows:
        key = email.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(Recipient(contact_id, email.strip(), name, company_id, company_name))
    return out


def count(session: Session, segment: dict[str, Any], day: date | None = None) -> int:
    """How many distinct e-mail addresses the segment reaches today."""
    stmt = _statement(segment, day or date.today(), (func.count(func.distinct(func.lower(func.trim(Contact.email)))),))
    return int(session.exec(stmt).one())


def still_consenting(session: Session, contact_ids: Iterable[int]) -> set[int]:
    """Of `contact_ids`, those that still have newsletter consent (checked again at send time)."""
    ids = list(contact_ids)
    if not ids:
        return set()
    rows = session.exec(select(Contact.id).where(Contact.id.in_(ids), *_consenting())).all()
    return set(rows)

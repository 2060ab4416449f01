"""Set-based look-ups for imports: one query per chunk of keys, never one per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlmodel import Session, select

from services.crm.companies.models import Company, Contact

CHUNK = 1000  # keeps every IN (...) well under the database's parameter limits


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def companies_by_cvr(session: Session, cvrs: Iterable[str], *, fresh: bool = False) -> dict[str, Company]:
    """`fresh`: reload rows already in the session (after a bulk write that bypassed them)."""
    out: dict[str, Company] = {}
    for chunk in _chunks(sorted(set(cvrs))):
        stmt = select(Company).where(Company.cvr.in_(chunk))
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        for company in session.exec(stmt):
            out[company.cvr] = company
    return out


def contacts_by_id(session: Session, ids: Iterable[int]) -> list[Contact]:
    """Contacts by id, reloaded from the database (after a bulk write), in id order."""
    out: list[Contact] = []
    for chunk in _chunks(sorted(set(ids))):
        out += session.exec(select(Contact).where(Contact.id.in_(chunk)).order_by(Contact.id)
                            .execution_options(populate_existing=True))
    return out


def contacts_by_key(session: Session, company_ids: Iterable[int]) -> dict[tuple[int, str], Contact]:
    """Existing contacts keyed by (company id, lower-case e-mail); the oldest wins a tie."""
    out: dict[tuple[int, str], Contact] = {}
    for chunk in _chunks(sorted(set(company_ids))):
        rows = session.exec(
            select(Contact)
            .where(Contact.company_id.in_(chunk), Contact.email.is_not(None))
            .order_by(Contact.id)
        )
        for contact in rows:
            out.setdefault((contact.company_id, contact.email.lower()), contact)
    return out

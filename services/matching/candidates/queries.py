from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from services.matching.candidates.models import Candidate
from services.matching.vacancies.models import Outcome


def by_ref(session: Session, ref: str) -> Candidate | None:
    return session.exec(select(Candidate).where(Candidate.candidate_ref == ref)).first()


def listing(q: str | None = None, postcode: str | None = None):
    stmt = select(Candidate)
    if q:
        stmt = stmt.where(Candidate.candidate_ref.startswith(q.strip(), autoescape=True))
    if postcode:
        stmt = stmt.where(Candidate.postcode == postcode)
    return stmt.order_by(Candidate.candidate_ref)


def delete_outcomes(session: Session, candidate_id: int) -> None:
    session.exec(delete(Outcome).where(Outcome.candidate_id == candidate_id))


def stale_refs(session: Session, cutoff: datetime) -> list[str]:
    """References of candidates whose record has not changed since `cutoff` (retention)."""
    return list(session.exec(select(Candidate.candidate_ref).where(Candidate.updated_at < cutoff)
                             .order_by(Candidate.id)))


def lock_if_stale(session: Session, ref: str, cutoff: datetime) -> Candidate | None:
    return session.exec(select(Candidate).where(Candidate.candidate_ref == ref, Candidate.updated_at < cutoff)
                        .with_for_update()).first()

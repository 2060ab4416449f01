from __future__ import annotations

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

"""Every query of the ranking records, in one place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from services.matching.records.models import RankingRecord, RankingRecordAction, RankingRecordEntry


def listing(vacancy_id: int | None, order_id: int | None, candidate_ref: str | None,
            since: datetime | None, until: datetime | None):
    q = select(RankingRecord)
    if vacancy_id is not None:
        q = q.where(RankingRecord.vacancy_id == vacancy_id)
    if order_id is not None:
        q = q.where(RankingRecord.order_id == order_id)
    if candidate_ref:
        with_entry = select(RankingRecordEntry.record_id).where(RankingRecordEntry.candidate_ref == candidate_ref)
        with_action = select(RankingRecordAction.record_id).where(RankingRecordAction.candidate_ref == candidate_ref)
        q = q.where(RankingRecord.id.in_(with_entry.union(with_action)))
    if since is not None:
        q = q.where(RankingRecord.created_at >= since)
    if until is not None:
        q = q.where(RankingRecord.created_at < until)
    return q.order_by(RankingRecord.created_at.desc(), RankingRecord.id.desc())


def entries_of(session: Session, record_ids: list[int]) -> list[RankingRecordEntry]:
    if not record_ids:
        return []
    return list(session.exec(select(RankingRecordEntry).where(RankingRecordEntry.record_id.in_(record_ids))
                             .order_by(RankingRecordEntry.record_id, RankingRecordEntry.rank)).all())


def actions_of(session: Session, record_ids: list[int]) -> list[RankingRecordAction]:
    if not record_ids:
        return []
    return list(session.exec(select(RankingRecordAction).where(RankingRecordAction.record_id.in_(record_ids))
                             .order_by(RankingRecordAction.acted_at, RankingRecordAction.id)).all())


def entry_of(session: Session, record_id: int, ref: str) -> RankingRecordEntry | None:
    return session.exec(select(RankingRecordEntry).where(RankingRecordEntry.record_id == record_id,
                                                         RankingRecordEntry.candidate_ref == ref)).first()


def top_size(session: Session, record_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(RankingRecordEntry)
                            .where(RankingRecordEntry.record_id == record_id)).one())


def action_by_event(session: Session, event_id: str) -> RankingRecordAction | None:
    return session.exec(select(RankingRecordAction).where(RankingRecordAction.event_id == event_id)).first()


def proposal_action(session: Session, order_id: int, ref: str) -> RankingRecordAction | None:
    """The last recorded proposal of `ref` to the order (a hire or rejection joins its record)."""
    return session.exec(select(RankingRecordAction).join(RankingRecord,
                                                          RankingRecord.id == RankingRecordAction.record_id)
                        .where(RankingRecord.order_id == order_id, RankingRecordAction.candidate_ref == ref,
                               RankingRecordAction.action == "foreslaaet")
                        .order_by(RankingRecordAction.acted_at.desc(), RankingRecordAction.id.desc())).first()


def records_between(session: Session, since: datetime, until: datetime) -> list[RankingRecord]:
    return list(session.exec(select(RankingRecord).where(RankingRecord.created_at >= since,
                                                         RankingRecord.created_at < until)).all())


def pseudonymise(session: Session, ref: str, pseudonym: str) -> tuple[int, int]:
    """The job seeker's entries and actions take the pseudonym; their score parts, eligibility
    reasons and the consultants' free text about them go (the groups stay: coarse, and counted)."""
    entries = session.exec(update(RankingRecordEntry).where(RankingRecordEntry.candidate_ref == ref)
                           .values(candidate_ref=pseudonym, parts={}, reasons=[])).rowcount
    actions = session.exec(update(RankingRecordAction).where(RankingRecordAction.candidate_ref == ref)
                           .values(candidate_ref=pseudonym, reason=None)).rowcount
    return entries or 0, actions or 0


def expired_ids(session: Session, cutoff: datetime, limit: int) -> list[int]:
    return list(session.exec(select(RankingRecord.id).where(RankingRecord.created_at < cutoff)
                             .order_by(RankingRecord.id).limit(limit)).all())


def delete_records(session: Session, ids: list[int]) -> None:
    # Children first: SQLite enforces no ON DELETE CASCADE without its foreign-key pragma.
    session.exec(delete(RankingRecordAction).where(RankingRecordAction.record_id.in_(ids)))
    session.exec(delete(RankingRecordEntry).where(RankingRecordEntry.record_id.in_(ids)))
    session.exec(delete(RankingRecord).where(RankingRecord.id.in_(ids)))

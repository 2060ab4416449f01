"""Ranking records: written where a ranking is shown for an order, appended to by crm's events,
read back by managers; pruned by retention and pseudonymised by a job seeker's erasure.

`record` adds to the caller's transaction (the ranking request commits once, with its audit
entry); the other public functions are each one commit.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session

from services.matching.deps import SERVICE
from services.matching.records import groups, queries
from services.matching.records.models import RankingRecord, RankingRecordAction, RankingRecordEntry
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate
from shared.settings import get_settings

ENTITY = "ranking_record"
ACTIONS = ("kortliste", "foreslaaet", "ansat", "afvist")
PSEUDONYM_PREFIX = "slettet-"


def not_found(record_id: int) -> NotFound:
    return NotFound(f"Rangeringen {record_id} findes ikke (eller er slettet efter opbevaringsperioden).",
                    field="ranking_record_id")


def record(session: Session, principal: Principal, vacancy, result, snap, scheme: str, filters: dict[str, Any],
           weights_version: str, pool=None) -> int:
    """Keep what the consultant is shown: one record row and its top-N entries, from the result in
    memory (nothing scored again), added to the caller's transaction; returns the record's id.
    Core inserts (two statements), not ORM objects: the request pays well under a millisecond
    (bench/bench_matching.py, matching.ranking_record_overhead_ratio)."""
    pool = snap.pool if pool is None else pool  # result's positions index the pool it was ranked in
    now = utcnow()
    record_id = session.execute(insert(RankingRecord.__table__).values(
        created_at=now, vacancy_id=vacancy.id, order_id=vacancy.order_id, vacancy_version=vacancy.version or 0,
        order_event_at=vacancy.order_event_at, scheme=scheme, user_id=principal.user_id,
        role=principal.role.value, filters=filters, model_fingerprint=snap.fingerprint,
        weights_version=weights_version, index_version=snap.version or 0, eligible=result.eligible,
        considered=result.considered, indexed=result.pool,
        pool_groups=groups.pool_counts(pool, result.eligible_mask, now.year),
    ).returning(RankingRecord.__table__.c.id)).scalar_one()
    top = result.items[: get_settings().matching_ranking_record_top]
    if top:
        labels = groups.of_rows(pool.facts, result.positions[: len(top)], now.year)
        session.execute(insert(RankingRecordEntry.__table__), [{
            "record_id": record_id, "rank": i + 1, "candidate_ref": item["candidate_ref"], "score": item["score"],
            "parts": {p: v.get("vaerdi") for p, v in (item.get("explanation") or {}).get("scoredele", {}).items()},
            "reasons": [{"regel": r["regel"], "begrundelse": r["begrundelse"], "lov": r.get("lov")}
                        for r in (item.get("explanation") or {}).get("hvorfor_berettiget", [])],
            "groups": labels[i]} for i, item in enumerate(top)])
    return int(record_id)


def _candidate_groups(session: Session, ref: str, year: int) -> dict[str, str]:
    """The groups of a job seeker who was not in the record's top-N (proposed by hand)."""
    from services.matching.candidates import queries as cand_queries
    from services.matching.index.memory import candidate_facts
    from services.matching.ranking.eligibility import Facts

    c = cand_queries.by_ref(session, ref)
    if c is None:
        return {dim: groups.UNKNOWN for dim in groups.DIMENSIONS}
    return groups.of_rows(Facts.from_rows([candidate_facts(c)]), [0], year)[0]


def append_action(session: Session, *, action: str, candidate_ref: str, order_id: int | None,
                  record_id: int | None, reason: str | None, user_id: int | None, event_id: str | None,
                  acted_at: datetime | None) -> RankingRecordAction | None:
    """Append what a consultant did (from crm's `ranking.action` event). A hire or rejection
    without a record id joins the record its proposal was made from; an action whose record is
    gone (retention) or never was is not kept. Idempotent on the event id."""
    if event_id and queries.action_by_event(session, event_id) is not None:
        return None
    rec = session.get(RankingRecord, record_id) if record_id else None
    if rec is None and action in ("ansat", "afvist") and order_id is not None:
        proposal = queries.proposal_action(session, order_id, candidate_ref)
        rec = session.get(RankingRecord, proposal.record_id) if proposal else None
    if rec is None:
        return None
    entry = queries.entry_of(session, rec.id, candidate_ref)
    year = (acted_at or utcnow()).year
    row = RankingRecordAction(
        record_id=rec.id, action=action, candidate_ref=candidate_ref, rank=entry.rank if entry else None,
        score=entry.score if entry else None, reason=(reason or None) and reason[:500], user_id=user_id,
        groups=entry.groups if entry else _candidate_groups(session, candidate_ref, year), event_id=event_id,
        acted_at=acted_at or utcnow())
    session.add(row)
    session.commit()
    return row


def apply_event(session: Session, event: dict[str, Any]) -> RankingRecordAction | None:
    """crm's `ranking.action` event, appended (the matching consumer, and the tests' delivery)."""
    p = event.get("payload") or {}
    acted = None
    for raw in (p.get("acted_at"), event.get("occurred_at")):
        try:
            acted = datetime.fromisoformat(raw or "")
            acted = acted if acted.tzinfo else acted.replace(tzinfo=UTC)
            break
        except ValueError:
            continue
    return append_action(session, action=p["action"], candidate_ref=p["candidate_ref"], order_id=p.get("order_id"),
                         record_id=p.get("ranking_record_id"), reason=p.get("reason"), user_id=p.get("user_id"),
                         event_id=str(event.get("id") or "") or None, acted_at=acted)


def rank_in(session: Session, principal: Principal, record_id: int, ref: str) -> dict[str, Any]:
    """Where a candidate stood in a record (the order page asks before a proposal: a candidate
    outside the top-N needs the consultant's reason)."""
    rec = session.get(RankingRecord, record_id)
    if rec is None:
        raise not_found(record_id)
    entry = queries.entry_of(session, rec.id, ref)
    session.commit()
    return {"ranking_record_id": rec.id, "candidate_ref": ref, "rank": entry.rank if entry else None,
            "in_top": entry is not None, "top": queries.top_size(session, rec.id)}


def _summary(rec: RankingRecord) -> dict[str, Any]:
    return {k: getattr(rec, k) for k in (
        "id", "created_at", "vacancy_id", "order_id", "vacancy_version", "order_event_at", "scheme", "user_id",
        "role", "filters", "model_fingerprint", "weights_version", "index_version", "eligible", "considered",
        "indexed")}


def _action(a: RankingRecordAction) -> dict[str, Any]:
    return {"action": a.action, "candidate_ref": a.candidate_ref, "rank": a.rank, "in_top": a.rank is not None,
            "score": a.score, "reason": a.reason, "user_id": a.user_id, "acted_at": a.acted_at}


def list_page(session: Session, principal: Principal, params: PageParams, *, vacancy_id: int | None = None,
              order_id: int | None = None, candidate_ref: str | None = None, since: date | None = None,
              until: date | None = None) -> tuple[list[dict[str, Any]], int]:
    lo, hi = _bounds(since, until) if (since or until) else (None, None)
    rows, total = paginate(session, queries.listing(vacancy_id, order_id, candidate_ref, lo, hi), params)
    actions: dict[int, list] = {}
    for a in queries.actions_of(session, [r.id for r in rows]):
        actions.setdefault(a.record_id, []).append(_action(a))
    audit.record(session, principal, SERVICE, "read", ENTITY, None,
                 {"record_ids": [r.id for r in rows], **({"candidate_ref": candidate_ref} if candidate_ref else {})})
    session.commit()
    return [{**_summary(r), "actions": actions.get(r.id, [])} for r in rows], total


def get(session: Session, principal: Principal, record_id: int) -> dict[str, Any]:
    """A record as it was kept: who was ranked then, with their scores and reasons, and what was done."""
    rec = session.get(RankingRecord, record_id)
    if rec is None:
        raise not_found(record_id)
    entries = queries.entries_of(session, [rec.id])
    acts = queries.actions_of(session, [rec.id])
    audit.record(session, principal, SERVICE, "read", ENTITY, rec.id,
                 {"candidate_refs": [e.candidate_ref for e in entries]})
    session.commit()
    done: dict[str, list[str]] = {}
    for a in acts:
        done.setdefault(a.candidate_ref, []).append(a.action)
    return {
        **_summary(rec), "pool_groups": rec.pool_groups,
        "entries": [{"rank": e.rank, "candidate_ref": e.candidate_ref, "score": e.score, "parts": e.parts,
                     "reasons": e.reasons, "groups": e.groups, "actions": done.get(e.candidate_ref, [])}
                    for e in entries],
        "actions": [_action(a) for a in acts],
    }


def _bounds(since: date | None, until: date | None) -> tuple[datetime, datetime]:
    tz = ZoneInfo(get_settings().jobbro_timezone)
    lo = datetime.combine(since or date(2000, 1, 1), time.min, tz).astimezone(UTC)
    hi = datetime.combine((until or date.today()) + timedelta(days=1), time.min, tz).astimezone(UTC)
    return lo, hi


# -- erasure and retention ---------------------------------------------------------------------------

def pseudonymise_candidate(session: Session, ref: str) -> dict[str, int]:
    """In the caller's transaction (the job seeker's erasure): one random pseudonym for all their
    entries and actions, so the audit's counts stay and nothing leads back to the person."""
    entries, actions = queries.pseudonymise(session, ref, PSEUDONYM_PREFIX + secrets.token_hex(8))
    return {"ranking_entries": entries, "ranking_actions": actions}


def delete_expired(session: Session, day: date, batch: int = 500) -> int:
    """Retention (run daily): records older than `MATCHING_RANKING_RECORD_RETENTION_DAYS` go with
    their entries and actions (0 keeps them for ever), a batch per transaction."""
    days = get_settings().matching_ranking_record_retention_days
    if days <= 0:
        return 0
    cutoff = datetime.combine(day - timedelta(days=days), time.min,
                              ZoneInfo(get_settings().jobbro_timezone)).astimezone(UTC)
    deleted = 0
    while True:
        ids = queries.expired_ids(session, cutoff, batch)
        if not ids:
            session.commit()
            return deleted
        queries.delete_records(session, ids)
        audit.record(session, None, SERVICE, "delete", ENTITY, None,
                     {"count": len(ids), "reason": f"retention {days} days"})
        session.commit()
        deleted += len(ids)

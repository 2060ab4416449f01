"""Matches through the in-memory index; every answer naming candidates is audited."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlmodel import Session

from services.matching.candidates import queries as cand_queries
from services.matching.candidates.service import not_found as candidate_not_found
from services.matching.candidates.textcheck import clean_text, language_warning
from services.matching.deps import SERVICE
from services.matching.esco.catalog import get_catalog
from services.matching.index import store
from services.matching.index.memory import INDEX, candidate_facts
from services.matching.index.jobs import vacancy_text
from services.matching.ranking.engine import CandidateRecord, Pool, Query, RankResult, context_for, rank
from services.matching.ranking.features import TextFeatures, vacancy_features
from services.matching.ranking.scoring import get_weights
from services.matching.records import service as ranking_records
from services.matching.vacancies import service as vacancy_service
from services.matching.vacancies.models import Outcome, Vacancy
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound
from shared.rules import get_rulebook
from shared.settings import get_settings

DIMENSION_DEFAULT = 384


def _embedder():
    from services.matching.embedding.model import get_embedder

    if not get_settings().matching_load_model:
        return None
    return get_embedder()


def snapshot(session: Session):
    emb = _embedder()
    return INDEX.get(session, emb.fingerprint if emb else None, emb.dimension if emb else DIMENSION_DEFAULT), emb


def _result_body(result: RankResult, snap, extra: dict[str, Any]) -> dict[str, Any]:
    body = {
        **extra,
        "items": result.items,
        "eligible": result.eligible,
        "considered": result.considered,
        "indexed": result.pool,
        "excluded": result.excluded,
        "message": result.message,
        "model_fingerprint": snap.fingerprint,
        "index_version": snap.version,
        "weights_version": get_weights().version,
    }
    if not result.semantic_available:
        body["note"] = ("Indholdsligheden indgår ikke lige nu: sprogmodellens vektorer er ved at blive dannet på ny; "
                        "rangeringen bygger på kompetencer, stilling, ord og afstand.")
    return body


def _read_as(features: TextFeatures, catalog) -> dict[str, Any]:
    """How the order was read: its ESCO occupations and the skills a candidate must share, for the
    consultant to check (EU AI Act art. 14: an order read as the wrong occupation ranks the wrong
    people, and only a person who knows the order can see it)."""
    return {"occupations": [{"label": catalog.occupations[o].label, "score": s} for o, s in features.occupations],
            "essential_skills": [catalog.skills[s].label for s in features.essential]}


def _read_as_line(features: TextFeatures, catalog, v: Vacancy) -> str:
    """How the order was read, as the record keeps it: a reading can change (a consultant's
    correction, a new text), and the record must say which one the consultant was shown."""
    labels = ", ".join(catalog.occupations[o].label for o, _ in features.occupations) or "ingen stilling"
    return labels + (" (valgt af en konsulent)" if v.occupation_uri else "")


def _vacancy_vector(session: Session, v: Vacancy, fp: str | None, emb) -> np.ndarray | None:
    if fp is None:
        return None
    row = store.vector_of(session, store.VACANCY, v.id, fp)
    if row is not None and row.text_hash == store.text_hash(vacancy_text(v)):
        return np.frombuffer(row.vector, dtype=np.float16).astype(np.float32)
    if emb is not None and emb.fingerprint == fp:
        return emb.queries([vacancy_text(v)])[0]
    return None


def _audit_results(session: Session, principal: Principal, items: list[dict], detail: dict[str, Any]) -> None:
    audit.record(session, principal, SERVICE, "read", "candidate", None,
                 {**detail, "candidate_refs": [it["candidate_ref"] for it in items]})


def _end_read(session: Session) -> None:
    """End the read transaction (a commit of nothing) before the CPU work of embedding and
    ranking, so no transaction — on SQLite the database's write lock — is held meanwhile; the
    audit entry is written in a short transaction of its own after."""
    session.commit()


def _cooperation_pool(session: Session, pool: Pool) -> tuple[Pool, dict[str, str | None]]:
    """A partner's shared order is ranked among the job seekers who consented to being proposed to
    other jobcentres, and no one else (docs/cooperation.md); with their postcodes, for the commute."""
    from sqlmodel import select

    from services.matching.candidates.models import Candidate

    rows = session.exec(select(Candidate.id, Candidate.candidate_ref, Candidate.postcode)
                        .where(Candidate.consent_cooperation == True)).all()  # noqa: E712
    ids = np.array([int(i) for i, _, _ in rows], dtype=pool.ids.dtype)
    return pool.take(np.flatnonzero(np.isin(pool.ids, ids))), {ref: pc for _, ref, pc in rows}


def _with_commute(items: list[dict], postcodes: dict[str, str | None], to: str | None) -> None:
    """The commute from the job seeker's postcode to the workplace, said in words beside the figure."""
    for it in items:
        home = postcodes.get(it["candidate_ref"])
        km = (it.get("explanation") or {}).get("afstand_km")
        it.setdefault("explanation", {})["pendling"] = (
            f"pendler fra {home} til {to}: ca. {km:.0f} km" if home and to and km is not None else
            "pendlingen kendes ikke (postnummer mangler)")


def vacancy_matches(session: Session, principal: Principal, vacancy_id: int, scheme: str | None, limit: int):
    v = vacancy_service.get(session, vacancy_id)
    snap, emb = snapshot(session)
    catalog = get_catalog()
    feats = TextFeatures.from_json(v.features or {}, catalog)
    ctx = context_for(scheme or v.scheme, v.hours_per_week, v.starts_on, v.duration_weeks, v.sector,
                      get_settings().jobbro_municipality_code)
    q = Query(v.title, feats, ctx, _vacancy_vector(session, v, snap.fingerprint, emb), v.postcode, v.id)
    pool, postcodes = snap.pool, None
    if v.shared_order_id is not None:
        pool, postcodes = _cooperation_pool(session, snap.pool)
    _end_read(session)
    result = rank(pool, q, get_weights(), get_rulebook(), catalog, top=limit)
    extra: dict[str, Any] = {"vacancy_id": v.id, "scheme": ctx.scheme, "occupation_chosen": v.occupation_uri is not None}
    if postcodes is not None:
        _with_commute(result.items, postcodes, v.postcode)
        extra["cooperation"] = {"partner": v.cooperation_partner, "shared_order_id": v.shared_order_id,
                                "only_consenting": True, "consenting": len(postcodes)}
        if not postcodes:
            result.message = "Ingen jobsøgere har givet samtykke til at blive foreslået til andre jobcentre."
    # What the consultant is shown is kept (EU AI Act art. 12), in the audit entry's transaction; over
    # the pool it was ranked in (a shared order's: the consenting job seekers only).
    extra["ranking_record_id"] = ranking_records.record(session, principal, v, result, snap, ctx.scheme,
                                                        {"scheme": scheme, "limit": limit,
                                                         "read_as": _read_as_line(feats, catalog, v)},
                                                        get_weights().version,
                                                        pool=pool)
    _audit_results(session, principal, result.items, {"vacancy_id": v.id, "scheme": ctx.scheme,
                                                      **({"cooperation": True} if postcodes is not None else {})})
    session.commit()
    return _result_body(result, snap, {**extra, **_read_as(feats, catalog)})


def adhoc_matches(session: Session, principal: Principal, data) -> dict[str, Any]:
    text = clean_text(data.text, "text")
    snap, emb = snapshot(session)
    _end_read(session)
    catalog = get_catalog()
    vec = None
    if emb is not None and snap.fingerprint == emb.fingerprint:
        vec = emb.queries([(data.title + "\n" + text).strip()])[0]
    ctx = context_for(data.scheme, data.hours_per_week, data.starts_on, data.duration_weeks, None,
                      get_settings().jobbro_municipality_code)
    q = Query(data.title, vacancy_features(data.title, text), ctx, vec, data.postcode, None)
    result = rank(snap.pool, q, get_weights(), get_rulebook(), catalog, top=data.limit)
    _audit_results(session, principal, result.items, {"adhoc": True, "scheme": ctx.scheme})
    session.commit()
    warning = language_warning(text)
    body = _result_body(result, snap, {"scheme": ctx.scheme, **_read_as(q.features, catalog)})
    if warning:
        body["warnings"] = [warning]
    return body


def candidate_matches(session: Session, principal: Principal, ref: str, limit: int) -> dict[str, Any]:
    """Open vacancies ranked for one candidate (the other direction), with the same scoring."""
    c = cand_queries.by_ref(session, ref)
    if c is None:
        raise candidate_not_found(ref)
    snap, emb = snapshot(session)
    catalog = get_catalog()
    pos = np.flatnonzero(snap.pool.ids == c.id)
    if len(pos):
        # The indexed row carries the vector of the model that serves queries.
        sub = snap.pool.take(pos)
    else:
        record = CandidateRecord(c.id, c.candidate_ref, candidate_facts(c), TextFeatures.from_json(c.features or {}, catalog),
                                 None, c.postcode)
        sub = Pool.build([record], snap.pool.dimension, catalog)
    from sqlmodel import select

    stmt = select(Vacancy).where(Vacancy.status == "aaben")
    if not c.consent_cooperation:  # partners' shared orders are for consenting job seekers only
        stmt = stmt.where(Vacancy.shared_order_id.is_(None))
    vacancies = session.exec(stmt.order_by(Vacancy.id)).all()
    weights, book = get_weights(), get_rulebook()
    found, ineligible = [], []
    queries = []
    for v in vacancies:
        ctx = context_for(v.scheme, v.hours_per_week, v.starts_on, v.duration_weeks, v.sector,
                          get_settings().jobbro_municipality_code)
        queries.append((v, Query(v.title, TextFeatures.from_json(v.features or {}, catalog), ctx,
                                 _vacancy_vector(session, v, snap.fingerprint, emb), v.postcode, v.id)))
    candidate_ref = c.candidate_ref
    _end_read(session)
    for v, q in queries:
        r = rank(sub, q, weights, book, catalog, top=1)
        if r.items:
            item = r.items[0]
            found.append({"vacancy_id": v.id, "title": v.title, "scheme": v.scheme, "company_name": v.company_name,
                          "score": item["score"], "explanation": item["explanation"]})
        else:
            ineligible.append({"vacancy_id": v.id, "title": v.title, "scheme": v.scheme,
                               "reasons": sorted(r.excluded)})
    found.sort(key=lambda x: (-x["score"], x["vacancy_id"]))
    audit.record(session, principal, SERVICE, "read", "candidate", candidate_ref, {"matches": True})
    session.commit()
    message = None
    if not found:
        message = ("Der er ingen åbne stillinger." if not vacancies else
                   f"Kandidaten opfylder ikke reglerne for nogen af de {len(vacancies)} åbne stillinger.")
    return {"candidate_ref": c.candidate_ref, "items": found[:limit], "total": len(found),
            "not_eligible": ineligible[:limit], "message": message}


def record_outcome(session: Session, principal: Principal, vacancy_id: int, ref: str, outcome: str) -> dict[str, Any]:
    v = vacancy_service.get(session, vacancy_id)
    c = cand_queries.by_ref(session, ref)
    if c is None:
        raise candidate_not_found(ref)
    snap, emb = snapshot(session)
    catalog = get_catalog()
    ctx = context_for(v.scheme, v.hours_per_week, v.starts_on, v.duration_weeks, v.sector,
                      get_settings().jobbro_municipality_code)
    q = Query(v.title, TextFeatures.from_json(v.features or {}, catalog), ctx,
              _vacancy_vector(session, v, snap.fingerprint, emb), v.postcode, v.id)
    pos = np.flatnonzero(snap.pool.ids == c.id)
    parts: dict[str, Any] = {}
    if len(pos):
        from services.matching.ranking.engine import _occupation_target, _skill_target, score_rows

        raw = score_rows(snap.pool, q, pos, get_weights(), _occupation_target(q, catalog),
                         skill_target=_skill_target(q, catalog))
        parts = {k: float(raw[k][0]) for k in ("semantic", "lexical", "skills", "occupation", "distance")}
    else:
        raise NotFound(f"Kandidat '{ref}' er ikke i indekset endnu; prøv igen om lidt.", field="candidate_ref")
    row = Outcome(vacancy_id=v.id, candidate_id=c.id, outcome=outcome, parts=parts)
    session.add(row)
    audit.record(session, principal, SERVICE, "create", "match_outcome", c.candidate_ref,
                 {"vacancy_id": v.id, "outcome": outcome})
    session.commit()
    return {"id": row.id, "vacancy_id": v.id, "candidate_ref": ref, "outcome": outcome, "parts": parts}


def status(session: Session) -> dict[str, Any]:
    import json

    from services.matching.index.jobs import progress_key
    from shared.redis_client import get_redis

    emb = _embedder()
    n_c, n_v = store.counts(session)
    progress = None
    try:
        raw = get_redis().get(progress_key())
        progress = json.loads(raw) if raw else None
    except Exception:
        progress = None
    return {
        "model": emb.name if emb else None,
        "model_fingerprint": emb.fingerprint if emb else None,
        "serving_fingerprint": store.serving_fingerprint(session, emb.fingerprint if emb else None),
        "candidates": n_c,
        "vacancies": n_v,
        "coverage": store.coverage(session),
        "index_version": store.current_version(session),
        "reembed_progress": progress,
        "weights_version": get_weights().version,
    }

"""Candidates (job seekers): every read and change is audited; erasure removes text, features
and vectors and pseudonymises crm's placements and proposals in one transaction; retention erases
idle records; each public function is one commit (retention: one per candidate)."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.matching.candidates import queries
from services.matching.candidates.models import Candidate
from services.matching.candidates.schemas import CandidateCreate, CandidateRead, CandidateUpdate
from services.matching.candidates.textcheck import clean_text, detect_language, language_warning
from services.matching.deps import SERVICE
from services.matching.esco.catalog import get_catalog
from services.matching.index import jobs, store
from services.matching.ranking.features import candidate_features
from shared import audit, erasure
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.events import EventType, publish
from shared.glossary import TARGET_GROUP_CODE_LIST_VERSION
from shared.models_base import utcnow
from shared.settings import get_settings

ENTITY = "candidate"


def not_found(ref: str) -> NotFound:
    return NotFound(f"Kandidat '{ref}' findes ikke.", field="candidate_ref")


def to_read(session: Session, c: Candidate, warnings: list[str] | None = None) -> CandidateRead:
    vec = None
    try:
        from services.matching.index.models import StoredVector
        from sqlmodel import select

        vec = session.exec(select(StoredVector.model).where(StoredVector.kind == store.CANDIDATE,
                                                            StoredVector.entity_id == c.id)
                           .order_by(StoredVector.version.desc())).first()
    except Exception:
        vec = None
    feats = c.features or {}
    return CandidateRead.model_validate(c).model_copy(update={
        "skills": [{"label": s["label"], "uri": s["uri"], "kind": s.get("kind")} for s in feats.get("skills", [])],
        "occupations": feats.get("occupations", []),
        "embedded_with": vec,
        "warnings": warnings if warnings is not None else feats.get("warnings", []),
    })


_FEATURES_KEPT = 64
_features_kept: OrderedDict[tuple[str, tuple[str, ...]], dict[str, Any]] = OrderedDict()
_features_lock = threading.Lock()


def _features(c: Candidate) -> dict[str, Any]:
    """The CV's features, kept briefly by text so a write can use what was computed before its
    transaction began (update())."""
    key = (c.cv_text or "", tuple(c.desired_occupations or ()))
    with _features_lock:
        feats = _features_kept.get(key)
    if feats is None:
        feats = candidate_features(c.cv_text, list(c.desired_occupations or [])).to_json(get_catalog())
        warning = language_warning(c.cv_text)
        feats["warnings"] = [warning] if warning else []
        with _features_lock:
            _features_kept[key] = feats
            while len(_features_kept) > _FEATURES_KEPT:
                _features_kept.popitem(last=False)
    c.cv_language = detect_language(c.cv_text)
    return copy.deepcopy(feats)


def create(session: Session, principal: Principal, data: CandidateCreate) -> tuple[Candidate, list[str]]:
    values = data.model_dump()
    values["cv_text"] = clean_text(values["cv_text"], "cv_text")
    c = Candidate(**values, code_list_version=TARGET_GROUP_CODE_LIST_VERSION, created_by=principal.user_id)
    # The features (seconds of CPU: the title normaliser's model, the skills) before the
    # transaction begins: on SQLite its first statement takes the write lock.
    c.features = _features(c)
    existing = queries.by_ref(session, data.candidate_ref)
    if existing:
        raise Conflict(f"Kandidat '{data.candidate_ref}' findes allerede.", field="candidate_ref",
                       existing={"id": existing.id, "candidate_ref": existing.candidate_ref})
    c.version = store.bump_version(session)
    session.add(c)
    session.flush()
    audit.record(session, principal, SERVICE, "create", ENTITY, c.candidate_ref)
    if c.consent_cooperation:
        _cooperation_consent(session, principal, c)
    session.commit()
    session.refresh(c)
    jobs.enqueue_candidate(c.id)
    return c, c.features.get("warnings", [])


def _cooperation_consent(session: Session, principal: Principal, c: Candidate) -> None:
    """The consent to being proposed to other jobcentres, given, changed or withdrawn: audited as a
    consent of its own, and told to crm, which proposes across only those who gave it."""
    audit.record(session, principal, SERVICE, "consent", ENTITY, c.candidate_ref,
                 {"consent_cooperation": c.consent_cooperation, "summary_chars": len(c.cooperation_summary or "")})
    publish(session, EventType.candidate_cooperation_consent, {
        "candidate_ref": c.candidate_ref, "consent": c.consent_cooperation,
        "cv_summary": (c.cooperation_summary or "") if c.consent_cooperation else "",
        "changed_at": utcnow().isoformat()})


def get(session: Session, principal: Principal, ref: str) -> Candidate:
    c = queries.by_ref(session, ref)
    if c is None:
        raise not_found(ref)
    audit.record(session, principal, SERVICE, "read", ENTITY, c.candidate_ref)
    session.commit()
    return c


def list_page(session: Session, principal: Principal, params, q: str | None, postcode: str | None):
    from shared.pagination import paginate

    items, total = paginate(session, queries.listing(q, postcode), params)
    audit.record(session, principal, SERVICE, "read", ENTITY, None, {"candidate_refs": [c.candidate_ref for c in items]})
    session.commit()
    return items, total


def update(session: Session, principal: Principal, ref: str, data: CandidateUpdate) -> tuple[Candidate, list[str]]:
    c = queries.by_ref(session, ref)
    if c is None:
        raise not_found(ref)
    changes = data.model_dump(exclude_unset=True)
    new_text = clean_text(changes["cv_text"], "cv_text") if changes.get("cv_text") is not None else None
    if (new_text is not None and new_text != c.cv_text) or changes.get("desired_occupations") is not None:
        # New features take seconds of CPU: end the read (on SQLite: the write lock) first, compute
        # them, then read again and write in a short transaction.
        probe = Candidate(cv_text=new_text if new_text is not None else c.cv_text,
                          desired_occupations=changes.get("desired_occupations") or list(c.desired_occupations or []))
        session.commit()
        _features(probe)  # kept by text (_features' cache) for the write below
        c = queries.by_ref(session, ref)
        if c is None:
            raise not_found(ref)
    for key in ("fleksjob_visiteret", "single_parent", "consent_other_municipalities", "driving_licences",
                "languages", "desired_occupations", "cv_text", "consent_cooperation", "cooperation_summary"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    if "cv_text" in changes:
        changes["cv_text"] = clean_text(changes["cv_text"], "cv_text")
    text_changed = "cv_text" in changes and changes["cv_text"] != c.cv_text
    cooperation_changed = any(k in changes and changes[k] != getattr(c, k)
                              for k in ("consent_cooperation", "cooperation_summary"))
    for key, value in changes.items():
        setattr(c, key, value)
    if text_changed or "desired_occupations" in changes:
        c.features = _features(c)
    c.version = store.bump_version(session)
    c.updated_at = utcnow()
    session.add(c)
    audit.record(session, principal, SERVICE, "update", ENTITY, c.candidate_ref, {"fields": sorted(changes)})
    if cooperation_changed:
        _cooperation_consent(session, principal, c)
    session.commit()
    session.refresh(c)
    if text_changed:
        jobs.enqueue_candidate(c.id)
    return c, c.features.get("warnings", [])


def set_cv_from_upload(session: Session, principal: Principal, ref: str, text: str) -> tuple[Candidate, list[str]]:
    return update(session, principal, ref, CandidateUpdate(cv_text=text))


# The services that may hold a job seeker's reference and must confirm its erasure.
CANDIDATE_COPIES = ["crm"]


def erase(session: Session, principal: Principal | None, ref: str, reason: str | None = None) -> None:
    """Erasure (GDPR art. 17), started here, where the job seeker is owned. One transaction: the row
    with its text and features, its vectors and its recorded outcomes go; the version bump makes
    every replica drop the candidate from memory; an erasure request is recorded and
    `candidate.erased` published, on which crm gives its placements and proposals one random
    pseudonym (rows kept, so figures still count them) and confirms (shared/erasure.py). A
    reference matching never had is still announced (crm may hold it); one erased before is 404.
    `principal` None: the system (retention)."""
    c = queries.by_ref(session, ref)
    if c is None and erasure.erased_before(session, SERVICE, "candidate", ref):
        raise not_found(ref)
    if c is not None:
        store.delete_vectors(session, store.CANDIDATE, c.id)
        queries.delete_outcomes(session, c.id)
        session.delete(c)
        store.bump_version(session)
    from services.matching.records.service import pseudonymise_candidate

    # Ranking records keep the job seeker only under a random pseudonym, without score parts or reasons.
    records = pseudonymise_candidate(session, ref)
    request = erasure.start(session, SERVICE, "candidate", ref, CANDIDATE_COPIES)
    actor = ({"id": principal.user_id, "email": principal.email, "role": principal.role.value}
             if principal is not None else None)
    erasure.announced(request, publish(session, EventType.candidate_erased, {
        "erasure_id": request.id, "owner": SERVICE, "candidate_ref": ref, "reason": reason,
        "requested_by": actor}))
    detail = {"erasure_id": request.id, "held_here": c is not None, **records,
              **({"reason": reason} if reason else {})}
    audit.record(session, principal, SERVICE, "erase", ENTITY, ref, detail)
    session.commit()


def erase_stale(session: Session, day: date) -> int:
    """Retention (run daily): erase job seekers whose record has not changed for
    `MATCHING_CANDIDATE_RETENTION_DAYS` (0 turns it off), each through `erase`, as the system."""
    days = get_settings().matching_candidate_retention_days
    if days <= 0:
        return 0
    cutoff = datetime.combine(day - timedelta(days=days), time.min, ZoneInfo(get_settings().jobbro_timezone))
    erased = 0
    cutoff = cutoff.astimezone(UTC)
    for ref in queries.stale_refs(session, cutoff):
        # Locked and checked again: a record changed since the list was read is kept.
        if queries.lock_if_stale(session, ref, cutoff) is None:
            session.rollback()
            continue
        try:
            erase(session, None, ref, reason=f"retention {days} days")
            erased += 1
        except NotFound:  # erased meanwhile (by a person or a second run)
            session.rollback()
    return erased

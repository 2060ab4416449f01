"""Vectors and the shared version counter in the database (the truth every replica reads)."""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import delete, func
from sqlmodel import Session, select

from services.matching.candidates.models import Candidate
from services.matching.index.models import IndexState, StoredVector
from services.matching.vacancies.models import Vacancy

VERSION_KEY = "version"
CANDIDATE = "candidate"
VACANCY = "vacancy"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bump_version(session: Session) -> int:
    """Next value of the shared counter; the row lock serialises writers on PostgreSQL."""
    state = session.exec(select(IndexState).where(IndexState.key == VERSION_KEY).with_for_update()).first()
    if state is None:
        state = IndexState(key=VERSION_KEY, value=0)
    state.value += 1
    session.add(state)
    session.flush()
    return state.value


def current_version(session: Session) -> int:
    state = session.get(IndexState, VERSION_KEY)
    return state.value if state else 0


def save_vector(session: Session, kind: str, entity_id: int, model: str, fingerprint: str, vec: np.ndarray,
                digest: str) -> StoredVector:
    row = session.exec(select(StoredVector).where(
        StoredVector.kind == kind, StoredVector.entity_id == entity_id, StoredVector.fingerprint == fingerprint)).first()
    if row is None:
        row = StoredVector(kind=kind, entity_id=entity_id, model=model, fingerprint=fingerprint, dimension=len(vec),
                           vector=b"", text_hash=digest)
    row.vector = np.asarray(vec, dtype=np.float16).tobytes()
    row.dimension = len(vec)
    row.text_hash = digest
    row.model = model
    row.version = bump_version(session)
    session.add(row)
    return row


def vector_of(session: Session, kind: str, entity_id: int, fingerprint: str) -> StoredVector | None:
    return session.exec(select(StoredVector).where(
        StoredVector.kind == kind, StoredVector.entity_id == entity_id, StoredVector.fingerprint == fingerprint)).first()


def delete_vectors(session: Session, kind: str, entity_id: int) -> None:
    session.exec(delete(StoredVector).where(StoredVector.kind == kind, StoredVector.entity_id == entity_id))


def coverage(session: Session) -> dict[str, dict[str, int]]:
    """Per model fingerprint: how many candidates and vacancies have a vector."""
    rows = session.exec(select(StoredVector.fingerprint, StoredVector.kind, func.count())
                        .group_by(StoredVector.fingerprint, StoredVector.kind)).all()
    out: dict[str, dict[str, int]] = {}
    for fp, kind, n in rows:
        out.setdefault(fp, {})[kind] = int(n)
    return out


def counts(session: Session) -> tuple[int, int]:
    c = session.exec(select(func.count()).select_from(Candidate)).one()
    v = session.exec(select(func.count()).select_from(Vacancy)).one()
    return int(c), int(v)


def serving_fingerprint(session: Session, loaded: str | None) -> str | None:
    """The model whose vectors answer queries: the loaded model once every candidate has its
    vector, otherwise the most complete older set (no downtime while re-embedding)."""
    n_candidates, _ = counts(session)
    cov = coverage(session)
    if loaded and cov.get(loaded, {}).get(CANDIDATE, 0) >= n_candidates:
        return loaded
    older = [(v.get(CANDIDATE, 0), fp) for fp, v in cov.items() if fp != loaded]
    if older:
        best = max(older)
        if best[0] >= cov.get(loaded, {}).get(CANDIDATE, 0):
            return best[1]
    return loaded

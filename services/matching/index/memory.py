"""The in-memory index each replica answers from, refreshed from the database by version.

Replicas share nothing but the database: each polls the version counter (at most every
`matching_index_refresh_seconds`) and rebuilds its columns when it changed, so all replicas
converge on the same data and none answers from vectors another has erased.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, select

from services.matching.candidates.models import Candidate
from services.matching.esco.catalog import get_catalog
from services.matching.index import store
from services.matching.index.models import StoredVector
from services.matching.ranking.engine import CandidateRecord, Pool
from services.matching.ranking.features import TextFeatures
from shared.settings import get_settings

log = logging.getLogger("jobbro.matching.index")


def candidate_facts(c: Candidate) -> dict:
    return {k: getattr(c, k) for k in (
        "target_group", "fleksjob_visiteret", "fleksjob_hours", "igu_basis", "birth_year", "years_in_denmark",
        "months_unemployed", "education_level", "single_parent", "hours_available", "municipality_code",
        "consent_other_municipalities", "postcode", "cv_language")}


@dataclass
class Snapshot:
    pool: Pool
    version: int
    fingerprint: str | None
    loaded_at: float


class MemoryIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        """Forget the snapshot: the next `get` rebuilds from the database."""
        with self._lock:
            self._snapshot = None
            self._checked = 0.0

    def get(self, session: Session, loaded_fingerprint: str | None, dimension: int, force: bool = False) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        interval = get_settings().matching_index_refresh_seconds
        if snap is not None and not force and now - self._checked < interval:
            return snap
        version = store.current_version(session)
        fp = store.serving_fingerprint(session, loaded_fingerprint)
        self._checked = now
        if snap is not None and snap.version == version and snap.fingerprint == fp:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.version != version or snap.fingerprint != fp:
                snap = self._build(session, version, fp, dimension)
                self._snapshot = snap
        return snap

    def _build(self, session: Session, version: int, fingerprint: str | None, dimension: int) -> Snapshot:
        started = time.perf_counter()
        catalog = get_catalog()
        cands = session.exec(select(Candidate).order_by(Candidate.id)).all()
        vectors: dict[int, np.ndarray] = {}
        if fingerprint:
            for ent, blob, dim in session.exec(select(StoredVector.entity_id, StoredVector.vector, StoredVector.dimension)
                                               .where(StoredVector.kind == store.CANDIDATE,
                                                      StoredVector.fingerprint == fingerprint)):
                if dim == dimension:
                    vectors[ent] = np.frombuffer(blob, dtype=np.float16, count=dim)
        records = [CandidateRecord(c.id, c.candidate_ref, candidate_facts(c),
                                   TextFeatures.from_json(c.features or {}, catalog), vectors.get(c.id), c.postcode)
                   for c in cands]
        pool = Pool.build(records, dimension, catalog)
        log.info("matching index: %d candidates, %d vectors, version %d, %.2fs", len(records), len(vectors), version,
                 time.perf_counter() - started)
        return Snapshot(pool, version, fingerprint, time.time())


INDEX = MemoryIndex()

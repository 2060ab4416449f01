"""RQ jobs on the `matching` queue: (re-)embedding candidates and vacancies.

A change to a CV or vacancy text enqueues one job; a model change enqueues `reembed_all`, which
works through everything missing a vector for the current model in batches, with a progress bar
in the worker's log and progress in Redis (`GET /api/v1/matching/status`). Until it completes,
the index keeps serving the previous model's vectors.
"""

from __future__ import annotations

import json
import logging

from sqlmodel import Session, select

from services.matching.candidates.models import Candidate
from services.matching.index import store
from services.matching.vacancies.models import Vacancy
from shared.db import get_engine, read_only
from shared.installation import queue_name, redis_key
from shared.logs import job_meta
from shared.redis_client import get_redis

log = logging.getLogger("jobbro.matching.jobs")
QUEUE = "matching"


def queue():
    from rq import Queue

    return Queue(queue_name(QUEUE), connection=get_redis())


def progress_key() -> str:
    return redis_key("matching", "reembed")


def vacancy_text(v: Vacancy) -> str:
    return (v.title + "\n" + v.text).strip()


def embed_candidate_in(s: Session, candidate_id: int) -> bool:
    """Embed one candidate in the given session and commit; False when there was nothing to do."""
    from services.matching.embedding.model import get_embedder

    emb = get_embedder()
    c = s.get(Candidate, candidate_id)
    if c is None:
        return False  # erased meanwhile: nothing to do, and nothing may be written back
    text = c.cv_text
    digest = store.text_hash(text)
    old = store.vector_of(s, store.CANDIDATE, c.id, emb.fingerprint)
    if old is not None and old.text_hash == digest:
        return False
    s.commit()  # end the read: no transaction (on SQLite, no write lock) is held while the model works
    vec = emb.passages([text])[0]
    if not _still(s, Candidate, candidate_id, digest, lambda r: r.cv_text):
        return False  # erased or changed while embedding: the newer job (if any) writes its vector
    store.save_vector(s, store.CANDIDATE, candidate_id, emb.name, emb.fingerprint, vec, digest)
    s.commit()
    return True


def _still(s: Session, model, entity_id: int, digest: str, text_of) -> bool:
    row = s.get(model, entity_id, populate_existing=True)
    return row is not None and store.text_hash(text_of(row)) == digest


def embed_vacancy_in(s: Session, vacancy_id: int) -> bool:
    from services.matching.embedding.model import get_embedder

    emb = get_embedder()
    v = s.get(Vacancy, vacancy_id)
    if v is None:
        return False
    text = vacancy_text(v)
    digest = store.text_hash(text)
    old = store.vector_of(s, store.VACANCY, v.id, emb.fingerprint)
    if old is not None and old.text_hash == digest:
        return False
    s.commit()  # as for candidates: nothing held while the model works
    vec = emb.queries([text])[0]
    if not _still(s, Vacancy, vacancy_id, digest, vacancy_text):
        return False
    store.save_vector(s, store.VACANCY, vacancy_id, emb.name, emb.fingerprint, vec, digest)
    s.commit()
    return True


def embed_candidate(candidate_id: int) -> bool:
    with Session(get_engine()) as s:
        return embed_candidate_in(s, candidate_id)


def embed_vacancy(vacancy_id: int) -> bool:
    with Session(get_engine()) as s:
        return embed_vacancy_in(s, vacancy_id)


def reembed_all(batch: int = 32) -> dict[str, int]:
    """Embed every candidate and vacancy lacking a vector of the loaded model."""
    from tqdm import tqdm

    from services.matching.embedding.model import get_embedder
    from services.matching.index.models import StoredVector

    emb = get_embedder()
    redis = get_redis()
    with Session(get_engine()) as s:
        done_c = set(s.exec(select(StoredVector.entity_id).where(
            StoredVector.kind == store.CANDIDATE, StoredVector.fingerprint == emb.fingerprint)).all())
        done_v = set(s.exec(select(StoredVector.entity_id).where(
            StoredVector.kind == store.VACANCY, StoredVector.fingerprint == emb.fingerprint)).all())
        todo_c = [i for i in s.exec(select(Candidate.id).order_by(Candidate.id)).all() if i not in done_c]
        todo_v = [i for i in s.exec(select(Vacancy.id).order_by(Vacancy.id)).all() if i not in done_v]
    total = len(todo_c) + len(todo_v)
    progress = {"model": emb.name, "fingerprint": emb.fingerprint, "total": total, "done": 0}
    redis.set(progress_key(), json.dumps(progress))
    with tqdm(total=total, desc=f"re-embedding ({emb.name})", unit="tekst") as bar:
        for kind, ids in ((store.CANDIDATE, todo_c), (store.VACANCY, todo_v)):
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                model = Candidate if kind == store.CANDIDATE else Vacancy
                text_of = (lambda r: r.cv_text) if kind == store.CANDIDATE else vacancy_text
                # Read, embed (seconds per batch on a CPU), then write in a short transaction of its
                # own: a batch never holds the database while the model works.
                with Session(read_only(get_engine())) as s:
                    texts = {r.id: text_of(r) for r in (s.get(model, i) for i in chunk) if r is not None}
                ids_ = list(texts)
                vecs = ((emb.passages if kind == store.CANDIDATE else emb.queries)([texts[i] for i in ids_])
                        if ids_ else [])
                with Session(get_engine()) as s:
                    for i, vec in zip(ids_, vecs):
                        digest = store.text_hash(texts[i])
                        if _still(s, model, i, digest, text_of):
                            store.save_vector(s, kind, i, emb.name, emb.fingerprint, vec, digest)
                    s.commit()
                bar.update(len(chunk))
                progress["done"] += len(chunk)
                redis.set(progress_key(), json.dumps(progress))
    return {"candidates": len(todo_c), "vacancies": len(todo_v)}


def enqueue_candidate(candidate_id: int) -> None:
    _enqueue(embed_candidate, candidate_id)


def enqueue_vacancy(vacancy_id: int) -> None:
    _enqueue(embed_vacancy, vacancy_id)


def _enqueue(fn, *args) -> None:
    from redis.exceptions import RedisError
    from rq import Retry

    try:
        queue().enqueue(fn, *args, retry=Retry(max=3, interval=[5, 30, 120]), job_timeout=600, meta=job_meta())
    except RedisError as exc:
        # The record is saved; `reembed` (or the next start) catches up on anything missing.
        log.warning("could not enqueue %s%s: %s", fn.__name__, args, exc)

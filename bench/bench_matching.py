"""Speed figures of the matching issue; prints JSON lines {"figure","value","unit","target"}.

- ranking one vacancy over 100,000 indexed candidates (query embedding excluded, filters
  included) against a FAISS IndexFlatIP exact search over the same vectors, with identical
  top-50 when the weights reduce the score to the inner product ("equal weights"), and the
  time with the production weights;
- query-embedding time, CV embedding throughput on 2 cores, index memory per 100,000: every
  column the ranking engine holds in memory (int8 vector codes with their error bounds, sparse
  skill/occupation/lexical columns, facts, ids, refs); the float16 originals that the exact
  rescoring reads live in a memory-mapped file and are printed on their own line.
Vectors are synthetic for the ranking figures (as the issue allows); everything else is the
production code (ranking.engine.rank, the shipped rules, the ESCO catalogue).

    python bench/bench_matching.py [--n 100000] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402


def log(message: str) -> None:
    print(f"[bench_matching] {message}", file=sys.stderr, flush=True)


def emit(figure: str, value, unit: str, target=None, baseline=None) -> None:
    row = {"figure": figure, "value": value, "unit": unit, "target": target}
    if baseline is not None:
        row["baseline"] = baseline
    print(json.dumps(row, ensure_ascii=False), flush=True)


def record_bench(pool, query, weights, book, catalog, repeat: int, at_n: str) -> None:
    """What the order page's ranking costs with and without its ranking record (EU AI Act art. 12),
    in turns in the same run: the ranking as the API runs it (top 10, explained), and the same plus
    the record (pool summary per group, the entries, the rows written to a SQLite file in the
    request's transaction, flushed and rolled back, as the request's one commit is paid either way)."""
    import tempfile
    from types import SimpleNamespace

    from sqlmodel import Session, SQLModel, create_engine

    from services.matching.ranking.engine import rank
    from services.matching.records import service as records
    from services.matching.records.models import RankingRecord, RankingRecordAction, RankingRecordEntry
    from shared.glossary import Role

    folder = tempfile.mkdtemp(prefix="jobbro-bench-records-")
    engine = create_engine(f"sqlite:///{folder}/records.sqlite3")
    SQLModel.metadata.create_all(engine, tables=[RankingRecord.__table__, RankingRecordEntry.__table__,
                                                 RankingRecordAction.__table__])
    principal = SimpleNamespace(user_id=1, role=Role.konsulent)
    vacancy = SimpleNamespace(id=1, order_id=1, version=1, order_event_at=None)
    snap = SimpleNamespace(pool=pool, fingerprint="bench", version=1)

    def shown():
        return rank(pool, query, weights, book, catalog, top=10, explain=True)

    session = Session(engine)  # the request's own session: opening one is not the record's cost

    def shown_and_recorded():
        result = shown()
        records.record(session, principal, vacancy, result, snap, "ordinaer", {"limit": 10}, weights.version)
        session.flush()
        session.rollback()

    t = timed_together({"shown": shown, "recorded": shown_and_recorded}, repeat)
    log("the order page's ranking (top 10, explained) without and with its ranking record, in turns")
    emit(f"matching.rank_explained_top10{at_n}_ms", round(t["shown"], 3), "ms")
    emit(f"matching.rank_explained_top10_recorded{at_n}_ms", round(t["recorded"], 3), "ms", None,
         baseline=round(t["shown"], 3))
    emit(f"matching.ranking_record_overhead{at_n}_ratio", round(t["recorded"] / t["shown"], 3), "x", "<= 1.05")
    session.close()
    engine.dispose()


def timed(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def timed_together(fns: dict, repeat: int) -> dict:
    """Median ms of each function, run in turns, so that load from other processes on a shared
    machine falls on all of them alike (a ratio of two figures measured minutes apart is noise)."""
    for fn in fns.values():
        fn()
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


def synthetic_pool(n: int, d: int, catalog, rng):
    from services.matching.ranking.eligibility import Facts
    from services.matching.ranking.engine import Pool

    x = rng.standard_normal((n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    x16 = x.astype(np.float16)
    rows = [dict(target_group="a_dagpenge", months_unemployed=float(rng.integers(0, 30)), hours_available=37.0,
                 municipality_code=330, birth_year=int(rng.integers(1960, 2005))) for _ in range(1000)]
    base = Facts.from_rows(rows)
    facts = base.take(rng.integers(0, 1000, n))
    n_sk, n_oc = len(catalog.skills), len(catalog.occupations)
    k_sk, k_oc, k_lex = 25, 3, 64
    skills = sparse.csr_matrix((np.ones(n * k_sk, np.float32), rng.integers(0, n_sk, n * k_sk),
                                np.arange(0, n * k_sk + 1, k_sk)), shape=(n, n_sk))
    occ = sparse.csr_matrix((rng.random(n * k_oc).astype(np.float32), rng.integers(0, n_oc, n * k_oc),
                             np.arange(0, n * k_oc + 1, k_oc)), shape=(n, n_oc))
    lex_idx = np.sort(rng.integers(0, 1 << 20, (n, k_lex)).astype(np.int32), axis=1).ravel()
    lex_w = np.full(n * k_lex, 1 / 8, np.float16)
    lex_ptr = np.arange(0, n * k_lex + 1, k_lex, dtype=np.int64)
    lat = rng.uniform(54.8, 57.5, n).astype(np.float32)
    lon = rng.uniform(8.2, 12.6, n).astype(np.float32)
    pool = Pool.from_arrays(np.arange(n), [f"S-{i}" for i in range(n)], facts, x16, skills, occ, lex_ptr, lex_idx,
                            lex_w, lat, lon, n_sk, n_oc)
    return pool, x16


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--no-model", action="store_true", help="skip the figures that need the embedding model")
    args = ap.parse_args()
    import faiss

    from services.matching.esco.catalog import get_catalog
    from services.matching.ranking.engine import Query, context_for, rank
    from services.matching.ranking.features import vacancy_features
    from services.matching.ranking.scoring import get_weights
    from shared.rules import get_rulebook

    faiss.omp_set_num_threads(min(2, os.cpu_count() or 1))
    rng = np.random.default_rng(11)
    catalog = get_catalog()
    d = 384
    pool, x16 = synthetic_pool(args.n, d, catalog, rng)
    q = rng.standard_normal(d).astype(np.float32)
    q /= np.linalg.norm(q)
    feats = vacancy_features("Lagermedarbejder", "Vi søger en lagermedarbejder der kan betjene gaffeltruck.")
    query = Query("Lagermedarbejder", feats, context_for("ordinaer", 37, None, None, None, 330), q, "4200")
    book, weights = get_rulebook(), get_weights()
    inner = weights.with_weights(semantic=1.0)
    inner = type(inner)(inner.weights, semantic_floor=-1.0, shortlist=weights.shortlist, version="inner-product")

    flat = faiss.IndexFlatIP(d)
    flat.add(x16.astype(np.float32))
    t = timed_together({
        "flat": lambda: flat.search(q.reshape(1, -1), 50),
        "ours": lambda: rank(pool, query, inner, book, catalog, top=50, explain=False),
        "prod": lambda: rank(pool, query, weights, book, catalog, top=50, explain=False),
    }, args.repeat)
    t_flat, t_ours, t_prod = t["flat"], t["ours"], t["prod"]
    _, ref = flat.search(q.reshape(1, -1), 50)
    ours = [it["candidate_id"] for it in rank(pool, query, inner, book, catalog, top=50, explain=False).items]
    # Names are `matching.<what>_<unit>`; a run over another pool size than 100,000 says so in
    # every name that depends on it, so results.json never files it under the 100,000 figures.
    at_n = "" if args.n == 100_000 else f"_n{args.n}"
    log(f"{args.n:,} candidates; ranking with filters, inner-product weights (equal to FAISS) and production weights")
    emit(f"matching.faiss_flatip_top50{at_n}_ms", round(t_flat, 3), "ms")
    emit(f"matching.rank_top50{at_n}_ms", round(t_ours, 3), "ms")
    emit(f"matching.rank_vs_faiss_ratio{at_n}", round(t_ours / t_flat, 3), "x", "<= 1.1")
    emit(f"matching.top50_identical{at_n}", bool(ours == ref[0].tolist()), "bool", True)
    emit(f"matching.rank_production_weights{at_n}_ms", round(t_prod, 3), "ms")
    mem = pool.memory_bytes()
    per = 100_000 / args.n
    # Memory is per 100,000 candidates whatever the pool size, so these names carry no size.
    for part, size in mem.items():
        emit(f"matching.index_memory_{part}_mib", round(size * per / 2**20, 1), "MiB")
    emit("matching.index_memory_mib", round(sum(mem.values()) * per / 2**20, 1), "MiB", "<= 80")
    # The float16 originals for the exact rescoring: a memory-mapped file, read per shortlist.
    emit("matching.exact_originals_disk_mib", round(pool.disk_bytes() * per / 2**20, 1), "MiB on disk")
    record_bench(pool, query, weights, book, catalog, args.repeat, at_n)
    if args.no_model:
        return 0
    import torch

    torch.set_num_threads(2)
    from services.matching.demo import generate
    from services.matching.embedding.model import get_embedder

    emb = get_embedder()
    t_q = timed(lambda: emb.queries(["Lagermedarbejder til pluk og pak med truckcertifikat i Slagelse"]), 10)
    emit("matching.query_embedding_ms", round(t_q, 1), "ms")
    people = generate(seed=5)[:64]
    cvs = [(p["cv_text"] + " ") * 3 for p in people]
    t = time.perf_counter()
    emb.passages(cvs, batch_size=16)
    secs = time.perf_counter() - t
    words = statistics.mean(len(c.split()) for c in cvs)
    log(f"CV embedding on 2 cores: {len(cvs)} CVs of ~{words:.0f} words")
    emit("matching.cv_embedding_rate", round(len(cvs) / secs, 2), "CVs/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The one ranking code path: the API, the batch CLI and the benchmarks all call `rank()`.

Steps for one vacancy over a pool of candidates:
1. hard filters from the scheme rules over whole columns (eligibility.py);
2. a shortlist: the exact semantic top-N among the eligible (FAISS scalar-quantiser index over
   the float16 vectors, restricted to the eligible by a bitmap) plus every eligible candidate
   who shares an occupation or an essential skill with the vacancy; a small pool is scored whole;
3. every part for the shortlist, the weighted sum, the top-k, and the explanation of each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from scipy import sparse

from services.matching.esco.catalog import Catalog
from services.matching.ranking import geo
from services.matching.ranking.eligibility import Eligibility, Facts, VacancyContext, evaluate
from services.matching.ranking.features import TextFeatures
from services.matching.ranking.lexical import Profile
from services.matching.ranking.scoring import PARTS, Weights
from shared.glossary import ELIGIBILITY_LABELS, MATCH_PART_LABELS, SCHEME_LABELS, Scheme
from shared.rules import Rulebook

SAME_ISCO_CREDIT = 0.5


@dataclass
class CandidateRecord:
    id: int
    ref: str
    facts: dict[str, Any]
    features: TextFeatures
    vector: np.ndarray | None  # float16/float32, normalised
    postcode: str | None = None


@dataclass
class Query:
    title: str
    features: TextFeatures
    context: VacancyContext
    vector: np.ndarray | None  # float32, normalised; None when the model's vectors are unavailable
    postcode: str | None = None
    vacancy_id: Any = None


class Pool:
    """Columns of every indexed candidate; rows are positions, `ids` maps them to candidates."""

    def __init__(self, dimension: int, n_skills: int, n_occupations: int) -> None:
        import faiss

        self.dimension = dimension
        self.n_skills = n_skills
        self.n_occupations = n_occupations
        self.ids = np.zeros(0, dtype=np.int64)
        self.refs: list[str] = []
        self.facts = Facts.empty(0)
        self.has_vector = np.zeros(0, dtype=bool)
        self.lat = np.zeros(0, dtype=np.float32)
        self.lon = np.zeros(0, dtype=np.float32)
        self.index = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        self.skills = sparse.csr_matrix((0, n_skills), dtype=np.float32)
        self.skills_t = self.skills.T.tocsr()
        self.occupations = sparse.csr_matrix((0, n_occupations), dtype=np.float32)
        self.occupations_t = self.occupations.T.tocsr()
        self.lex_ptr = np.zeros(1, dtype=np.int64)
        self.lex_idx = np.zeros(0, dtype=np.int32)
        self.lex_w = np.zeros(0, dtype=np.float16)

    def __len__(self) -> int:
        return len(self.ids)

    # -- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, records: list[CandidateRecord], dimension: int, catalog: Catalog) -> Pool:
        pool = cls(dimension, len(catalog.skills), len(catalog.occupations))
        pool._fill(records)
        return pool

    @classmethod
    def from_arrays(cls, ids, refs, facts: Facts, vectors16: np.ndarray, skills, occupations, lex_ptr, lex_idx,
                    lex_w, lat, lon, n_skills: int, n_occupations: int) -> Pool:
        """Assemble from ready columns (the index loader and the benchmark use this)."""
        pool = cls(vectors16.shape[1], n_skills, n_occupations)
        pool.ids, pool.refs, pool.facts = np.asarray(ids, np.int64), list(refs), facts
        pool.has_vector = np.any(vectors16 != 0, axis=1)
        pool._set_vectors(vectors16)
        pool.skills, pool.occupations = skills.tocsr(), occupations.tocsr()
        pool.skills_t, pool.occupations_t = pool.skills.T.tocsr(), pool.occupations.T.tocsr()
        pool.lex_ptr, pool.lex_idx, pool.lex_w = lex_ptr, lex_idx, lex_w
        pool.lat, pool.lon = lat, lon
        return pool

    def _set_vectors(self, vectors16: np.ndarray) -> None:
        import faiss

        self.index.reset()
        codes = np.ascontiguousarray(vectors16, dtype=np.float16).view(np.uint8).reshape(-1)
        # QT_fp16 codes are the float16 bytes themselves: copying them in avoids a float32 detour.
        faiss.copy_array_to_vector(codes, self.index.codes)
        self.index.ntotal = len(vectors16)

    def vectors16(self) -> np.ndarray:
        import faiss

        n = self.index.ntotal
        if n == 0:
            return np.zeros((0, self.dimension), dtype=np.float16)
        raw = faiss.rev_swig_ptr(self.index.codes.data(), n * self.dimension * 2)
        return raw.view(np.float16).reshape(n, self.dimension)

    def _fill(self, records: list[CandidateRecord]) -> None:
        n = len(records)
        self.ids = np.array([r.id for r in records], dtype=np.int64)
        self.refs = [r.ref for r in records]
        self.facts = Facts.from_rows([r.facts for r in records])
        vecs = np.zeros((n, self.dimension), dtype=np.float16)
        self.has_vector = np.zeros(n, dtype=bool)
        for i, r in enumerate(records):
            if r.vector is not None and len(r.vector) == self.dimension:
                vecs[i] = r.vector
                self.has_vector[i] = True
        self._set_vectors(vecs)
        rows, cols = [], []
        for i, r in enumerate(records):
            rows += [i] * len(r.features.skills)
            cols += r.features.skills
        self.skills = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, self.n_skills))
        self.skills.data[:] = 1.0  # duplicates summed by the constructor count once
        self.skills_t = self.skills.T.tocsr()
        rows, cols, vals = [], [], []
        for i, r in enumerate(records):
            for o, s in r.features.occupations:
                rows.append(i)
                cols.append(o)
                vals.append(s)
        self.occupations = sparse.csr_matrix((np.array(vals, np.float32), (rows, cols)), shape=(n, self.n_occupations))
        self.occupations_t = self.occupations.T.tocsr()
        lens = [len(r.features.lexical.idx) for r in records]
        self.lex_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        self.lex_idx = np.concatenate([r.features.lexical.idx for r in records] or [np.zeros(0, np.int32)]).astype(np.int32)
        self.lex_w = np.concatenate([r.features.lexical.w for r in records] or [np.zeros(0, np.float32)]).astype(np.float16)
        cents = [geo.centroid(r.postcode or r.facts.get("postcode")) for r in records]
        self.lat = np.array([c[0] if c else np.nan for c in cents], dtype=np.float32)
        self.lon = np.array([c[1] if c else np.nan for c in cents], dtype=np.float32)

    def memory_bytes(self) -> dict[str, int]:
        return {
            "vectors": int(self.index.ntotal * self.dimension * 2),
            "lexical": int(self.lex_idx.nbytes + self.lex_w.nbytes + self.lex_ptr.nbytes),
            "skills_occupations": int(sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
                                          for m in (self.skills, self.skills_t, self.occupations, self.occupations_t))),
            "facts_geo": int(sum(v.nbytes for v in self.facts.__dict__.values()) + self.lat.nbytes + self.lon.nbytes
                             + self.ids.nbytes + self.has_vector.nbytes),
        }


@dataclass
class Ranked:
    position: int
    score: float
    parts: dict[str, float]


@dataclass
class RankResult:
    items: list[dict[str, Any]]
    eligible: int
    considered: int
    pool: int
    excluded: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    semantic_available: bool = True


def _posting_union(mat_t, cols: list[int], mask: np.ndarray) -> np.ndarray:
    if not cols:
        return np.zeros(0, dtype=np.int64)
    sub = mat_t[cols]
    pos = sub.indices
    return np.unique(pos[mask[pos]]) if len(pos) else np.zeros(0, dtype=np.int64)


def _occupation_target(query: Query, catalog: Catalog) -> np.ndarray:
    """Per occupation, how well it fits the vacancy: its own score, half for the same ISCO group."""
    v = np.zeros(len(catalog.occupations), dtype=np.float32)
    groups: dict[str, float] = {}
    for o, s in query.features.occupations:
        g = catalog.occupations[o].isco
        groups[g] = max(groups.get(g, 0.0), s)
    for occ in catalog.occupations:
        if occ.isco in groups:
            v[occ.id] = SAME_ISCO_CREDIT * groups[occ.isco]
    for o, s in query.features.occupations:
        v[o] = max(v[o], s)
    return v


def _lexical(pool: Pool, rows: np.ndarray, q: Profile) -> np.ndarray:
    if len(rows) == 0 or len(q.idx) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    starts, ends = pool.lex_ptr[rows], pool.lex_ptr[rows + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(len(rows), dtype=np.float32)
    owner = np.repeat(np.arange(len(rows)), lens)
    flat = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
    idx = pool.lex_idx[flat]
    pos = np.searchsorted(q.idx, idx)
    pos[pos >= len(q.idx)] = 0
    hit = q.idx[pos] == idx
    contrib = np.where(hit, q.w[pos] * pool.lex_w[flat].astype(np.float32), 0.0)
    return np.bincount(owner, weights=contrib, minlength=len(rows)).astype(np.float32)


def shortlist(pool: Pool, query: Query, mask: np.ndarray, weights: Weights, top: int,
              occ_target: np.ndarray) -> np.ndarray:
    n_eligible = int(mask.sum())
    size = max(weights.shortlist, top)
    if n_eligible <= 2 * size:
        return np.flatnonzero(mask)
    parts = []
    if query.vector is not None and weights.w("semantic") > 0:
        import faiss

        bitmap = np.packbits(mask, bitorder="little")
        params = faiss.SearchParameters()
        params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        _, idx = pool.index.search(query.vector.reshape(1, -1).astype(np.float32), min(size, n_eligible),
                                   params=params)
        parts.append(idx[0][idx[0] >= 0])
    if weights.w("skills") > 0 and query.features.essential:
        sub = pool.skills_t[query.features.essential]
        pos = sub.indices[mask[sub.indices]]
        if len(pos):
            counts = np.bincount(pos, minlength=len(pool))
            nz = np.flatnonzero(counts)
            if len(nz) > size:
                nz = nz[np.argpartition(-counts[nz], size)[:size]]
            parts.append(nz)
    if weights.w("occupation") > 0 and query.features.occupations:
        cols = [o for o, _ in query.features.occupations]
        parts.append(_posting_union(pool.occupations_t, cols, mask)[: 4 * size])
    if not parts:
        return np.flatnonzero(mask)[:size]
    return np.unique(np.concatenate(parts).astype(np.int64))


def score_rows(pool: Pool, query: Query, rows: np.ndarray, weights: Weights, occ_target: np.ndarray,
               ) -> dict[str, np.ndarray]:
    parts: dict[str, np.ndarray] = {}
    if query.vector is not None:
        cos = pool.vectors16()[rows].astype(np.float32) @ query.vector.astype(np.float32)
        cos = np.where(pool.has_vector[rows], cos, 0.0)
        parts["cosine"] = cos
        floor = weights.semantic_floor
        parts["semantic"] = np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0)
    else:
        parts["cosine"] = np.zeros(len(rows), np.float32)
        parts["semantic"] = np.zeros(len(rows), np.float32)
    parts["lexical"] = _lexical(pool, rows, query.features.lexical)
    ess = query.features.essential
    if ess:
        hits = np.asarray(pool.skills[rows][:, ess].sum(axis=1)).ravel()
        parts["skills"] = (hits / len(ess)).astype(np.float32)
    else:
        parts["skills"] = np.zeros(len(rows), np.float32)
    occ = pool.occupations[rows].multiply(occ_target.reshape(1, -1)).tocsr()
    parts["occupation"] = np.asarray(occ.max(axis=1).todense()).ravel().astype(np.float32) if occ.nnz else \
        np.zeros(len(rows), np.float32)
    centre = geo.centroid(query.postcode)
    if centre is None:
        parts["distance"] = np.full(len(rows), weights.distance_unknown, np.float32)
        parts["km"] = np.full(len(rows), np.nan, np.float32)
    else:
        km = geo.km_many(pool.lat[rows], pool.lon[rows], centre)
        parts["km"] = km.astype(np.float32)
        parts["distance"] = np.where(np.isnan(km), weights.distance_unknown,
                                     np.exp(-km / weights.distance_scale_km)).astype(np.float32)
    total = np.zeros(len(rows), dtype=np.float32)
    for p in PARTS:
        if weights.w(p):
            total += weights.w(p) * parts[p]
    parts["score"] = total
    return parts


def _no_one_message(scheme: str, elig: Eligibility, pool_size: int) -> str:
    label = SCHEME_LABELS.get(Scheme(scheme), scheme) if scheme in Scheme.__members__ else scheme
    if pool_size == 0:
        return "Der er ingen kandidater i indekset endnu."
    reasons = "; ".join(f"{n} opfylder ikke: {ELIGIBILITY_LABELS.get(c, c)}" for c, n in
                        sorted(elig.failures().items(), key=lambda kv: -kv[1]))
    return f"Ingen af {pool_size} kandidater opfylder reglerne for {label}: {reasons}."


def rank(pool: Pool, query: Query, weights: Weights, book: Rulebook, catalog: Catalog, top: int = 20,
         explain: bool = True, exclude: set[int] | None = None) -> RankResult:
    elig = evaluate(pool.facts, query.context, book)
    mask = elig.mask
    if exclude:
        mask = mask & ~np.isin(pool.ids, np.fromiter(exclude, dtype=np.int64))
    n_eligible = int(mask.sum())
    if n_eligible == 0:
        return RankResult([], 0, 0, len(pool), elig.failures(), _no_one_message(query.context.scheme, elig, len(pool)),
                          query.vector is not None)
    occ_target = _occupation_target(query, catalog)
    rows = shortlist(pool, query, mask, weights, top, occ_target)
    parts = score_rows(pool, query, rows, weights, occ_target)
    k = min(top, len(rows))
    order = np.argpartition(-parts["score"], k - 1)[:k] if k < len(rows) else np.arange(len(rows))
    # Ties broken by candidate id so the order is stable across replicas and runs.
    order = order[np.lexsort((pool.ids[rows[order]], -parts["score"][order]))]
    items = []
    for j in order:
        pos = int(rows[j])
        item: dict[str, Any] = {
            "candidate_id": int(pool.ids[pos]),
            "candidate_ref": pool.refs[pos],
            "score": round(float(parts["score"][j]), 6),
        }
        if explain:
            item["explanation"] = explain_one(pool, pos, query, parts, j, weights, elig, catalog)
        items.append(item)
    return RankResult(items, n_eligible, len(rows), len(pool), elig.failures(), None, query.vector is not None)


def explain_one(pool: Pool, pos: int, query: Query, parts: dict[str, np.ndarray], j: int, weights: Weights,
                elig: Eligibility, catalog: Catalog) -> dict[str, Any]:
    cand_skills = set(pool.skills.indices[pool.skills.indptr[pos]: pool.skills.indptr[pos + 1]].tolist())
    ess = query.features.essential
    shared = [catalog.skills[s].label for s in ess if s in cand_skills]
    missing = [catalog.skills[s].label for s in ess if s not in cand_skills]
    other_shared = [catalog.skills[s].label for s in query.features.skills if s in cand_skills and s not in ess]
    occ_row = pool.occupations[pos]
    occ_target = _occupation_target(query, catalog)
    occupation = None
    if occ_row.nnz:
        k = int(np.argmax(occ_row.data * occ_target[occ_row.indices]))
        c_occ = int(occ_row.indices[k])
        v_occ = query.features.occupations[0][0] if query.features.occupations else None
        if occ_target[c_occ] > 0:
            same = any(c_occ == o for o, _ in query.features.occupations)
            occupation = {
                "stilling": catalog.occupations[v_occ].label if v_occ is not None else None,
                "kandidat": catalog.occupations[c_occ].label,
                "match": "samme stilling" if same else
                f"samme faggruppe ({catalog.isco_label(catalog.occupations[c_occ].isco)})",
            }
    km = float(parts["km"][j])
    score_parts = {
        p: {"navn": MATCH_PART_LABELS[p], "vaerdi": round(float(parts[p][j]), 4), "vaegt": weights.w(p),
            "bidrag": round(weights.w(p) * float(parts[p][j]), 4)}
        for p in PARTS
    }
    reasons = elig.reasons(pos)
    hours = next((r["begrundelse"] for r in reasons if r["regel"] == "timer"), None)
    summary = []
    if shared:
        summary.append(f"har {len(shared)} af {len(ess)} væsentlige kompetencer")
    if occupation:
        summary.append(f"{occupation['match']}: {occupation['kandidat']}")
    if not math.isnan(km):
        summary.append(f"{km:.0f} km væk")
    return {
        "fælles_kompetencer": shared,
        "manglende_kompetencer": missing,
        "andre_fælles_kompetencer": other_shared[:10],
        "stilling": occupation,
        "hvorfor_berettiget": [r for r in reasons if r["opfyldt"]],
        "timer": hours,
        "afstand_km": None if math.isnan(km) else round(km, 1),
        "tekstlighed_cosinus": round(float(parts["cosine"][j]), 4),
        "scoredele": score_parts,
        "resume": "; ".join(summary) or "ligner stillingen i teksten",
    }


def context_for(scheme: str, hours: float | None = None, starts_on: date | None = None,
                duration_weeks: int | None = None, sector: str | None = None,
                home_municipality: int | None = None) -> VacancyContext:
    return VacancyContext(scheme, hours, starts_on, duration_weeks, sector, home_municipality)

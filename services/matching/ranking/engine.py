"""The one ranking code path: the API, the batch CLI and the benchmarks all call `rank()`.

Steps for one vacancy over a pool of candidates:
1. hard filters from the scheme rules over whole columns (eligibility.py);
2. a shortlist: the exact semantic top-N among the eligible (a coarse pass over int8 codes,
   restricted to the eligible by a bitmap, then an exact rescoring of the rows its error bound
   cannot rule out, see `semantic_top`) plus every eligible candidate who shares an occupation or
   an essential skill with the vacancy; a small pool is scored whole;
3. every part for the shortlist, the weighted sum, the top-k, and the explanation of each.
"""

from __future__ import annotations

import math
import tempfile
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
from shared.settings import get_settings

SAME_ISCO_CREDIT = 0.5
# A CV skill that the vacancy does not name but that ESCO lists for the vacancy's occupation
# (essential or optional) counts this much of a named one: a vacancy names a few of the skills
# its occupation needs, and a CV written in other words often names others of them. Chosen on the
# development seed (bench/matching_eval.py --seed 7), see docs/matching-quality.md.
PROFILE_SKILL_CREDIT = 0.5


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


EPS = 2e-4  # float32 summation error of a 384-term inner product, with room to spare
CHUNK = 8192


class Refs:
    """Candidate refs as one byte string and offsets: a Python list of str costs ~60 bytes a ref."""

    def __init__(self, refs) -> None:
        encoded = [r.encode() for r in refs]
        self.blob = b"".join(encoded)
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
        np.cumsum([len(e) for e in encoded], out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        i = int(i)
        return self.blob[self.offsets[i]: self.offsets[i + 1]].decode()

    def take(self, positions) -> Refs:
        return Refs([self[int(p)] for p in positions])

    @property
    def nbytes(self) -> int:
        return len(self.blob) + self.offsets.nbytes


def _exact_store(n: int, dimension: int) -> np.ndarray:
    """The float16 originals, in an unnamed file on disk mapped into memory: only rescoring reads
    them, a shortlist at a time, so they need not stay resident (the kernel pages them in and out)."""
    if n == 0:
        return np.zeros((0, dimension), dtype=np.float16)
    directory = get_settings().matching_cache_dir
    directory.mkdir(parents=True, exist_ok=True)
    fh = tempfile.TemporaryFile(dir=directory)  # unlinked at once: nothing is left behind by a crash
    fh.truncate(n * dimension * 2)
    return np.memmap(fh, dtype=np.float16, mode="r+", shape=(n, dimension))


class Pool:
    """Columns of every indexed candidate; rows are positions, `ids` maps them to candidates.

    Memory (bench/bench_matching.py prints it per 100,000): the vectors are held as int8 codes
    (8-bit, per-dimension ranges, searched by FAISS) with each row's quantisation error
    `||x - decode(code)||`, so a coarse pass over the codes bounds every exact inner product
    within `bound` and only the rows whose bound reaches the shortlist are rescored exactly from
    the float16 originals (memory-mapped, see `_exact_store`). Sparse columns are row-major only,
    with uint16 skill/occupation ids; the lexical n-gram ids (20 bits) are a uint16 low part and a
    packed 4-bit high part; the weights stay float16 so scores are the same as before.
    """

    def __init__(self, dimension: int, n_skills: int, n_occupations: int) -> None:
        import faiss

        if max(n_skills, n_occupations) > np.iinfo(np.uint16).max:
            raise ValueError("skill and occupation ids must fit in uint16")
        self.dimension = dimension
        self.n_skills = n_skills
        self.n_occupations = n_occupations
        self.ids = np.zeros(0, dtype=np.int32)
        self.refs = Refs([])
        self.facts = Facts.empty(0)
        self.has_vector = np.zeros(0, dtype=bool)
        self.lat = np.zeros(0, dtype=np.float32)
        self.lon = np.zeros(0, dtype=np.float32)
        self.index = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_8bit_uniform,
                                                faiss.METRIC_INNER_PRODUCT)
        self.centre = np.zeros(dimension, dtype=np.float32)
        self.step = np.ones(dimension, dtype=np.float32)
        self._fp16 = faiss.ScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16)
        self.bound = np.zeros(0, dtype=np.float32)
        self.max_bound = 0.0
        self.exact = _exact_store(0, dimension)
        self.sk_ptr = np.zeros(1, dtype=np.int32)
        self.sk_idx = np.zeros(0, dtype=np.uint16)
        self.oc_ptr = np.zeros(1, dtype=np.int32)
        self.oc_idx = np.zeros(0, dtype=np.uint16)
        self.oc_w = np.zeros(0, dtype=np.float32)
        self.lex_ptr = np.zeros(1, dtype=np.int32)
        self.lex_lo = np.zeros(0, dtype=np.uint16)
        self.lex_hi = np.zeros(0, dtype=np.uint8)
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
        """Assemble from ready columns (the benchmark uses this)."""
        pool = cls(vectors16.shape[1], n_skills, n_occupations)
        pool.ids, pool.refs, pool.facts = np.asarray(ids, np.int32), Refs(refs), facts
        pool._set_vectors(vectors16)
        pool._set_skills(skills)
        pool._set_occupations(occupations)
        pool._set_lexical(np.asarray(lex_ptr), np.asarray(lex_idx), np.asarray(lex_w))
        pool.lat, pool.lon = np.asarray(lat, np.float32), np.asarray(lon, np.float32)
        return pool

    def take(self, positions: np.ndarray) -> Pool:
        """A pool of some of the rows (the other direction ranks vacancies for one candidate)."""
        positions = np.asarray(positions, dtype=np.int64)
        sk = self._rows_of(self.sk_ptr, positions)
        oc = self._rows_of(self.oc_ptr, positions)
        lx = self._rows_of(self.lex_ptr, positions)
        sub = Pool(self.dimension, self.n_skills, self.n_occupations)
        sub.ids, sub.refs, sub.facts = self.ids[positions], self.refs.take(positions), self.facts.take(positions)
        sub._set_vectors(np.asarray(self.exact[positions]))
        sub.sk_ptr, sub.sk_idx = self._ptr_of(sk[1]), self.sk_idx[sk[0]]
        sub.oc_ptr, sub.oc_idx, sub.oc_w = self._ptr_of(oc[1]), self.oc_idx[oc[0]], self.oc_w[oc[0]]
        sub._set_lexical(self._ptr_of(lx[1]), self.lexical_ids(lx[0]), self.lex_w[lx[0]])
        sub.lat, sub.lon = self.lat[positions], self.lon[positions]
        return sub

    @staticmethod
    def _ptr_of(lens: np.ndarray) -> np.ndarray:
        ptr = np.zeros(len(lens) + 1, dtype=np.int32)
        np.cumsum(lens, out=ptr[1:])
        return ptr

    @staticmethod
    def _rows_of(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat entry positions of `rows` in a row-pointer layout, the row lengths, and each entry's row."""
        starts = ptr[rows].astype(np.int64)
        lens = ptr[rows + 1].astype(np.int64) - starts
        total = int(lens.sum())
        owner = np.repeat(np.arange(len(rows)), lens)
        flat = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
        return flat, lens, owner

    def _set_vectors(self, vectors16: np.ndarray) -> None:
        import faiss

        n, d = len(vectors16), self.dimension
        self.index.reset()
        self.exact = _exact_store(n, d)
        self.has_vector = np.zeros(n, dtype=bool)
        self.bound = np.zeros(n, dtype=np.float32)
        if n == 0:
            self.max_bound = 0.0
            return
        lo = np.full(d, np.inf, np.float32)
        hi = np.full(d, -np.inf, np.float32)
        for s in range(0, n, CHUNK):
            chunk = np.asarray(vectors16[s: s + CHUNK], dtype=np.float16)
            self.exact[s: s + len(chunk)] = chunk
            lo = np.minimum(lo, chunk.min(axis=0))
            hi = np.maximum(hi, chunk.max(axis=0))
        # Per-dimension ranges from all rows (embeddings have a few wide dimensions; a sample could
        # clip them): x ~ centre + step * (code - 127.5). The step is folded into the query and the
        # centre added back, so FAISS runs its uniform 8-bit path (one range for all dimensions,
        # decoding to code - 127.5: sums stay near zero, so float32 loses little to cancellation).
        self.centre = ((lo.astype(np.float64) + hi) / 2).astype(np.float32)
        self.step = np.maximum((hi.astype(np.float64) - lo) / 255, 1e-8).astype(np.float32)
        codes = np.empty((n, d), dtype=np.uint8)
        for s in range(0, n, CHUNK):
            x = np.asarray(self.exact[s: s + CHUNK], dtype=np.float32)
            c = np.clip(np.rint((x - self.centre) / self.step + 127.5), 0, 255)
            codes[s: s + len(x)] = c.astype(np.uint8)
            err = x - (self.centre + self.step * (c - 127.5).astype(np.float32))
            self.bound[s: s + len(x)] = np.sqrt(np.einsum("ij,ij->i", err, err))
            self.has_vector[s: s + len(x)] = np.any(x != 0, axis=1)
        faiss.copy_array_to_vector(np.array([-128.0, 255.0], dtype=np.float32), self.index.sq.trained)
        self.index.is_trained = True
        faiss.copy_array_to_vector(codes.reshape(-1), self.index.codes)
        self.index.ntotal = n
        self.max_bound = float(self.bound.max())
        if hasattr(self.exact, "flush"):
            self.exact.flush()

    def _set_skills(self, m) -> None:
        m = sparse.csr_matrix(m)
        m.sum_duplicates()
        self.sk_ptr, self.sk_idx = m.indptr.astype(np.int32), m.indices.astype(np.uint16)

    def _set_occupations(self, m) -> None:
        m = sparse.csr_matrix(m, dtype=np.float32)
        m.sum_duplicates()
        self.oc_ptr, self.oc_idx, self.oc_w = m.indptr.astype(np.int32), m.indices.astype(np.uint16), m.data

    def _set_lexical(self, ptr: np.ndarray, idx: np.ndarray, w: np.ndarray) -> None:
        if len(idx) and (idx.min() < 0 or idx.max() >= 1 << 20):
            raise ValueError("lexical feature ids must fit in 20 bits")
        idx = idx.astype(np.uint32)
        self.lex_ptr = ptr.astype(np.int32)
        self.lex_lo = (idx & 0xFFFF).astype(np.uint16)
        high = (idx >> 16).astype(np.uint8)
        if len(high) % 2:
            high = np.append(high, np.uint8(0))
        self.lex_hi = (high[0::2] | (high[1::2] << 4)).astype(np.uint8)
        self.lex_w = w.astype(np.float16)

    def lexical_ids(self, flat: np.ndarray) -> np.ndarray:
        high = (self.lex_hi[flat >> 1] >> ((flat & 1) * 4).astype(np.uint8)) & 0xF
        return (high.astype(np.int32) << 16) | self.lex_lo[flat].astype(np.int32)

    def _fill(self, records: list[CandidateRecord]) -> None:
        n = len(records)
        self.ids = np.array([r.id for r in records], dtype=np.int32)
        self.refs = Refs([r.ref for r in records])
        self.facts = Facts.from_rows([r.facts for r in records])
        vecs = np.zeros((n, self.dimension), dtype=np.float16)
        for i, r in enumerate(records):
            if r.vector is not None and len(r.vector) == self.dimension:
                vecs[i] = r.vector
        self._set_vectors(vecs)
        del vecs
        rows, cols = [], []
        for i, r in enumerate(records):
            rows += [i] * len(r.features.skills)
            cols += r.features.skills
        self._set_skills(sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, self.n_skills)))
        rows, cols, vals = [], [], []
        for i, r in enumerate(records):
            for o, s in r.features.occupations:
                rows.append(i)
                cols.append(o)
                vals.append(s)
        self._set_occupations(sparse.csr_matrix((np.array(vals, np.float32), (rows, cols)),
                                                shape=(n, self.n_occupations)))
        lens = [len(r.features.lexical.idx) for r in records]
        self._set_lexical(np.concatenate([[0], np.cumsum(lens)]),
                          np.concatenate([r.features.lexical.idx for r in records] or [np.zeros(0, np.int32)]),
                          np.concatenate([r.features.lexical.w for r in records] or [np.zeros(0, np.float32)]))
        cents = [geo.centroid(r.postcode or r.facts.get("postcode")) for r in records]
        self.lat = np.array([c[0] if c else np.nan for c in cents], dtype=np.float32)
        self.lon = np.array([c[1] if c else np.nan for c in cents], dtype=np.float32)

    # -- reading ---------------------------------------------------------------------------
    def exact_cosine(self, rows: np.ndarray, qv: np.ndarray) -> np.ndarray:
        """Inner products with the float16 originals (what the ranking was always defined on)."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float32)
        order = np.argsort(rows, kind="stable")  # ascending reads from the mapped file
        raw = np.ascontiguousarray(self.exact[rows[order]])
        # FAISS widens float16 with SIMD. einsum rather than BLAS: OpenBLAS threads waking up
        # next to FAISS's spinning OpenMP threads cost milliseconds; the sums cost 0.2 ms.
        x = self._fp16.decode(raw.view(np.uint8)) if len(raw) else raw.astype(np.float32)
        out = np.empty(len(rows), dtype=np.float32)
        out[order] = np.einsum("ij,j->i", x, np.asarray(qv, dtype=np.float32))
        return np.where(self.has_vector[rows], out, 0.0).astype(np.float32)

    def row_skills(self, pos: int) -> np.ndarray:
        return self.sk_idx[self.sk_ptr[pos]: self.sk_ptr[pos + 1]].astype(np.int64)

    def row_occupations(self, pos: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.oc_ptr[pos], self.oc_ptr[pos + 1]
        return self.oc_idx[s:e].astype(np.int64), self.oc_w[s:e]

    def rows_having(self, ptr: np.ndarray, idx: np.ndarray, size: int, wanted: list[int]) -> np.ndarray:
        """Per row, how many entries are among `wanted` (counted with multiplicity, as a column sum)."""
        weight = np.zeros(size, dtype=np.uint8)
        np.add.at(weight, np.asarray(wanted, dtype=np.int64), 1)
        per_entry = weight[idx]
        hits = np.flatnonzero(per_entry)
        owner = np.searchsorted(ptr, hits, side="right") - 1
        return np.bincount(owner, weights=per_entry[hits], minlength=len(ptr) - 1).astype(np.int32)

    def memory_bytes(self) -> dict[str, int]:
        """What the process holds per candidate; the float16 originals are on disk (`exact_on_disk`)."""
        return {
            "vectors_int8": int(self.index.ntotal * self.index.code_size + self.centre.nbytes + self.step.nbytes
                                + self.bound.nbytes + self.has_vector.nbytes),
            "lexical": int(self.lex_ptr.nbytes + self.lex_lo.nbytes + self.lex_hi.nbytes + self.lex_w.nbytes),
            "skills_occupations": int(self.sk_ptr.nbytes + self.sk_idx.nbytes + self.oc_ptr.nbytes
                                      + self.oc_idx.nbytes + self.oc_w.nbytes),
            "facts_geo_ids": int(sum(v.nbytes for v in self.facts.__dict__.values()) + self.lat.nbytes
                                 + self.lon.nbytes + self.ids.nbytes + self.refs.nbytes),
        }

    def disk_bytes(self) -> int:
        return int(len(self.exact) * self.dimension * 2)


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
    # Who was eligible (a column over the pool), for the ranking record's pool summary.
    eligible_mask: np.ndarray | None = None
    positions: list[int] = field(default_factory=list)  # each item's row in the pool


_ISCO_COLUMNS: dict[int, tuple[Catalog, np.ndarray, np.ndarray]] = {}


def _isco_columns(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    got = _ISCO_COLUMNS.get(id(catalog))
    if got is None or got[0] is not catalog:
        got = (catalog, np.array([o.isco for o in catalog.occupations]),
               np.array([o.id for o in catalog.occupations], dtype=np.int64))
        _ISCO_COLUMNS[id(catalog)] = got
    return got[1], got[2]


def _occupation_target(query: Query, catalog: Catalog) -> np.ndarray:
    """Per occupation, how well it fits the vacancy: its own score, half for the same ISCO group."""
    v = np.zeros(len(catalog.occupations), dtype=np.float32)
    groups: dict[str, float] = {}
    for o, s in query.features.occupations:
        g = catalog.occupations[o].isco
        groups[g] = max(groups.get(g, 0.0), s)
    isco, ids = _isco_columns(catalog)
    for g, s in groups.items():
        v[ids[isco == g]] = SAME_ISCO_CREDIT * s
    for o, s in query.features.occupations:
        v[o] = max(v[o], s)
    return v


def _skill_target(query: Query, catalog: Catalog) -> np.ndarray:
    """Per skill, what it counts towards the skills part: 1 for the vacancy's essential skills,
    `PROFILE_SKILL_CREDIT` x the occupation's score for the rest of its occupations' ESCO profile."""
    v = np.zeros(len(catalog.skills), dtype=np.float32)
    if PROFILE_SKILL_CREDIT > 0:
        for o, s in query.features.occupations:
            occ = catalog.occupations[o]
            for sk in (*occ.essential, *occ.optional):
                v[sk] = max(v[sk], PROFILE_SKILL_CREDIT * s)
    v[np.asarray(query.features.essential, dtype=np.int64)] = 1.0
    return v


def _lexical(pool: Pool, rows: np.ndarray, q: Profile) -> np.ndarray:
    if len(rows) == 0 or len(q.idx) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    flat, _, owner = Pool._rows_of(pool.lex_ptr, rows)
    if len(flat) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    idx = pool.lexical_ids(flat)
    pos = np.searchsorted(q.idx, idx)
    pos[pos >= len(q.idx)] = 0
    hit = q.idx[pos] == idx
    contrib = np.where(hit, q.w[pos] * pool.lex_w[flat].astype(np.float32), 0.0)
    return np.bincount(owner, weights=contrib, minlength=len(rows)).astype(np.float32)


def semantic_top(pool: Pool, qv: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """The exact semantic top-`size` among the eligible, from the int8 codes and a rescoring.

    The coarse pass gives each row c~ with |c - c~| <= bound[row] + EPS. With L the size-th
    largest lower bound, no row whose upper bound is below L can be in the exact top-`size`, so
    rescoring the rows whose upper bound reaches L gives exactly the top that a search over the
    float16 originals gives. Rows the coarse search did not return have c~ at most its last value;
    when their upper bound could still reach L the search is widened.
    """
    import faiss

    n_eligible = int(mask.sum())
    size = min(size, n_eligible)
    bitmap = np.packbits(mask, bitorder="little")
    params = None
    if n_eligible < len(mask):  # a selector costs a test per row: none when everyone is eligible
        params = faiss.SearchParameters()
        params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
    q = np.asarray(qv, dtype=np.float32)
    folded = np.ascontiguousarray(q * pool.step, dtype=np.float32).reshape(1, -1)
    offset = float(q.astype(np.float64) @ pool.centre)
    k = min(n_eligible, 3 * size)
    while True:
        approx, idx = pool.index.search(folded, k, params=params)
        keep = idx[0] >= 0
        approx, idx = approx[0][keep].astype(np.float64) + offset, idx[0][keep]
        slack = pool.bound[idx] + EPS
        lower = approx - slack
        need = min(size, len(lower))
        floor = np.partition(lower, len(lower) - need)[len(lower) - need]
        if k >= n_eligible or approx[-1] + pool.max_bound + EPS < floor:
            break
        k = min(n_eligible, 4 * k)
    rows = idx[approx + slack >= floor]
    cos = pool.exact_cosine(rows, qv)
    # Ties go to the lower position, so replicas holding the same rows agree.
    order = np.lexsort((rows, -cos))[:size]
    return rows[order], cos[order]


def shortlist(pool: Pool, query: Query, mask: np.ndarray, weights: Weights, top: int,
              occ_target: np.ndarray, known: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Rows worth scoring; `known` receives the exact cosines already computed on the way."""
    n_eligible = int(mask.sum())
    size = max(weights.shortlist, top)
    if n_eligible <= 2 * size:
        return np.flatnonzero(mask)
    parts = []
    if query.vector is not None and weights.w("semantic") > 0:
        rows, cos = semantic_top(pool, query.vector, mask, size)
        if known is not None:
            order = np.argsort(rows)
            known["rows"], known["cosine"] = rows[order], cos[order]
        parts.append(rows)
    if weights.w("skills") > 0 and query.features.essential:
        counts = pool.rows_having(pool.sk_ptr, pool.sk_idx, pool.n_skills, query.features.essential)
        counts[~mask] = 0
        nz = np.flatnonzero(counts)
        if len(nz) > size:
            nz = nz[np.argpartition(-counts[nz], size)[:size]]
        parts.append(nz)
    if weights.w("occupation") > 0 and query.features.occupations:
        cols = sorted({o for o, _ in query.features.occupations})
        counts = pool.rows_having(pool.oc_ptr, pool.oc_idx, pool.n_occupations, cols)
        parts.append(np.flatnonzero((counts > 0) & mask)[: 4 * size])
    if not parts:
        return np.flatnonzero(mask)[:size]
    return np.unique(np.concatenate(parts).astype(np.int64))


def score_rows(pool: Pool, query: Query, rows: np.ndarray, weights: Weights, occ_target: np.ndarray,
               known: dict[str, np.ndarray] | None = None, weighted_only: bool = False,
               skill_target: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every part for `rows` and the score; `weighted_only` leaves parts without weight at zero
    (nothing explains them then, and the score does not read them). `skill_target` (from
    `_skill_target`) also credits the vacancy occupations' other ESCO skills; without it only
    the essential skills count."""
    rows = np.asarray(rows, dtype=np.int64)
    parts: dict[str, np.ndarray] = {}
    if weighted_only:
        zero = np.zeros(len(rows), np.float32)
        parts = {"cosine": zero, "km": np.full(len(rows), np.nan, np.float32)}
        parts.update({p: zero for p in PARTS})
    needed = {p for p in PARTS if not weighted_only or weights.w(p)}
    if "semantic" in needed and query.vector is not None:
        cos = np.empty(len(rows), dtype=np.float32)
        todo = np.ones(len(rows), dtype=bool)
        if known and len(known["rows"]):
            at = np.minimum(np.searchsorted(known["rows"], rows), len(known["rows"]) - 1)
            found = known["rows"][at] == rows
            cos[found] = known["cosine"][at[found]]
            todo = ~found
        cos[todo] = pool.exact_cosine(rows[todo], query.vector)
        parts["cosine"] = cos
        floor = weights.semantic_floor
        parts["semantic"] = np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0)
    elif "semantic" in needed:
        parts["cosine"] = np.zeros(len(rows), np.float32)
        parts["semantic"] = np.zeros(len(rows), np.float32)
    if "lexical" in needed:
        parts["lexical"] = _lexical(pool, rows, query.features.lexical)
    ess = query.features.essential
    if "skills" in needed and ess:
        flat, _, owner = Pool._rows_of(pool.sk_ptr, rows)
        weight = np.bincount(np.asarray(ess, dtype=np.int64), minlength=pool.n_skills) if skill_target is None \
            else skill_target
        hits = np.bincount(owner, weights=weight[pool.sk_idx[flat]], minlength=len(rows))
        parts["skills"] = np.minimum(hits / len(ess), 1.0).astype(np.float32)
    elif "skills" in needed:
        parts["skills"] = np.zeros(len(rows), np.float32)
    if "occupation" in needed:
        flat, _, owner = Pool._rows_of(pool.oc_ptr, rows)
        occ = np.zeros(len(rows), np.float32)
        if len(flat):
            np.maximum.at(occ, owner, pool.oc_w[flat] * occ_target[pool.oc_idx[flat]])
        parts["occupation"] = occ
    centre = geo.centroid(query.postcode) if "distance" in needed else False
    if centre is None:
        parts["distance"] = np.full(len(rows), weights.distance_unknown, np.float32)
        parts["km"] = np.full(len(rows), np.nan, np.float32)
    elif centre:
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
                          query.vector is not None, mask)
    occ_target = _occupation_target(query, catalog)
    known: dict[str, np.ndarray] = {}
    rows = shortlist(pool, query, mask, weights, top, occ_target, known)
    skill_target = _skill_target(query, catalog)
    parts = score_rows(pool, query, rows, weights, occ_target, known, weighted_only=not explain,
                       skill_target=skill_target)
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
            item["explanation"] = explain_one(pool, pos, query, parts, j, weights, elig, catalog, skill_target)
        items.append(item)
    return RankResult(items, n_eligible, len(rows), len(pool), elig.failures(), None, query.vector is not None, mask,
                      [int(rows[j]) for j in order])


def explain_one(pool: Pool, pos: int, query: Query, parts: dict[str, np.ndarray], j: int, weights: Weights,
                elig: Eligibility, catalog: Catalog, skill_target: np.ndarray | None = None) -> dict[str, Any]:
    cand_skills = set(pool.row_skills(pos).tolist())
    ess = query.features.essential
    shared = [catalog.skills[s].label for s in ess if s in cand_skills]
    missing = [catalog.skills[s].label for s in ess if s not in cand_skills]
    other_shared = [catalog.skills[s].label for s in query.features.skills if s in cand_skills and s not in ess]
    # What the skills part credited beyond the vacancy's own words: the candidate's skills that
    # ESCO lists for the vacancy's occupation.
    named = set(ess) | set(query.features.skills)
    target = _skill_target(query, catalog) if skill_target is None else skill_target
    profile = [catalog.skills[s].label for s in cand_skills if s not in named and target[s] > 0]
    occ_ids, occ_w = pool.row_occupations(pos)
    occ_target = _occupation_target(query, catalog)
    occupation = None
    if len(occ_ids):
        k = int(np.argmax(occ_w * occ_target[occ_ids]))
        c_occ = int(occ_ids[k])
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
    if profile:
        summary.append(f"{len(profile)} andre kompetencer fra stillingens ESCO-profil")
    if occupation:
        summary.append(f"{occupation['match']}: {occupation['kandidat']}")
    if not math.isnan(km):
        summary.append(f"{km:.0f} km væk")
    return {
        "fælles_kompetencer": shared,
        "manglende_kompetencer": missing,
        "andre_fælles_kompetencer": other_shared[:10],
        "kompetencer_fra_stillingens_profil": sorted(profile)[:10],
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

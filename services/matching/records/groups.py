"""The groups the bias audit compares, as coarse labels from the candidate facts the pool holds.

No new personal data: target group (ydelsesgruppe), an age band from the birth year, the scheme a
job seeker is referred to (fleksjob, IGU, none), the home municipality, and whether the CV is in
Danish (candidates.textcheck.detect_language). Computed over whole columns, so the pool summary a
ranking record keeps costs about a millisecond for 100,000 candidates.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from services.matching.ranking.eligibility import TARGET_GROUPS, Facts

UNKNOWN = "ukendt"
COUNTS_KEPT = 256  # pool summaries kept per pool (per snapshot of the index)
_LOCK = threading.Lock()
AGE_EDGES = [25, 30, 40, 50, 60]
AGE_LABELS = ["under 25", "25-29", "30-39", "40-49", "50-59", "60+"]
DIMENSIONS = {"malgruppe": "Målgruppe (ydelsesgruppe)", "alder": "Aldersgruppe", "ordning": "Ordning (visiteret til)",
              "kommune": "Bopælskommune", "cv_sprog": "CV'ets sprog"}


def group_order(dimension: str) -> Callable[[str], tuple]:
    """Sort key for a dimension's groups as a reader expects them: age bands youngest first, the
    rest by name; "ukendt" last."""
    def key(group: str) -> tuple:
        if group == UNKNOWN:
            return (1, 0, "")
        if dimension == "alder" and group in AGE_LABELS:
            return (0, AGE_LABELS.index(group), "")
        return (0, 0, group)
    return key


def _codes_target(f: Facts, rows: np.ndarray, year: int) -> tuple[np.ndarray, Callable[[int], str]]:
    return f.target_group[rows].astype(np.int64), lambda c: TARGET_GROUPS[c] if c >= 0 else UNKNOWN


def _codes_age(f: Facts, rows: np.ndarray, year: int) -> tuple[np.ndarray, Callable[[int], str]]:
    by = f.birth_year[rows]
    codes = np.digitize(year - by, AGE_EDGES).astype(np.int64)
    codes[np.isnan(by)] = -1
    return codes, lambda c: AGE_LABELS[c] if c >= 0 else UNKNOWN


def _codes_scheme(f: Facts, rows: np.ndarray, year: int) -> tuple[np.ndarray, Callable[[int], str]]:
    codes = np.where(f.fleksjob[rows], 0, np.where(f.igu_basis[rows] >= 0, 1, 2)).astype(np.int64)
    return codes, lambda c: ("fleksjob", "igu", "ingen")[c]


def _codes_municipality(f: Facts, rows: np.ndarray, year: int) -> tuple[np.ndarray, Callable[[int], str]]:
    m = f.municipality[rows]
    codes = np.where(np.isnan(m), -1, np.nan_to_num(m, nan=-1)).astype(np.int64)
    return codes, lambda c: str(c) if c >= 0 else UNKNOWN


def _codes_language(f: Facts, rows: np.ndarray, year: int) -> tuple[np.ndarray, Callable[[int], str]]:
    return f.danish_cv[rows].astype(np.int64), lambda c: ("andet", "dansk")[c] if c >= 0 else UNKNOWN


_DIMENSION_CODES = {"malgruppe": _codes_target, "alder": _codes_age, "ordning": _codes_scheme,
                    "kommune": _codes_municipality, "cv_sprog": _codes_language}


def _pool_codes(pool, year: int) -> tuple[np.ndarray, list[Callable[[int], str]]]:
    """Every row's code in every dimension, shifted to start at 0, made once per pool and year and
    kept on the pool (a pool is replaced, never changed, when candidates change)."""
    facts = pool.facts
    cached = getattr(pool, "_group_codes", None)
    if cached is not None and cached[0] == year:
        return cached[1], cached[2]
    rows = np.arange(len(facts), dtype=np.int64)
    columns, labels = [], []
    for fn in _DIMENSION_CODES.values():
        codes, label = fn(facts, rows, year)
        columns.append(codes + 1)
        labels.append(label)
    codes = np.vstack(columns).astype(np.int16) if columns and len(rows) else np.zeros((len(columns), 0), np.int16)
    pool._group_codes = (year, codes, labels)
    return codes, labels


def pool_counts(pool, mask: np.ndarray | None, year: int) -> dict[str, dict[str, int]]:
    """Per dimension, how many of the pool's rows in `mask` are in each group."""
    key = None
    if mask is not None:
        # The same order shown again (after every shortlist or proposal) has the same eligible pool.
        key = (year, hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest())
        with _LOCK:  # request threads share the pool
            cache = pool.__dict__.setdefault("_group_counts", OrderedDict())
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
    codes, labels = _pool_codes(pool, year)
    # take() by positions: several times faster than a boolean mask over the second axis
    chosen = codes.take(np.flatnonzero(mask), axis=1) if mask is not None and len(mask) == codes.shape[1] \
        else codes[:, :0]
    out: dict[str, dict[str, int]] = {}
    for k, dim in enumerate(_DIMENSION_CODES):
        # bincount, not np.unique: no sort (the codes are small: at most a municipality number)
        counts = np.bincount(chosen[k]) if chosen.shape[1] else np.zeros(0, dtype=np.int64)
        out[dim] = {labels[k](int(v) - 1): int(counts[v]) for v in np.flatnonzero(counts)}
    if key is not None:
        with _LOCK:
            cache[key] = out
            while len(cache) > COUNTS_KEPT:
                cache.popitem(last=False)
    return out


def of_rows(facts: Facts, positions: list[int], year: int) -> list[dict[str, str]]:
    """Each row's group in every dimension."""
    rows = np.asarray(positions, dtype=np.int64)
    labels = [{} for _ in positions]
    for dim, fn in _DIMENSION_CODES.items():
        codes, label = fn(facts, rows, year)
        for i, c in enumerate(codes):
            labels[i][dim] = label(int(c))
    return labels

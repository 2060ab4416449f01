"""Commuting distance from the approximate postal-town centres Jobbro ships (shared/postcodes.py)."""

from __future__ import annotations

import bisect
import math
from functools import lru_cache

import numpy as np

from shared.postcodes import table


@lru_cache
def _table() -> tuple[list[int], dict[int, tuple[float, float]]]:
    rows = {code: (t.lat, t.lon) for code, t in table().items()}
    return sorted(rows), rows


@lru_cache(maxsize=20_000)
def centroid(postcode: str | int | None) -> tuple[float, float] | None:
    if postcode in (None, ""):
        return None
    try:
        code = int(postcode)
    except (TypeError, ValueError):
        return None
    keys, rows = _table()
    if code in rows:
        return rows[code]
    i = bisect.bisect_right(keys, code) - 1
    # Nearest listed postcode below in the same hundred (postal districts are numbered by area),
    # else the region's first row.
    if i >= 0 and keys[i] // 100 == code // 100:
        return rows[keys[i]]
    region = (code // 1000) * 1000
    j = bisect.bisect_left(keys, region)
    if j < len(keys) and keys[j] // 1000 == code // 1000:
        return rows[keys[j]]
    return None


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def km_many(lat: np.ndarray, lon: np.ndarray, to: tuple[float, float]) -> np.ndarray:
    """Distances (km) from arrays of points to one point; NaN stays NaN (unknown postcode)."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = math.radians(to[0]), math.radians(to[1])
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * math.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))

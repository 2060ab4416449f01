"""Danish postcodes: the postal town and its approximate centre (shared/data/postcodes_dk.csv).

crm names the town of a job ad's workplace from its postcode; matching measures commutes between
the centres. The table is Jobbro's own, hand-compiled; docs/matching.md says how to swap in DAWA's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "postcodes_dk.csv"


@dataclass(frozen=True)
class PostalTown:
    postcode: int
    town: str
    lat: float
    lon: float


@lru_cache
def table() -> dict[int, PostalTown]:
    with open(DATA, encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {int(r["postcode"]): PostalTown(int(r["postcode"]), r["town"], float(r["lat"]), float(r["lon"]))
                for r in rows}


def town(postcode: str | int | None) -> str | None:
    """The postal town of exactly this postcode, or None when the table does not list it."""
    try:
        found = table().get(int(str(postcode).strip()))
    except (TypeError, ValueError):
        return None
    return found.town if found else None

"""ESCO occupations and skills in Danish, read from `settings.esco_dir` (never copied into Jobbro).

The folder has the layout of the official ESCO CSV download, so a municipality can point
ESCO_DIR at its own download. Parsing takes a few seconds; the parsed catalogue is cached under
`settings.matching_cache_dir`, keyed by the files' sizes and modification times.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shared.settings import get_settings

CATALOG_VERSION = 3
FILES = ("occupations_da.csv", "skills_da.csv", "occupationSkillRelations_da.csv.gz", "ISCOGroups_da.csv")


class EscoUnavailable(RuntimeError):
    pass


@dataclass
class Occupation:
    id: int
    uri: str
    label: str
    alt_labels: list[str]
    isco: str  # 4-digit ISCO-08 group
    code: str
    essential: list[int] = field(default_factory=list)
    optional: list[int] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [self.label, *self.alt_labels]


@dataclass
class Skill:
    id: int
    uri: str
    label: str
    alt_labels: list[str]
    kind: str  # skill/competence or knowledge
    description: str

    @property
    def labels(self) -> list[str]:
        return [self.label, *self.alt_labels]


@dataclass
class Catalog:
    occupations: list[Occupation]
    skills: list[Skill]
    isco_groups: dict[str, str]
    occupation_by_uri: dict[str, int]
    skill_by_uri: dict[str, int]
    source: str

    def isco_label(self, code: str) -> str:
        return self.isco_groups.get(code, code)


def _split(labels: str) -> list[str]:
    return [x.strip() for x in (labels or "").split("\n") if x.strip()]


def _read_csv(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def parse(esco_dir: Path) -> Catalog:
    missing = [f for f in FILES if not (esco_dir / f).exists()]
    if missing:
        raise EscoUnavailable(
            f"ESCO files missing in {esco_dir}: {', '.join(missing)}. Set ESCO_DIR to the folder of the "
            "official ESCO CSV download (Danish), see docs/matching.md."
        )
    occupations: list[Occupation] = []
    by_uri: dict[str, int] = {}
    for row in _read_csv(esco_dir / "occupations_da.csv"):
        label = (row.get("preferredLabel") or "").strip()
        if not label:
            continue
        occ = Occupation(len(occupations), row["conceptUri"], label, _split(row.get("altLabels", "")),
                         (row.get("iscoGroup") or "").strip(), (row.get("code") or "").strip())
        by_uri[occ.uri] = occ.id
        occupations.append(occ)
    skills: list[Skill] = []
    skill_by_uri: dict[str, int] = {}
    for row in _read_csv(esco_dir / "skills_da.csv"):
        label = (row.get("preferredLabel") or "").strip()
        if not label:
            continue
        sk = Skill(len(skills), row["conceptUri"], label, _split(row.get("altLabels", "")),
                   (row.get("skillType") or "").strip(), (row.get("description") or "").strip())
        skill_by_uri[sk.uri] = sk.id
        skills.append(sk)
    for row in _read_csv(esco_dir / "occupationSkillRelations_da.csv.gz"):
        o = by_uri.get(row["occupationUri"])
        s = skill_by_uri.get(row["skillUri"])
        if o is None or s is None:
            continue  # skills newer than the Danish labels have no label to recognise
        (occupations[o].essential if row["relationType"] == "essential" else occupations[o].optional).append(s)
    groups = {row["code"]: row["preferredLabel"] for row in _read_csv(esco_dir / "ISCOGroups_da.csv")}
    return Catalog(occupations, skills, groups, by_uri, skill_by_uri, str(esco_dir))


def _cache_key(esco_dir: Path) -> str:
    h = hashlib.sha256(str(CATALOG_VERSION).encode())
    for name in FILES:
        st = (esco_dir / name).stat()
        h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def load(esco_dir: Path | None = None, cache_dir: Path | None = None) -> Catalog:
    settings = get_settings()
    esco_dir = Path(esco_dir or settings.esco_dir)
    cache_dir = Path(cache_dir or settings.matching_cache_dir)
    try:
        key = _cache_key(esco_dir)
    except FileNotFoundError:
        return parse(esco_dir)  # raises EscoUnavailable naming the missing files
    cached = cache_dir / f"esco-{key}.pickle"
    if cached.exists():
        try:
            with open(cached, "rb") as fh:
                return pickle.load(fh)
        except Exception:
            cached.unlink(missing_ok=True)
    catalog = parse(esco_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cached)
    return catalog


@lru_cache
def get_catalog() -> Catalog:
    return load()


def occupations_by_isco(catalog: Catalog) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for occ in catalog.occupations:
        out[occ.isco].append(occ.id)
    return out

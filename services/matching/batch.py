"""`python -m services.matching rank --candidates C.jsonl --vacancies V.jsonl --top 50 > R.jsonl`

Each input line is `{"id": ..., "text": ...}` plus optional structured fields (candidates: the
eligibility facts of the API, `postcode`, `desired_occupations`; vacancies: `title`, `scheme`,
`hours_per_week`, `postcode`, `starts_on`, `duration_weeks`, `sector`). Each output line is
`{"vacancy_id": ..., "ranking": [{"candidate_id": ..., "score": ...}, ...]}`. The ranking is the
production code path (`ranking.engine.rank`) with the configured weights and rules.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO

import numpy as np

from services.matching.ranking.engine import CandidateRecord, Pool, Query, RankResult, context_for, rank
from services.matching.ranking.features import candidate_features, vacancy_features
from services.matching.ranking.scoring import Weights, get_weights
from shared.glossary import Scheme
from shared.rules import get_rulebook
from shared.settings import get_settings


def read_jsonl(fh: TextIO, what: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(fh, 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{what} line {n}: not JSON ({exc})") from exc
        if "id" not in obj or not isinstance(obj.get("text", ""), str):
            raise SystemExit(f"{what} line {n}: needs \"id\" and a string \"text\"")
        yield obj


def candidate_records(rows: list[dict[str, Any]], vectors: np.ndarray | None) -> list[CandidateRecord]:
    out = []
    for i, r in enumerate(rows):
        desired = r.get("desired_occupations") or []
        feats = candidate_features(r.get("text", ""), desired)
        out.append(CandidateRecord(i, str(r["id"]), r, feats, None if vectors is None else vectors[i],
                                   r.get("postcode")))
    return out


def vacancy_query(v: dict[str, Any], vector: np.ndarray | None) -> Query:
    scheme = v.get("scheme") or Scheme.ordinaer.value
    starts = date.fromisoformat(v["starts_on"]) if v.get("starts_on") else None
    ctx = context_for(scheme, v.get("hours_per_week"), starts, v.get("duration_weeks"), v.get("sector"),
                      get_settings().jobbro_municipality_code)
    title = v.get("title") or ""
    return Query(title, vacancy_features(title, v.get("text", "")), ctx, vector, v.get("postcode"), v["id"])


def run(candidates: list[dict[str, Any]], vacancies: list[dict[str, Any]], top: int,
        weights: Weights | None = None, embed: bool = True, cand_vectors: np.ndarray | None = None,
        vac_vectors: np.ndarray | None = None) -> Iterable[tuple[dict[str, Any], RankResult]]:
    from services.matching.esco.catalog import get_catalog

    weights = weights or get_weights()
    catalog = get_catalog()
    dim = 384
    if embed and cand_vectors is None:
        from services.matching.embedding.model import get_embedder

        emb = get_embedder()
        dim = emb.dimension
        cand_vectors = emb.passages([c.get("text", "") for c in candidates]) if candidates else None
        vac_vectors = emb.queries([(v.get("title", "") + "\n" + v.get("text", "")).strip() for v in vacancies]) \
            if vacancies else None
    elif cand_vectors is not None:
        dim = cand_vectors.shape[1]
    pool = Pool.build(candidate_records(candidates, cand_vectors), dim, catalog)
    book = get_rulebook()
    for j, v in enumerate(vacancies):
        q = vacancy_query(v, None if vac_vectors is None else vac_vectors[j])
        yield v, rank(pool, q, weights, book, catalog, top=top, explain=False)


def main(args) -> int:
    with open(args.candidates, encoding="utf-8") as fh:
        candidates = list(read_jsonl(fh, "candidates"))
    with open(args.vacancies, encoding="utf-8") as fh:
        vacancies = list(read_jsonl(fh, "vacancies"))
    out = sys.stdout
    for v, result in run(candidates, vacancies, args.top):
        line: dict[str, Any] = {
            "vacancy_id": v["id"],
            "ranking": [{"candidate_id": candidates[it["candidate_id"]]["id"], "score": it["score"]}
                        for it in result.items],
        }
        if result.message:
            line["message"] = result.message
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()
    return 0

"""The bias audit offline, on a ranking set in files (`python -m services.matching audit`).

The evaluation set (bench/matching_eval.py --export DIR) has no people behind it, so each CV gets
synthetic group labels from a seeded generator (target group, birth year, referral to fleksjob or
IGU, home municipality); the CV language is detected from the text as in production. Rankings
run through the production path (batch.py, ranking.engine.rank); the consultant's actions are
simulated: the top 3 shortlisted, the top 1 proposed, and "hired" when the proposal is the
vacancy's relevant CV (grade 2 in qrels), so the hire rate per score band reads as calibration.
With labels drawn independently of the CVs, exposure ratios away from 1 show the audit's noise
at this sample size, which is what the "rankings" column is there to say.
"""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

from services.matching.records import groups
from services.matching.records.audit import AuditAction, AuditRanking, compute
from services.matching.ranking.eligibility import TARGET_GROUPS

SHORTLIST = 3
MUNICIPALITIES = [330, 329, 259, 253, 101]


def synthetic_labels(candidates: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    from services.matching.candidates.textcheck import detect_language

    rng = random.Random(seed)
    out = []
    for c in candidates:
        r = rng.random()
        out.append({**c, "target_group": rng.choice(TARGET_GROUPS), "birth_year": rng.randint(1960, 2006),
                    "fleksjob_visiteret": r < 0.08, "igu_basis": "flygtning" if 0.08 <= r < 0.12 else None,
                    "municipality_code": rng.choice(MUNICIPALITIES), "consent_other_municipalities": True,
                    "cv_language": detect_language(c.get("text", ""))})
    return out


def run(candidates: list[dict[str, Any]], vacancies: list[dict[str, Any]], qrels: dict[str, dict[str, int]] | None,
        seed: int = 42, synthetic: bool = True, top: int = 10) -> dict[str, Any]:
    from services.matching import batch
    from services.matching.esco.catalog import get_catalog
    from services.matching.ranking.engine import Pool, rank
    from services.matching.ranking.scoring import get_weights
    from shared.rules import get_rulebook

    from services.matching.embedding.model import get_embedder

    rows = synthetic_labels(candidates, seed) if synthetic else candidates
    emb = get_embedder()
    cand_vectors = emb.passages([c.get("text", "") for c in rows])
    vac_vectors = emb.queries([(v.get("title", "") + "\n" + v.get("text", "")).strip() for v in vacancies])
    catalog, weights, book = get_catalog(), get_weights(), get_rulebook()
    pool = Pool.build(batch.candidate_records(rows, cand_vectors), emb.dimension, catalog)
    year = date.today().year
    rankings, actions = [], []
    for j, v in enumerate(vacancies):
        result = rank(pool, batch.vacancy_query(v, vac_vectors[j]), weights, book, catalog, top=top, explain=False)
        labels = groups.of_rows(pool.facts, result.positions, year)
        rankings.append(AuditRanking(groups.pool_counts(pool, result.eligible_mask, year), result.eligible,
                                     labels))
        relevant = {str(k) for k, g in ((qrels or {}).get(str(v["id"])) or {}).items() if g == 2}
        for i, item in enumerate(result.items[:SHORTLIST]):
            actions.append(AuditAction("kortliste", labels[i], item["score"]))
        if result.items:
            ref = rows[result.items[0]["candidate_id"]]["id"]
            actions.append(AuditAction("foreslaaet", labels[0], result.items[0]["score"],
                                       (str(ref) in relevant) if qrels is not None else None))
    return {"candidates": len(rows), "vacancies": len(vacancies), "synthetic_groups": synthetic, "seed": seed,
            **compute(rankings, actions, top)}


def markdown(result: dict[str, Any]) -> str:
    """The audit as the section docs/matching-quality.md ends with."""
    lines = [f"{result['rankings']} rankings (one per vacancy) over {result['candidates']} CVs; "
             f"top {result['top']}; synthetic group labels (seed {result['seed']}); groups with an exposure "
             f"ratio under {result['threshold']} are flagged.", ""]
    for d in result["dimensions"]:
        lines += [f"**{d['label']}**", "", "| group | pool share | top-10 share | shortlist share | proposal share | "
                  "exposure ratio | rankings |", "|---|---|---|---|---|---|---|"]
        for g in d["groups"]:
            def f(x):
                return "–" if x is None else f"{x:.3f}"
            flag = " ⚑" if g["flagged"] else ""
            lines.append(f"| {g['group']} | {f(g['pool_share'])} | {f(g['top10_share'])} | {f(g['shortlist_share'])} | "
                         f"{f(g['proposal_share'])} | {f(g['exposure_ratio'])}{flag} | {g['rankings']} |")
        lines.append("")
    lines += ["**Hire rate per score band** (simulated: the top-1 proposal counts as hired when it is the relevant CV)",
              "", "| score band | proposed | hired | hire rate |", "|---|---|---|---|"]
    for b in result["hire_rate_by_score_band"]:
        rate = "–" if b["hire_rate"] is None else f"{b['hire_rate']:.2f}"
        lines.append(f"| {b['band']} | {b['proposed']} | {b['hired']} | {rate} |")
    return "\n".join(lines) + "\n"


def main(args) -> int:
    from services.matching.batch import read_jsonl

    with open(args.candidates, encoding="utf-8") as fh:
        candidates = list(read_jsonl(fh, "candidates"))
    with open(args.vacancies, encoding="utf-8") as fh:
        vacancies = list(read_jsonl(fh, "vacancies"))
    qrels = None
    if args.qrels:
        with open(args.qrels, encoding="utf-8") as fh:
            qrels = json.load(fh)
    result = run(candidates, vacancies, qrels, seed=args.seed, synthetic=not args.real_groups, top=args.top)
    if args.markdown:
        print(markdown(result))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0

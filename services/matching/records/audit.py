"""The bias audit (EU AI Act art. 10 and 14) over recorded rankings, and offline over the evaluation set.

For each group of each dimension (records/groups.py): its share of the eligible pool, of the
top-10, of shortlists and of proposals, and the exposure ratio = top-10 share / pool share. A
group under the four-fifths rule (ratio < 0.8) is flagged, with the number of rankings behind the
figure (those whose eligible pool held the group), so a small sample is not over-read. Where
proposals have an outcome (hired or rejected, from crm), the hire rate per score band.

`compute` works on plain rows so the API (recorded rankings) and `python -m services.matching
audit` (the evaluation set with synthetic labels) give the same figures the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.matching.records.groups import DIMENSIONS, group_order

FOUR_FIFTHS = 0.8
TOP = 10
SMALL_SAMPLE = 30  # fewer rankings than this behind a figure: shown, and said to be uncertain
BANDS = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]


@dataclass
class AuditRanking:
    pool_groups: dict[str, dict[str, int]]  # dimension -> group -> eligible count
    eligible: int
    top: list[dict[str, str]]  # each top candidate's groups, best first


@dataclass
class AuditAction:
    action: str  # kortliste | foreslaaet
    groups: dict[str, str]
    score: float | None = None
    hired: bool | None = None  # for a proposal: True hired, False rejected, None undecided
    extra: dict[str, Any] = field(default_factory=dict)


def _band(score: float) -> str:
    for lo, hi in BANDS:
        if lo <= score < hi:
            return f"{lo:.1f}-{min(hi, 1.0):.1f}"
    return f"{BANDS[-1][0]:.1f}-1.0" if score >= 1 else f"{BANDS[0][0]:.1f}-{BANDS[0][1]:.1f}"


def _share(n: int, total: int) -> float | None:
    return round(n / total, 4) if total else None


def compute(rankings: list[AuditRanking], actions: list[AuditAction], top: int = TOP) -> dict[str, Any]:
    pool_total = sum(r.eligible for r in rankings)
    top_total = sum(min(top, len(r.top)) for r in rankings)
    shortlists = [a for a in actions if a.action == "kortliste"]
    proposals = [a for a in actions if a.action == "foreslaaet"]
    dimensions = []
    for dim, label in DIMENSIONS.items():
        pool: dict[str, int] = defaultdict(int)
        behind: dict[str, int] = defaultdict(int)
        in_top: dict[str, int] = defaultdict(int)
        for r in rankings:
            for g, n in (r.pool_groups.get(dim) or {}).items():
                pool[g] += n
                behind[g] += 1 if n else 0
            for cand in r.top[:top]:
                in_top[cand.get(dim, "ukendt")] += 1
        sl: dict[str, int] = defaultdict(int)
        pr: dict[str, int] = defaultdict(int)
        for a in shortlists:
            sl[a.groups.get(dim, "ukendt")] += 1
        for a in proposals:
            pr[a.groups.get(dim, "ukendt")] += 1
        rows = []
        for g in sorted(set(pool) | set(in_top) | set(sl) | set(pr), key=group_order(dim)):
            pool_share, top_share = _share(pool[g], pool_total), _share(in_top[g], top_total)
            ratio = round(top_share / pool_share, 3) if pool_share and top_share is not None else None
            rows.append({
                "group": g, "pool": pool[g], "pool_share": pool_share, "top10": in_top[g], "top10_share": top_share,
                "shortlisted": sl[g], "shortlist_share": _share(sl[g], len(shortlists)),
                "proposed": pr[g], "proposal_share": _share(pr[g], len(proposals)),
                "exposure_ratio": ratio, "flagged": ratio is not None and ratio < FOUR_FIFTHS,
                "rankings": behind[g], "small_sample": behind[g] < SMALL_SAMPLE,
            })
        dimensions.append({"key": dim, "label": label, "groups": rows})
    bands: dict[str, dict[str, int]] = {}
    for a in proposals:
        if a.score is None:
            continue
        b = bands.setdefault(_band(a.score), {"proposed": 0, "decided": 0, "hired": 0})
        b["proposed"] += 1
        if a.hired is not None:
            b["decided"] += 1
            b["hired"] += int(a.hired)
    return {
        "rankings": len(rankings), "eligible_total": pool_total, "top10_total": top_total,
        "shortlisted": len(shortlists), "proposed": len(proposals), "threshold": FOUR_FIFTHS, "top": top,
        "small_sample_below": SMALL_SAMPLE,
        "flagged": [{"dimension": d["key"], "group": g["group"], "exposure_ratio": g["exposure_ratio"],
                     "rankings": g["rankings"]} for d in dimensions for g in d["groups"] if g["flagged"]],
        "dimensions": dimensions,
        "hire_rate_by_score_band": [
            {"band": k, **v, "hire_rate": _share(v["hired"], v["decided"])} for k, v in sorted(bands.items())],
    }


def csv_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"dimension": d["key"], **g} for d in result["dimensions"] for g in d["groups"]]


CSV_COLUMNS = ["dimension", "group", "pool", "pool_share", "top10", "top10_share", "shortlisted", "shortlist_share",
               "proposed", "proposal_share", "exposure_ratio", "flagged", "rankings", "small_sample"]


def from_records(session, principal, since: date, until: date) -> dict[str, Any]:
    """The audit over the rankings recorded from `since` to `until` (local dates, both included)."""
    from services.matching.deps import SERVICE
    from services.matching.records import queries
    from services.matching.records.service import _bounds
    from shared import audit as audit_log

    lo, hi = _bounds(since, until)
    records = queries.records_between(session, lo, hi)
    ids = [r.id for r in records]
    tops: dict[int, list[dict[str, str]]] = defaultdict(list)
    for e in queries.entries_of(session, ids):
        if e.rank <= TOP:
            tops[e.record_id].append(e.groups)
    acts = queries.actions_of(session, ids)
    outcome: dict[tuple[int, str], bool] = {}
    for a in acts:
        if a.action in ("ansat", "afvist"):
            outcome[(a.record_id, a.candidate_ref)] = a.action == "ansat"
    actions = [AuditAction(a.action, a.groups, a.score, outcome.get((a.record_id, a.candidate_ref)))
               for a in acts if a.action in ("kortliste", "foreslaaet")]
    result = compute([AuditRanking(r.pool_groups, r.eligible, tops.get(r.id, [])) for r in records], actions)
    audit_log.record(session, principal, SERVICE, "read", "ranking_audit", None,
                     {"from": since.isoformat(), "to": until.isoformat(), "rankings": len(records)})
    session.commit()
    return {"from": since.isoformat(), "to": until.isoformat(), **result}

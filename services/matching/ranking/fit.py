"""Fit the score weights from recorded outcomes (`matching_outcome`): hired (ansat) against
proposed-not-hired and rejected, by logistic regression on the stored score parts; negative
coefficients are set to 0 and the rest scaled to sum to 1. Writes a weights file like
ranking/weights.yaml; refuses with fewer than `--min-outcomes` outcomes or only one class."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

from services.matching.ranking.scoring import PARTS, Weights, get_weights
from services.matching.vacancies.models import Outcome
from shared.db import get_engine


def fit(rows: list[tuple[dict, str]], base: Weights) -> Weights:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[float(parts.get(p, 0.0)) for p in PARTS] for parts, _ in rows])
    y = np.array([1 if outcome == "ansat" else 0 for _, outcome in rows])
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    coef = np.clip(model.coef_[0], 0, None)
    if coef.sum() == 0:
        raise ValueError("no part predicts hiring; keeping the current weights")
    coef = coef / coef.sum()
    w = base.with_weights(**{p: float(c) for p, c in zip(PARTS, coef)})
    return Weights(w.weights, base.semantic_floor, base.distance_scale_km, base.distance_unknown, base.shortlist,
                   version=f"fitted-{date.today().isoformat()}-n{len(rows)}")


def main(args) -> int:
    with Session(get_engine()) as s:
        rows = [(o.parts, o.outcome) for o in s.exec(select(Outcome)).all() if o.parts]
    classes = {o == "ansat" for _, o in rows}
    if len(rows) < args.min_outcomes or len(classes) < 2:
        print(f"fit-weights: {len(rows)} outcomes ({'both' if len(classes) == 2 else 'one'} class(es)); need at least "
              f"{args.min_outcomes} with hires and non-hires. Weights unchanged.", file=sys.stderr)
        return 2
    fitted = fit(rows, get_weights())
    text = fitted.to_yaml()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}; set MATCHING_WEIGHTS_FILE to use it")
    else:
        print(text)
    return 0

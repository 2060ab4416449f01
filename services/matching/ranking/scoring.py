"""Weights (configuration) and how the parts combine into one score."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from shared.settings import get_settings

PARTS = ("semantic", "lexical", "skills", "occupation", "distance")


@dataclass(frozen=True)
class Weights:
    weights: dict[str, float]
    semantic_floor: float = 0.70
    distance_scale_km: float = 30.0
    distance_unknown: float = 0.5
    shortlist: int = 1000
    version: str = "custom"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(PARTS)
        if unknown:
            raise ValueError(f"unknown score parts in weights: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be >= 0")

    def w(self, part: str) -> float:
        return float(self.weights.get(part, 0.0))

    @classmethod
    def from_file(cls, path: Path) -> Weights:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        return cls(
            weights={k: float(v) for k, v in data["weights"].items()},
            semantic_floor=float(data.get("semantic_floor", 0.70)),
            distance_scale_km=float(data.get("distance_scale_km", 30)),
            distance_unknown=float(data.get("distance_unknown", 0.5)),
            shortlist=int(data.get("shortlist", 1000)),
            version=str(data.get("version", path.stem)),
        )

    def with_weights(self, **weights: float) -> Weights:
        return Weights({p: float(weights.get(p, 0.0)) for p in PARTS}, self.semantic_floor, self.distance_scale_km,
                       self.distance_unknown, self.shortlist, version="custom")

    def to_yaml(self) -> str:
        return yaml.safe_dump({
            "version": self.version, "weights": {p: round(self.w(p), 4) for p in PARTS},
            "semantic_floor": self.semantic_floor, "distance_scale_km": self.distance_scale_km,
            "distance_unknown": self.distance_unknown, "shortlist": self.shortlist,
        }, sort_keys=False, allow_unicode=True)


@lru_cache
def get_weights() -> Weights:
    return Weights.from_file(get_settings().matching_weights_file)

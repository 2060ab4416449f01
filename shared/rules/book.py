"""The rulebook: which scheme rule is in force on a date, and whether a placement breaks it.

Breaches carry the rule, the figures and the law so a consultant can see why and decide whether
to override (with a reason that is audited).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from shared.glossary import SCHEME_LABELS, Scheme
from shared.settings import get_settings


@dataclass(frozen=True)
class RuleBreach:
    rule: str
    message: str
    law: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _in_force(entry: dict[str, Any], on: date) -> bool:
    start = entry.get("valid_from") or date.min
    end = entry.get("valid_to") or date.max
    return start <= on <= end


def _limit_end(starts_on: date, amount: int, unit: str) -> date:
    """Last allowed day of a period of `amount` weeks/months starting on `starts_on`."""
    if unit == "weeks":
        return starts_on + timedelta(weeks=amount) - timedelta(days=1)
    return starts_on + relativedelta(months=amount) - timedelta(days=1)


_UNIT_DA = {"weeks": "uger", "months": "måneder"}


class Rulebook:
    def __init__(self, data: dict[str, Any], source: str = "<memory>") -> None:
        self.data = data
        self.source = source

    @classmethod
    def from_file(cls, path: Path) -> Rulebook:
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh), str(path))

    def _first(self, section: str, on: date, **match: str | None) -> dict[str, Any] | None:
        for entry in self.data.get(section, []):
            if not _in_force(entry, on):
                continue
            ok = True
            for key, value in match.items():
                allowed = entry.get(key)
                if key == "scheme":
                    ok = ok and allowed == value
                elif allowed is not None and value not in allowed:
                    ok = False
            if ok:
                return entry
        return None

    # -- duration ---------------------------------------------------------------------------
    def duration_rule(self, scheme: str, target_group: str | None, sector: str | None, on: date):
        return self._first("duration", on, scheme=scheme, target_groups=target_group, sectors=sector)

    def check_duration(
        self, scheme: str, target_group: str | None, sector: str | None, starts_on: date, ends_on: date | None
    ) -> RuleBreach | None:
        rule = self.duration_rule(scheme, target_group, sector, starts_on)
        if rule is None:
            return None
        unit = rule["unit"]
        max_end = _limit_end(starts_on, rule["max"], unit)
        label = SCHEME_LABELS.get(Scheme(scheme), scheme)
        if ends_on is None:
            return RuleBreach(
                rule="max_varighed",
                message=f"{label} kan højst vare {rule['max']} {_UNIT_DA[unit]} for denne målgruppe; angiv en slutdato.",
                law=rule["law"],
                figures={"max": rule["max"], "unit": unit, "seneste_slutdato": max_end.isoformat()},
            )
        if ends_on <= max_end:
            return None
        extended_end = _limit_end(starts_on, rule.get("extended") or rule["max"], unit)
        extra = ""
        if rule.get("condition") and rule.get("extended", rule["max"]) > rule["max"]:
            extra = f" Op til {rule['extended']} {_UNIT_DA[unit]} kan bevilges ({rule['condition']}) med en begrundelse."
        return RuleBreach(
            rule="max_varighed",
            message=(
                f"{label} kan højst vare {rule['max']} {_UNIT_DA[unit]} for denne målgruppe, "
                f"dvs. til og med {max_end.isoformat()}; slutdatoen er {ends_on.isoformat()}.{extra}"
            ),
            law=rule["law"],
            figures={
                "max": rule["max"],
                "unit": unit,
                "seneste_slutdato": max_end.isoformat(),
                "udvidet_max": rule.get("extended"),
                "udvidet_seneste_slutdato": extended_end.isoformat(),
                "slutdato": ends_on.isoformat(),
            },
        )

    # -- IGU --------------------------------------------------------------------------------
    def check_igu(self, birth_year: int | None, starts_on: date) -> RuleBreach | None:
        last = self._first("igu_last_start", starts_on)
        if last and starts_on > last["last_start_on"]:
            return RuleBreach(
                rule="igu_sidste_start",
                message=f"Nye IGU-forløb kan ikke starte efter {last['last_start_on'].isoformat()}.",
                law=last["law"],
                figures={"seneste_start": last["last_start_on"].isoformat(), "start": starts_on.isoformat()},
            )
        rule = self._first("igu_age", starts_on)
        if rule is None:
            return None
        if birth_year is None:
            return RuleBreach(
                rule="igu_alder",
                message="IGU kræver at alderen ved start kendes: angiv kandidatens fødselsår.",
                law=rule["law"],
                figures={"min_alder": rule["min_age"], "under_alder": rule["max_age_exclusive"]},
            )
        # Only the birth year is stored (least data), so the age at start is one of two values;
        # a breach is reported only when both are outside the rule.
        oldest = starts_on.year - birth_year
        youngest = oldest - 1
        if youngest >= rule["max_age_exclusive"] or oldest < rule["min_age"]:
            return RuleBreach(
                rule="igu_alder",
                message=(
                    f"IGU kræver en alder fra {rule['min_age']} til under {rule['max_age_exclusive']} år ved start; "
                    f"kandidaten er {youngest}-{oldest} år ved start."
                ),
                law=rule["law"],
                figures={
                    "min_alder": rule["min_age"],
                    "under_alder": rule["max_age_exclusive"],
                    "alder_ved_start": [youngest, oldest],
                },
            )
        return None

    # -- ratio rule (rimelighedskrav) -------------------------------------------------------
    def ratio_rule(self, on: date) -> dict[str, Any] | None:
        return self._first("ratio", on)

    def ratio_schemes(self, on: date) -> list[str]:
        rule = self.ratio_rule(on)
        return list(rule["schemes"]) if rule else []

    @staticmethod
    def ratio_capacity(rule: dict[str, Any], ordinary_employees: float) -> int:
        first = min(ordinary_employees, rule["first_limit"])
        beyond = max(ordinary_employees - rule["first_limit"], 0)
        allowed = int(first // rule["per_first"]) + int(beyond // rule["per_beyond"])
        return max(allowed, rule["minimum"])

    def check_ratio(
        self, scheme: str, ordinary_employees: float | None, active_supported: int, starts_on: date
    ) -> RuleBreach | None:
        rule = self.ratio_rule(starts_on)
        if rule is None or scheme not in rule["schemes"] or ordinary_employees is None:
            return None
        capacity = self.ratio_capacity(rule, ordinary_employees)
        if active_supported + 1 <= capacity:
            return None
        return RuleBreach(
            rule="rimelighedskrav",
            message=(
                f"Virksomheden har {ordinary_employees:g} ordinært ansatte og må derfor have højst {capacity} "
                f"personer i praktik, løntilskud eller nytteindsats på samme tid; der er allerede {active_supported}."
            ),
            law=rule["law"],
            figures={
                "ordinaert_ansatte": ordinary_employees,
                "tilladt": capacity,
                "aktive": active_supported,
                "efter_oprettelse": active_supported + 1,
            },
        )

    # -- matching eligibility (services/matching) --------------------------------------------
    def matching_checks(self, scheme: str, on: date) -> list[dict[str, Any]]:
        """The matching filters in force on `on` that apply to `scheme` (entries without
        `schemes` apply to every scheme), in file order."""
        return [
            entry for entry in self.data.get("matching", [])
            if _in_force(entry, on) and (not entry.get("schemes") or scheme in entry["schemes"])
        ]

    def igu_age_rule(self, on: date) -> dict[str, Any] | None:
        return self._first("igu_age", on)

    def max_duration(self, scheme: str, target_group: str | None, sector: str | None, on: date,
                     extended: bool = True) -> tuple[int, str] | None:
        """(amount, unit) a scheme may last for the target group; `extended` includes what a
        consultant may grant with a reason."""
        rule = self.duration_rule(scheme, target_group, sector, on)
        if rule is None:
            return None
        return (int(rule.get("extended") or rule["max"]) if extended else int(rule["max"]), rule["unit"])


@lru_cache
def get_rulebook() -> Rulebook:
    return Rulebook.from_file(get_settings().jobbro_rules_file)

"""Hard eligibility filters from the scheme rules (`matching:` in scheme_rules.yaml).

Every check runs on whole columns (numpy) so filtering 100,000 candidates costs a millisecond
or two, and the same code explains one candidate (a column of length one), so what the filter
did and what the explanation says cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from shared.glossary import ELIGIBILITY_LABELS, EducationLevel, IguBasis, Scheme, TargetGroup
from shared.rules import Rulebook

TARGET_GROUPS = [t.value for t in TargetGroup]
IGU_BASES = [b.value for b in IguBasis]
EDUCATION = [e.value for e in EducationLevel]


def code_of(values: list[str], value: str | None) -> int:
    try:
        return values.index(value) if value else -1
    except ValueError:
        return -1


@dataclass
class Facts:
    """Columns of eligibility facts; NaN / -1 mean unknown."""

    target_group: np.ndarray  # int16 index into TARGET_GROUPS
    fleksjob: np.ndarray  # bool
    fleksjob_hours: np.ndarray  # float32
    igu_basis: np.ndarray  # int8 index into IGU_BASES
    birth_year: np.ndarray  # float32
    years_in_denmark: np.ndarray  # float32
    months_unemployed: np.ndarray  # float32
    education: np.ndarray  # int8 index into EDUCATION
    single_parent: np.ndarray  # bool
    hours: np.ndarray  # float32
    municipality: np.ndarray  # float32
    consent: np.ndarray  # bool
    # Not a rule: the CV's language (1 Danish, 0 another, -1 unknown), for the bias audit's groups.
    danish_cv: np.ndarray  # int8

    @classmethod
    def empty(cls, n: int = 0) -> Facts:
        nan = np.full(n, np.nan, dtype=np.float32)
        return cls(np.full(n, -1, np.int16), np.zeros(n, bool), nan.copy(), np.full(n, -1, np.int8), nan.copy(),
                   nan.copy(), nan.copy(), np.full(n, -1, np.int8), np.zeros(n, bool), nan.copy(), nan.copy(),
                   np.zeros(n, bool), np.full(n, -1, np.int8))

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Facts:
        f = cls.empty(len(rows))
        for i, r in enumerate(rows):
            f.set_row(i, r)
        return f

    def set_row(self, i: int, r: dict[str, Any]) -> None:
        def num(key):
            v = r.get(key)
            return np.nan if v is None else float(v)

        self.target_group[i] = code_of(TARGET_GROUPS, r.get("target_group"))
        self.fleksjob[i] = bool(r.get("fleksjob_visiteret"))
        self.fleksjob_hours[i] = num("fleksjob_hours")
        self.igu_basis[i] = code_of(IGU_BASES, r.get("igu_basis"))
        self.birth_year[i] = num("birth_year")
        self.years_in_denmark[i] = num("years_in_denmark")
        self.months_unemployed[i] = num("months_unemployed")
        self.education[i] = code_of(EDUCATION, r.get("education_level"))
        self.single_parent[i] = bool(r.get("single_parent"))
        self.hours[i] = num("hours_available")
        self.municipality[i] = num("municipality_code")
        self.consent[i] = bool(r.get("consent_other_municipalities"))
        lang = r.get("cv_language")
        self.danish_cv[i] = -1 if not lang else int(lang == "da")

    def take(self, idx) -> Facts:
        return Facts(**{k: v[idx] for k, v in self.__dict__.items()})

    def append(self, other: Facts) -> Facts:
        return Facts(**{k: np.concatenate([v, other.__dict__[k]]) for k, v in self.__dict__.items()})

    def __len__(self) -> int:
        return len(self.fleksjob)


@dataclass
class VacancyContext:
    scheme: str
    hours_per_week: float | None = None
    starts_on: date | None = None
    duration_weeks: int | None = None
    sector: str | None = None
    home_municipality: int | None = None

    @property
    def on(self) -> date:
        return self.starts_on or date.today()


@dataclass
class CheckResult:
    check: str
    law: str
    ok: np.ndarray
    reason: Callable[[int, bool], str]


@dataclass
class Eligibility:
    mask: np.ndarray
    results: list[CheckResult] = field(default_factory=list)

    def failures(self) -> dict[str, int]:
        return {r.check: int((~r.ok).sum()) for r in self.results if (~r.ok).any()}

    def reasons(self, i: int) -> list[dict[str, Any]]:
        return [{"regel": r.check, "navn": ELIGIBILITY_LABELS.get(r.check, r.check), "opfyldt": bool(r.ok[i]),
                 "begrundelse": r.reason(i, bool(r.ok[i])), "lov": r.law} for r in self.results]


def _ages(f: Facts, on: date) -> tuple[np.ndarray, np.ndarray]:
    oldest = on.year - f.birth_year
    return oldest - 1, oldest


def _fmt(x: float) -> str:
    return "ukendt" if np.isnan(x) else f"{x:g}"


def _check(name: str, f: Facts, ctx: VacancyContext, entry: dict, book: Rulebook) -> CheckResult:
    law = entry.get("law", "")
    on = ctx.on
    if name == "fleksjob_visiteret":
        ok = f.fleksjob.copy()
        return CheckResult(name, law, ok, lambda i, good: "visiteret til fleksjob" if good else
                           "ikke visiteret til fleksjob")
    if name == "igu_grundlag":
        allowed = [code_of(IGU_BASES, a) for a in entry.get("allowed", [])]
        ok = np.isin(f.igu_basis, allowed)
        return CheckResult(name, law, ok, lambda i, good: (
            f"IGU-grundlag: {IGU_BASES[f.igu_basis[i]]}" if good else
            "har ikke IGU-grundlag (flygtning, familiesammenført eller særlov)"
            if f.igu_basis[i] >= 0 else "IGU-grundlag er ikke oplyst"))
    if name == "igu_aar_i_danmark":
        limit = float(entry["max_years"])
        ok = f.years_in_denmark <= limit
        return CheckResult(name, law, ok, lambda i, good: (
            f"{_fmt(f.years_in_denmark[i])} år i Danmark (højst {limit:g})" if good else
            f"{_fmt(f.years_in_denmark[i])} år i Danmark; IGU kræver højst {limit:g} år"))
    if name == "igu_alder":
        rule = book.igu_age_rule(on)
        lo, hi = (rule["min_age"], rule["max_age_exclusive"]) if rule else (0, 200)
        youngest, oldest = _ages(f, on)
        ok = ~np.isnan(f.birth_year) & ~((youngest >= hi) | (oldest < lo))
        return CheckResult(name, law, ok, lambda i, good: (
            "fødselsår ikke oplyst" if np.isnan(f.birth_year[i]) else
            f"{youngest[i]:.0f}-{oldest[i]:.0f} år ved start (krav: {lo} til under {hi})"))
    if name == "loentilskud_ledighed":
        need = float(entry["min_months"])
        youngest, oldest = _ages(f, on)
        low_edu = np.isin(f.education, [code_of(EDUCATION, e) for e in entry.get("exception_education_levels", [])])
        over = oldest >= float(entry.get("exception_min_age", 200))
        single = f.single_parent & bool(entry.get("exception_single_parent"))
        long_enough = f.months_unemployed >= need
        ok = long_enough | over | single | low_edu

        def why(i: int, good: bool) -> str:
            if long_enough[i]:
                return f"ledig i {_fmt(f.months_unemployed[i])} måneder (krav: {need:g})"
            if good:
                grounds = [g for g, flag in (("over 50 år", over[i]), ("enlig forsørger", single[i]),
                                             ("uden ungdomsuddannelse", low_edu[i])) if flag]
                return "undtaget fra ledighedskravet: " + ", ".join(grounds)
            return (f"ledig i {_fmt(f.months_unemployed[i])} måneder; løntilskud kræver {need:g} måneder "
                    "eller en undtagelse (over 50 år, enlig forsørger, uden ungdomsuddannelse)")

        return CheckResult(name, law, ok, why)
    if name == "praktik_varighed":
        if not ctx.duration_weeks:
            ok = np.ones(len(f), bool)
            return CheckResult(name, law, ok, lambda i, good: "praktikkens længde er ikke angivet")
        allowed = np.zeros(len(TARGET_GROUPS) + 1, dtype=np.float32)  # last slot: unknown group
        for j, tg in enumerate(TARGET_GROUPS):
            d = book.max_duration(Scheme.virksomhedspraktik.value, tg, ctx.sector, on)
            allowed[j] = (d[0] if d[1] == "weeks" else d[0] * 4.33) if d else 0
        max_weeks = allowed[f.target_group]  # -1 indexes the unknown slot (0 weeks)
        ok = max_weeks >= ctx.duration_weeks
        return CheckResult(name, law, ok, lambda i, good: (
            "målgruppe ikke oplyst" if f.target_group[i] < 0 else
            f"{TARGET_GROUPS[f.target_group[i]]}: højst {max_weeks[i]:g} uger praktik; stillingen er på "
            f"{ctx.duration_weeks} uger"))
    if name == "voksenlaerling_alder":
        need = float(entry["min_age"])
        youngest, oldest = _ages(f, on)
        ok = oldest >= need
        return CheckResult(name, law, ok, lambda i, good: (
            "fødselsår ikke oplyst" if np.isnan(f.birth_year[i]) else
            f"{youngest[i]:.0f}-{oldest[i]:.0f} år ved start (krav: mindst {need:g})"))
    if name == "timer":
        tol = float(entry.get("tolerance_hours", 0))
        h = ctx.hours_per_week
        fleks = ctx.scheme == Scheme.fleksjob.value
        capacity = np.where(fleks & ~np.isnan(f.fleksjob_hours), f.fleksjob_hours, f.hours)
        if h is None:
            ok = np.ones(len(f), bool)
        else:
            ok = np.isnan(capacity) | (h <= capacity + tol)
        return CheckResult(name, law, ok, lambda i, good: (
            "stillingens timetal er ikke angivet" if h is None else
            f"kandidatens timer er ikke oplyst; stillingen er på {h:g} timer" if np.isnan(capacity[i]) else
            f"kan arbejde {capacity[i]:g} timer; stillingen er på {h:g} timer"))
    if name == "kommune_samtykke":
        home = ctx.home_municipality
        own = np.isnan(f.municipality) | (f.municipality == (home if home is not None else -1))
        ok = own | f.consent
        return CheckResult(name, law, ok, lambda i, good: (
            "bor i kommunen" if own[i] else
            "bor i en anden kommune og har givet samtykke til søgning" if good else
            "bor i en anden kommune uden samtykke til søgning"))
    raise ValueError(f"unknown matching check {name!r} in the rules file")


def evaluate(f: Facts, ctx: VacancyContext, book: Rulebook) -> Eligibility:
    mask = np.ones(len(f), dtype=bool)
    results = []
    for entry in book.matching_checks(ctx.scheme, ctx.on):
        r = _check(entry["check"], f, ctx, entry, book)
        mask &= r.ok
        results.append(r)
    return Eligibility(mask, results)

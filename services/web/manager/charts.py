"""The manager's charts: each is one set of rows, drawn as a chart, shown as a table, sent as CSV.

Building all three views from the same rows is what makes the CSV a download of *the chart*.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.web.api import Api
from services.web.rendering import maaned
from shared.glossary import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    SCHEME_LABELS,
    SECTOR_LABELS,
    VERDENSMAAL,
    VERDENSMAAL_COLOURS,
    Scheme,
)

# The seeds' table (Slagelse 2019, item 11): wage subsidy and internship placements by sector.
DEFAULT_PLACEMENT_SCHEMES = (Scheme.loentilskud.value, Scheme.virksomhedspraktik.value)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def previous(self) -> Period:
        length = self.end - self.start
        prev_end = self.start - timedelta(days=1)
        return Period(prev_end - length, prev_end)

    def months(self) -> list[str]:
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass
class Chart:
    key: str
    title: str
    columns: list[str]             # CSV header and table columns (machine names)
    headers: list[str]             # the same columns as people read them
    rows: list[dict[str, Any]]
    spec: dict[str, Any]           # Chart.js type/data/options
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _label(mapping: dict, value: str) -> str:
    for k, v in mapping.items():
        if k == value:
            return v
    return value


async def activities_by_channel(api: Api, period: Period) -> Chart:
    years = range(period.start.year, period.end.year + 1)
    reports = await asyncio.gather(*(api.get("crm", "/api/v1/reports/activities", year=y) for y in years))
    wanted = set(period.months())
    counts: dict[tuple[str, str], int] = {}
    for report in reports:
        for r in report.get("rows", []):
            if r["month"] in wanted:
                counts[(r["month"], r["channel"])] = counts.get((r["month"], r["channel"]), 0) + int(r["count"])
    months = period.months()
    channels = [c.value for c in CHANNEL_LABELS if any(k[1] == c.value for k in counts)]
    rows = [{"month": m, "channel": c, "count": counts.get((m, c), 0)} for m in months for c in channels]
    spec = {"type": "bar", "stacked": True, "data": {
        "labels": [maaned(m) for m in months],
        "datasets": [{"label": _label(CHANNEL_LABELS, c), "data": [counts.get((m, c), 0) for m in months]}
                     for c in channels]}}
    return Chart("aktiviteter", "Aktiviteter pr. måned og kanal", ["month", "channel", "count"],
                 ["Måned", "Kanal", "Antal"], rows, spec)


async def placements_by_sector(api: Api, period: Period, schemes: tuple[str, ...] = DEFAULT_PLACEMENT_SCHEMES) -> Chart:
    months = period.months()
    report = await api.get("crm", "/api/v1/reports/placements", **{"from": months[0], "to": months[-1],
                                                                   "schemes": ",".join(schemes)})
    rows = sorted(report.get("rows", []), key=lambda r: (r["month"], r["scheme"], r["sector"]))
    combos = sorted({(r["scheme"], r["sector"]) for r in rows})
    index = {(r["month"], r["scheme"], r["sector"]): int(r["count"]) for r in rows}
    spec = {"type": "bar", "stacked": True, "data": {
        "labels": [maaned(m) for m in months],
        "datasets": [{"label": f"{_label(SCHEME_LABELS, s)} – {_label(SECTOR_LABELS, sec).lower()}",
                      "stack": s, "data": [index.get((m, s, sec), 0) for m in months]} for s, sec in combos]}}
    # The seeds' layout as a pivot: one row per month, a column per scheme and sector.
    pivot_cols = [f"{s}:{sec}" for s, sec in combos]
    pivot = [{"month": m, **{f"{s}:{sec}": index.get((m, s, sec), 0) for s, sec in combos}} for m in months]
    return Chart("placeringer", "Placeringer pr. måned efter arbejdsgivers sektor og ordning",
                 ["month", "sector", "scheme", "count"], ["Måned", "Sektor", "Ordning", "Antal"], rows, spec,
                 note="Forløb der er aktive mindst én dag i måneden.",
                 extra={"pivot": pivot, "pivot_cols": pivot_cols,
                        "pivot_headers": [f"{_label(SCHEME_LABELS, s)}, {_label(SECTOR_LABELS, sec).lower()}"
                                          for s, sec in combos]})


async def fleksjob_hours(api: Api, period: Period) -> Chart:
    months = period.months()
    report = await api.get("crm", "/api/v1/reports/fleksjob-hours", **{"from": months[0], "to": months[-1]})
    rows = report.get("rows", [])
    spec = {"type": "bar", "stacked": True, "data": {
        "labels": [maaned(r["month"]) for r in rows],
        "datasets": [
            {"label": "Flere timer", "data": [r["op"] for r in rows], "color": "#1d6b34"},
            {"label": "Færre timer", "data": [r["ned"] for r in rows], "color": "#a4161a"},
            {"label": "Uændret", "data": [r["uaendret"] for r in rows], "color": "#5d6d7e"},
        ]}}
    return Chart("fleksjob", "Fleksjob: ugentlige timer i forhold til start", ["month", "op", "ned", "uaendret", "total"],
                 ["Måned", "Op", "Ned", "Uændret", "I alt"], rows, spec,
                 note="Personer i fleksjob ved månedens udgang. Flere timer er målet.")


async def igu_outcomes(api: Api, period: Period) -> Chart:
    report = await api.get("crm", "/api/v1/reports/igu", to=period.end.isoformat())
    rows = [
        {"figure": "established", "label": "Etableret i alt", "count": report.get("established", 0)},
        {"figure": "completed", "label": "Gennemført", "count": report.get("completed", 0)},
        {"figure": "ongoing", "label": "I gang", "count": report.get("ongoing", 0)},
        {"figure": "stopped_early", "label": "Stoppet før tid", "count": report.get("stopped_early", 0)},
    ]
    for reason, n in sorted((report.get("stopped_by_reason") or {}).items(), key=lambda kv: -kv[1]):
        rows.append({"figure": "stopped_by_reason", "label": f"Stoppet: {_label(OUTCOME_LABELS, reason)}",
                     "count": n})
    spec = {"type": "doughnut", "data": {
        "labels": ["Gennemført", "I gang", "Stoppet før tid"],
        "datasets": [{"label": "IGU-forløb", "data": [report.get("completed", 0), report.get("ongoing", 0),
                                                      report.get("stopped_early", 0)],
                      "colors": ["#1d6b34", "#0b4f8a", "#a4161a"]}]}}
    return Chart("igu", f"IGU-forløb pr. {period.end.isoformat()}", ["figure", "label", "count"],
                 ["Tal", "Forklaring", "Antal"], rows, spec)


async def partnerships_by_goal(api: Api, period: Period) -> Chart:
    day = period.end.isoformat()
    answers = await asyncio.gather(*(api.get("crm", "/api/v1/partnerships", goal=g, active_on=day, limit=1)
                                     for g in VERDENSMAAL))
    rows = [{"goal": g, "name": VERDENSMAAL[g], "agreements": int(a.get("total", 0))}
            for g, a in zip(VERDENSMAAL, answers, strict=True)]
    shown = [r for r in rows if r["agreements"]] or rows
    spec = {"type": "bar", "options": {
        "indexAxis": "y", "plugins": {"legend": {"display": False}},
        "scales": {"y": {"ticks": {"autoSkip": False}}, "x": {"beginAtZero": True, "ticks": {"precision": 0}}}},
        "data": {
        "labels": [f"{r['goal']}. {r['name']}" for r in shown],
        "datasets": [{"label": "Aktive aftaler", "data": [r["agreements"] for r in shown],
                      "colors": [VERDENSMAAL_COLOURS[r["goal"]] for r in shown]}]}}
    return Chart("verdensmaal", f"Aktive partnerskabsaftaler pr. verdensmål ({day})", ["goal", "name", "agreements"],
                 ["Verdensmål", "Navn", "Aktive aftaler"], rows, spec,
                 note="En aftale med flere verdensmål tæller med under hvert af dem.")


CHARTS = {
    "aktiviteter": activities_by_channel,
    "placeringer": placements_by_sector,
    "fleksjob": fleksjob_hours,
    "igu": igu_outcomes,
    "verdensmaal": partnerships_by_goal,
}


async def consultant_activity(api: Api, period: Period) -> Chart:
    """Contacts per consultant per month, counted by crm in SQL (`/api/v1/reports/consultant-activity`).

    Consultants are told apart by id, not name, so two people with the same name are not added up;
    contacts logged without a consultant come last, so the month totals are always complete.
    """
    months = period.months()
    report = await api.get("crm", "/api/v1/reports/consultant-activity", **{"from": months[0], "to": months[-1]})
    names: dict[int | None, str] = {}
    counts: dict[tuple[str, int | None], int] = {}
    for r in report.get("rows", []):
        names[r["consultant_id"]] = r["consultant_name"]
        counts[(r["month"], r["consultant_id"])] = int(r["count"])
    people = sorted(names, key=lambda cid: (cid is None, names[cid], cid or 0))
    rows = [{"month": m, "consultant": names[p], "count": counts.get((m, p), 0)} for p in people for m in months]
    spec = {"type": "bar", "data": {
        "labels": [maaned(m) for m in months],
        "datasets": [{"label": names[p], "data": [counts.get((m, p), 0) for m in months]} for p in people]}}
    pivot = [{"consultant": names[p], **{m: counts.get((m, p), 0) for m in months},
              "total": sum(counts.get((m, p), 0) for m in months)} for p in people]
    return Chart("konsulenter", "Virksomhedskontakter pr. konsulent pr. måned", ["month", "consultant", "count"],
                 ["Måned", "Konsulent", "Kontakter"], rows, spec,
                 note="Alle registrerede kontakter: besøg, opkald, e-mails, møder og arrangementer, "
                      "talt for hele kalendermåneder.",
                 extra={"people_pivot": pivot, "months": months})


CHARTS["konsulenter"] = consultant_activity

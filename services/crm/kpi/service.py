"""Figures and reports: parameter rules (Danish 4xx), periods and months, shares from counts.

Read-only: nothing here commits. Days are Danish days: an activity logged at 00:30 on 1 January
in Copenhagen belongs to January even though it is stored in UTC as 31 December.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from services.crm.kpi import queries
from services.crm.kpi.queries import Month
from services.crm.kpi.schemas import (
    ActivitiesReport,
    ActivityRow,
    ConsultantActivityReport,
    ConsultantActivityRow,
    FleksjobReport,
    FleksjobRow,
    IguReport,
    Kpi,
    OrderFigures,
    PartnershipFigures,
    PlacementRow,
    PlacementsReport,
)
from shared.errors import Invalid
from shared.glossary import Scheme
from shared.settings import get_settings

MAX_MONTHS = 240  # a report longer than 20 years is a mistake in the request, not a question
MIN_YEAR, MAX_YEAR = 1990, 2100
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Activities logged without a consultant (imports, a deleted user's) still count in the month's total.
NO_CONSULTANT = "Uden konsulent"


def _no_jit(session: Session) -> None:
    """PostgreSQL compiles a query to machine code when its estimated cost is high; for these
    figures (tens of milliseconds on the data) the compilation costs more than it saves, and a
    misestimated join can make it cost hundreds of milliseconds. Only this read-only transaction is
    affected; the SQL of the figures stays the same on every dialect."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def local_midnight_utc(day: date) -> datetime:
    tz = ZoneInfo(get_settings().jobbro_timezone)
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().jobbro_timezone)).date()


# -- parameters -----------------------------------------------------------------------------------

def _check_year(value: date | int, field: str) -> None:
    year = value if isinstance(value, int) else value.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"{field}: året {year} ligger uden for {MIN_YEAR}-{MAX_YEAR}.", field=field)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The KPI period; default: this year up to today. Both days count."""
    end = end or local_today()
    start = start or date(end.year, 1, 1)
    _check_year(start, "from")
    _check_year(end, "to")
    if start > end:
        raise Invalid(
            f"from: startdatoen {start.isoformat()} ligger efter slutdatoen {end.isoformat()}.", field="from"
        )
    return start, end


def parse_month(value: str, field: str) -> date:
    match = _MONTH.match(value.strip())
    if not match:
        raise Invalid(f"{field}: måneden '{value}' skal skrives ÅÅÅÅ-MM, fx 2019-05.", field=field)
    first = date(int(match.group(1)), int(match.group(2)), 1)
    _check_year(first, field)
    return first


def _next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def month_range(start: str | None, end: str | None) -> list[Month]:
    """Months from..to (YYYY-MM, both included); default: the last 12 months up to this one."""
    today = local_today()
    last = parse_month(end, "to") if end else date(today.year, today.month, 1)
    if start:
        first = parse_month(start, "from")
    else:
        first = date(last.year - 1, last.month, 1) if last.month == 12 else date(last.year - 1, last.month + 1, 1)
    if first > last:
        raise Invalid(f"from: måneden {first:%Y-%m} ligger efter {last:%Y-%m} (to).", field="from")
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span > MAX_MONTHS:
        raise Invalid(f"to: en rapport kan højst dække {MAX_MONTHS} måneder (der blev bedt om {span}).", field="to")
    months: list[Month] = []
    current = first
    while current <= last:
        following = _next_month(current)
        months.append(
            Month(
                label=f"{current:%Y-%m}",
                first=current,
                last=following - timedelta(days=1),
                starts_at=local_midnight_utc(current),
                ends_before=local_midnight_utc(following),
            )
        )
        current = following
    return months


def parse_schemes(value: str | None) -> list[str] | None:
    if not value:
        return None
    known = {s.value for s in Scheme}
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise Invalid(
            f"schemes: ukendt ordning '{unknown[0]}'. Gyldige ordninger: {', '.join(s.value for s in Scheme)}.",
            field="schemes",
        )
    return sorted(set(wanted)) or None


# -- figures --------------------------------------------------------------------------------------

def kpi(session: Session, start: date | None, end: date | None) -> Kpi:
    start, end = period(start, end)
    _no_jit(session)
    o = queries.order_figures(session, start, end)
    shares = queries.partner_shares(session, start, end)
    directed, directed_at_partner = shares.get("virksomhedsrettet", (0, 0))
    ordinary, ordinary_at_partner = shares.get("ordinaer", (0, 0))
    cooperating, employing = queries.cooperation(session, start, end)
    known, local = queries.local_candidates(session, start, end, get_settings().jobbro_municipality_code)
    return Kpi(
        period_from=start,
        period_to=end,
        orders=OrderFigures(
            companies=o["companies"],
            repeat_company_share=share(o["repeat"], o["companies"]),
            positions=int(o["positions"]),
            positions_filled=int(o["positions_filled"]),
            fill_rate=share(int(o["positions_filled"]), int(o["positions"])),
            referral_rate=share(int(o["proposed"]), int(o["orders"])),
            hire_rate=share(int(o["hired"]), int(o["proposed"])),
        ),
        partnership=PartnershipFigures(
            active_agreements=queries.active_agreements(session, end),
            placement_share=share(directed_at_partner, directed),
            recruitment_share=share(ordinary_at_partner, ordinary),
        ),
        cooperation_rate=share(cooperating, employing),
        local_share=share(local, known),
        activities=queries.activities_by_channel(
            session, local_midnight_utc(start), local_midnight_utc(end + timedelta(days=1))
        ),
    )


def kpi_csv_rows(figures: Kpi) -> list[dict]:
    """The KPI flattened to one figure a row (`orders.fill_rate`, `activities.telefon`, ...)."""
    data = figures.model_dump(by_alias=True)
    rows = [{"figure": "from", "value": data["from"]}, {"figure": "to", "value": data["to"]}]
    for group in ("orders", "partnership", "activities"):
        rows += [{"figure": f"{group}.{k}", "value": v} for k, v in data[group].items()]
    rows += [{"figure": k, "value": data[k]} for k in ("cooperation_rate", "local_share")]
    return rows


def placements_report(
    session: Session, start: str | None, end: str | None, schemes: str | None, target_group: str | None
) -> PlacementsReport:
    months = month_range(start, end)
    _no_jit(session)
    rows = queries.placements_per_month(session, months, parse_schemes(schemes), target_group)
    return PlacementsReport(rows=[PlacementRow(month=m, sector=s, scheme=sc, count=n) for m, s, sc, n in rows])


def fleksjob_report(session: Session, start: str | None, end: str | None) -> FleksjobReport:
    months = month_range(start, end)
    _no_jit(session)
    return FleksjobReport(
        rows=[
            FleksjobRow(month=m, op=op, ned=ned, uaendret=same, total=total)
            for m, op, ned, same, total in queries.fleksjob_hours_per_month(session, months)
        ]
    )


def igu_report(session: Session, to: date | None) -> IguReport:
    to = to or local_today()
    _check_year(to, "to")
    _no_jit(session)
    counts, by_reason = queries.igu_status(session, to)
    return IguReport(to=to, stopped_by_reason=by_reason, **counts)


def igu_csv_rows(report: IguReport) -> list[dict]:
    rows = [{"figure": k, "outcome_reason": "", "count": getattr(report, k)}
            for k in ("established", "completed", "ongoing", "stopped_early")]
    rows += [{"figure": "stopped_early", "outcome_reason": r, "count": n} for r, n in report.stopped_by_reason.items()]
    return rows


def activities_report(session: Session, year: int | None) -> ActivitiesReport:
    year = year or local_today().year
    _check_year(year, "year")
    months = month_range(f"{year:04d}-01", f"{year:04d}-12")
    _no_jit(session)
    return ActivitiesReport(
        rows=[ActivityRow(month=m, channel=c, count=n) for m, c, n in queries.activities_per_month(session, months)]
    )


def consultant_activity_report(session: Session, start: str | None, end: str | None) -> ConsultantActivityReport:
    months = month_range(start, end)
    _no_jit(session)
    return ConsultantActivityReport(rows=[
        ConsultantActivityRow(month=m, consultant_id=cid, consultant_name=name or NO_CONSULTANT, count=n)
        for m, cid, name, n in queries.activities_per_consultant_month(session, months)
    ])

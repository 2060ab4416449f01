"""The SQL behind every figure of `../shared/kpi-definitions.md`.

Everything is aggregated in the database (SQLAlchemy Core, no dialect-specific SQL): Python only
builds the statements and divides two counts. Month series come from a small VALUES CTE built
here rather than `generate_series`, so the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    column,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    values,
)
from sqlalchemy.orm import Session, aliased
from sqlmodel.sql.sqltypes import UTCDateTime

from services.crm.activities.models import Activity
from services.crm.companies.models import Company
from services.crm.orders.models import Order, Proposal
from services.crm.partnerships.models import Partnership
from services.crm.placements.models import HoursFollowUp, Placement
from shared.glossary import Channel, OrderStatus, Outcome, ProposalStatus, Scheme

HIRE_WINDOW_MONTHS = 3  # besættelsesgrad: hired within 3 months of the order (STAR)
NO_REASON = "uoplyst"  # key for IGUs stopped early without a recorded reason


@dataclass(frozen=True)
class Month:
    label: str  # "2019-05"
    first: date
    last: date
    # The month's bounds as instants in Danish time (activities carry a timestamp, not a date).
    starts_at: datetime | None = None
    ends_before: datetime | None = None


def months_cte(months: Sequence[Month], *, with_instants: bool = False):
    cols = [column("month", String), column("month_first", Date), column("month_last", Date)]
    rows = [(m.label, m.first, m.last) for m in months]
    if with_instants:
        cols += [column("starts_at", UTCDateTime()), column("ends_before", UTCDateTime())]
        rows = [(m.label, m.first, m.last, m.starts_at, m.ends_before) for m in months]
    return values(*cols, name="months").data(rows).cte("months")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _partner_on(company_id, day):
    """SQL condition: the company has an agreement active on `day` (a column or a value)."""
    return exists().where(
        Partnership.company_id == company_id,
        Partnership.signed_on <= day,
        or_(Partnership.ends_on.is_(None), Partnership.ends_on >= day),
    )


def _active_between(first, last):
    """A placement active on at least one day of first..last."""
    return and_(Placement.starts_on <= last, or_(Placement.ends_on.is_(None), Placement.ends_on >= first))


def _month_index(day):
    return extract("year", day) * 12 + extract("month", day)


def _within_months(later, earlier, months: int):
    """`later` <= `earlier` + `months` calendar months, the end clamped to the month's last day.

    Written with year/month/day parts so it is the same SQL on every dialect (date arithmetic with
    intervals is not); clamping matches PostgreSQL's `date + interval 'n months'`.
    """
    diff = _month_index(later) - _month_index(earlier)
    return or_(diff < months, and_(diff == months, extract("day", later) <= extract("day", earlier)))


# -- /kpi -----------------------------------------------------------------------------------------

def order_figures(session: Session, start: date, end: date) -> dict[str, int]:
    placed = (
        select(func.count(Placement.id)).where(Placement.order_id == Order.id).correlate(Order).scalar_subquery()
    )
    proposed = exists().where(Proposal.order_id == Order.id)
    hired_placement = aliased(Placement)
    hired_on = func.coalesce(Proposal.decided_on, hired_placement.starts_on)
    hired = (
        select(Proposal.id)
        .select_from(Proposal)
        .outerjoin(hired_placement, hired_placement.id == Proposal.placement_id)
        .where(
            Proposal.order_id == Order.id,
            Proposal.status == ProposalStatus.ansat.value,
            _within_months(hired_on, Order.received_on, HIRE_WINDOW_MONTHS),
        )
        .correlate(Order)
        .exists()
    )
    per_order = (
        select(
            Order.company_id,
            Order.status,
            Order.positions,
            placed.label("placed"),
            case((proposed, 1), else_=0).label("proposed"),
            case((hired, 1), else_=0).label("hired"),
        )
        .where(Order.received_on.between(start, end))
        .cte("per_order")
    )
    live = per_order.c.status != OrderStatus.annulleret.value
    capped = case((per_order.c.placed < per_order.c.positions, per_order.c.placed), else_=per_order.c.positions)
    totals = session.execute(
        select(
            func.count().label("orders"),
            func.coalesce(func.sum(case((live, per_order.c.positions), else_=0)), 0).label("positions"),
            func.coalesce(func.sum(case((live, capped), else_=0)), 0).label("positions_filled"),
            func.coalesce(func.sum(per_order.c.proposed), 0).label("proposed"),
            _count_if(and_(per_order.c.proposed == 1, per_order.c.hired == 1)).label("hired"),
        )
    ).one()
    per_company = (
        select(per_order.c.company_id, func.count().label("n")).group_by(per_order.c.company_id).subquery()
    )
    companies = session.execute(
        select(func.count().label("companies"), _count_if(per_company.c.n >= 2).label("repeat"))
    ).one()
    return {**totals._asdict(), **companies._asdict()}


def active_agreements(session: Session, day: date) -> int:
    return session.execute(
        select(func.count()).where(
            Partnership.signed_on <= day, or_(Partnership.ends_on.is_(None), Partnership.ends_on >= day)
        )
    ).scalar_one()


def partner_shares(session: Session, start: date, end: date) -> dict[str, tuple[int, int]]:
    """{"ordinaer"|"virksomhedsrettet": (started, started at a partner on the start day)}."""
    kind = case((Placement.scheme == Scheme.ordinaer.value, "ordinaer"), else_="virksomhedsrettet").label("kind")
    rows = session.execute(
        select(kind, func.count(), _count_if(_partner_on(Placement.company_id, Placement.starts_on)))
        .where(Placement.starts_on.between(start, end))
        .group_by(kind)
    ).all()
    return {k: (int(n), int(p)) for k, n, p in rows}


def cooperation(session: Session, start: date, end: date) -> tuple[int, int]:
    """(companies with >= 1 employee and a company-directed placement in the period, all such)."""
    employing = Company.employees >= 1
    cooperating = (
        select(Placement.company_id)
        .where(Placement.scheme != Scheme.ordinaer.value, _active_between(start, end))
        .distinct()
        .subquery()
    )
    numerator = session.execute(
        select(func.count()).select_from(cooperating).join(Company, Company.id == cooperating.c.company_id)
        .where(employing)
    ).scalar_one()
    denominator = session.execute(select(func.count()).select_from(Company).where(employing)).scalar_one()
    return int(numerator), int(denominator)


def local_candidates(session: Session, start: date, end: date, municipality_code: int) -> tuple[int, int]:
    """(placements on orders started in the period with a known municipality, of them local)."""
    known, local = session.execute(
        select(func.count(), _count_if(Placement.candidate_municipality_code == municipality_code)).where(
            Placement.order_id.is_not(None),
            Placement.starts_on.between(start, end),
            Placement.candidate_municipality_code.is_not(None),
        )
    ).one()
    return int(known), int(local)


def activities_by_channel(session: Session, starts_at: datetime, ends_before: datetime) -> dict[str, int]:
    rows = session.execute(
        select(Activity.channel, func.count())
        .where(Activity.occurred_at >= starts_at, Activity.occurred_at < ends_before)
        .group_by(Activity.channel)
    ).all()
    counts = {c.value: 0 for c in Channel}
    counts.update({channel: int(n) for channel, n in rows})
    return counts


# -- reports --------------------------------------------------------------------------------------

def placements_per_month(
    session: Session, months: Sequence[Month], schemes: Sequence[str] | None, target_group: str | None
) -> list[tuple[str, str, str, int]]:
    m = months_cte(months)
    # The whole period's filter first lets the planner cut the placements down once, before the
    # per-month range join.
    conditions = [_active_between(months[0].first, months[-1].last)]
    if schemes:
        conditions.append(Placement.scheme.in_(list(schemes)))
    if target_group:
        conditions.append(Placement.target_group == target_group)
    stmt = (
        select(m.c.month, Company.sector, Placement.scheme, func.count())
        .select_from(m)
        .join(Placement, _active_between(m.c.month_first, m.c.month_last))
        .join(Company, Company.id == Placement.company_id)
        .where(*conditions)
        .group_by(m.c.month, Company.sector, Placement.scheme)
        .order_by(m.c.month, Company.sector, Placement.scheme)
    )
    return [(month, sector, scheme, int(n)) for month, sector, scheme, n in session.execute(stmt).all()]


def fleksjob_hours_per_month(session: Session, months: Sequence[Month]) -> list[tuple[str, int, int, int, int]]:
    m = months_cte(months)
    latest = (
        select(HoursFollowUp.hours_per_week)
        .where(HoursFollowUp.placement_id == Placement.id, HoursFollowUp.on <= m.c.month_last)
        .order_by(HoursFollowUp.on.desc())
        .limit(1)
        .scalar_subquery()
    )
    first_recorded = (
        select(HoursFollowUp.hours_per_week)
        .where(HoursFollowUp.placement_id == Placement.id)
        .order_by(HoursFollowUp.on.asc())
        .limit(1)
        .scalar_subquery()
    )
    # Hours at start are the placement's own figure; a placement created without it starts
    # from its first recorded follow-up.
    at_start = func.coalesce(Placement.hours_per_week, first_recorded)
    at_month_end = func.coalesce(latest, at_start)
    direction = case((at_month_end > at_start, "op"), (at_month_end < at_start, "ned"), else_="uaendret")
    people = (
        select(m.c.month.label("month"), direction.label("direction"))
        .select_from(m)
        .join(
            Placement,
            and_(
                Placement.starts_on <= m.c.month_last,
                or_(Placement.ends_on.is_(None), Placement.ends_on >= m.c.month_last),
            ),
        )
        .where(Placement.scheme == Scheme.fleksjob.value)
        .subquery()
    )
    grouped = (
        select(
            people.c.month,
            _count_if(people.c.direction == "op").label("op"),
            _count_if(people.c.direction == "ned").label("ned"),
            _count_if(people.c.direction == "uaendret").label("uaendret"),
            func.count().label("total"),
        )
        .group_by(people.c.month)
        .subquery()
    )
    # Every month of the range answers, an empty one with zeros, so the table has no holes.
    stmt = (
        select(
            m.c.month,
            func.coalesce(grouped.c.op, 0),
            func.coalesce(grouped.c.ned, 0),
            func.coalesce(grouped.c.uaendret, 0),
            func.coalesce(grouped.c.total, 0),
        )
        .select_from(m)
        .outerjoin(grouped, grouped.c.month == m.c.month)
        .order_by(m.c.month)
    )
    return [(month, int(op), int(ned), int(same), int(total)) for month, op, ned, same, total in session.execute(stmt)]


def igu_status(session: Session, to: date) -> tuple[dict[str, int], dict[str, int]]:
    """IGU outcomes on `to`. A placement whose last day is `to` or earlier has ended; the rest are
    ongoing, so established = completed + ongoing + stopped_early (as the committee reports it)."""
    ended = and_(Placement.ends_on.is_not(None), Placement.ends_on <= to)
    completed = and_(ended, Placement.outcome == Outcome.gennemfoert.value)
    stopped = and_(ended, or_(Placement.outcome.is_(None), Placement.outcome != Outcome.gennemfoert.value))
    igu = and_(Placement.scheme == Scheme.igu.value, Placement.starts_on <= to)
    row = session.execute(
        select(
            func.count().label("established"),
            _count_if(completed).label("completed"),
            _count_if(~ended).label("ongoing"),
            _count_if(stopped).label("stopped_early"),
        ).where(igu)
    ).one()
    reason = func.coalesce(Placement.outcome_reason, literal(NO_REASON)).label("reason")
    by_reason = session.execute(
        select(reason, func.count()).where(igu, stopped).group_by(reason).order_by(reason)
    ).all()
    return {k: int(v) for k, v in row._asdict().items()}, {r: int(n) for r, n in by_reason}


def activities_per_month(session: Session, months: Sequence[Month]) -> list[tuple[str, str, int]]:
    m = months_cte(months, with_instants=True)
    stmt = (
        select(m.c.month, Activity.channel, func.count())
        .select_from(m)
        .join(Activity, and_(Activity.occurred_at >= m.c.starts_at, Activity.occurred_at < m.c.ends_before))
        .where(Activity.occurred_at >= months[0].starts_at, Activity.occurred_at < months[-1].ends_before)
        .group_by(m.c.month, Activity.channel)
        .order_by(m.c.month, Activity.channel)
    )
    return [(month, channel, int(n)) for month, channel, n in session.execute(stmt).all()]

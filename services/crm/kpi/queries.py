"""The SQL behind every figure of `../shared/kpi-definitions.md`.

Everything is aggregated in the database (SQLAlchemy Core, no dialect-specific SQL): Python only
builds the statements and divides two counts. Month series come from a small VALUES CTE built
here rather than `generate_series`, and months are numbered with EXTRACT(year/month) rather than
date arithmetic, so the same statements run on SQLite and PostgreSQL. The reports first count
rows per range of month indexes (a few hundred groups) and only then spread those over the
months, so a placement running for years costs one row, not one per month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
    values,
)
from sqlalchemy.orm import Session, aliased

from services.crm.activities.models import Activity
from services.crm.companies.models import Company
from services.crm.orders.models import Order, Proposal
from services.crm.partnerships.models import Partnership
from services.crm.placements.models import HoursFollowUp, Placement
from services.crm.users.models import User
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


def months_cte(months: Sequence[Month]):
    """(idx, month, month_first, month_last): idx 0 is the first month of the range."""
    cols = [column("idx", Integer), column("month", String), column("month_first", Date), column("month_last", Date)]
    rows = [(i, m.label, m.first, m.last) for i, m in enumerate(months)]
    return values(*cols, name="months").data(rows).cte("months")


def _month_number(day):
    return cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer)


def _month_idx(day, months: Sequence[Month]):
    """The index of `day`'s month in `months` (negative before, >= len after)."""
    first = months[0].first
    return _month_number(day) - (first.year * 12 + first.month)


def _smaller(a, b):
    return case((a < b, a), else_=b)


def _larger(a, b):
    return case((a > b, a), else_=b)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
    # Joins and GROUP BY rather than a subquery per order: the planner then scans each table once.
    orders = select(Order.id, Order.company_id, Order.status, Order.positions, Order.received_on).where(
        Order.received_on.between(start, end)
    ).cte("orders_in_period")
    # The period's orders were created together, so their ids span a narrow range: bounding the
    # placements' and proposals' order_id by it lets an index scan start there (same result).
    first_id = select(func.min(orders.c.id)).scalar_subquery()
    last_id = select(func.max(orders.c.id)).scalar_subquery()
    placed = (
        select(Placement.order_id.label("order_id"), func.count().label("n"))
        .join(orders, orders.c.id == Placement.order_id)
        .where(Placement.order_id.between(first_id, last_id))
        .group_by(Placement.order_id)
        .subquery("placed")
    )
    # The hire date is the decision; only a hire recorded without one falls back on its placement.
    hired_on = func.coalesce(
        Proposal.decided_on,
        select(Placement.starts_on).where(Placement.id == Proposal.placement_id).scalar_subquery(),
    )
    hired_in_time = and_(
        Proposal.status == ProposalStatus.ansat.value,
        _within_months(hired_on, orders.c.received_on, HIRE_WINDOW_MONTHS),
    )
    # One pass over the proposals: an order with a row here had a candidate proposed.
    proposals = (
        select(Proposal.order_id.label("order_id"), func.max(case((hired_in_time, 1), else_=0)).label("hired"))
        .join(orders, orders.c.id == Proposal.order_id)
        .where(Proposal.order_id.between(first_id, last_id))
        .group_by(Proposal.order_id)
        .subquery("proposals")
    )
    n_placed = func.coalesce(placed.c.n, 0)
    live = orders.c.status != OrderStatus.annulleret.value
    capped = case((n_placed < orders.c.positions, n_placed), else_=orders.c.positions)
    totals = session.execute(
        select(
            func.count().label("orders"),
            func.coalesce(func.sum(case((live, orders.c.positions), else_=0)), 0).label("positions"),
            func.coalesce(func.sum(case((live, capped), else_=0)), 0).label("positions_filled"),
            func.count(proposals.c.order_id).label("proposed"),
            func.coalesce(func.sum(proposals.c.hired), 0).label("hired"),
        )
        .select_from(orders)
        .outerjoin(placed, placed.c.order_id == orders.c.id)
        .outerjoin(proposals, proposals.c.order_id == orders.c.id)
    ).one()
    per_company = select(orders.c.company_id, func.count().label("n")).group_by(orders.c.company_id).subquery()
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
    # A join, not EXISTS per placement; DISTINCT because agreements may overlap (a renewal signed
    # before the old one ended).
    rows = session.execute(
        select(kind, func.count(Placement.id.distinct()), func.count(
            case((Partnership.id.is_not(None), Placement.id)).distinct()
        ))
        .select_from(Placement)
        .outerjoin(
            Partnership,
            and_(
                Partnership.company_id == Placement.company_id,
                Partnership.signed_on <= Placement.starts_on,
                or_(Partnership.ends_on.is_(None), Partnership.ends_on >= Placement.starts_on),
            ),
        )
        .where(Placement.starts_on.between(start, end))
        .group_by(kind)
    ).all()
    return {k: (int(n), int(p)) for k, n, p in rows}


def cooperation(session: Session, start: date, end: date) -> tuple[int, int]:
    """(companies with >= 1 employee and a company-directed placement in the period, all such)."""
    cooperating = select(Placement.company_id).where(
        Placement.scheme != Scheme.ordinaer.value, _active_between(start, end)
    )
    numerator, denominator = session.execute(
        select(_count_if(Company.id.in_(cooperating)), func.count()).where(Company.employees >= 1)
    ).one()
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
    """A placement counts in month m when starts_on <= m's last day and ends_on >= m's first day,
    i.e. for month indexes idx(starts_on)..idx(ends_on). Placements are first counted per (sector,
    scheme, first index, last index), a few hundred groups, and only those are spread over months:
    a placement running for years is one row, not one per month."""
    conditions = [_active_between(months[0].first, months[-1].last)]
    if schemes:
        conditions.append(Placement.scheme.in_(list(schemes)))
    if target_group:
        conditions.append(Placement.target_group == target_group)
    # Grouping on the raw month numbers first makes the database compute them once per row.
    start_n, end_n = _month_number(Placement.starts_on), _month_number(Placement.ends_on)
    raw = (
        select(Company.sector.label("sector"), Placement.scheme.label("scheme"), start_n.label("start_n"),
               end_n.label("end_n"), func.count().label("n"))
        .join(Company, Company.id == Placement.company_id)
        .where(*conditions)
        .group_by(Company.sector, Placement.scheme, start_n, end_n)
        .subquery("raw")
    )
    base = months[0].first.year * 12 + months[0].first.month
    last_idx = len(months) - 1
    start_idx = _larger(raw.c.start_n - base, 0)
    end_idx = case((raw.c.end_n.is_(None), last_idx), else_=_smaller(raw.c.end_n - base, last_idx))
    spans = (
        select(raw.c.sector, raw.c.scheme, start_idx.label("s"), end_idx.label("e"), func.sum(raw.c.n).label("n"))
        .group_by(raw.c.sector, raw.c.scheme, start_idx, end_idx)
        .subquery("spans")
    )
    m = months_cte(months)
    stmt = (
        select(m.c.month, spans.c.sector, spans.c.scheme, func.sum(spans.c.n))
        .select_from(spans)
        .join(m, and_(m.c.idx >= spans.c.s, m.c.idx <= spans.c.e))
        .group_by(m.c.month, spans.c.sector, spans.c.scheme)
        .order_by(m.c.month, spans.c.sector, spans.c.scheme)
    )
    return [(month, sector, scheme, int(n)) for month, sector, scheme, n in session.execute(stmt).all()]


def fleksjob_hours_per_month(session: Session, months: Sequence[Month]) -> list[tuple[str, int, int, int, int]]:
    """People in a fleksjob at each month end, by their latest weekly hours on or before that day
    compared with their hours at start.

    A placement's history is cut into segments at its follow-ups: before the first follow-up the
    latest hours are the hours at start (unchanged); from a follow-up until the next one they are
    that follow-up's. A segment counts for every month whose last day falls inside it (and inside
    the placement), so each segment becomes a range of month indexes, counted per direction, and
    only those few groups are spread over the months.
    """
    last_idx = len(months) - 1
    first, last = months[0].first, months[-1].last
    month_ends = [m.last for m in months]
    fleks = (
        select(Placement.id, Placement.starts_on, Placement.ends_on, Placement.hours_per_week)
        .where(Placement.scheme == Scheme.fleksjob.value, _active_between(months[0].last, last))
        .cte("fleks")
    )
    h = HoursFollowUp
    window = {"partition_by": h.placement_id, "order_by": h.on}
    # Each segment carries its placement's dates and hours, so nothing is joined after the union.
    follow_ups = (
        select(
            h.placement_id, fleks.c.starts_on, fleks.c.ends_on, fleks.c.hours_per_week.label("start_hours"),
            h.on.label("seg_from"),
            func.lead(h.on).over(**window).label("seg_next"),
            h.hours_per_week.label("hours"),
            func.first_value(h.hours_per_week).over(**window).label("first_hours"),
            func.first_value(h.on).over(**window).label("first_on"),
        )
        .join(fleks, fleks.c.id == h.placement_id)
        .where(h.on <= last)
        .cte("follow_ups")
    )
    # Before the first follow-up (or without any up to the period's end) hours are as at start.
    first_rows = aliased(follow_ups, name="first_rows")
    before_any = (
        select(
            fleks.c.starts_on, fleks.c.ends_on, fleks.c.hours_per_week.label("start_hours"),
            fleks.c.starts_on.label("seg_from"),
            first_rows.c.seg_from.label("seg_next"),
            literal(None, Float).label("hours"),
            literal(None, Float).label("first_hours"),
        )
        .select_from(fleks)
        .outerjoin(first_rows, and_(first_rows.c.placement_id == fleks.c.id,
                                    first_rows.c.seg_from == first_rows.c.first_on))
    )
    seg = union_all(
        before_any,
        select(follow_ups.c.starts_on, follow_ups.c.ends_on, follow_ups.c.start_hours, follow_ups.c.seg_from,
               follow_ups.c.seg_next, follow_ups.c.hours, follow_ups.c.first_hours)
        .where(or_(follow_ups.c.seg_next.is_(None), follow_ups.c.seg_next > first)),
    ).subquery("segments")

    at_start = func.coalesce(seg.c.start_hours, seg.c.first_hours)
    direction = case(
        (seg.c.hours.is_(None), "uaendret"),
        (seg.c.hours > at_start, "op"),
        (seg.c.hours < at_start, "ned"),
        else_="uaendret",
    )
    # Month numbers once per segment (grouped on, so computed once), then ranges of indexes.
    from_n = _month_number(_larger(seg.c.seg_from, seg.c.starts_on))
    next_n = _month_number(seg.c.seg_next)
    end_n = _month_number(seg.c.ends_on)
    ends_on_month_end = case((seg.c.ends_on.in_(month_ends), 1), else_=0)
    raw = (
        select(direction.label("direction"), from_n.label("from_n"), next_n.label("next_n"), end_n.label("end_n"),
               ends_on_month_end.label("end_is_month_end"), func.count().label("n"))
        .group_by(direction, from_n, next_n, end_n, ends_on_month_end)
        .subquery("raw")
    )
    base = first.year * 12 + first.month
    # First month whose last day is in the segment and the placement: the month of the later start.
    start_idx = _larger(raw.c.from_n - base, 0)
    # Last month whose last day is before the next follow-up ...
    until_next = case((raw.c.next_n.is_(None), last_idx), else_=raw.c.next_n - base - 1)
    # ... and on or before the placement's end (its own month only when it ends on the last day;
    # an end after the range is clamped below anyway).
    until_end = case((raw.c.end_n.is_(None), last_idx), else_=raw.c.end_n - base - 1 + raw.c.end_is_month_end)
    end_idx = _smaller(_smaller(until_next, until_end), last_idx)
    spans = (
        select(raw.c.direction, start_idx.label("s"), end_idx.label("e"), func.sum(raw.c.n).label("n"))
        .group_by(raw.c.direction, start_idx, end_idx)
        .subquery("spans")
    )
    m = months_cte(months)
    covered = and_(m.c.idx >= spans.c.s, m.c.idx <= spans.c.e)
    stmt = (
        select(
            m.c.month,
            func.coalesce(func.sum(case((spans.c.direction == "op", spans.c.n), else_=0)), 0),
            func.coalesce(func.sum(case((spans.c.direction == "ned", spans.c.n), else_=0)), 0),
            func.coalesce(func.sum(case((spans.c.direction == "uaendret", spans.c.n), else_=0)), 0),
            func.coalesce(func.sum(spans.c.n), 0),
        )
        .select_from(m)
        .outerjoin(spans, covered)  # every month answers, an empty one with zeros
        .group_by(m.c.idx, m.c.month)
        .order_by(m.c.idx)
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


def _activity_month_idx(months: Sequence[Month]):
    """Each activity's (Danish) month index, by comparing its UTC instant with the months' bounds in
    one CASE: the timestamp is compared as stored, so the range condition can use its index."""
    if len(months) == 1:
        return literal(0)  # a CASE without a WHEN is a syntax error
    return case(
        *[(Activity.occurred_at < m.ends_before, i) for i, m in enumerate(months[:-1])],
        else_=len(months) - 1,
    )


def _activities_in(months: Sequence[Month]):
    return and_(Activity.occurred_at >= months[0].starts_at, Activity.occurred_at < months[-1].ends_before)


def activities_per_month(session: Session, months: Sequence[Month]) -> list[tuple[str, str, int]]:
    """Counted per (month, channel) in one pass over the period's rows."""
    bucket = _activity_month_idx(months)
    counted = (
        select(bucket.label("idx"), Activity.channel.label("channel"), func.count().label("n"))
        .where(_activities_in(months))
        .group_by(bucket, Activity.channel)
        .subquery("counted")
    )
    m = months_cte(months)
    stmt = (
        select(m.c.month, counted.c.channel, counted.c.n)
        .select_from(counted)
        .join(m, m.c.idx == counted.c.idx)
        .order_by(m.c.month, counted.c.channel)
    )
    return [(month, channel, int(n)) for month, channel, n in session.execute(stmt).all()]


def activities_per_consultant_month(
    session: Session, months: Sequence[Month]
) -> list[tuple[str, int | None, str | None, int]]:
    """(month, consultant_id, consultant's name, count): every registered activity, whatever its
    channel, counted by the consultant who registered it. Names are joined after grouping, so the
    user table is read once per group, not once per activity."""
    bucket = _activity_month_idx(months)
    counted = (
        select(bucket.label("idx"), Activity.consultant_id.label("consultant_id"), func.count().label("n"))
        .where(_activities_in(months))
        .group_by(bucket, Activity.consultant_id)
        .subquery("counted")
    )
    m = months_cte(months)
    # NULLs sort first on SQLite and last on PostgreSQL: put activities without a consultant last on both.
    without_consultant = case((counted.c.consultant_id.is_(None), 1), else_=0)
    stmt = (
        select(m.c.month, counted.c.consultant_id, User.full_name, counted.c.n)
        .select_from(counted)
        .join(m, m.c.idx == counted.c.idx)
        .outerjoin(User, User.id == counted.c.consultant_id)
        .order_by(m.c.month, without_consultant, User.full_name, counted.c.consultant_id)
    )
    return [(month, cid, name, int(n)) for month, cid, name, n in session.execute(stmt).all()]

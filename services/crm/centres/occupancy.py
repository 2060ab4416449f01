"""Counting places over days, on rows already read (no queries here).

A place is occupied on a day when a placement linked to the centre runs that day (starts_on..ends_on,
both included; an open end runs on). Counts over a period use the peak day, because a place is
only free for a period when it is free on every day of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Protocol


class Period(Protocol):
    starts_on: date
    ends_on: date | None


def runs_on(p: Period, day: date) -> bool:
    return p.starts_on <= day and (p.ends_on is None or p.ends_on >= day)


def count_on(rows: Iterable[Period], day: date) -> int:
    return sum(1 for p in rows if runs_on(p, day))


def peak(rows: Sequence[Period], start: date, end: date | None) -> int:
    """Most rows running on one day of start..end: the count only rises on a start, so the days
    to look at are `start` and every start inside the period."""
    days = {start} | {p.starts_on for p in rows if p.starts_on > start and (end is None or p.starts_on <= end)}
    return max((count_on(rows, d) for d in days), default=0)


def overlap_days(p: Period, start: date, end: date) -> int:
    first = max(p.starts_on, start)
    last = end if p.ends_on is None else min(p.ends_on, end)
    return max((last - first).days + 1, 0)


def days_between(start: date, end: date) -> int:
    return max((end - start).days + 1, 0)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())

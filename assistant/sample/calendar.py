"""The clinic's calendar: open on weekdays except the US federal holidays it observes."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def holidays(year: int) -> frozenset[date]:
    """New Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas."""
    return frozenset({
        date(year, 1, 1),
        _last_weekday(year, 5, 0),
        date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 11, 3, 4),
        date(year, 12, 25),
    })


def is_open(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def next_open(day: date) -> date:
    """`day` itself when the clinic is open, else the next open day."""
    while not is_open(day):
        day += timedelta(days=1)
    return day


def add_open_days(day: date, n: int) -> date:
    """The n-th open day after `day`."""
    for _ in range(n):
        day = next_open(day + timedelta(days=1))
    return day


def next_weekday(day: date, weekday: int) -> date:
    """`day` or the first day after it that falls on `weekday` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)

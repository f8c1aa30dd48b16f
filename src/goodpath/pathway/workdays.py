"""US federal working days, and how a notice period to Congress is counted.

A working day is a weekday that is not a US federal holiday (5 U.S.C. 6103, with the
Friday/Monday "observed" days), as the ``holidays`` package gives them for each year —
so Juneteenth counts only from 2021, Martin Luther King Jr. Day only from 1986.

Counting convention (one for both units, chosen to be conservative):
the statutes say "not less than 45 working days before issuing the waiver" (AECA sec.
73(e), 22 U.S.C. 2797b(e)(2)), "not less than 20 days before the waiver takes effect"
(EAA sec. 11C(e), 50 U.S.C. 4613(e)) or "15 days after" a report (INKSNA sec. 5,
IIANPA sec. 1606) — see ../shared/legal-rules.md sec. 1.1. The day the notice is given
is day 0 and is not counted; the period ends on the n-th (working) day after it; the
relief may take effect on the next calendar day, once n full (working) days have run.
This may be one day later than the most generous reading, never earlier.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

__all__ = ["add_calendar_days", "add_working_days", "is_working_day", "notice_effective", "period_end"]

ONE_DAY = timedelta(days=1)


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    # The package knows when each holiday was created and moved; observed days included.
    return frozenset(holidays.country_holidays("US", years=year, observed=True))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts).

    ``n == 0`` gives ``start`` back unchanged."""
    if n < 0:
        raise ValueError("n must be zero or more")
    day = start
    for _ in range(n):
        day += ONE_DAY
        while not is_working_day(day):
            day += ONE_DAY
    return day


def add_calendar_days(start: date, n: int) -> date:
    if n < 0:
        raise ValueError("n must be zero or more")
    return start + timedelta(days=n)


def period_end(notice_date: date, days: int, unit: str) -> date:
    """The last day of a notice period of ``days`` ``unit`` ("days" or "working_days")."""
    if unit == "working_days":
        return add_working_days(notice_date, days)
    if unit == "days":
        return add_calendar_days(notice_date, days)
    raise ValueError(f"unknown unit {unit!r}")


def notice_effective(notice_date: date, days: int, unit: str) -> date:
    """The first day relief may take effect after notice given on ``notice_date``."""
    return period_end(notice_date, days, unit) + ONE_DAY

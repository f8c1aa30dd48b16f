"""US federal working days and the notice-period convention (pathway/workdays.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goodpath.pathway.workdays import (
    add_calendar_days,
    add_working_days,
    is_working_day,
    notice_effective,
    period_end,
)

days = st.dates(min_value=date(1985, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=80)


def test_weekends_and_federal_holidays_are_not_working_days():
    assert not is_working_day(date(1994, 11, 5))  # Saturday
    assert not is_working_day(date(1994, 11, 11))  # Veterans Day (Friday)
    assert not is_working_day(date(1994, 11, 24))  # Thanksgiving
    assert not is_working_day(date(2007, 11, 12))  # Veterans Day observed (Monday)
    assert is_working_day(date(2007, 8, 15))


def test_holidays_as_of_each_year():
    assert is_working_day(date(2019, 6, 19))  # Juneteenth is a federal holiday only from 2021
    assert not is_working_day(date(2023, 6, 19))


def test_a_holiday_in_the_window_adds_a_day():
    # Nov 1 1994 (Tue) + 10 working days: Nov 11 (Veterans Day) skipped -> Nov 16, not Nov 15.
    assert add_working_days(date(1994, 11, 1), 10) == date(1994, 11, 16)
    assert add_working_days(date(1994, 11, 1), 0) == date(1994, 11, 1)


def test_notice_convention_effect_the_day_after_the_last_day():
    assert period_end(date(2007, 8, 15), 15, "days") == date(2007, 8, 30)
    assert notice_effective(date(2007, 8, 15), 15, "days") == date(2007, 8, 31)
    last = add_working_days(date(2007, 8, 15), 45)
    assert notice_effective(date(2007, 8, 15), 45, "working_days") == last + timedelta(days=1)


@given(days, counts)
def test_result_is_a_working_day_at_least_n_calendar_days_later(start, n):
    end = add_working_days(start, n)
    assert end >= add_calendar_days(start, n)
    if n:
        assert is_working_day(end)
        # exactly n working days in (start, end]
        span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
        assert sum(map(is_working_day, span)) == n


@given(days, counts, counts)
def test_monotonic_in_n(start, a, b):
    low, high = sorted((a, b))
    assert add_working_days(start, low) <= add_working_days(start, high)
    if low < high:
        assert add_working_days(start, low) < add_working_days(start, high)


@given(days, st.integers(min_value=1, max_value=60))
def test_skips_weekends_and_holidays(start, n):
    end = add_working_days(start, n)
    skipped = [
        start + timedelta(days=i)
        for i in range(1, (end - start).days + 1)
        if not is_working_day(start + timedelta(days=i))
    ]
    assert all(d.weekday() >= 5 or not is_working_day(d) for d in skipped)
    assert (end - start).days == n + len(skipped)

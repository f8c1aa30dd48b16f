"""Sanction terms derived from the legal-authority catalogue."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from goodpath.registry.authorities import add_period, default_measures, for_program, term_dates

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))


@given(dates, st.integers(0, 30), st.integers(0, 60))
def test_adding_a_period_never_goes_back_and_keeps_the_day_where_it_exists(start, years, months):
    end = add_period(start, years, months)
    assert end >= start
    assert end.day <= start.day
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == years * 12 + months


@given(dates)
def test_twelve_months_is_one_year(start):
    assert add_period(start, months=12) == add_period(start, years=1)


def test_minimum_term_gives_an_earliest_end_but_no_expiry():
    # AECA sec. 73: not less than 2 years (NORINCO, 68 FR 54930, effective Sep 19 2003).
    assert term_dates("AECA73", date(2003, 9, 19)) == (date(2005, 9, 19), None)


def test_order_specified_and_indefinite_terms_give_neither():
    assert term_dates("INKSNA", date(2005, 12, 23)) == (None, None)  # term set by each notice
    assert term_dates("EO13382", date(2006, 6, 13)) == (None, None)  # until delisted
    assert term_dates("AECA73", None) == (None, None)
    assert term_dates("NO_SUCH", date(2006, 6, 13)) == (None, None)


def test_program_codes_resolve_by_dataset():
    assert for_program("NPWMD") == "EO13382"
    assert for_program("DPRK", "un-sc") != for_program("DPRK", "us-ofac-sdn")
    assert for_program("") is None
    assert "blocking" in default_measures("EO13382")
